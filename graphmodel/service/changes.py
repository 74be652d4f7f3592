"""ChangeFeed: the outsiders' access changes of every new snapshot, computed once and kept.

Why a service over `GraphService` (like `AuditService`): the feed has its own persistent state
(`<db>.changes.sqlite`, `graphmodel.audit.feed_store`), and the sync command, `tenantgraph
changes` and the GraphQL API all need the same calls. Whoever needs the feed first catches it
up: each snapshot newer than the last one covered is diffed against the snapshot before it
(`audit.feed.feed_events`, through the engine), under a lease so concurrent processes do not
both do the work, and stored in one transaction. The feed starts at the snapshot that was
current when it was first used (that one is its baseline, with no events): older history is
`accessDiff`'s job.
"""

from __future__ import annotations

import os
import threading
import uuid
import weakref
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from graphmodel.audit.feed import GROUP_OVER, feed_events
from graphmodel.audit.feed_store import FeedRecord, FeedStore, feed_db_path
from graphmodel.errors import QueryError
from graphmodel.service.facade import GraphService
from graphmodel.service.paging import Page, check_page_size
from graphmodel.stores.base import SnapshotInfo

__all__ = ["CHANGES_DB_ENV", "CaughtUp", "ChangeFeed", "FeedRecord"]

CHANGES_DB_ENV = "TENANTGRAPH_CHANGES_DB"
"""The feed file for a store without a file of its own (Neo4j); every process must agree."""
LEASE = timedelta(minutes=10)

_SHARED: weakref.WeakKeyDictionary[GraphService, ChangeFeed] = weakref.WeakKeyDictionary()
_SHARED_LOCK = threading.Lock()


@dataclass(frozen=True, slots=True, kw_only=True)
class CaughtUp:
    """What `catch_up` added: the snapshots newly covered and their event count."""

    snapshots: tuple[int, ...] = ()
    events: int = 0
    pending: tuple[int, ...] = ()  # snapshots another process is computing right now


class ChangeFeed:
    """The feed of `graph`'s store, kept in `store`."""

    def __init__(self, graph: GraphService, store: FeedStore, *,
                 group_over: int = GROUP_OVER) -> None:
        self.graph = graph
        self.store = store
        self.group_over = group_over
        self.owner = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._lock = threading.Lock()

    @classmethod
    def open(cls, graph: GraphService, path: str | None) -> ChangeFeed:
        """The feed in file `path` (None: in memory, this process only)."""
        return cls(graph, FeedStore(path))

    @staticmethod
    def path_for(db: str | None) -> str | None:
        """The feed file of a store: `<db>.changes.sqlite`, or `$TENANTGRAPH_CHANGES_DB`."""
        return os.environ.get(CHANGES_DB_ENV) or feed_db_path(db)

    @classmethod
    def shared(cls, graph: GraphService) -> ChangeFeed:
        """The one ChangeFeed of `graph` in this process (the API's), opened on first use."""
        with _SHARED_LOCK:
            found = _SHARED.get(graph)
            if found is None:
                path = getattr(graph.store, "path", None)
                found = cls.open(graph, cls.path_for(path if isinstance(path, str) else None))
                _SHARED[graph] = found
            return found

    def close(self) -> None:
        self.store.close()

    # --- computing ---------------------------------------------------------------------------
    def catch_up(self) -> CaughtUp:
        """Cover every snapshot newer than the feed's last one (the module docstring)."""
        with self._lock:
            self.graph.refresh()
            snapshots = sorted(self.graph.snapshots(), key=lambda s: s.id)
            if not snapshots:
                return CaughtUp()
            recorded = self.store.recorded()
            for info in snapshots:  # a recreated store reuses ids: forget what no longer holds
                if info.id in recorded and recorded[info.id] != info.created_at.isoformat():
                    self.store.forget_from(info.id)
                    recorded = self.store.recorded()
                    break
            if not recorded:
                self._record(snapshots[-1], None, baseline=True)
                return CaughtUp(snapshots=(snapshots[-1].id,))
            last = max(recorded)
            done: list[int] = []
            pending: list[int] = []
            events = 0
            previous = next((s for s in snapshots if s.id == last), None)
            for info in snapshots:
                if info.id <= last:
                    continue
                if previous is None:  # the snapshot before was removed: start over here
                    self._record(info, None, baseline=True)
                    done.append(info.id)
                elif not self.store.claim(info.id, self.owner, datetime.now(UTC), LEASE):
                    pending.append(info.id)
                    break  # in order: the next ones wait for the other process
                else:
                    events += self._record(info, previous)
                    done.append(info.id)
                previous = info
            return CaughtUp(snapshots=tuple(done), events=events, pending=tuple(pending))

    def _record(self, info: SnapshotInfo, previous: SnapshotInfo | None, *,
                baseline: bool = False) -> int:
        found = () if baseline or previous is None else feed_events(
            self.graph.index(previous.id), self.graph.index(info.id), group_over=self.group_over,
            changes=self.graph.store.changes_after(previous.id, info.id))
        stored = self.store.record(info.id, info.created_at,
                                   None if previous is None else previous.id, found,
                                   datetime.now(UTC))
        return len(found) if stored else 0

    # --- reading -----------------------------------------------------------------------------
    def page(
        self,
        *,
        since_snapshot: int | None = None,
        since_time: datetime | None = None,
        tenants: list[str] | None = None,
        first: int = 100,
        after: int | None = None,
    ) -> Page[FeedRecord]:
        """One page of events in feed order; the cursor is the event's `seq` (as text)."""
        check_page_size(first)
        if since_snapshot is not None and since_time is not None:
            raise QueryError("give `since` as a snapshot or as a time, not both")
        found = self.store.events(after=after, since_snapshot=since_snapshot,
                                  since_time=since_time, tenants=tenants, limit=first + 1)
        total = self.store.count(since_snapshot=since_snapshot, since_time=since_time,
                                 tenants=tenants)
        items = tuple(found[:first])
        return Page(items=items, has_next=len(found) > first,
                    end_cursor=str(items[-1].seq) if items else
                    (None if after is None else str(after)),
                    total_count=total)
