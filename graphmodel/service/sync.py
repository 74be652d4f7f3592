"""`tenantgraph sync`: collect every configured tenant, import them, publish one snapshot.

One run: each tenant's folder is brought up to date by the collector (delta query where Graph
has it, `collect_tenant`), then all folders are imported together (guests are linked to their
home tenants across folders) and written through `GraphService.load_world` as one snapshot
(the store's normal write path; when the World equals the current one nothing is written).
The new snapshot's outsider access changes are computed into the feed (`ChangeFeed`) and the
deliverer is woken; delivery runs on its own thread and never holds the sync up.

A tenant that fails (Graph unavailable, credentials refused) keeps its previous export (the
collector works on a copy) and the run goes on with the others: the snapshot then holds that
tenant as it was last collected, and its summary line says why.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from graphmodel.ingest.collector import (
    AuthFailed,
    CollectError,
    MissingPermissions,
    Traffic,
    collect_tenant,
)
from graphmodel.ingest.graph_export import import_export
from graphmodel.ingest.graph_export import layout as L
from graphmodel.service.changes import CaughtUp, ChangeFeed
from graphmodel.service.facade import GraphService
from graphmodel.service.notify import Deliverer
from graphmodel.service.sync_config import SyncConfig, TenantSource
from graphmodel.stores.base import SnapshotInfo
from graphmodel.timings import record_duration

__all__ = ["SyncOutcome", "Syncer", "TenantOutcome"]

Notify = Callable[[str, str], None]  # (tenant name, message)


@dataclass(slots=True)
class TenantOutcome:
    name: str
    ok: bool = False
    seconds: float = 0.0
    requests: int = 0
    operations: int = 0
    files: int = 0
    rounds: dict[str, str] = field(default_factory=dict)
    incomplete: list[str] = field(default_factory=list)
    error: str | None = None
    retryable: bool = False

    def line(self) -> str:
        """The summary line of this tenant."""
        head = f"{self.name}: " + ("ok" if self.ok else "FAILED")
        rounds = ", ".join(f"{k} {v}" for k, v in self.rounds.items()) or "no directory reads"
        body = (f" in {self.seconds:.1f}s, {self.requests} requests ({self.operations} graph "
                f"operations), {self.files} files written; {rounds}")
        if self.incomplete:
            body += f"; incomplete: {', '.join(self.incomplete)}"
        if self.error:
            body += f"; {self.error}" + (" (retry later)" if self.retryable else "")
        return head + body


@dataclass(slots=True)
class SyncOutcome:
    tenants: list[TenantOutcome]
    snapshot: SnapshotInfo | None = None
    written: bool = False
    feed: CaughtUp = field(default_factory=CaughtUp)
    seconds: float = 0.0
    warnings: int = 0

    @property
    def failed(self) -> list[TenantOutcome]:
        return [t for t in self.tenants if not t.ok]


class Syncer:
    """Runs syncs of `config` into `graph` (and its feed); `notify(tenant, message)` reports."""

    def __init__(self, graph: GraphService, feed: ChangeFeed, config: SyncConfig, *,
                 notify: Notify | None = None, deliverer: Deliverer | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.graph, self.feed, self.config = graph, feed, config
        self.notify = notify or (lambda _t, _m: None)
        self.deliverer = deliverer
        self.sleep = sleep

    def folder(self, tenant: TenantSource) -> Path:
        return self.config.out / tenant.name

    def run(self, *, full: bool = False) -> SyncOutcome:
        """One sync of every tenant; returns what happened (never raises for one tenant)."""
        started = time.monotonic()
        outcomes = [self._collect(t, full) for t in self.config.tenants]
        folders = [self.folder(t) for t in self.config.tenants
                   if (self.folder(t) / L.ORGANIZATION).is_file()]
        result = SyncOutcome(tenants=outcomes)
        if folders:
            world, warnings = import_export(folders)
            result.warnings = len(warnings)
            self.graph.refresh()
            current = self.graph.current_snapshot()
            if current is not None and self.graph.world(current.id) == world:
                result.snapshot = current
            else:
                names = ", ".join(t.name for t in self.config.tenants)
                result.snapshot = self.graph.load_world(world, source=f"sync: {names}")
                result.written = True
            result.feed = self.feed.catch_up()
            if self.deliverer is not None:
                self.deliverer.wake()
        result.seconds = time.monotonic() - started
        return result

    def _collect(self, tenant: TenantSource, full: bool) -> TenantOutcome:
        out = TenantOutcome(name=tenant.name)
        traffic = Traffic()
        started = time.monotonic()
        try:
            verify: ssl.SSLContext | bool = True
            if tenant.ca_bundle is not None:
                try:
                    verify = ssl.create_default_context(cafile=str(tenant.ca_bundle))
                except (OSError, ssl.SSLError) as exc:
                    raise AuthFailed(f"cannot use `{tenant.ca_bundle}` as a ca bundle: "
                                     f"{exc}") from exc
            result = collect_tenant(
                tenant_id=tenant.tenant_id, client_id=tenant.client_id,
                credential=tenant.credential(), out=self.folder(tenant),
                graph_url=tenant.graph_url, authority_host=tenant.authority_host,
                verify=verify, notify=lambda m: self.notify(tenant.name, m),
                full=full, refresh_after=self.config.refresh, traffic=traffic,
                sleep=self.sleep)
            out.ok = True
            out.files, out.rounds = result.files, dict(result.rounds)
            out.incomplete = list(result.skipped)
        except MissingPermissions as exc:
            out.ok = True  # the export was written, marked incomplete
            out.incomplete = [f"missing {', '.join(exc.permissions)}"]
        except CollectError as exc:
            out.error, out.retryable = str(exc), exc.retryable
        out.seconds = time.monotonic() - started
        out.requests, out.operations = traffic.requests, traffic.operations
        record_duration("sync", out.seconds)  # `/metrics` (graphmodel.timings)
        return out
