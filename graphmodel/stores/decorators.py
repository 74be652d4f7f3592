"""Wrappers that add cross-cutting behaviour to any `GraphStore` (P2).

Why wrappers: a backend never checks `if readonly:`; read-only mode (and later timing or
caching) is one class that takes any store, so it behaves the same on every backend.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType
from typing import Self

from graphmodel.changes import ChangeSet
from graphmodel.errors import Conflict
from graphmodel.schema.kinds import EdgeKind, NodeKind
from graphmodel.schema.trust import TrustEdge
from graphmodel.schema.world import World
from graphmodel.stores.base import (
    ANY_BASE,
    AnyBase,
    Capability,
    DeriveStats,
    EdgeRecord,
    GraphStore,
    NodeRecord,
    PruneReport,
    SnapshotInfo,
)

__all__ = ["ReadOnlyStore", "StoreReadOnly"]


class StoreReadOnly(Conflict):
    """A write reached a store opened read-only; `operation` names the refused method."""

    def __init__(self, operation: str) -> None:
        self.operation = operation
        super().__init__(f"the store is read-only: `{operation}` refused")


class ReadOnlyStore:
    """`inner` with every write refused by `StoreReadOnly`; reads and `close()` pass through.

    Examples
    --------
    >>> from graphmodel.stores import open_store
    >>> with ReadOnlyStore(open_store()) as store:
    ...     store.write_snapshot(World(), source="x", trust_edges=())
    Traceback (most recent call last):
    graphmodel.stores.decorators.StoreReadOnly: the store is read-only: `write_snapshot` refused
    """

    def __init__(self, inner: GraphStore) -> None:
        self.inner = inner

    @property
    def capabilities(self) -> frozenset[Capability]:
        return self.inner.capabilities

    def close(self) -> None:
        self.inner.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def current_snapshot(self) -> SnapshotInfo | None:
        return self.inner.current_snapshot()

    def refresh(self) -> SnapshotInfo | None:
        return self.inner.refresh()

    def refresh_pending(self) -> bool:
        return self.inner.refresh_pending()

    def snapshots(self) -> list[SnapshotInfo]:
        return self.inner.snapshots()

    def read_world(self, snapshot_id: int | None = None) -> World:
        return self.inner.read_world(snapshot_id)

    def node(self, key: str) -> NodeRecord:
        return self.inner.node(key)

    def nodes(self, kind: NodeKind) -> list[NodeRecord]:
        return self.inner.nodes(kind)

    def out_edges(self, key: str, *, kinds: frozenset[EdgeKind]) -> list[EdgeRecord]:
        return self.inner.out_edges(key, kinds=kinds)

    def in_edges(self, key: str, *, kinds: frozenset[EdgeKind]) -> list[EdgeRecord]:
        return self.inner.in_edges(key, kinds=kinds)

    def trust_edges(self, snapshot_id: int | None = None) -> list[TrustEdge]:
        return self.inner.trust_edges(snapshot_id)

    def write_snapshot(
        self,
        world: World,
        *,
        source: str,
        trust_edges: Sequence[TrustEdge],
        base: int | AnyBase | None = ANY_BASE,
        request_key: str | None = None,
    ) -> SnapshotInfo:
        raise StoreReadOnly("write_snapshot")

    def write_changes(
        self,
        changes: ChangeSet,
        *,
        source: str,
        base: int | None,
        trust_edges: Sequence[TrustEdge] | None = None,
        request_key: str | None = None,
    ) -> SnapshotInfo:
        raise StoreReadOnly("write_changes")

    def changes_after(self, base: int, snapshot_id: int) -> ChangeSet | None:
        return self.inner.changes_after(base, snapshot_id)

    def snapshot_for_request(self, request_key: str) -> SnapshotInfo | None:
        return self.inner.snapshot_for_request(request_key)

    def prune(self, *, keep: int | None = None, keep_days: float | None = None) -> PruneReport:
        raise StoreReadOnly("prune")

    def replace_trust_edges(
        self, edges: Sequence[TrustEdge], snapshot_id: int | None = None
    ) -> DeriveStats:
        raise StoreReadOnly("replace_trust_edges")
