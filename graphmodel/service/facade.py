"""GraphService: answer questions at the current (or a given) snapshot; write new snapshots.

Several processes may share one store (API workers, the CLI, a scheduled import). `refresh()`
catches up with what they published; `update_world` publishes compare-and-swap on the snapshot
its change was computed from and re-applies the change when it lost the race, so no writer is
silently undone.
"""

from __future__ import annotations

import gc
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from itertools import islice
from typing import Generic, TypeVar

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
    derive_trust_edges,
    is_outsider_ref,
    reachable,
    who_can_access,
)
from graphmodel.errors import GraphModelError, QueryError, SnapshotConflict, StoreEmpty
from graphmodel.schema.enums import Via
from graphmodel.schema.trust import TrustEdge
from graphmodel.schema.verdict import Verdict
from graphmodel.schema.world import World
from graphmodel.stores.base import Capability, GraphStore, SnapshotInfo
from graphmodel.stores.lookups import GraphLookups
from graphmodel.stores.neighbourhood import check_world

__all__ = ["GraphService", "Page"]

T = TypeVar("T")
MAX_PAGE = 1000
WRITE_ATTEMPTS = 5
"""How often `update_world` applies its change before giving up on a store that keeps moving."""
_OPEN = ReachFilter()


@dataclass(frozen=True, slots=True, kw_only=True)
class Page(Generic[T]):
    """One page of a streamed answer; `end_cursor` feeds the next call's `after`."""

    items: tuple[T, ...]
    has_next: bool
    end_cursor: str | None
    total_count: int | None = None


def _warm(ix: WorldIndex) -> None:
    """Fill `ix`'s group closures, then move them out of the cyclic GC's view as the index
    itself was (left tracked, every full collection rescanned them: tens of ms at 1M users)."""
    ix.warm()
    gc.freeze()


