"""Which snapshot a process answers from, and how it moves to a newer one without stalling.

Why: a write in any process publishes a new snapshot; every other process must move to it.
Rebuilding the engine index of a 1M-user World takes seconds, so readers must never wait for
it, and it must rarely happen at all:

- `IndexCache` keeps engine indexes per snapshot id. A new snapshot's index is *evolved* from
  an older one the cache holds, with the changes the store says lead there
  (`store.changes_after`), in time proportional to the change; only when the store cannot say
  (a World written whole, another backend) is it built from scratch. One build per snapshot at
  a time: concurrent askers wait for the same build.
- `Follower` holds the *serving* snapshot: the (info, index) pair questions read. `advance()`
  catches up with the store and swaps the pair in one assignment, so a reader sees one
  snapshot from start to end; `advance_soon()` does it on a background thread (a request that
  did not ask for a newer snapshot answers from the one held meanwhile); `wait_for(n)` blocks
  until the serving snapshot is at least `n` (a client's consistency token).
"""

from __future__ import annotations

import gc
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from graphmodel.changes import ChangeSet
from graphmodel.engine import WorldIndex
from graphmodel.errors import GraphModelError, SnapshotNotFound
from graphmodel.schema.world import World
from graphmodel.stores.base import GraphStore, SnapshotInfo

__all__ = ["Evolve", "Follower", "IndexCache", "Serving"]

Evolve = Callable[[WorldIndex, ChangeSet, World], WorldIndex]
"""Makes the index of `world` from an index of the World the changes apply to."""
_CACHED = 4  # indexes kept: the serving one, the one before, and a few pinned by readers


def _warm(ix: WorldIndex) -> None:
    """Fill `ix`'s group closures, then move them out of the cyclic GC's view as the index
    itself was (left tracked, every full collection rescanned them: tens of ms at 1M users)."""
    ix.warm()
    gc.freeze()


def rebuild(ix: WorldIndex, changes: ChangeSet, world: World) -> WorldIndex:
    """The `Evolve` of last resort: a new index built from scratch."""
    del ix, changes
    return WorldIndex(world, closures=False)


@dataclass(frozen=True, slots=True)
class Serving:
    """The snapshot questions read (None: the store is empty), its engine index, and since
    when (epoch seconds) this process serves it."""

    info: SnapshotInfo | None
    index: WorldIndex
    since: float = 0.0

    @property
    def id(self) -> int | None:
        return None if self.info is None else self.info.id


class IndexCache:
    """Engine indexes by snapshot id (None: the empty store), built or evolved once each."""

    def __init__(self, store: GraphStore, *, evolve: Evolve = rebuild, warm: bool = False) -> None:
        self.store = store
        self.evolve = evolve
        self.warm = warm
        self._items: OrderedDict[int | None, WorldIndex] = OrderedDict()
        self._lock = threading.Lock()
        self._building: dict[int | None, threading.Lock] = {}
        self.evolved = 0  # how many indexes were evolved rather than built (for tests, bench)

    def cached(self, snapshot_id: int | None) -> WorldIndex | None:
        with self._lock:
            found = self._items.get(snapshot_id)
            if found is not None:
                self._items.move_to_end(snapshot_id)
            return found

    def get(self, snapshot_id: int | None) -> WorldIndex:
        """The index of `snapshot_id` (raises `SnapshotNotFound` for an id the store lacks)."""
        found = self.cached(snapshot_id)
        if found is not None:
            return found
        with self._lock:
            gate = self._building.setdefault(snapshot_id, threading.Lock())
        with gate:  # one build per snapshot; later askers find it cached
            found = self.cached(snapshot_id)
            if found is not None:
                return found
            ix = self._make(snapshot_id)
            with self._lock:
                self._items[snapshot_id] = ix
                while len(self._items) > _CACHED:
                    self._items.popitem(last=False)
                self._building.pop(snapshot_id, None)
        gc.freeze()  # long-lived graph objects: keep the cyclic GC from rescanning them
        return ix

    def _make(self, snapshot_id: int | None) -> WorldIndex:
        world = World() if snapshot_id is None else self.store.read_world(snapshot_id)
        if snapshot_id is not None:
            with self._lock:
                older = [k for k in self._items if k is not None and k < snapshot_id]
            if older:
                base = max(older)
                changes = self.store.changes_after(base, snapshot_id)
                base_ix = self.cached(base)
                if changes is not None and base_ix is not None:
                    self.evolved += 1
                    return self.evolve(base_ix, changes, world)
        ix = WorldIndex(world, closures=False)
        if self.warm:
            threading.Thread(target=_warm, args=(ix,), name="warm-index", daemon=True).start()
        return ix


