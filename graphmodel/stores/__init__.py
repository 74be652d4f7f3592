"""Storage: protocols every backend implements, the shared graph mapping, and `open_store`.

Callers depend on `GraphReader` / `GraphWriter` / `GraphStore` only; concrete backends
(`graphmodel.stores.memory`, later `graphmodel.stores.neo4j`) are reached through
`open_store(kind, **options)`.
"""

from __future__ import annotations

from graphmodel.stores.base import (
    ANY_BASE,
    AnyBase,
    Capability,
    DeriveStats,
    EdgeRecord,
    GraphReader,
    GraphStore,
    GraphWriter,
    MetaKind,
    NodeRecord,
    PropValue,
    Scalar,
    SnapshotInfo,
)
from graphmodel.stores.decorators import ReadOnlyStore, StoreReadOnly
from graphmodel.stores.graphmap import graph_to_world, node_key, world_to_graph
from graphmodel.stores.registry import (
    StoreFactory,
    check_store,
    open_store,
    register_store_factory,
    store_kinds,
)

__all__ = [
    "ANY_BASE",
    "AnyBase",
    "Capability",
    "DeriveStats",
    "EdgeRecord",
    "GraphReader",
    "GraphStore",
    "GraphWriter",
    "MetaKind",
    "NodeRecord",
    "PropValue",
    "ReadOnlyStore",
    "Scalar",
    "SnapshotInfo",
    "StoreFactory",
    "StoreReadOnly",
    "check_store",
    "graph_to_world",
    "node_key",
    "open_store",
    "register_store_factory",
    "store_kinds",
    "world_to_graph",
]
