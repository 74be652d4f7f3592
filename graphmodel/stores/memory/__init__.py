"""The default backend: the current snapshot in memory (networkx), durable through sqlite."""

from __future__ import annotations

from graphmodel.stores.memory.store import MemoryStore

__all__ = ["MemoryStore"]
