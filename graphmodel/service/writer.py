"""The writer of one service: serialised writes that serve what they wrote, and checkpoints.

Why a class apart from `GraphService`: a write reads the newest snapshot, applies its change
and publishes compare-and-swap, retrying when another process won (`graphmodel.service
.writes`); then this process serves the snapshot it wrote at once (`Follower.advance(to=)`),
and the store may want the snapshot stored whole (a checkpoint) — kept off the write path on
a background thread. The facade delegates its writes here, so its own module is about
questions.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Protocol, runtime_checkable

from graphmodel.bulk import paused_gc
from graphmodel.changes import ChangeSet
from graphmodel.errors import GraphModelError, RequestReplayed, SnapshotConflict
from graphmodel.schema.world import World
from graphmodel.service.serving import Follower
from graphmodel.service.writes import (
    WRITE_ATTEMPTS,
    WriteTicket,
    conflict_for,
    current_write_request,
    write_change,
    write_world,
)
from graphmodel.stores.base import GraphStore, SnapshotInfo

__all__ = ["Checkpointing", "SnapshotWriter"]


@runtime_checkable
class Checkpointing(Protocol):
    """A store that keeps snapshots as changes and can store one whole (the memory store)."""

    def checkpoint_due(self) -> int | None: ...

    def write_checkpoint(self, snapshot_id: int) -> bool: ...


class SnapshotWriter:
    """One process's writes to `store`, one at a time; `follower` serves what they wrote."""

    def __init__(self, store: GraphStore, follower: Follower) -> None:
        self.store = store
        self.follower = follower
        self._lock = threading.Lock()  # one write at a time in this process
        self._upkeep = threading.Lock()  # one checkpoint at a time

    def load_world(
        self, world: World, *, source: str, request_key: str | None = None
    ) -> SnapshotInfo:
        """Write `world` as the new current snapshot (atomic): as its change from the current
        World when it mostly matches it, else whole, with its derived trust edges."""
        if request_key is None:
            request_key = current_write_request().request_key
        with self._lock:
            self._check_request(request_key)
            for _attempt in range(WRITE_ATTEMPTS):
                serving = self.follower.advance()
                try:
                    with paused_gc():  # a diff of two whole Worlds allocates per entity
                        info = write_world(
                            self.store,
                            world,
                            source=source,
                            current=serving.info,
                            held=None if serving.info is None else serving.index.world,
                            request_key=request_key,
                        )
                except SnapshotConflict as exc:
                    lost = exc
                    continue
                self._written(info)
                return info
            raise lost

    def update_world(
        self,
        change: Callable[[World], ChangeSet | World],
        *,
        source: str,
        request_key: str | None = None,
        read_snapshot: int | None = None,
        ticket: WriteTicket | None = None,
    ) -> SnapshotInfo:
        """Apply `change` to the newest World and publish the result on that base (CAS).

        `change` must be a pure operation returning the changes (or the new World): when
        another process publishes between the read and the publish, it is applied again to
        the newest World (`WRITE_ATTEMPTS` in all). When it no longer applies there (it raises
        a `GraphModelError`) — or, on the first attempt, when `read_snapshot` (the snapshot the
        caller read before asking) is not the newest — the write is refused with
        `SnapshotConflict(read or first base, newest, detail=why)`; other exceptions (a refusal
        the caller models itself) pass through unchanged. Nothing is written on refusal.
        `request_key` and `ticket`: see `graphmodel.service.writes`; when not given, the
        caller's `WriteRequest` (a context variable) supplies them and `read_snapshot`.
        """
        asked = current_write_request()
        request_key = asked.request_key if request_key is None else request_key
        read_snapshot = asked.read_snapshot if read_snapshot is None else read_snapshot
        ticket = asked.ticket if ticket is None else ticket
        with self._lock:
            self._check_request(request_key)
            first: int | None = None
            for attempt in range(WRITE_ATTEMPTS):
                serving = self.follower.advance()
                try:
                    info, _changes = write_change(
                        self.store,
                        change,
                        source=source,
                        current=serving.info,
                        world=serving.index.world,
                        request_key=request_key,
                        ticket=ticket,
                    )
                except SnapshotConflict as exc:
                    first = serving.id if first is None else first
                    lost = exc
                    continue
                except RequestReplayed:
                    raise
                except GraphModelError as exc:
                    problem = conflict_for(
                        exc, attempt=attempt, first=first, base=serving.id, read=read_snapshot
                    )
                    if problem is exc:
                        raise
                    raise problem from exc
                self._written(info)
                return info
            raise SnapshotConflict(
                first, lost.current, detail=f"other writers won {WRITE_ATTEMPTS} races in a row"
            )

    def _check_request(self, request_key: str | None) -> None:
        if request_key is not None:
            done = self.store.snapshot_for_request(request_key)
            if done is not None:
                raise RequestReplayed(request_key, done.id)

    def _written(self, info: SnapshotInfo) -> None:
        """Serve the snapshot this process just wrote; store it whole if its time has come."""
        self.follower.advance(to=info)
        self.maintain_soon()

    def maintain_soon(self) -> None:
        """Store the current snapshot whole on a background thread when the store says a
        checkpoint is due (reads of any snapshot stay bounded; the write path never waits)."""
        store = self.store
        if not isinstance(store, Checkpointing) or store.checkpoint_due() is None:
            return
        if not self._upkeep.acquire(blocking=False):
            return

        def run() -> None:
            try:
                due = store.checkpoint_due()
                if due is not None:
                    store.write_checkpoint(due)
            except GraphModelError:
                pass  # the next write tries again; a checkpoint is an optimisation
            finally:
                self._upkeep.release()

        threading.Thread(target=run, name="checkpoint", daemon=True).start()
