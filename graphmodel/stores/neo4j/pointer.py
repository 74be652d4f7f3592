"""The current-snapshot pointer a store last read, trusted for `interval` seconds.

Why: the engine answers from its index of one snapshot, so a question should cost no round
trip; the pointer is read again only when older than `interval` (0: every time). A store's
own publishes are remembered at once, and an older read never replaces a newer snapshot
(ids only grow), so two threads racing cannot move the pointer backwards.
"""

from __future__ import annotations

import threading
import time

from graphmodel.stores.neo4j.snapshots import StoredSnapshot

__all__ = ["PointerCache"]


class PointerCache:
    """The last current snapshot read (None: the namespace was empty) and when."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._lock = threading.Lock()
        self._found: StoredSnapshot | None = None
        self._at: float | None = None  # monotonic time of the last read; None: never

    def held(self) -> tuple[StoredSnapshot | None] | None:
        """`(snapshot,)` while the last read is younger than `interval`, else None."""
        with self._lock:
            if self._at is not None and time.monotonic() - self._at < self.interval:
                return (self._found,)
            return None

    def remember(self, found: StoredSnapshot | None, read_at: float) -> None:
        """Keep `found` (read at `read_at`) unless a newer snapshot was kept meanwhile."""
        with self._lock:
            kept = None if self._found is None else self._found.info.id
            new = None if found is None else found.info.id
            if kept is None or (new is not None and new >= kept):
                self._found = found
            self._at = read_at

    def forget(self) -> None:
        """Read the pointer again next time (it moved, or what it carries did)."""
        with self._lock:
            self._at = None
