"""Keyed reads of one snapshot's graph: the optional protocol behind partial reads.

Why a protocol of its own (beside `stores.base`): only a store whose whole-snapshot read is
costly needs it (the Neo4j store: a one-shot `check` at 100k users read 300k nodes over Bolt to
answer one question), and the questions that use it (`neighbourhood.py`) ask for nodes by key,
edges of given nodes and a tenant's nodes of one kind, in the shared `graphmap` layout. A store
that implements it is found with `isinstance(store, GraphLookups)`; `WorldLookups` answers the
same reads from a World in memory, the reference the Neo4j store is tested against.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from typing import Literal, Protocol, runtime_checkable

from graphmodel.schema.enums import BuiltinApp
from graphmodel.schema.kinds import EdgeKind, NodeKind
from graphmodel.schema.world import World
from graphmodel.stores.base import EdgeRecord, NodeRecord
from graphmodel.stores.graphmap import iter_edges, iter_nodes, node_key

__all__ = ["Direction", "GraphLookups", "WorldLookups"]

Direction = Literal["out", "in"]


@runtime_checkable
class GraphLookups(Protocol):
    """Reads of snapshot `snapshot_id` by key; every method returns records in any order.

    Nodes come with every prop the snapshot holds for them (`data`, `ord`, assignments), as
    `read_world` would return them, so `graph_to_world` can rebuild their entities.
    """

    def nodes_by_key(self, snapshot_id: int, keys: Collection[str]) -> list[NodeRecord]:
        """The nodes with these keys (the `World:meta` node included when asked for)."""
        ...

    def edges_of(
        self,
        snapshot_id: int,
        keys: Collection[str],
        kinds: Collection[EdgeKind],
        direction: Direction,
    ) -> list[EdgeRecord]:
        """Observed edges of these kinds leaving (`out`) or entering (`in`) the given nodes."""
        ...

    def homed_nodes(self, snapshot_id: int, tenant: str, kind: NodeKind) -> list[NodeRecord]:
        """The nodes of `kind` homed in tenant `tenant` (by name): `HOMED_IN` edges."""
        ...

    def builtin_apps(
        self, snapshot_id: int, tenant: str, builtin: BuiltinApp
    ) -> list[NodeRecord]:
        """The app nodes of tenant `tenant` that are the first-party app `builtin`."""
        ...


class WorldLookups:
    """`GraphLookups` over one World in memory (any `snapshot_id` means that World)."""

    def __init__(self, world: World) -> None:
        self._nodes = {n.key: n for n in iter_nodes(world)}
        self._out: dict[str, list[EdgeRecord]] = defaultdict(list)
        self._in: dict[str, list[EdgeRecord]] = defaultdict(list)
        for e in iter_edges(world):
            self._out[e.source].append(e)
            self._in[e.target].append(e)

    def nodes_by_key(self, snapshot_id: int, keys: Collection[str]) -> list[NodeRecord]:
        return [self._nodes[k] for k in set(keys) if k in self._nodes]

    def edges_of(
        self,
        snapshot_id: int,
        keys: Collection[str],
        kinds: Collection[EdgeKind],
        direction: Direction,
    ) -> list[EdgeRecord]:
        by = self._out if direction == "out" else self._in
        wanted = frozenset(kinds)
        return [e for k in set(keys) for e in by.get(k, ()) if e.kind in wanted]

    def homed_nodes(self, snapshot_id: int, tenant: str, kind: NodeKind) -> list[NodeRecord]:
        return list(self._homed(tenant, kind))

    def builtin_apps(
        self, snapshot_id: int, tenant: str, builtin: BuiltinApp
    ) -> list[NodeRecord]:
        apps = self._homed(tenant, NodeKind.APP)
        return [n for n in apps if n.props.get("builtin") == builtin.value]

    def _homed(self, tenant: str, kind: NodeKind) -> Iterable[NodeRecord]:
        edges = self._in.get(node_key(NodeKind.TENANT, tenant), ())
        for e in edges:
            node = self._nodes[e.source]
            if e.kind is EdgeKind.HOMED_IN and node.kind is kind:
                yield node
