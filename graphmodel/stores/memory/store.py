"""The default store: the current snapshot in memory (networkx), the history in sqlite.

Why this split: the engine's reads must be fast and lock-free, so they are answered from an
immutable in-memory view; durability and history come from one sqlite file written in one
transaction per snapshot. The view is swapped only after the commit, so a failed or killed
write leaves the previous snapshot current in memory and on disk.

Threads: any number of readers; writers are serialised by a lock. Processes: any number may
read and write one file. `refresh()` catches up with other processes' snapshots (one
`PRAGMA data_version` when nothing changed), and `write_snapshot(base=...)` compares its base
with the file's newest snapshot inside the write transaction, so no process overwrites a
snapshot it has not seen.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from types import TracebackType
from typing import Self

from graphmodel.errors import Conflict, SnapshotConflict, SnapshotNotFound, StoreUnavailable
from graphmodel.schema.kinds import EdgeKind, NodeKind
from graphmodel.schema.trust import TrustEdge
from graphmodel.schema.world import World
from graphmodel.stores.base import (
    ANY_BASE,
    AnyBase,
    Capability,
    DeriveStats,
    EdgeRecord,
    NodeRecord,
    SnapshotInfo,
)
from graphmodel.stores.graphmap import check_node_keys
from graphmodel.stores.memory.encoding import PART_ROWS, decode_world, encode_world
from graphmodel.stores.memory.graph import SnapshotView
from graphmodel.stores.memory.sqlite import Head, Part, SnapshotDb
from graphmodel.stores.sync_derived import check_trust_edges, plan_trust_sync

__all__ = ["MemoryStore"]


class MemoryStore:
    """A `GraphStore` over networkx, durable when given a sqlite file `path`.

    `path=None` (or `":memory:"`) keeps everything in memory: history and transactions work,
    nothing survives `close()`. `timeout` is how long to wait for a locked file (seconds);
    `batch_size` is how many entities one stored World part holds.

    Examples
    --------
    >>> with MemoryStore() as store:
    ...     info = store.write_snapshot(World(title="demo"), source="doc", trust_edges=())
    ...     (info.id, store.read_world().title, store.current_snapshot() == info)
    (1, 'demo', True)
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        timeout: float = 5.0,
        batch_size: int = PART_ROWS,
    ) -> None:
        self._db = SnapshotDb(path, timeout=timeout)
        self._batch_size = batch_size
        self._lock = threading.Lock()  # serialises writers; readers never take it
        self._refresh_lock = threading.Lock()  # one catch-up load at a time
        self._swap_lock = threading.Lock()  # guards `_view` + `_generation` replacement
        self._generation = -1  # the `Head.generation` the view reflects
        try:
            self._db.changed()  # start watching before reading, so no commit is missed
            head = self._db.head()
            self._view: SnapshotView | None = self._load(head.snapshot)
            self._generation = head.generation
        except BaseException:
            self._db.close()
            raise
        caps = {Capability.SNAPSHOT_HISTORY, Capability.TRANSACTIONS, Capability.LOCAL_READS}
        self._capabilities = frozenset(caps | ({Capability.DURABLE} if self._db.durable else set()))

    def _load(self, snapshot_id: int | None) -> SnapshotView:
        if snapshot_id is None:
            return SnapshotView.empty()
        info, world, trust = self._db.load(snapshot_id, self._decoder(snapshot_id))
        return SnapshotView.of(info=info, world=world, trust=trust)

    def _swap(self, view: SnapshotView, generation: int) -> None:
        """Make `view` current unless a newer generation already is (never go back)."""
        with self._swap_lock:
            if self._view is not None and generation > self._generation:
                self._view, self._generation = view, generation

    def _decoder(self, snapshot_id: int) -> Callable[[Iterable[Part]], World]:
        def decode(parts: Iterable[Part]) -> World:
            try:
                return decode_world(parts)
            except (ValueError, KeyError, TypeError) as exc:
                raise StoreUnavailable(
                    f"store file `{self._db.name}` holds an unreadable snapshot "
                    f"`{snapshot_id}`: {exc}"
                ) from exc

        return decode

    def _live(self) -> SnapshotView:
        view = self._view
        if view is None:
            raise StoreUnavailable(f"store `{self._db.name}` is closed")
        return view

    def _past(self, view: SnapshotView, snapshot_id: int) -> None:
        """Raise `SnapshotNotFound` for ids the current view does not know yet."""
        if view.info is None or snapshot_id > view.info.id:
            raise SnapshotNotFound(snapshot_id)

    # ------------------------------------------------------------------ lifecycle
    @property
    def capabilities(self) -> frozenset[Capability]:
        return self._capabilities

    @property
    def path(self) -> str:
        """The sqlite file, or `:memory:`."""
        return self._db.name

    def close(self) -> None:
        with self._lock:
            if self._view is not None:
                self._view = None
                self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # ------------------------------------------------------------------ reader
    def refresh(self) -> SnapshotInfo | None:
        # INVARIANT: the signal is read under the lock, so a caller that finds it unchanged
        # while another caller loads what it signalled waits for that load instead of
        # answering from the older snapshot.
        with self._refresh_lock:
            self._live()
            if self._db.changed():
                # a write of this process between its commit and its swap finishes first, so
                # its snapshot is not loaded back from the file
                with self._lock:
                    view, head = self._live(), self._db.head()
                    if head.generation > self._generation:
                        self._swap(self._caught_up(view, head), head.generation)
        return self.current_snapshot()

    def refresh_pending(self) -> bool:
        # INVARIANT: the signal is read before the lock. A refresh that consumed the signal
        # holds `_refresh_lock` until its view is swapped in, so either the signal still
        # differs here, or the lock is seen held, or the swap is done.
        self._live()
        return self._db.moved() or self._refresh_lock.locked()

    def _caught_up(self, view: SnapshotView, head: Head) -> SnapshotView:
        """The view of `head`: the same snapshot with new trust edges, or the newer snapshot."""
        if view.info is not None and head.snapshot == view.info.id:
            return view.with_trust(self._db.load_trust(view.info.id))
        return self._load(head.snapshot)

    def current_snapshot(self) -> SnapshotInfo | None:
        return self._live().info

    def snapshots(self) -> list[SnapshotInfo]:
        view = self._live()
        if view.info is None:
            return []
        newest = view.info.id
        return [s for s in self._db.snapshots() if s.id <= newest]

    def read_world(self, snapshot_id: int | None = None) -> World:
        view = self._live()
        if snapshot_id is None or (view.info is not None and snapshot_id == view.info.id):
            return view.world
        self._past(view, snapshot_id)
        return self._db.load_world(snapshot_id, self._decoder(snapshot_id))

    def node(self, key: str) -> NodeRecord:
        return self._live().node(key)

    def nodes(self, kind: NodeKind) -> list[NodeRecord]:
        return self._live().nodes(kind)

    def out_edges(self, key: str, *, kinds: frozenset[EdgeKind]) -> list[EdgeRecord]:
        return self._live().edges(key, kinds, direction="out")

    def in_edges(self, key: str, *, kinds: frozenset[EdgeKind]) -> list[EdgeRecord]:
        return self._live().edges(key, kinds, direction="in")

    def trust_edges(self, snapshot_id: int | None = None) -> list[TrustEdge]:
        view = self._live()
        if snapshot_id is None or (view.info is not None and snapshot_id == view.info.id):
            return list(view.trust.edges)
        self._past(view, snapshot_id)
        return self._db.load_trust(snapshot_id)

    # ------------------------------------------------------------------ writer
    def write_snapshot(
        self,
        world: World,
        *,
        source: str,
        trust_edges: Sequence[TrustEdge],
        base: int | AnyBase | None = ANY_BASE,
    ) -> SnapshotInfo:
        with self._lock:
            self._live()
            check_trust_edges(world, trust_edges)
            check_node_keys(world)
            created_at = datetime.now(UTC)
            counts = world.counts().as_dict()
            # NOTE(stores): the World is encoded part by part inside the transaction, so a large
            # World never exists twice as text in memory and a failure anywhere rolls back.
            with self._db.write() as tx:
                head = tx.head()  # INVARIANT: BEGIN IMMEDIATE holds the file's write lock
                if base is not ANY_BASE and head.snapshot != base:
                    raise SnapshotConflict(base, head.snapshot)
                sid = tx.add_snapshot(
                    created_at=created_at, source=source, title=world.title, counts=counts
                )
                parts = encode_world(world, part_rows=self._batch_size)
                for seq, (field, rows) in enumerate(parts):
                    tx.add_parts(sid, [(seq, field, rows)])
                tx.add_trust(sid, trust_edges)
                generation = tx.publish(head)
            info = SnapshotInfo(
                id=sid, created_at=created_at, source=source, title=world.title, counts=counts
            )
            self._swap(SnapshotView.of(info=info, world=world, trust=trust_edges), generation)
            return info

    def replace_trust_edges(
        self, edges: Sequence[TrustEdge], snapshot_id: int | None = None
    ) -> DeriveStats:
        with self._lock:
            view = self._live()
            if view.info is None:
                raise SnapshotNotFound("current" if snapshot_id is None else snapshot_id)
            current = view.info.id
            if snapshot_id is not None and snapshot_id != current:
                self._past(view, snapshot_id)
                self._db.snapshot(snapshot_id)  # raises SnapshotNotFound for unknown ids
                raise Conflict(
                    f"snapshot `{snapshot_id}` is not the current snapshot `{current}`: "
                    "derive the edges again from the current one"
                )
            check_trust_edges(view.world, edges)
            plan = plan_trust_sync(view.trust.edges, edges)
            if not plan.is_noop:
                with self._db.write() as tx:
                    head = tx.head()
                    if head.snapshot != current:  # another process published meanwhile
                        raise SnapshotConflict(current, head.snapshot)
                    tx.delete_trust(current, plan.delete + plan.update)
                    tx.add_trust(current, plan.create + plan.update)
                    generation = tx.publish(head)
                self._swap(view.with_trust(plan.result), generation)
            return plan.stats
