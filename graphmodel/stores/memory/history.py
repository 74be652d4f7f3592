"""The memory store's history upkeep: checkpoints, pruning, and replaying stored changes.

Why apart from `store`: the store answers reads and writes; this module keeps the file's
history bounded in the two directions that matter — a read never replays more than a bounded
run of changes (`CHECKPOINT_EVERY`, `MAX_CHAIN`: a snapshot stored whole every so often), and
the file holds only the snapshots the operator keeps (`prune`). Both write a snapshot whole
with `store_whole`, inside the caller's transaction.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from typing import Final

from graphmodel.bulk import paused_gc
from graphmodel.changes import ChangeSet, apply_changes, decode_changes
from graphmodel.errors import Conflict, StoreUnavailable
from graphmodel.schema.trust import TrustEdge
from graphmodel.schema.world import World
from graphmodel.stores.base import PruneReport
from graphmodel.stores.memory.encoding import decode_world, encode_world
from graphmodel.stores.memory.graph import SnapshotView
from graphmodel.stores.memory.sqlite import Part, SnapshotDb, SnapshotTx, StoredChange
from graphmodel.stores.memory.trustdelta import apply_trust_delta
from graphmodel.stores.retention import kept_count

__all__ = [
    "CHECKPOINT_EVERY",
    "MAX_CHAIN",
    "History",
    "RecentChanges",
    "decoded",
    "read_view",
    "replay",
    "replay_onto",
    "store_whole",
    "trust_of",
]

CHECKPOINT_EVERY: Final = 1000
"""Changes after a checkpoint at which `checkpoint_due()` says to store the snapshot whole."""
CHECKPOINT_SHARE: Final = 0.25
"""...or when the changes since the checkpoint weigh this share of the checkpoint itself."""
MAX_CHAIN: Final = 4096
"""Changes after a checkpoint at which a write stores its snapshot whole itself (a bound on
every read, should no server ever have written a checkpoint in the background)."""


def store_whole(
    tx: SnapshotTx, sid: int, world: World, trust: Iterable[TrustEdge], *, part_rows: int
) -> None:
    """Write snapshot `sid` whole (its World part by part, its trust edges): a checkpoint."""
    for seq, (field, rows) in enumerate(encode_world(world, part_rows=part_rows)):
        tx.add_parts(sid, [(seq, field, rows)])
    tx.add_trust(sid, trust)
    tx.mark_checkpoint(sid)


def store_whole_stepwise(
    db: SnapshotDb, sid: int, world: World, trust: Iterable[TrustEdge], *, part_rows: int
) -> bool:
    """`store_whole` in one short transaction per part, so writers are never held up for
    longer than one part (a checkpoint of a 1M-user World is 200 MB). Readers ignore the parts
    until the last transaction marks the snapshot a checkpoint; a second writer of the same
    checkpoint writes the same parts (kept once). False when the snapshot was pruned
    meanwhile (its parts are dropped then)."""
    for seq, (field, rows) in enumerate(encode_world(world, part_rows=part_rows)):
        with db.write() as tx:
            tx.add_parts(sid, [(seq, field, rows)])
    with db.write() as tx:
        tx.add_trust(sid, trust)
        return tx.mark_checkpoint(sid)


def replay(
    world: World,
    trust: Iterable[TrustEdge],
    stored: Sequence[StoredChange],
    decoded: Sequence[ChangeSet] | None = None,
) -> tuple[World, list[TrustEdge]]:
    """`world` and `trust` after the stored changes, the World's applied as one batch
    (`decoded`: the stored changes decoded already, one per stored change).

    Raises ValueError (unreadable text) or `Conflict` (a change that does not apply)."""
    edges = list(trust)
    if not stored:
        return world, edges
    with paused_gc(freeze=True):  # a new World of long-lived objects (`graphmodel.bulk`)
        sets = [decode_changes(s.changes) for s in stored] if decoded is None else decoded
        world = apply_changes(world, ChangeSet(tuple(c for cs in sets for c in cs)))
    for s in stored:
        if s.trust_delta is not None:
            edges = apply_trust_delta(edges, s.trust_delta)
    return world, edges


def _unreadable(db: SnapshotDb, snapshot_id: int, exc: Exception) -> StoreUnavailable:
    return StoreUnavailable(
        f"store file `{db.name}` holds an unreadable snapshot `{snapshot_id}`: {exc}"
    )


def replay_onto(
    db: SnapshotDb,
    snapshot_id: int,
    world: World,
    trust: Iterable[TrustEdge],
    stored: Sequence[StoredChange],
    decoded: Sequence[ChangeSet] | None = None,
) -> tuple[World, list[TrustEdge]]:
    """`replay`, with what it raises on a damaged file as `StoreUnavailable`."""
    try:
        return replay(world, trust, stored, decoded)
    except (ValueError, Conflict) as exc:
        raise _unreadable(db, snapshot_id, exc) from exc


def decoded(db: SnapshotDb, stored: Sequence[StoredChange]) -> list[ChangeSet]:
    """The ChangeSets of stored changes; unreadable text is `StoreUnavailable`."""
    try:
        return [decode_changes(s.changes) for s in stored]
    except ValueError as exc:
        raise StoreUnavailable(f"store file `{db.name}` holds an unreadable change: {exc}") from exc


def read_view(db: SnapshotDb, snapshot_id: int | None) -> SnapshotView:
    """The view of `snapshot_id` read from the file: its nearest checkpoint decoded, the
    changes after it replayed (one read transaction)."""
    if snapshot_id is None:
        return SnapshotView.empty()

    def decode(parts: Iterable[Part]) -> World:
        try:
            return decode_world(parts)
        except (ValueError, KeyError, TypeError) as exc:
            raise _unreadable(db, snapshot_id, exc) from exc

    info, world, chain = db.load(snapshot_id, decode)
    world, trust = replay_onto(db, snapshot_id, world, chain.trust, chain.changes)
    return SnapshotView.of(info=info, world=world, trust=trust)


def trust_of(db: SnapshotDb, snapshot_id: int) -> list[TrustEdge]:
    """The trust edges of `snapshot_id` read from the file (its World is not decoded)."""
    _info, _unread, chain = db.load(snapshot_id, lambda parts: None)
    trust = chain.trust
    for s in chain.changes:
        if s.trust_delta is not None:
            trust = apply_trust_delta(trust, s.trust_delta)
    return trust


class RecentChanges:
    """The decoded changes of the snapshots this process wrote or applied lately (snapshot id
    -> base id and change), so `changes_after` need not read and decode them again."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[int, tuple[int, ChangeSet]] = OrderedDict()
        self._lock = threading.Lock()

    def remember(self, snapshot_id: int, base: int, changes: ChangeSet) -> None:
        with self._lock:
            self._items[snapshot_id] = (base, changes)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def forget(self, snapshot_ids: Iterable[int]) -> None:
        """Drop the changes of pruned snapshots: they no longer answer `changes_after`."""
        with self._lock:
            for sid in snapshot_ids:
                self._items.pop(sid, None)

    def between(self, base: int, snapshot_id: int) -> ChangeSet | None:
        """The changes from `base` to `snapshot_id`, if every one of them is remembered."""
        found: list[ChangeSet] = []
        sid = snapshot_id
        with self._lock:
            while sid != base:
                entry = self._items.get(sid)
                if entry is None or sid < base:
                    return None
                sid, changes = entry
                found.append(changes)
        return ChangeSet(tuple(c for cs in reversed(found) for c in cs))