class GraphService:
    """Thread-safe for concurrent reads; writes are serialised."""

    def __init__(
        self,
        store: GraphStore,
        *,
        limits: CheckLimits | None = None,
        warm_indexes: bool = False,
        partial_reads: bool = False,
    ) -> None:
        """`warm_indexes`: fill each new index's group closures on a background thread
        (servers: ready sooner, first questions still fast); else on first use.
        `partial_reads`: a `check` on a store with `GraphLookups` reads only what it needs
        (`stores.neighbourhood`) unless the snapshot's index is built already (one-shot
        commands: one question, so one small read beats reading the whole snapshot)."""
        self.store = store
        self.limits = limits or CheckLimits()
        self.warm_indexes = warm_indexes
        self.partial_reads = partial_reads
        self._indexes: OrderedDict[int | None, WorldIndex] = OrderedDict()
        self._clocked: OrderedDict[tuple[int | None, datetime], WorldIndex] = OrderedDict()
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()

    def close(self) -> None:
        """Close the store (the service is unusable afterwards)."""
        self.store.close()

    def __enter__(self) -> GraphService:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- snapshots ------------------------------------------------------------------------
    def current_snapshot(self) -> SnapshotInfo | None:
        """The newest snapshot this process has seen (`refresh()` first to catch up)."""
        return self.store.current_snapshot()

    def refresh(self) -> SnapshotInfo | None:
        """Catch up with snapshots other processes published; cheap when there are none."""
        return self.store.refresh()

    def refresh_pending(self) -> bool:
        """Whether `refresh()` may have work to do; cheap, non-blocking (store protocol)."""
        return self.store.refresh_pending()

    def snapshots(self) -> list[SnapshotInfo]:
        return self.store.snapshots()

    def world(self, snapshot_id: int | None = None) -> World:
        return self.index(snapshot_id).world

    def index(self, snapshot_id: int | None = None, *, as_of: datetime | None = None) -> WorldIndex:
        """The engine index of a snapshot (None = current), built once per snapshot.

        `as_of` sets the evaluation clock (assignment expiry, lifecycle deletion, staleness)
        instead of the snapshot's own `asOf` or now; the snapshot itself is not changed.
        """
        if as_of is not None:
            return self._at(snapshot_id, as_of)
        key = self._snapshot_key(snapshot_id)
        with self._lock:
            cached = self._indexes.get(key)
            if cached is not None:
                self._indexes.move_to_end(key)
                return cached
        ix = WorldIndex(self.store.read_world(key), closures=False)
        with self._lock:
            self._indexes[key] = ix
            while len(self._indexes) > 4:
                self._indexes.popitem(last=False)
        gc.freeze()  # long-lived graph objects: keep the cyclic GC from rescanning them
        if self.warm_indexes:
            threading.Thread(target=_warm, args=(ix,), name="warm-index", daemon=True).start()
        return ix

    def world_only(self, snapshot_id: int | None = None, *, as_of: datetime | None = None) -> World:
        """The snapshot's World as `index(...).world` has it, without building the index when
        it is not built yet: for questions that read settings alone (an index of a 1M-user
        World costs seconds)."""
        key = self._snapshot_key(snapshot_id)
        with self._lock:
            cached = self._indexes.get(key)
        world = cached.world if cached is not None else self.store.read_world(key)
        return world if as_of is None else replace(world, as_of=as_of)

    def _snapshot_key(self, snapshot_id: int | None) -> int | None:
        """The id an index is cached under: the current snapshot's for None (None if empty)."""
        if snapshot_id is not None:
            return snapshot_id
        current = self.store.current_snapshot()
        return current.id if current is not None else None

    def question_index(
        self, snapshot_id: int | None = None, *, as_of: datetime | None = None
    ) -> WorldIndex:
        """`index()` for a question about objects: raises `StoreEmpty` when the store holds no
        snapshot at all (the empty World would answer "not found")."""
        if snapshot_id is None and self.store.current_snapshot() is None:
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
        """Whether a question about the current snapshot can run on the caller's thread (an
        event loop): the store reads from memory and the snapshot's index is already built.

        Why: handing a 30 µs question to a thread pool costs more than the question; only a
        first question (index build) or a store doing I/O needs to leave the loop.
        """
        if Capability.LOCAL_READS not in self.store.capabilities:
            return False
        current = self.store.current_snapshot()
        with self._lock:
            return (current.id if current is not None else None) in self._indexes

    def load_world(self, world: World, *, source: str) -> SnapshotInfo:
        """Write `world` as the new current snapshot with its derived trust edges (atomic)."""
        with self._write_lock:
            info = self.store.write_snapshot(
                world, source=source, trust_edges=derive_trust_edges(world)
            )
        return info

    def update_world(self, change: Callable[[World], World], *, source: str) -> SnapshotInfo:
        """Apply `change` to the newest World and publish the result on that base (CAS).

        `change` must be a pure operation: when another process publishes between the read
        and the publish, it is applied again to the newest World (`WRITE_ATTEMPTS` in all).
        When it no longer applies there (it raises a `GraphModelError`), the write is refused
        with `SnapshotConflict(first base, newest, detail=why)`; other exceptions (a refusal
        the caller models itself) pass through unchanged. Nothing is written on refusal.
        """
        with self._write_lock:
            first: int | None = None
            for attempt in range(WRITE_ATTEMPTS):
                current = self.store.refresh()
                base = None if current is None else current.id
                try:
                    world = change(World() if base is None else self.world(base))
                except GraphModelError as exc:
                    if attempt == 0:
                        raise
                    raise SnapshotConflict(
                        first, base, detail=f"it no longer applies: {exc}"
                    ) from exc
                try:
                    return self.store.write_snapshot(
                        world, source=source, trust_edges=derive_trust_edges(world), base=base
                    )
                except SnapshotConflict as exc:
                    if attempt == 0:
                        first = base
                    lost = exc
            raise SnapshotConflict(
                first, lost.current, detail=f"other writers won {WRITE_ATTEMPTS} races in a row"
            )

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
            current = store.current_snapshot()
            if current is None:
                return None
            key = current.id
        with self._lock:
            if key in self._indexes:
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
        return _page(
            lambda cursor: _with_usage(
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
        return _page(
            lambda cursor: _with_usage(
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
        edges = self.store.trust_edges(snapshot)
        if tenants is None:
            return edges
        wanted = set(tenants)
        return [e for e in edges if e.source in wanted or e.target in wanted]


def _with_usage(
    ix: WorldIndex, answers: Iterator[Reach], usage: UsageFilter, days: int
) -> Iterator[Reach]:
    """Each answer with its last recorded use, keeping those `usage` asks for.

    Sign-in evidence covers outsiders' access only, so an insider of the resource's tenant
    (`is_outsider_ref`) is neither used nor unused: the filters leave it out.
    """
    for r in answers:
        r.last_used = ix.usage.last_used(r.principal, r.resource)
        if usage is UsageFilter.ANY or (
            usage.keeps(r.last_used, ix.now, days) and is_outsider_ref(ix, r.principal, r.resource)
        ):
            yield r


def _page(
    stream: Callable[[str | None], Iterator[T]],
    first: int,
    after: str | None,
    *,
    key: Callable[[T], str],
    count: bool,
) -> Page[T]:
    if first < 0 or first > MAX_PAGE:
        raise QueryError(f"page size `{first}` must be between 0 and {MAX_PAGE}")
    total: int | None = None
    items: list[T]
    if count:
        # one pass over the whole stream: count everything, keep the page after the cursor
        total, items = 0, []
        for item in stream(None):
            total += 1
            if len(items) <= first and (after is None or key(item) > after):
                items.append(item)
    else:
        items = list(islice(stream(after), first + 1))
    has_next = len(items) > first
    items = items[:first]
    return Page(
        items=tuple(items),
        has_next=has_next,
        end_cursor=key(items[-1]) if items else after,
        total_count=total,
    )
