"""Child process of `test_durability.py`: open a store file and write a World B, saying when.

Run as `python -m tests.unit.stores._crash_child STORE_FILE USERS` from the repository root.
It prints `started` once the first part of B's World is inside the write transaction, and
`committed` after `write_snapshot` returns; the parent kills it with SIGKILL in between.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable

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


def main(path: str, users: int) -> None:
    world = big_world(users, title="B")
    store = open_store("memory", path=path, batch_size=1_000)
    announce_first_batch()
    store.write_snapshot(world, source="B", trust_edges=())
    print("committed", flush=True)
    store.close()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
