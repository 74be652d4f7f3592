"""The in-memory view of one snapshot: a networkx graph, the decoded World and the trust edges.

Why immutable views: the API reads from several threads while a write runs. A writer builds a
complete new `SnapshotView` and the store swaps one reference after the commit, so a reader
that took the reference sees one snapshot from start to end, without locks.

Layout: a `networkx.MultiDiGraph` (projected from the World on first use) whose nodes are node
keys (attribute `record`: the `NodeRecord`) and whose observed edges are keyed by `EdgeKind`
(attribute `records`: the parallel `EdgeRecord`s of that kind between the two nodes). Trust
edges join tenants only and change without a new snapshot (`replace_trust_edges`), so they live
beside the graph in a small `TrustIndex` that is rebuilt instead of mutating the shared graph.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import networkx as nx

from graphmodel.errors import NodeNotFound
from graphmodel.schema.kinds import EdgeKind, NodeKind
from graphmodel.schema.trust import TrustEdge
from graphmodel.schema.world import World
from graphmodel.stores.base import EdgeRecord, MetaKind, NodeRecord, SnapshotInfo
from graphmodel.stores.graphmap import iter_edges, iter_nodes, sorted_edges
from graphmodel.stores.sync_derived import trust_to_record

__all__ = ["GraphBuilder", "SnapshotView", "TrustIndex"]


@dataclass(frozen=True, slots=True)
class TrustIndex:
    """Trust edges sorted by key, with their graph records indexed by both ends."""

    edges: tuple[TrustEdge, ...] = ()
    out: dict[str, tuple[EdgeRecord, ...]] = field(default_factory=dict)
    into: dict[str, tuple[EdgeRecord, ...]] = field(default_factory=dict)

    @classmethod
    def of(cls, edges: Iterable[TrustEdge]) -> TrustIndex:
        ordered = tuple(sorted(edges, key=lambda e: e.key))
        out: dict[str, list[EdgeRecord]] = {}
        into: dict[str, list[EdgeRecord]] = {}
        for e in ordered:
            record = trust_to_record(e)
            out.setdefault(record.source, []).append(record)
            into.setdefault(record.target, []).append(record)
        return cls(
            edges=ordered,
            out={k: tuple(v) for k, v in out.items()},
            into={k: tuple(v) for k, v in into.items()},
        )


class GraphBuilder:
    """Collects node and edge records into a new graph."""

    def __init__(self) -> None:
        self.graph: nx.MultiDiGraph[str] = nx.MultiDiGraph()
        self._by_kind: dict[NodeKind, list[str]] = {kind: [] for kind in NodeKind}

    def add_nodes(self, nodes: Iterable[NodeRecord]) -> None:
        for n in nodes:
            if isinstance(n.kind, MetaKind):
                continue  # the World node is bookkeeping, not a node readers can see
            self.graph.add_node(n.key, record=n)
            self._by_kind[n.kind].append(n.key)

    def add_edges(self, edges: Iterable[EdgeRecord]) -> None:
        graph = self.graph
        for e in edges:
            # INVARIANT: graphmap emits an edge only between existing nodes.
            if e.source not in graph or e.target not in graph:
                raise ValueError(f"edge `{e.source} -> {e.target}` has an end that is no node")
            if graph.has_edge(e.source, e.target, key=e.kind):
                graph.edges[e.source, e.target, e.kind]["records"].append(e)
            else:
                graph.add_edge(e.source, e.target, key=e.kind, records=[e])

    def by_kind(self) -> dict[NodeKind, tuple[str, ...]]:
        return {kind: tuple(sorted(keys)) for kind, keys in self._by_kind.items()}


class _Graph:
    """The networkx projection of a World, built on first use (thread-safe, at most once)."""

    __slots__ = ("_built", "_lock", "_world")

    def __init__(self, world: World) -> None:
        self._world = world
        self._lock = threading.Lock()
        self._built: tuple[nx.MultiDiGraph[str], dict[NodeKind, tuple[str, ...]]] | None = None

    def get(self) -> tuple[nx.MultiDiGraph[str], dict[NodeKind, tuple[str, ...]]]:
        built = self._built
        if built is None:
            with self._lock:
                built = self._built
                if built is None:
                    builder = GraphBuilder()
                    builder.add_nodes(iter_nodes(self._world))
                    builder.add_edges(iter_edges(self._world))
                    built = self._built = (builder.graph, builder.by_kind())
        return built


@dataclass(frozen=True, slots=True, kw_only=True)
class SnapshotView:
    """Everything readers need about the current snapshot; never mutated once built.

    The engine reads only `world`; the graph (node and edge reads, Cypher-like tools) is
    projected from it on first use, so opening a large store does not pay for a graph nobody
    asked for — neither in time nor in memory.
    """

    info: SnapshotInfo | None
    world: World
    trust: TrustIndex
    _graph: _Graph

    @classmethod
    def of(
        cls, *, info: SnapshotInfo | None, world: World, trust: Iterable[TrustEdge]
    ) -> SnapshotView:
        return cls(info=info, world=world, trust=TrustIndex.of(trust), _graph=_Graph(world))

    @classmethod
    def with_trust_index(
        cls, info: SnapshotInfo | None, world: World, trust: TrustIndex
    ) -> SnapshotView:
        """A view whose trust edges are an index already built (a change kept them)."""
        return cls(info=info, world=world, trust=trust, _graph=_Graph(world))

    @classmethod
    def empty(cls) -> SnapshotView:
        return cls.of(info=None, world=World(), trust=())

    @property
    def graph(self) -> nx.MultiDiGraph[str]:
        return self._graph.get()[0]

    @property
    def by_kind(self) -> dict[NodeKind, tuple[str, ...]]:
        return self._graph.get()[1]

    def with_trust(self, edges: Sequence[TrustEdge]) -> SnapshotView:
        return replace(self, trust=TrustIndex.of(edges))

    def node(self, key: str) -> NodeRecord:
        attrs = self.graph.nodes.get(key)
        if attrs is None:
            raise NodeNotFound(key)
        record: NodeRecord = attrs["record"]
        return record

    def nodes(self, kind: NodeKind) -> list[NodeRecord]:
        records = self.graph.nodes
        return [records[key]["record"] for key in self.by_kind[kind]]

    def edges(
        self, key: str, kinds: frozenset[EdgeKind], *, direction: Literal["out", "in"]
    ) -> list[EdgeRecord]:
        if key not in self.graph:
            raise NodeNotFound(key)
        adjacency = self.graph.succ if direction == "out" else self.graph.pred
        found: list[EdgeRecord] = []
        for by_kind in adjacency[key].values():
            for kind, attrs in by_kind.items():
                if kind in kinds:
                    found.extend(attrs["records"])
        trust = self.trust.out if direction == "out" else self.trust.into
        found.extend(e for e in trust.get(key, ()) if e.kind in kinds)
        return sorted_edges(found, by="target" if direction == "out" else "source")
