"""`Neo4jStore`: the store protocol over Bolt with the official `neo4j` driver.

Why this shape: the engine reads a snapshot once (`read_world`) and builds its indexes in
memory, so the database holds what the memory store holds (the shared `graphmap` mapping, every
snapshot kept) in a layout Neo4j users can query: entity nodes `(:TgNode:<Kind>)` with readable
props, observed edges as typed relationships, derived trust edges between `(:Tenant)` nodes
with their rule and policy (see `snapshots.py` and `cypher/README.md`).

Several stores share one database through namespaces (`namespace=`, default `default`): each
has its own current pointer and history, while snapshot ids come from one counter.

Beyond the protocol: `purge()` deletes the store's namespace (history included), `run_audit()`
runs one of `audit_queries()`, `profile` says what the server was found to support, and the
optional `GraphLookups` reads (`lookups.py`) serve partial reads of one-shot commands.

Consistency: a snapshot is published last (`snapshots.py`), and trust edges are replaced the
same way: a new generation is written, then `TgSnapshot.trustGen` is flipped, then older
generations are swept; readers match `gen = trustGen`. So a failed or killed write leaves the
current snapshot as it was, on Neo4j and on servers whose rollback undoes nothing. The publish
is a compare-and-swap on the server (`write_snapshot(base=...)`), so writers in several
processes or hosts never overwrite each other's snapshot unknowingly.

Several API hosts: the current-snapshot pointer is cached per store for at most
`refresh_interval` seconds (the engine answers from its index of that snapshot, so a question
costs no round trip); after that, `current_snapshot()` / `refresh()` read the pointer again,
one small statement, and see other hosts' snapshots. A store's own writes are seen at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from functools import partial
from types import TracebackType
from typing import Self

from neo4j import Driver

from graphmodel.changes import ChangeSet, apply_changes
from graphmodel.errors import (
    Conflict,
    RequestReplayed,
    SnapshotConflict,
    SnapshotNotFound,
    StoreUnavailable,
)
from graphmodel.schema.kinds import NodeKind
from graphmodel.schema.trust import TrustEdge
from graphmodel.schema.world import World
from graphmodel.stores.base import (
    ANY_BASE,
    AnyBase,
    Capability,
    DeriveStats,
    PruneReport,
    SnapshotInfo,
)
from graphmodel.stores.graphmap import graph_to_world
from graphmodel.stores.neo4j import history, lease, publishing, reader, snapshots
from graphmodel.stores.neo4j.change_writer import write_as_versions
from graphmodel.stores.neo4j.connect import connect
from graphmodel.stores.neo4j.current_reads import CurrentReads
from graphmodel.stores.neo4j.drivers import close_driver
from graphmodel.stores.neo4j.lookups import KeyedLookups
from graphmodel.stores.neo4j.paging import (
    PageProgress,
    ReadPolicy,
    read_whole_world,
)
from graphmodel.stores.neo4j.pointer import PointerCache
from graphmodel.stores.neo4j.positions import NeedsWhole
from graphmodel.stores.neo4j.profile import ServerProfile
from graphmodel.stores.neo4j.queries import Query, QueryName, default_catalog
from graphmodel.stores.neo4j.runner import Runner
from graphmodel.stores.neo4j.snapshots import StoredSnapshot
from graphmodel.stores.neo4j.worlds import Recent
from graphmodel.stores.sync_derived import check_trust_edges, plan_trust_sync

__all__ = ["Neo4jStore"]

_CAPABILITIES = frozenset(
    {
        Capability.DURABLE,
        Capability.SNAPSHOT_HISTORY,
        Capability.TRANSACTIONS,  # by publish-last, on every profile
        Capability.NATIVE_CYPHER,
    }
)


class Neo4jStore(CurrentReads, KeyedLookups):
    """A `GraphStore` in a Neo4j (or Bolt-speaking openCypher) database reached by `driver`.

    The store borrows `driver` and never closes it unless `owns_driver`; `server` names the
    database in error messages. Opening detects the server's `profile`, creates indexes and
    constraints idempotently and removes incomplete snapshots left by a dead writer. Use
    `graphmodel.stores.open_store("neo4j", uri=...)` rather than this constructor.

    `refresh_interval`: seconds the current-snapshot pointer is trusted before it is read again
    (0: every time). `read_policy`: how whole-snapshot reads are paged and bounded;
    `read_progress`, when set, is called after every page (`PageProgress`).
    """

    def __init__(
        self,
        driver: Driver,
        *,
        server: str = "bolt",
        database: str | None = None,
        namespace: str = "default",
        batch_rows: int = 2_000,
        refresh_interval: float = 1.0,
        read_policy: ReadPolicy | None = None,
        owns_driver: bool = False,
    ) -> None:
        if not namespace:
            raise ValueError("the namespace of a neo4j store must not be empty")
        self._driver = driver
        self._owns_driver = owns_driver
        self._namespace = namespace
        self._batch_rows = batch_rows
        self.read_policy = read_policy or ReadPolicy()
        self.read_progress: Callable[[PageProgress], None] | None = None
        self._lock = threading.Lock()  # serialises this store's writers
        self._worlds: Recent[World] = Recent()  # the Worlds last read or written
        self._trust: Recent[tuple[int, list[TrustEdge]]] = Recent(4)  # (generation, edges)
        self._lines: dict[int, int] = {}  # snapshot id -> its line (never changes)
        self.lease_ms = lease.LEASE_MS
        self.last_write_rows = 0  # rows the last change touched (benchmarks)
        self._pointer = PointerCache(refresh_interval)
        self._closed = False
        try:
            self._runner = connect(
                driver,
                server=server,
                database=database,
                catalog=default_catalog(),
                namespace=namespace,
            )
            lease.clean_partial(self._runner, namespace)
        except BaseException:
            if owns_driver:
                close_driver(driver)
            raise

    def _live(self) -> Runner:
        if self._closed:
            raise StoreUnavailable(f"neo4j store `{self._namespace}` is closed")
        return self._runner

    # ------------------------------------------------------------------ lifecycle
    @property
    def capabilities(self) -> frozenset[Capability]:
        return _CAPABILITIES

    @property
    def profile(self) -> ServerProfile:
        """What the server can do, as detected when the store opened."""
        return self._runner.profile

    @property
    def namespace(self) -> str:
        return self._namespace

    def close(self) -> None:
        with self._lock:
            if not self._closed:
                self._closed = True
                if self._owns_driver:
                    close_driver(self._driver)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def purge(self) -> None:
        """Delete this namespace from the database: every snapshot, node and edge."""
        with self._lock:
            snapshots.purge(self._live(), self._namespace)

    def run_audit(self, query: Query) -> list[dict[str, object]]:
        """Rows of an audit query (`audit_queries()`) over every namespace's current snapshot.

        Each row is a dict keyed by the query's `returns:` columns, `namespace` first.
        """
        runner = self._live()
        return list(runner.execute(query.name, query.text, {}))

    # ------------------------------------------------------------------ reader
    def _current(self, *, fresh: bool = False) -> StoredSnapshot | None:
        """The current-snapshot pointer, read again when older than `refresh_interval`."""
        runner = self._live()
        held = None if fresh else self._pointer.held()
        if held is not None:
            return held[0]
        read_at = time.monotonic()
        found = snapshots.current(runner, self._namespace)
        self._pointer.remember(found, read_at)
        return found

    def refresh(self) -> SnapshotInfo | None:
        found = self._current()
        return None if found is None else found.info

    def refresh_pending(self) -> bool:
        return True  # the pointer is on the server: only asking it can tell

    def current_snapshot(self) -> SnapshotInfo | None:
        found = self._current()
        return None if found is None else found.info

    def snapshots(self) -> list[SnapshotInfo]:
        return snapshots.listed(self._live(), self._namespace)

    def _stored(self, snapshot_id: int | None) -> StoredSnapshot | None:
        if snapshot_id is None:
            return self._current()
        found = snapshots.get(self._live(), self._namespace, snapshot_id)
        if found is None:
            raise SnapshotNotFound(snapshot_id)
        self._lines[found.info.id] = found.line
        return found

    def _line_of(self, snapshot_id: int) -> int:
        """The line of a published snapshot (its versions' `snapshot` prop); ids never move."""
        line = self._lines.get(snapshot_id)
        if line is None:
            found = self._stored(snapshot_id)
            assert found is not None  # INVARIANT: `_stored` of an id raises or finds it
            line = found.line
        return line

    def read_world(self, snapshot_id: int | None = None) -> World:
        found = self._stored(snapshot_id)
        return World() if found is None else self._world_of(found)

    def _world_of(self, found: StoredSnapshot) -> World:
        sid = found.info.id
        world = self._worlds.get(sid)
        if world is None:
            held = self._worlds.older(sid)
            world = history.caught_up(self._live(), self._namespace, held, sid)
        if world is None:
            world = self._read_whole(found)
        self._worlds.put(sid, world)
        return world

    def _read_whole(self, found: StoredSnapshot) -> World:
        return read_whole_world(self._live(), found, self.read_policy, self.read_progress)

    def trust_edges(self, snapshot_id: int | None = None) -> list[TrustEdge]:
        found = self._stored(snapshot_id)
        return [] if found is None else list(self._trust_of(found))

    def _trust_of(self, found: StoredSnapshot) -> list[TrustEdge]:
        sid = found.info.id
        held = self._trust.get(sid)
        if held is not None and held[0] == found.trust_gen:
            return held[1]
        rows = self._live().run(QueryName.LIST_TRUST_EDGES, {"snapshot": sid})
        edges = reader.trust_edges(rows)
        self._trust.put(sid, (found.trust_gen, edges))
        return edges

    # ------------------------------------------------------------------ writer
    def write_snapshot(
        self,
        world: World,
        *,
        source: str,
        trust_edges: Sequence[TrustEdge],
        base: int | AnyBase | None = ANY_BASE,
        request_key: str | None = None,
    ) -> SnapshotInfo:
        with self._lock:
            if request_key is not None:
                done = snapshots.by_request(self._live(), self._namespace, request_key)
                if done is not None:
                    raise RequestReplayed(request_key, done)
            expect = None if base is ANY_BASE else (base or 0)  # 0: the empty namespace
            if expect is not None:  # fail before writing; the publish checks again, atomically
                found = self._current(fresh=True)
                current_id = None if found is None else found.info.id
                if (current_id or 0) != expect:
                    raise SnapshotConflict(base if isinstance(base, int) else None, current_id)
            return self._write_whole(
                world,
                source=source,
                trust_edges=trust_edges,
                expect=expect,
                request_key=request_key,
            )

    def _write_whole(
        self,
        world: World,
        *,
        source: str,
        trust_edges: Sequence[TrustEdge],
        expect: int | None,
        request_key: str | None,
    ) -> SnapshotInfo:
        stored = publishing.write_whole(
            self._live(),
            self._namespace,
            world,
            source=source,
            trust_edges=trust_edges,
            expect=expect,
            request_key=request_key,
            batch_rows=self._batch_rows,
        )
        self._trust.put(stored.info.id, (0, sorted(trust_edges, key=lambda e: e.key)))
        self._published(stored, world)
        return stored.info

    def _published(self, stored: StoredSnapshot, world: World) -> None:
        self._pointer.remember(stored, time.monotonic())
        self._lines[stored.info.id] = stored.line
        self._worlds.put(stored.info.id, world)

    def write_changes(
        self,
        changes: ChangeSet,
        *,
        source: str,
        base: int | None,
        trust_edges: Sequence[TrustEdge] | None = None,
        request_key: str | None = None,
    ) -> SnapshotInfo:
        with self._lock:
            runner = self._live()
            if request_key is not None:  # a retry answers so even when it no longer applies
                done = snapshots.by_request(runner, self._namespace, request_key)
                if done is not None:
                    raise RequestReplayed(request_key, done)
            found = self._current(fresh=True)
            current_id = None if found is None else found.info.id
            if found is None or base is None or base != current_id:
                raise SnapshotConflict(base, current_id)
            before = self._world_of(found)
            world = apply_changes(before, changes)  # Conflict when it does not apply
            if trust_edges is not None:
                check_trust_edges(world, trust_edges)
            try:
                written = write_as_versions(
                    runner,
                    self._namespace,
                    found,
                    before,
                    world,
                    changes,
                    trust_edges=trust_edges,
                    base_trust=partial(self._trust_of, found),
                    source=source,
                    request_key=request_key,
                    batch_rows=self._batch_rows,
                    lease_ms=self.lease_ms,
                )
            except NeedsWhole:
                trust = list(trust_edges) if trust_edges is not None else self._trust_of(found)
                return self._write_whole(
                    world, source=source, trust_edges=trust, expect=base, request_key=request_key
                )
            self.last_write_rows = written.rows
            sid = written.stored.info.id
            if written.trust is not None:
                self._trust.put(sid, (written.stored.trust_gen, written.trust))
            elif (held := self._trust.get(base)) is not None:
                self._trust.put(sid, held)
            self._published(written.stored, world)
            return written.stored.info

    def changes_after(self, base: int, snapshot_id: int) -> ChangeSet | None:
        return history.changes_after(self._live(), self._namespace, base, snapshot_id)

    def snapshot_for_request(self, request_key: str) -> SnapshotInfo | None:
        runner = self._live()
        sid = snapshots.by_request(runner, self._namespace, request_key)
        found = None if sid is None else snapshots.get(runner, self._namespace, sid)
        return None if found is None else found.info

    def prune(self, *, keep: int | None = None, keep_days: float | None = None) -> PruneReport:
        with self._lock:
            report = history.prune(self._live(), self._namespace, keep=keep, keep_days=keep_days)
            for sid in report.deleted:
                self._worlds.drop(sid)
            return report

    def replace_trust_edges(
        self, edges: Sequence[TrustEdge], snapshot_id: int | None = None
    ) -> DeriveStats:
        with self._lock:
            runner = self._live()
            current = snapshots.current(runner, self._namespace)
            if current is None:
                raise SnapshotNotFound("current" if snapshot_id is None else snapshot_id)
            sid = current.info.id
            if snapshot_id is not None and snapshot_id != sid:
                if snapshots.get(runner, self._namespace, snapshot_id) is None:
                    raise SnapshotNotFound(snapshot_id)
                raise Conflict(
                    f"snapshot `{snapshot_id}` is not the current snapshot `{sid}`: "
                    "derive the edges again from the current one"
                )
            check_trust_edges(graph_to_world(self.nodes(NodeKind.TENANT)), edges)
            plan = plan_trust_sync(self.trust_edges(sid), edges)
            if plan.is_noop:
                return plan.stats
            try:
                publishing.replace_generation(
                    runner,
                    self._namespace,
                    current,
                    plan.result,
                    batch_rows=self._batch_rows,
                    lease_ms=self.lease_ms,
                )
            finally:
                self._pointer.forget()  # the cached pointer carries the trust generation
            return plan.stats
