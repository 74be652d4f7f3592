"""GraphService: answer questions at the served (or a given) snapshot; write new snapshots.

Several processes may share one store (API workers, the CLI, a scheduled import). Questions
read the *serving* snapshot (`graphmodel.service.serving`): `refresh()` catches up with what
other processes published, `catch_up_soon()` does it in the background while questions keep
reading the snapshot held, `wait_for_snapshot(n)` waits for a client's consistency token.
Writes are change sets, made by the service's `SnapshotWriter` (`graphmodel.service.writer`,
`graphmodel.service.writes`): `update_world` publishes compare-and-swap on the snapshot its
change was computed from and re-applies the change when it lost the race, so no writer is
silently undone; `load_world` writes a World that mostly matches the current one as its change.
Streamed answers come in `Page`s (`graphmodel.service.paging`).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from graphmodel.changes import ChangeSet
from graphmodel.engine import (
    DEFAULT_UNUSED_DAYS,
    Answer,
    CheckLimits,
    Reach,
    ReachFilter,
    UsageFilter,
    WorldIndex,
    can_invite,
    can_request,
    can_sign_up,
    check,
    evolve_index,
    reachable,
    who_can_access,
)
from graphmodel.errors import (
    GraphModelError,
    StoreEmpty,
)
from graphmodel.schema.enums import Via
from graphmodel.schema.trust import TrustEdge
from graphmodel.schema.verdict import Verdict
from graphmodel.schema.world import World
from graphmodel.service.paging import Page, page_of, with_usage
from graphmodel.service.serving import Evolve, Follower, IndexCache
from graphmodel.service.writer import SnapshotWriter
from graphmodel.service.writes import WriteTicket
from graphmodel.stores.base import Capability, GraphStore, PruneReport, SnapshotInfo
from graphmodel.stores.lookups import GraphLookups
from graphmodel.stores.neighbourhood import check_world

__all__ = ["GraphService"]

_OPEN = ReachFilter()


class GraphService:
    """Thread-safe for concurrent reads; writes are serialised."""

    def __init__(
        self,
        store: GraphStore,
        *,
        limits: CheckLimits | None = None,
        warm_indexes: bool = False,
        evolve: Evolve = evolve_index,
        partial_reads: bool = False,
    ) -> None:
        """`warm_indexes`: fill each new index's group closures on a background thread
        (servers: ready sooner, first questions still fast); else on first use. `evolve`
        makes a snapshot's index from an older one and the changes between them.
        `partial_reads`: a `check` on a store with `GraphLookups` reads only what it needs
        (`stores.neighbourhood`) unless the snapshot's index is built already (one-shot
        commands: one question, so one small read beats reading the whole snapshot)."""
        self.store = store
        self.limits = limits or CheckLimits()
        self.warm_indexes = warm_indexes
        self.partial_reads = partial_reads
        self.indexes = IndexCache(store, evolve=evolve, warm=warm_indexes)
        self.follower = Follower(store, self.indexes)
        self._clocked: OrderedDict[tuple[int | None, datetime], WorldIndex] = OrderedDict()
        self._lock = threading.Lock()
        self.writer = SnapshotWriter(store, self.follower)

    def close(self) -> None:
        """Close the store (the service is unusable afterwards)."""
        self.store.close()

    def __enter__(self) -> GraphService:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- snapshots ------------------------------------------------------------------------
    def current_snapshot(self) -> SnapshotInfo | None:
        """The snapshot questions read now (`refresh()` first to catch up)."""
        return self.follower.current().info

    def refresh(self) -> SnapshotInfo | None:
        """Catch up with snapshots other processes published; cheap when there are none."""
        return self.follower.advance().info

    def refresh_pending(self) -> bool:
        """Whether `refresh()` may have work to do; cheap, non-blocking (store protocol)."""
        return self.follower.pending()

    def catch_up_soon(self) -> None:
        """Catch up on a background thread; questions keep reading the snapshot held."""
        self.follower.advance_soon()

    def observe_catch_up(self, observer: Callable[[float, SnapshotInfo | None], None]) -> None:
        """Call `observer(seconds, snapshot)` after every catch-up (metrics); it must not fail."""
        self.follower.observers.append(observer)

    def catch_up_problem(self) -> GraphModelError | None:
        """Why the last background catch-up failed (None: it did not)."""
        return self.follower.last_error

    def wait_for_snapshot(self, snapshot_id: int, timeout: float) -> SnapshotInfo | None:
        """Serve snapshot `snapshot_id` or newer, waiting up to `timeout` s (see `Follower`)."""
        return self.follower.wait_for(snapshot_id, timeout).info

    def snapshots(self) -> list[SnapshotInfo]:
        return self.store.snapshots()

    def world(self, snapshot_id: int | None = None) -> World:
        return self.index(snapshot_id).world

    def index(self, snapshot_id: int | None = None, *, as_of: datetime | None = None) -> WorldIndex:
        """The engine index of a snapshot (None = the serving one), built once per snapshot.

        `as_of` sets the evaluation clock (assignment expiry, lifecycle deletion, staleness)
        instead of the snapshot's own `asOf` or now; the snapshot itself is not changed.
        """
        if as_of is not None:
            return self._at(snapshot_id, as_of)
        serving = self.follower.current()
        if snapshot_id is None or snapshot_id == serving.id:
            return serving.index
        return self.indexes.get(snapshot_id)

    def world_only(self, snapshot_id: int | None = None, *, as_of: datetime | None = None) -> World:
        """The snapshot's World as `index(...).world` has it, without building the index when
        it is not built yet: for questions that read settings alone (an index of a 1M-user
        World costs seconds)."""
        held = self.follower.held()  # never catch up here: that builds an index
        if held is not None and snapshot_id in (None, held.id):
            world = held.index.world
        else:
            key = snapshot_id
            if key is None:
                current = self.store.current_snapshot()
                key = None if current is None else current.id
            cached = self.indexes.cached(key)
            world = cached.world if cached is not None else self.store.read_world(key)
        return world if as_of is None else replace(world, as_of=as_of)

    def question_index(
        self, snapshot_id: int | None = None, *, as_of: datetime | None = None
    ) -> WorldIndex:
        """`index()` for a question about objects: raises `StoreEmpty` when the store holds no
        snapshot at all (the empty World would answer "not found")."""
        if snapshot_id is None and self.follower.current().info is None:
            raise StoreEmpty()
        return self.index(snapshot_id, as_of=as_of)

    def _at(self, snapshot_id: int | None, as_of: datetime) -> WorldIndex:
        base = self.index(snapshot_id)
        key = (snapshot_id, as_of)
        with self._lock:
            cached = self._clocked.get(key)
            if cached is not None:
                return cached
        ix = WorldIndex(replace(base.world, as_of=as_of))
        with self._lock:
            self._clocked[key] = ix
            while len(self._clocked) > 4:
                self._clocked.popitem(last=False)
        return ix

    def answers_inline(self) -> bool:
        """Whether a question about the serving snapshot can run on the caller's thread (an
        event loop): the store reads from memory and the serving index is built.

        Why: handing a 30 µs question to a thread pool costs more than the question; only a
        first question (index build) or a store doing I/O needs to leave the loop.
        """
        if Capability.LOCAL_READS not in self.store.capabilities:
            return False
        return self.follower.held() is not None

    # --- writes (`graphmodel.service.writer`) ----------------------------------------------
    def load_world(
        self, world: World, *, source: str, request_key: str | None = None
    ) -> SnapshotInfo:
        """Write `world` as the new current snapshot (atomic): as its change from the current
        World when it mostly matches it, else whole, with its derived trust edges."""
        return self.writer.load_world(world, source=source, request_key=request_key)

    def update_world(
        self,
        change: Callable[[World], ChangeSet | World],
        *,
        source: str,
        request_key: str | None = None,
        read_snapshot: int | None = None,
        ticket: WriteTicket | None = None,
    ) -> SnapshotInfo:
        """Apply `change` to the newest World and publish the result on that base (CAS); see
        `SnapshotWriter.update_world` for retries, refusals and the idempotency key."""
        return self.writer.update_world(
            change,
            source=source,
            request_key=request_key,
            read_snapshot=read_snapshot,
            ticket=ticket,
        )

    def prune(self, *, keep: int | None = None, keep_days: float | None = None) -> PruneReport:
        """Delete old snapshots (see `ChangeWriter.prune`); the served one is always kept."""
        return self.store.prune(keep=keep, keep_days=keep_days)

    def vacuum(self) -> bool:
        """Give pruned space back to the file system, where the store can (False: it cannot)."""
        compact = getattr(self.store, "vacuum", None)
        if compact is None:
            return False
        compact()
        return True

    # --- questions ------------------------------------------------------------------------
    def check(
        self,
        principal: str,
        resource: str,
        *,
        via: Via = Via.ANY,
        snapshot: int | None = None,
        as_of: datetime | None = None,
    ) -> Verdict:
        ix = self._partial_index(principal, resource, snapshot, as_of)
        if ix is None:
            ix = self.question_index(snapshot, as_of=as_of)
        return check(ix, principal, resource, via=via, limits=self.limits)

    def _partial_index(
        self, principal: str, resource: str, snapshot: int | None, as_of: datetime | None
    ) -> WorldIndex | None:
        """The index of what one check needs (`partial_reads`), or None: use the whole one."""
        store = self.store
        if not self.partial_reads or not isinstance(store, GraphLookups):
            return None
        key = snapshot
        if key is None:
            if self.follower.held() is not None:  # a server: it serves a whole index already
                return None
            current = store.current_snapshot()  # the pointer only, not the snapshot
            if current is None:
                return None
            key = current.id
        if self.indexes.cached(key) is not None:
            return None
        world = check_world(store, key, principal, resource)
        if world is None:  # an unknown ref: the whole World gives the error and a suggestion
            return None
        return WorldIndex(world if as_of is None else replace(world, as_of=as_of))

    def who_can_access(
        self,
        resource: str,
        *,
        first: int = 100,
        after: str | None = None,
        snapshot: int | None = None,
        count: bool = False,
        as_of: datetime | None = None,
        usage: UsageFilter = UsageFilter.ANY,
        usage_days: int = DEFAULT_UNUSED_DAYS,
        filters: ReachFilter = _OPEN,
    ) -> Page[Reach]:
        """Who reaches `resource`; each answer says when it was last used (`Reach.last_used`).

        `usage` keeps only the answers used (or not) within `usage_days` before the clock;
        `filters` (outsiders, route, home tenant, kind) is applied by the engine as it streams,
        so pages and `total_count` are those of the filtered answer.
        """
        ix = self.question_index(snapshot, as_of=as_of)
        return page_of(
            lambda cursor: with_usage(
                ix,
                who_can_access(ix, resource, after=cursor, limits=self.limits, filters=filters),
                usage,
                usage_days,
            ),
            first,
            after,
            key=lambda r: r.principal,
            count=count,
        )

    def reachable(
        self,
        principal: str,
        *,
        first: int = 100,
        after: str | None = None,
        snapshot: int | None = None,
        count: bool = False,
        as_of: datetime | None = None,
        usage: UsageFilter = UsageFilter.ANY,
        usage_days: int = DEFAULT_UNUSED_DAYS,
        filters: ReachFilter = _OPEN,
    ) -> Page[Reach]:
        """What `principal` reaches, each answer with its last use (see `who_can_access`)."""
        ix = self.question_index(snapshot, as_of=as_of)
        return page_of(
            lambda cursor: with_usage(
                ix,
                reachable(ix, principal, after=cursor, limits=self.limits, filters=filters),
                usage,
                usage_days,
            ),
            first,
            after,
            key=lambda r: r.resource,
            count=count,
        )

    def can_invite(
        self,
        invitee: str,
        inviter: str,
        *,
        snapshot: int | None = None,
        as_of: datetime | None = None,
    ) -> Answer:
        return can_invite(self.question_index(snapshot, as_of=as_of), invitee, inviter)

    def can_sign_up(
        self,
        email: str,
        app: str,
        identity_provider: str,
        *,
        snapshot: int | None = None,
        as_of: datetime | None = None,
    ) -> Answer:
        ix = self.question_index(snapshot, as_of=as_of)
        return can_sign_up(ix, email, app, identity_provider)

    def can_request(
        self,
        requester: str,
        access_package: str,
        *,
        snapshot: int | None = None,
        as_of: datetime | None = None,
    ) -> Answer:
        return can_request(self.question_index(snapshot, as_of=as_of), requester, access_package)

    def trust_graph(
        self, tenants: list[str] | None = None, *, snapshot: int | None = None
    ) -> list[TrustEdge]:
        """Derived trust edges, optionally only those touching the named tenants."""
        edges = self.store.trust_edges(self.follower.current().id if snapshot is None else snapshot)
        if tenants is None:
            return edges
        wanted = set(tenants)
        return [e for e in edges if e.source in wanted or e.target in wanted]

