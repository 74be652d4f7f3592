"""AuditService: findings, what-if and snapshot diffs at any snapshot, plus the auditor's decisions.

Why a service next to `GraphService` (not inside it): audits add their own persistent state —
suppressions, zones of trust and the finding history, in `<db>.audit.sqlite` — which the graph
store protocol knows nothing about, and the CLI and the GraphQL API both need the same calls.
Every read takes `snapshot=` (None = current), so a dashboard's answer is reproducible; the
finding history of a snapshot depends only on snapshots up to it.

What-if and diffs never write: the modified World lives in memory only, and a what-if opened
with `read_only=True` does not even create the audit file.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from functools import partial
from itertools import islice

from graphmodel.audit import (
    CATALOGUE,
    DEFAULT_EXEMPLARS,
    AuditedFinding,
    AuditOptions,
    AuditReport,
    CheckInfo,
    Exposure,
    ExposureCounts,
    Finding,
    FindingStatus,
    Severity,
    Suppression,
    Zone,
    check_info,
    run_checks,
)
from graphmodel.audit.access import AccessChange, AccessChangeKind
from graphmodel.audit.checks import settings_only
from graphmodel.audit.context import LazyIndex, Progress
from graphmodel.audit.history import apply_history, profile_of
from graphmodel.audit.store import AuditStore, Sighting, audit_db_path
from graphmodel.audit.unused import UnusedAccessProposal, propose_unused_removal
from graphmodel.audit.whatif import FindingDelta, WorldDiff, compare_worlds, what_if
from graphmodel.audit.worlddiff import ChangeOp, EntityChange
from graphmodel.errors import NodeNotFound, QueryError
from graphmodel.schema.suggest import closest
from graphmodel.service.audit_runs import AuditRuns
from graphmodel.service.facade import GraphService
from graphmodel.service.paging import Page, check_page_size, page_of_list
from graphmodel.timings import timed

# The audit types are re-exported for the API, which imports only `graphmodel.service`.
__all__ = [
    "AccessChange",
    "AccessChangeKind",
    "AuditOptions",
    "AuditReport",
    "AuditService",
    "AuditedFinding",
    "ChangeOp",
    "CheckInfo",
    "EntityChange",
    "Exposure",
    "ExposureCounts",
    "Finding",
    "FindingDelta",
    "FindingStatus",
    "Progress",
    "Severity",
    "Suppression",
    "UnusedAccessProposal",
    "WorldDiff",
    "Zone",
    "catalogue",
    "exposure_page",
]

_HEX = frozenset("0123456789abcdef")


def catalogue() -> tuple[CheckInfo, ...]:
    """Every check of the findings catalogue, in report order."""
    return tuple(c.info for c in CATALOGUE)


_SHARED: weakref.WeakKeyDictionary[GraphService, AuditService] = weakref.WeakKeyDictionary()
_SHARED_LOCK = threading.Lock()


class AuditService:
    """Audits over a `GraphService`; `audit` holds suppressions, zones and finding history."""

    def __init__(self, graph: GraphService, audit: AuditStore) -> None:
        self.graph = graph
        self.audit = audit
        self.runs = AuditRuns(graph.store)

    @classmethod
    def open(cls, graph: GraphService, db: str | None, *, read_only: bool = False) -> AuditService:
        """Open the audit file of graph store file `db` (`<db>.audit.sqlite`; None = memory)."""
        return cls(graph, AuditStore(audit_db_path(db), read_only=read_only))

    @classmethod
    def shared(cls, graph: GraphService) -> AuditService:
        """The one AuditService of `graph` in this process (the API's), opened on first use.

        Its audit file is `<path>.audit.sqlite` next to the store's file when the backend has
        one (the memory store's `path`); a store without a file keeps the decisions in memory.
        """
        with _SHARED_LOCK:
            found = _SHARED.get(graph)
            if found is None:
                path = getattr(graph.store, "path", None)
                found = cls.open(graph, path if isinstance(path, str) else None)
                _SHARED[graph] = found
            return found

    def close(self) -> None:
        self.audit.close()

    # --- zones -----------------------------------------------------------------------------
    def zone(self, name: str | None) -> Zone:
        """The stored zone `name`; None or empty is the empty zone (no partner trusted)."""
        if not name:
            return Zone()
        found = self.audit.zone(name)
        if found is None:
            raise self._unknown_zone(name)
        return found

    def _unknown_zone(self, name: str) -> NodeNotFound:
        known = [z.name for z in self.audit.zones()]
        return NodeNotFound(name, kind="zone of trust", suggestion=closest(name, known))

    def zones(self) -> list[Zone]:
        return self.audit.zones()

    def set_zone(self, name: str, tenants: Sequence[str], *, description: str = "") -> Zone:
        """Create or replace a zone; tenants are handles or tenant ids (need not exist yet)."""
        if not name.strip() or any(c in name for c in "/: "):
            raise QueryError(f"zone name `{name}` must be non-empty without `/`, `:` or spaces")
        zone = Zone(name=name, tenants=tuple(dict.fromkeys(tenants)), description=description)
        self.audit.set_zone(zone, now=datetime.now(UTC))
        return zone

    def remove_zone(self, name: str) -> None:
        if not self.audit.remove_zone(name):
            raise self._unknown_zone(name)

    # --- suppressions ----------------------------------------------------------------------
    def suppress(
        self, fingerprint: str, *, reason: str, owner: str, snapshot: int | None = None
    ) -> Suppression:
        """Suppress a finding from `snapshot` (None = current) on; reason and owner required."""
        fp = fingerprint.strip().lower()
        if len(fp) != 16 or not set(fp) <= _HEX:
            raise QueryError(f"fingerprint `{fingerprint}` must be 16 hexadecimal digits")
        if not reason.strip() or not owner.strip():
            raise QueryError("a suppression needs a non-empty `reason` and `owner`")
        if snapshot is None:
            current = self.graph.current_snapshot()
            snapshot = current.id if current is not None else None
        s = Suppression(
            fingerprint=fp,
            reason=reason.strip(),
            owner=owner.strip(),
            created_at=datetime.now(UTC),
            since_snapshot=snapshot,
        )
        self.audit.suppress(s)
        return s

    def unsuppress(self, fingerprint: str) -> None:
        if not self.audit.unsuppress(fingerprint.strip().lower()):
            known = [s.fingerprint for s in self.audit.suppressions()]
            suggestion = closest(fingerprint.strip().lower(), known)
            raise NodeNotFound(fingerprint, kind="suppression", suggestion=suggestion)

    def suppressions(self) -> list[Suppression]:
        return self.audit.suppressions()

    # --- findings --------------------------------------------------------------------------
    def _snapshot_id(self, snapshot: int | None) -> int | None:
        if snapshot is not None:
            return snapshot
        current = self.graph.current_snapshot()
        return current.id if current is not None else None

    def _earlier(
        self,
        sid: int,
        profile: str,
        zone: Zone,
        options: AuditOptions,
        record: bool,
        checks: Sequence[str] | None,
    ) -> dict[int, list[Sighting]]:
        out: dict[int, list[Sighting]] = {}
        for info in self.graph.snapshots():
            if info.id >= sid:
                continue
            found = self.audit.sightings(profile, info.id, info.created_at, checks)
            if found is None:
                ix = self.graph.index(info.id, as_of=options.as_of)
                findings = run_checks(ix, zone=zone, options=options, checks=checks, exemplars=0)
                if record and not self.audit.read_only:
                    self.audit.record(profile, info.id, info.created_at, findings, checks)
                found = [_sighting(f) for f in findings]
            out[info.id] = found
        return out

    @timed("audit")
    def report(
        self,
        *,
        snapshot: int | None = None,
        zone: str | None = None,
        options: AuditOptions | None = None,
        tenants: Sequence[str] | None = None,
        checks: Sequence[str] | None = None,
        record: bool = True,
        exemplars: int | None = DEFAULT_EXEMPLARS,
        progress: Progress | None = None,
    ) -> AuditReport:
        """Every finding at `snapshot` with its status, plus the findings resolved since.

        Only the `checks` and `tenants` asked for are computed; each finding holds its first
        `exemplars` exposures (None: all) and counts the rest exactly.
        """
        for c in checks or ():
            if check_info(c) is None:
                known = ", ".join(f"`{x.info.id}`" for x in CATALOGUE)
                raise QueryError(f"unknown check `{c}` (known: {known})")
        if exemplars is not None and exemplars < 0:
            raise QueryError(f"`exemplars` must be 0 or more, not {exemplars}")
        sid = self._snapshot_id(snapshot)
        the_zone = self.zone(zone)
        opts = options or AuditOptions()
        if settings_only(checks):  # no engine index: it costs seconds on a large World
            world = self.graph.world_only(sid, as_of=opts.as_of)
            lazy = LazyIndex(world, partial(self.graph.index, sid, as_of=opts.as_of))
            findings = run_checks(
                lazy,
                zone=the_zone,
                options=opts,
                checks=checks,
                tenants=tenants,
                exemplars=exemplars,
                progress=progress,
            )
        else:
            ix = self.graph.index(sid, as_of=opts.as_of)
            world = ix.world
            findings = self.runs.findings(
                ix,
                sid,
                the_zone,
                opts,
                tenants=tenants,
                checks=checks,
                exemplars=exemplars,
                progress=progress,
            )
        earlier: dict[int, list[Sighting]] = {}
        if sid is not None:
            profile = profile_of(the_zone, opts)
            earlier = self._earlier(sid, profile, the_zone, opts, record, checks)
            if record and not self.audit.read_only and tenants is None:
                info = next((s for s in self.graph.snapshots() if s.id == sid), None)
                if info is not None:
                    self.audit.record(profile, sid, info.created_at, findings, checks)
        audited, resolved = apply_history(
            findings, snapshot=sid, earlier=earlier, suppressions=self.audit.suppressions()
        )
        wanted_t = None if tenants is None else set(tenants)
        wanted_c = None if checks is None else set(checks)

        def keep(tenant: str, check: str) -> bool:
            return (wanted_t is None or tenant in wanted_t) and (
                wanted_c is None or check in wanted_c
            )

        return AuditReport(
            snapshot=sid,
            zone=the_zone,
            options=opts,
            checks=tuple(c.info for c in CATALOGUE if wanted_c is None or c.info.id in wanted_c),
            findings=tuple(a for a in audited if keep(a.finding.tenant, a.finding.check)),
            resolved=tuple(r for r in resolved if keep(r.tenant, r.check)),
            title=world.title,
            as_of=world.as_of,
            tenants=None if tenants is None else tuple(tenants),
        )

    def finding(
        self,
        fingerprint: str,
        *,
        snapshot: int | None = None,
        zone: str | None = None,
        options: AuditOptions | None = None,
        exemplars: int | None = DEFAULT_EXEMPLARS,
    ) -> AuditedFinding:
        """One finding by fingerprint. The history says which check and tenant found it, so
        only that check runs for that tenant; an unknown fingerprint runs every check once.

        Raises NodeNotFound when no finding of the snapshot has the fingerprint.
        """
        fp = fingerprint.strip().lower()
        the_zone = self.zone(zone)
        opts = options or AuditOptions()
        seen = self.audit.sighting(profile_of(the_zone, opts), fp)
        scopes: list[tuple[list[str] | None, list[str] | None]] = [(None, None)]
        if seen is not None:
            scopes.insert(0, ([seen.check], [seen.tenant]))
        for checks, tenants in scopes:
            report = self.report(
                snapshot=snapshot,
                zone=zone,
                options=opts,
                checks=checks,
                tenants=tenants,
                record=False,
                exemplars=exemplars,
            )
            for a in report.findings:
                if a.finding.fingerprint == fp:
                    return a
        raise NodeNotFound(fingerprint, kind="finding")

    def findings(
        self,
        *,
        snapshot: int | None = None,
        zone: str | None = None,
        severity: Severity | None = None,
        tenants: Sequence[str] | None = None,
        checks: Sequence[str] | None = None,
        include_suppressed: bool = True,
        first: int = 100,
        after: str | None = None,
        options: AuditOptions | None = None,
    ) -> Page[AuditedFinding]:
        """One page of findings (report order); the cursor is a finding's fingerprint."""
        report = self.report(
            snapshot=snapshot, zone=zone, tenants=tenants, checks=checks, options=options
        )
        items = [
            a
            for a in report.findings
            if (severity is None or a.finding.severity == severity)
            and (include_suppressed or a.suppression is None)
        ]
        return page_of_list(items, first, after, lambda a: a.finding.fingerprint)

    @staticmethod
    def exposures(
        finding: Finding, *, first: int = 100, after: str | None = None
    ) -> Page[Exposure]:
        """One page of a finding's exposures; the cursor is `Exposure.key`.

        A finding holding only its exemplars streams the rest (recomputed in key order), so
        a page costs one pass over the finding's tenant, never a list of every exposure.
        """
        return exposure_page(finding, first, after)

    # --- what-if and history ---------------------------------------------------------------
    def what_if(
        self,
        changes: str,
        *,
        file: str = "<changes>",
        snapshot: int | None = None,
        zone: str | None = None,
        options: AuditOptions | None = None,
        max_changes: int | None = None,
    ) -> WorldDiff:
        """The change set applied to a copy of the snapshot's World; nothing is written.

        `max_changes` bounds the changes it may hold (`ChangeSetTooLarge` before any is applied).
        """
        ix = self.graph.question_index(snapshot, as_of=options.as_of if options else None)
        return what_if(
            ix, changes, file=file, zone=self.zone(zone), options=options, max_changes=max_changes
        )

    def remove_unused(
        self,
        *,
        snapshot: int | None = None,
        zone: str | None = None,
        options: AuditOptions | None = None,
        tenants: Sequence[str] | None = None,
    ) -> UnusedAccessProposal:
        """The change set removing access unused for `options.unused_days`; writes nothing."""
        ix = self.graph.index(snapshot, as_of=options.as_of if options else None)
        return propose_unused_removal(ix, options=options, zone=self.zone(zone), tenants=tenants)

    def access_diff(
        self,
        from_snapshot: int,
        to_snapshot: int,
        *,
        zone: str | None = None,
        options: AuditOptions | None = None,
    ) -> WorldDiff:
        """Who newly reaches or lost which resource between two snapshots, and why."""
        before = self.graph.index(from_snapshot)
        after = self.graph.index(to_snapshot)
        changes = (
            self.graph.store.changes_after(from_snapshot, to_snapshot)
            if from_snapshot <= to_snapshot
            else None
        )
        diff = compare_worlds(
            before, after, zone=self.zone(zone), options=options, changes=changes
        )
        return replace(diff, title=f"snapshot {from_snapshot} -> {to_snapshot}")


def exposure_page(finding: Finding, first: int, after: str | None) -> Page[Exposure]:
    """A page of `finding.all_exposures()` after the exclusive cursor `after` (a key)."""
    check_page_size(first)
    stream = finding.all_exposures(after)
    try:
        chunk = tuple(islice(stream, first))
        more = next(stream, None) is not None
    except LookupError:
        raise QueryError(
            f"cursor `{after}` is not in this list; it may come from another snapshot"
        ) from None
    return Page(
        items=chunk,
        has_next=more,
        end_cursor=chunk[-1].key if chunk else after,
        total_count=finding.counts.exposures,
    )


def _sighting(f: Finding) -> Sighting:
    return Sighting(
        fingerprint=f.fingerprint,
        check=f.check,
        severity=f.severity,
        tenant=f.tenant,
        subject=f.subject,
        message=f.message,
    )