def _older(info: SnapshotInfo | None, serving: Serving) -> bool:
    """Whether `info` is older than the snapshot served (a `to` that came late)."""
    return info is not None and serving.id is not None and info.id < serving.id


class Follower:
    """The serving snapshot of one process, kept up with the store (see the module docstring)."""

    def __init__(self, store: GraphStore, cache: IndexCache) -> None:
        self.store = store
        self.cache = cache
        self._serving: Serving | None = None
        self._lock = threading.Lock()  # one catch-up at a time
        self._moved = threading.Condition()
        self._background: threading.Thread | None = None
        self.last_catch_up_s: float | None = None  # how long the last catch-up took
        self.observers: list[Callable[[float, SnapshotInfo | None], None]] = []
        self.last_error: GraphModelError | None = None  # why the last background one failed

    def current(self) -> Serving:
        """The serving snapshot (caught up once, on first use)."""
        serving = self._serving
        return serving if serving is not None else self.advance()

    def held(self) -> Serving | None:
        """The serving snapshot, or None before the first catch-up (never blocks)."""
        return self._serving

    def advance(self, to: SnapshotInfo | None = None) -> Serving:
        """Catch up with the store (or move to `to`, a snapshot this process just wrote) and
        serve the newest snapshot; returns what is served afterwards."""
        with self._lock:
            started = time.monotonic()
            info = self.store.refresh() if to is None else to
            serving = self._serving
            if serving is not None and serving.id == (None if info is None else info.id):
                return serving
            if serving is not None and _older(info, serving):  # never go back
                return serving
            index = self.cache.get(None if info is None else info.id)
            new = Serving(info, index, since=time.time())
            with self._moved:
                self._serving = new
                self._moved.notify_all()
            self.last_catch_up_s = seconds = time.monotonic() - started
            for observe in tuple(self.observers):
                observe(seconds, info)
            return new

    def pending(self) -> bool:
        """Whether the store may hold a newer snapshot than the one served (cheap)."""
        serving = self._serving
        if serving is None or self.store.refresh_pending():
            return True
        current = self.store.current_snapshot()
        return (None if current is None else current.id) != serving.id

    def advance_soon(self) -> None:
        """Catch up on a background thread unless one is already running (never blocks)."""
        with self._moved:
            running = self._background
            if running is not None and running.is_alive():
                return
            thread = threading.Thread(target=self._advance_quietly, name="catch-up", daemon=True)
            self._background = thread
        thread.start()

    def _advance_quietly(self) -> None:
        try:
            self.advance()
            self.last_error = None
        except GraphModelError as exc:  # the next request tries again and reports it
            self.last_error = exc

    def wait_for(self, snapshot_id: int, timeout: float) -> Serving:
        """Serve snapshot `snapshot_id` or a newer one, waiting at most `timeout` seconds.

        Raises `SnapshotNotFound` when the store has no such snapshot yet (a token from the
        future, or from another store) and `TimeoutError` when the catch-up is too slow.
        """
        serving = self._serving
        if serving is not None and serving.id is not None and serving.id >= snapshot_id:
            return serving
        deadline = time.monotonic() + timeout
        serving = self.advance()
        if serving.id is None or serving.id < snapshot_id:
            newest = self.store.current_snapshot()
            if newest is None or newest.id < snapshot_id:
                raise SnapshotNotFound(snapshot_id)
        with self._moved:
            while serving.id is None or serving.id < snapshot_id:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"snapshot `{snapshot_id}` was not reached in time")
                self._moved.wait(left)
                current = self._serving
                assert current is not None  # INVARIANT: set before anyone waits
                serving = current
        return serving
