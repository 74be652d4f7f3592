"""Child process of `test_durability.py`: open a store file and write a World B, saying when.

Run as `python -m tests.unit.stores._crash_child STORE_FILE USERS [changes]` from the repository
root. It prints `started` once the first part of B's World (or, with `changes`, B's snapshot row
holding the change from A) is inside the write transaction, and `committed` after the write
returns; the parent kills it with SIGKILL in between.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any

from graphmodel.changes import diff_worlds
from graphmodel.stores import open_store
from graphmodel.stores.memory.sqlite import SnapshotTx
from tests.conformance.worlds import big_world


def announce_first_batch() -> None:
    """Wrap `SnapshotTx.add_parts` so the first call prints `started` (test instrumentation)."""
    original = SnapshotTx.add_parts
    started = False

    def add_parts(
        self: SnapshotTx, snapshot_id: int, parts: Iterable[tuple[int, str, str]]
    ) -> None:
        nonlocal started
        original(self, snapshot_id, parts)
        if not started:
            started = True
            print("started", flush=True)

    SnapshotTx.add_parts = add_parts  # type: ignore[method-assign]


def announce_snapshot_row() -> None:
    """Wrap `SnapshotTx.add_snapshot` so it prints `started` once its row is written."""
    original = SnapshotTx.add_snapshot

    def add_snapshot(self: SnapshotTx, **fields: Any) -> int:
        sid = original(self, **fields)
        print("started", flush=True)
        return sid

    SnapshotTx.add_snapshot = add_snapshot  # type: ignore[method-assign]


def main(path: str, users: int, changes: bool) -> None:
    world = big_world(users, title="B")
    store = open_store("memory", path=path, batch_size=1_000)
    if changes:
        current = store.current_snapshot()
        assert current is not None  # INVARIANT: the parent wrote A first
        delta = diff_worlds(store.read_world(), world)
        announce_snapshot_row()
        store.write_changes(delta, source="B", base=current.id, trust_edges=())
    else:
        announce_first_batch()
        store.write_snapshot(world, source="B", trust_edges=())
    print("committed", flush=True)
    store.close()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3:] == ["changes"])
