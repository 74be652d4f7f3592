"""The default store: the current snapshot in memory (networkx), the history in sqlite.

Why this split: the engine's reads must be fast and lock-free, so they are answered from an
immutable in-memory view; durability and history come from one sqlite file written in one
transaction per snapshot. The view is swapped only after the commit, so a failed or killed
write leaves the previous snapshot current in memory and on disk.

Why changes: `write_changes` stores a snapshot as the `ChangeSet` from its base (bytes sized by
the change) and makes the next view by applying it to the current World (time sized by the
change); another process catches up the same way, from the stored changes. Every
`CHECKPOINT_EVERY` changes the caller may store a snapshot whole (`write_checkpoint`, off the
write path), and a write never leaves more than `MAX_CHAIN` changes after the last
checkpoint, so reading any snapshot decodes one checkpoint and a bounded run of changes.

Threads: any number of readers; writers are serialised by a lock. Processes: any number may
read and write one file. `refresh()` catches up with other processes' snapshots (one
`PRAGMA data_version` when nothing changed), and `write_snapshot(base=...)` compares its base
with the file's newest snapshot inside the write transaction, so no process overwrites a
snapshot it has not seen.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from types import TracebackType
from typing import Final, Self

from graphmodel.bulk import paused_gc
from graphmodel.changes import ChangeSet, apply_changes, decode_changes, encode_changes
from graphmodel.errors import (
    Conflict,
    RequestReplayed,
    SnapshotConflict,
    SnapshotNotFound,
    StoreUnavailable,
)
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
    PruneReport,
    SnapshotInfo,
)
from graphmodel.stores.graphmap import check_node_keys
from graphmodel.stores.memory import history
from graphmodel.stores.memory.encoding import PART_ROWS
from graphmodel.stores.memory.graph import SnapshotView
from graphmodel.stores.memory.history import (
    History,
    RecentChanges,
    decoded,
    read_view,
    replay_onto,
    store_whole,
    trust_of,
)
from graphmodel.stores.memory.sqlite import Head, SnapshotDb
from graphmodel.stores.memory.trustdelta import encode_trust_delta
from graphmodel.stores.sync_derived import check_trust_edges, plan_trust_sync

__all__ = ["MemoryStore"]

_RECENT: Final = 4  # views of recent snapshots kept for readers pinned to them
_RECENT_CHANGES: Final = 64  # decoded changes of recent snapshots


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
        self._recent: OrderedDict[int, SnapshotView] = OrderedDict()
        self._changes = RecentChanges(_RECENT_CHANGES)
        self._history = History(
            self._db, part_rows=batch_size, view_of=self._view_of, forget=self._forget
        )
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
        return read_view(self._db, snapshot_id)

    def _view_of(self, snapshot_id: int) -> SnapshotView:
        held = self._held(snapshot_id)
        return held if held is not None else self._load(snapshot_id)

    def _forget(self, snapshot_ids: Iterable[int]) -> None:
        gone = tuple(snapshot_ids)
        self._changes.forget(gone)
        with self._swap_lock:
            for sid in gone:
                self._recent.pop(sid, None)

    def _swap(self, view: SnapshotView, generation: int) -> None:
        """Make `view` current unless a newer generation already is (never go back)."""
        with self._swap_lock:
            if self._view is not None and generation > self._generation:
                self._view, self._generation = view, generation
                if view.info is not None:
                    self._recent[view.info.id] = view
                    while len(self._recent) > _RECENT:
                        self._recent.popitem(last=False)

    def _live(self) -> SnapshotView:
        view = self._view
        if view is None:
            raise StoreUnavailable(f"store `{self._db.name}` is closed")
        return view

    def _held(self, snapshot_id: int | None) -> SnapshotView | None:
        """The view of `snapshot_id` (None = current) if this process holds it in memory."""
        view = self._live()
        if snapshot_id is None or (view.info is not None and snapshot_id == view.info.id):
            return view
        return self._recent.get(snapshot_id)

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
                self._recent.clear()
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
        """The view of `head`: the same snapshot with new trust edges, the held World with the
        changes published since, or the newer snapshot read whole."""
        if head.snapshot is None:
            return SnapshotView.empty()
        if view.info is not None and head.snapshot == view.info.id:
            return view.with_trust(trust_of(self._db, view.info.id))
        if view.info is not None:
            stored = self._db.changes_after(view.info.id, head.snapshot)
            if stored:
                sets = decoded(self._db, stored)
                for s, cs in zip(stored, sets, strict=True):
                    if s.info.base is not None:
                        self._changes.remember(s.info.id, s.info.base, cs)
                world, trust = replay_onto(
                    self._db, head.snapshot, view.world, view.trust.edges, stored, sets
                )
                return SnapshotView.of(info=stored[-1].info, world=world, trust=trust)
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
        held = self._held(snapshot_id)
        if held is not None:
            return held.world
        assert snapshot_id is not None  # INVARIANT: _held(None) is the current view
        self._past(self._live(), snapshot_id)
        return self._load(snapshot_id).world

    def node(self, key: str) -> NodeRecord:
        return self._live().node(key)

    def nodes(self, kind: NodeKind) -> list[NodeRecord]:
        return self._live().nodes(kind)

    def out_edges(self, key: str, *, kinds: frozenset[EdgeKind]) -> list[EdgeRecord]:
        return self._live().edges(key, kinds, direction="out")

    def in_edges(self, key: str, *, kinds: frozenset[EdgeKind]) -> list[EdgeRecord]:
        return self._live().edges(key, kinds, direction="in")

    def trust_edges(self, snapshot_id: int | None = None) -> list[TrustEdge]:
        held = self._held(snapshot_id)
        if held is not None:
            return list(held.trust.edges)
        assert snapshot_id is not None  # INVARIANT: _held(None) is the current view
        self._past(self._live(), snapshot_id)
        return trust_of(self._db, snapshot_id)

    def changes_after(self, base: int, snapshot_id: int) -> ChangeSet | None:
        if base == snapshot_id:
            return ChangeSet()
        held = self._changes.between(base, snapshot_id)
        if held is not None:
            return held
        stored = self._db.changes_after(base, snapshot_id)
        if not stored:
            return None
        try:
            return ChangeSet(tuple(c for s in stored for c in decode_changes(s.changes)))
        except ValueError as exc:
            raise StoreUnavailable(
                f"store file `{self._db.name}` holds an unreadable change: {exc}"
            ) from exc

    def snapshot_for_request(self, request_key: str) -> SnapshotInfo | None:
        self._live()
        return self._db.by_request(request_key)

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
            self._live()
            check_trust_edges(world, trust_edges)
            check_node_keys(world)
            created_at = datetime.now(UTC)
            counts = world.counts().as_dict()
            # NOTE(stores): the World is encoded part by part inside the transaction, so a large
            # World never exists twice as text in memory and a failure anywhere rolls back.
            with self._db.write() as tx:
                head = tx.head()  # INVARIANT: BEGIN IMMEDIATE holds the file's write lock
                tx.refuse_replay(request_key)
                if base is not ANY_BASE and head.snapshot != base:
                    raise SnapshotConflict(base, head.snapshot)
                sid = tx.add_snapshot(
                    created_at=created_at,
                    source=source,
                    title=world.title,
                    counts=counts,
                    request_key=request_key,
                )
                store_whole(tx, sid, world, trust_edges, part_rows=self._batch_size)
                generation = tx.publish(head)
                info = tx.info(sid)
            self._swap(SnapshotView.of(info=info, world=world, trust=trust_edges), generation)
            return info

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
            view = self._live()
            if request_key is not None:  # a retry answers so even when it no longer applies
                done = self._db.by_request(request_key)
                if done is not None:
                    raise RequestReplayed(request_key, done.id)
            held = None if view.info is None else view.info.id
            if base is None or base != held:
                raise SnapshotConflict(base, held)
            with paused_gc(freeze=True):  # a new World of long-lived objects
                world = apply_changes(view.world, changes)  # Conflict when it does not apply
            trust_delta = None
            trust = view.trust
            if trust_edges is not None:
                check_trust_edges(world, trust_edges)
                plan = plan_trust_sync(view.trust.edges, trust_edges)
                trust_delta = encode_trust_delta(plan)
                if trust_delta is not None:
                    trust = view.with_trust(plan.result).trust
            text = encode_changes(changes)
            with self._db.write() as tx:
                head = tx.head()
                tx.refuse_replay(request_key)
                if head.snapshot != base:
                    raise SnapshotConflict(base, head.snapshot)
                depth = tx.depth(base) + 1
                sid = tx.add_snapshot(
                    created_at=datetime.now(UTC),
                    source=source,
                    title=world.title,
                    counts=world.counts().as_dict(),
                    base_id=base,
                    changes=text,
                    trust_delta=trust_delta,
                    request_key=request_key,
                )
                if depth >= history.MAX_CHAIN:
                    store_whole(tx, sid, world, trust.edges, part_rows=self._batch_size)
                generation = tx.publish(head)
                info = tx.info(sid)
            self._changes.remember(sid, base, changes)
            self._swap(SnapshotView.with_trust_index(info, world, trust), generation)
            return info

    def checkpoint_due(self) -> int | None:
        """The current snapshot when it is `CHECKPOINT_EVERY` or more changes after the last
        checkpoint (so the caller may store it whole, off the write path); else None."""
        info = self._live().info
        return None if info is None else self._history.checkpoint_due(info.id, info.base)

    def write_checkpoint(self, snapshot_id: int) -> bool:
        """Store snapshot `snapshot_id` whole too (its content does not change; later reads
        start there). False when it already is; blocks writers only while it writes."""
        self._live()
        return self._history.write_checkpoint(snapshot_id)

    def prune(self, *, keep: int | None = None, keep_days: float | None = None) -> PruneReport:
        self._live()
        return self._history.prune(keep=keep, keep_days=keep_days)

    def vacuum(self) -> None:
        """Give the space of pruned snapshots back to the file system (see `SnapshotDb`)."""
        self._live()
        self._db.vacuum()

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
                    if tx.depth(current) == 0:  # stored whole: its rows are its edges
                        tx.delete_trust(current, plan.delete + plan.update)
                        tx.add_trust(current, plan.create + plan.update)
                    else:  # stored as a change: its edges are the change from its base's
                        base = view.info.base
                        assert base is not None  # INVARIANT: depth > 0 means a stored base
                        tx.set_trust_delta(
                            current,
                            encode_trust_delta(
                                plan_trust_sync(trust_of(self._db, base), plan.result)
                            ),
                        )
                    generation = tx.publish(head)
                self._swap(view.with_trust(plan.result), generation)
            return plan.stats
