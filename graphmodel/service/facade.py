"""GraphService: answer questions at the current (or a given) snapshot; write new snapshots."""

from __future__ import annotations

import gc
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Generic, TypeVar

from graphmodel.engine import (
    Answer,
    CheckLimits,
    Reach,
    WorldIndex,
    can_invite,
    can_request,
    can_sign_up,
    check,
    derive_trust_edges,
    reachable,
    who_can_access,
)
from graphmodel.errors import QueryError
from graphmodel.schema.enums import Via
from graphmodel.schema.trust import TrustEdge
from graphmodel.schema.verdict import Verdict
from graphmodel.schema.world import World
from graphmodel.stores.base import Capability, GraphStore, SnapshotInfo

__all__ = ["GraphService", "Page"]

T = TypeVar("T")
MAX_PAGE = 1000


@dataclass(frozen=True, slots=True, kw_only=True)
class Page(Generic[T]):
    """One page of a streamed answer; `end_cursor` feeds the next call's `after`."""

    items: tuple[T, ...]
    has_next: bool
    end_cursor: str | None
    total_count: int | None = None


class GraphService:
    """Thread-safe for concurrent reads; writes are serialised."""

    def __init__(self, store: GraphStore, *, limits: CheckLimits | None = None) -> None:
        self.store = store
        self.limits = limits or CheckLimits()
        self._indexes: OrderedDict[int | None, WorldIndex] = OrderedDict()
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
        return self.store.current_snapshot()

    def snapshots(self) -> list[SnapshotInfo]:
        return self.store.snapshots()

    def world(self, snapshot_id: int | None = None) -> World:
        return self.index(snapshot_id).world

    def index(self, snapshot_id: int | None = None) -> WorldIndex:
        """The engine index of a snapshot (None = current), built once per snapshot."""
        key = snapshot_id
        if key is None:
            current = self.store.current_snapshot()
            key = current.id if current is not None else None
        with self._lock:
            cached = self._indexes.get(key)
            if cached is not None:
                self._indexes.move_to_end(key)
                return cached
        ix = WorldIndex(self.store.read_world(key))
        with self._lock:
            self._indexes[key] = ix
            while len(self._indexes) > 4:
                self._indexes.popitem(last=False)
        gc.freeze()  # long-lived graph objects: keep the cyclic GC from rescanning them
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
        """Apply `change` to the current World and store the result as a new snapshot."""
        with self._write_lock:
            world = change(self.world())
            return self.store.write_snapshot(
                world, source=source, trust_edges=derive_trust_edges(world)
            )

    # --- questions ------------------------------------------------------------------------
    def check(
        self, principal: str, resource: str, *, via: Via = Via.ANY, snapshot: int | None = None
    ) -> Verdict:
        return check(self.index(snapshot), principal, resource, via=via, limits=self.limits)

    def who_can_access(
        self,
        resource: str,
        *,
        first: int = 100,
        after: str | None = None,
        snapshot: int | None = None,
        count: bool = False,
    ) -> Page[Reach]:
        ix = self.index(snapshot)
        return _page(
            lambda cursor: who_can_access(ix, resource, after=cursor, limits=self.limits),
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
    ) -> Page[Reach]:
        ix = self.index(snapshot)
        return _page(
            lambda cursor: reachable(ix, principal, after=cursor, limits=self.limits),
            first,
            after,
            key=lambda r: r.resource,
            count=count,
        )

    def can_invite(self, invitee: str, inviter: str, *, snapshot: int | None = None) -> Answer:
        return can_invite(self.index(snapshot), invitee, inviter)

    def can_sign_up(
        self, email: str, app: str, identity_provider: str, *, snapshot: int | None = None
    ) -> Answer:
        return can_sign_up(self.index(snapshot), email, app, identity_provider)

    def can_request(
        self, requester: str, access_package: str, *, snapshot: int | None = None
    ) -> Answer:
        return can_request(self.index(snapshot), requester, access_package)

    def trust_graph(
        self, tenants: list[str] | None = None, *, snapshot: int | None = None
    ) -> list[TrustEdge]:
        """Derived trust edges, optionally only those touching the named tenants."""
        edges = self.store.trust_edges(snapshot)
        if tenants is None:
            return edges
        wanted = set(tenants)
        return [e for e in edges if e.source in wanted or e.target in wanted]


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
