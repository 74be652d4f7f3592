"""What a store read or wrote of its last snapshots, kept to catch up from.

Why: a server reads the whole snapshot over Bolt once; after that, each newer snapshot is the
World it holds plus the change sets after it (`Neo4jStore.changes_after`), which costs the
size of the change instead of a paged read of every node. Snapshots never change once
published, so a kept World stays exact; a pruned snapshot's World is dropped. (Derived trust
edges can be replaced in place: they are kept with the generation they were read at.)
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Generic, TypeVar

__all__ = ["Recent"]

V = TypeVar("V")


class Recent(Generic[V]):
    """At most `size` values by snapshot id, the least recently used dropped first."""

    def __init__(self, size: int = 2) -> None:
        self.size = size
        self._items: OrderedDict[int, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, snapshot_id: int) -> V | None:
        with self._lock:
            found = self._items.get(snapshot_id)
            if found is not None:
                self._items.move_to_end(snapshot_id)
            return found

    def put(self, snapshot_id: int, value: V) -> None:
        with self._lock:
            self._items[snapshot_id] = value
            self._items.move_to_end(snapshot_id)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def older(self, snapshot_id: int) -> list[tuple[int, V]]:
        """The kept values of snapshots before `snapshot_id`, newest first."""
        with self._lock:
            return sorted(
                ((k, w) for k, w in self._items.items() if k < snapshot_id),
                reverse=True,
                key=lambda item: item[0],
            )

    def drop(self, snapshot_id: int) -> None:
        with self._lock:
            self._items.pop(snapshot_id, None)
