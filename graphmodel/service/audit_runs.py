"""Audit runs that remember the last full run and redo only what a change can touch.

Why apart from `AuditService`: which findings to recompute after a change (the store's change
sets between the last run's snapshot and this one, `changes_after`, described as entity
changes) is its own concern; the service around it keeps zones, suppressions and history. The
latest few runs are kept, one per (profile, exemplars): each holds an index and the decisions
its findings stream from, so more would hold more memory than they save time.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from graphmodel.audit import AuditOptions, Finding, Zone, run_checks
from graphmodel.audit.context import Progress
from graphmodel.audit.history import profile_of
from graphmodel.audit.incremental import audit_after_changes
from graphmodel.audit.worlddiff import EntityChange, diff_worlds
from graphmodel.changes import ChangeSet
from graphmodel.engine import WorldIndex
from graphmodel.stores.base import GraphStore

__all__ = ["AuditRuns", "LastRun"]

_LAST_RUNS = 4  # full runs kept for incremental audits (profiles x exemplar counts)


@dataclass(frozen=True, slots=True)
class LastRun:
    """One full run: its snapshot, index, and findings per check."""

    snapshot: int
    index: WorldIndex
    by_check: dict[str, list[Finding]]


class AuditRuns:
    """The findings of audit runs over one store, from the last full run where one fits."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self._last: OrderedDict[tuple[str, int | None], LastRun] = OrderedDict()
        self._last_lock = threading.Lock()

    def findings(
        self,
        ix: WorldIndex,
        sid: int | None,
        zone: Zone,
        options: AuditOptions,
        *,
        tenants: Sequence[str] | None,
        checks: Sequence[str] | None,
        exemplars: int | None,
        progress: Progress | None,
    ) -> tuple[Finding, ...]:
        """The findings at `ix`: only the checks and tenants asked for; after a full run of
        another snapshot, only what the entity changes between the two can touch."""
        if tenants is not None or sid is None:
            return run_checks(
                ix,
                zone=zone,
                options=options,
                checks=checks,
                tenants=tenants,
                exemplars=exemplars,
                progress=progress,
            )
        key = (profile_of(zone, options), exemplars)
        with self._last_lock:
            last = self._last.get(key)
            if last is not None:
                self._last.move_to_end(key)
        previous: dict[str, list[Finding]] = {}
        changes: tuple[EntityChange, ...] = ()
        before = ix
        if last is not None and last.snapshot == sid:
            previous = last.by_check
        elif last is not None:
            before, previous = last.index, last.by_check
            stored = self.stored_changes(last.snapshot, sid)
            changes = diff_worlds(last.index.world, ix.world, stored)
        by_check, findings = audit_after_changes(
            previous,
            changes,
            before,
            ix,
            zone=zone,
            options=options,
            exemplars=exemplars,
            checks=checks,
            progress=progress,
        )
        merged = dict(previous) if last is not None and last.snapshot == sid else {}
        merged.update(by_check)
        with self._last_lock:
            self._last[key] = LastRun(snapshot=sid, index=ix, by_check=merged)
            self._last.move_to_end(key)
            while len(self._last) > _LAST_RUNS:
                self._last.popitem(last=False)
        return findings

    def stored_changes(self, base: int, snapshot_id: int) -> ChangeSet | None:
        """The store's change sets from `base` to `snapshot_id` (None when it cannot say, or
        the run goes back in time): the audit then compares only what they touch."""
        if base > snapshot_id:
            return None
        return self.store.changes_after(base, snapshot_id)