class History:
    """Checkpoints and pruning of one store file; `view_of(id)` gives a snapshot's view (held
    in memory or read), `forget(ids)` drops views of deleted snapshots."""

    def __init__(
        self,
        db: SnapshotDb,
        *,
        part_rows: int,
        view_of: Callable[[int], SnapshotView],
        forget: Callable[[Iterable[int]], None],
    ) -> None:
        self.db = db
        self.part_rows = part_rows
        self.view_of = view_of
        self.forget = forget

    def checkpoint_due(self, current: int | None, base: int | None) -> int | None:
        """`current` when it follows the last checkpoint by `CHECKPOINT_EVERY` changes or
        more, or by changes weighing `CHECKPOINT_SHARE` of that checkpoint; else None."""
        if current is None or base is None:
            return None
        depth, weight = self.db.chain(current)
        if depth == 0:
            return None
        if depth >= CHECKPOINT_EVERY or weight >= CHECKPOINT_SHARE * self.db.anchor_bytes(current):
            return current
        return None

    def write_checkpoint(self, snapshot_id: int) -> bool:
        """Store `snapshot_id` whole too, part by part (`store_whole_stepwise`); False when it
        already is, or was pruned meanwhile."""
        if self.db.depth(snapshot_id) == 0:
            return False
        view = self.view_of(snapshot_id)
        return store_whole_stepwise(
            self.db, snapshot_id, view.world, view.trust.edges, part_rows=self.part_rows
        )

    def prune(self, *, keep: int | None, keep_days: float | None) -> PruneReport:
        """Delete the snapshots `kept_count` does not keep, after storing the oldest kept one
        whole, in one transaction: a kept snapshot never loses what it is read from."""
        snapshots = self.db.snapshots()  # newest first
        if not snapshots:
            return PruneReport()
        kept = kept_count(snapshots, keep=keep, keep_days=keep_days)
        if kept >= len(snapshots):
            return PruneReport(oldest_kept=snapshots[-1].id)
        oldest = snapshots[kept - 1].id
        view = self.view_of(oldest)
        with self.db.write() as tx:
            if tx.depth(oldest) > 0:
                store_whole(tx, oldest, view.world, view.trust.edges, part_rows=self.part_rows)
            gone = [s for s in tx.snapshots() if s.id < oldest]
            tx.delete_before(oldest)
        self.forget(s.id for s in gone)
        return PruneReport(
            deleted=tuple(sorted(s.id for s in gone)),
            oldest_kept=oldest,
            freed_bytes=sum(s.stored_bytes or 0 for s in gone),
        )
