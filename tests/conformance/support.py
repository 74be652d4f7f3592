"""Helpers shared by the conformance tests (capability skips, expected records)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from graphmodel.schema import World
from graphmodel.stores import Capability, EdgeRecord, GraphStore, MetaKind, NodeRecord
from graphmodel.stores.graphmap import world_to_graph

__all__ = ["MakeStore", "expected_graph", "requires"]

MakeStore = Callable[[], GraphStore]
"""Opens the storage of the running test's backend (again); the fixture closes every store."""


def requires(store: GraphStore, capability: Capability) -> None:
    """Skip the running test, with the reason, unless `store` has `capability`."""
    if capability not in store.capabilities:
        pytest.skip(f"the store lacks capability `{capability.value}`")


def expected_graph(world: World) -> tuple[dict[str, NodeRecord], list[EdgeRecord]]:
    """The entity nodes by key and the observed edges a store must hold for `world`."""
    nodes, edges = world_to_graph(world)
    return {n.key: n for n in nodes if not isinstance(n.kind, MetaKind)}, edges
