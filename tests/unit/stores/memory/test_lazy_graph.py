"""The reopened memory store projects its graph from the World (the file holds no edge rows).

How to write tests here: write a World to a sqlite-backed store, reopen the file, and compare
what the lazily projected graph answers with the edges the World maps to (`graphmap.iter_edges`).
"""

from __future__ import annotations

from pathlib import Path

from graphmodel.schema.kinds import OBSERVED_EDGES, NodeKind
from graphmodel.stores.graphmap import iter_edges
from graphmodel.stores.memory import MemoryStore
from tests.conformance.worlds import three_tenants, trust_edges


def _key(e: object) -> tuple[str, str, str, str]:
    return (e.source, e.target, e.kind.value, repr(sorted(e.props.items())))  # type: ignore[attr-defined]


def test_projected_edges_equal_the_stored_rows(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    with MemoryStore(path) as store:
        store.write_snapshot(three_tenants(), source="t", trust_edges=trust_edges())
    with MemoryStore(path) as reopened:
        stored = list(iter_edges(three_tenants()))
        projected = [
            e
            for kind in NodeKind
            for n in reopened.nodes(kind)
            for e in reopened.out_edges(n.key, kinds=OBSERVED_EDGES)
        ]
        assert stored  # the world has observed edges
        assert sorted(map(_key, projected)) == sorted(map(_key, stored))


def test_reopen_answers_world_reads_without_building_the_graph(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    with MemoryStore(path) as store:
        store.write_snapshot(three_tenants(), source="t", trust_edges=trust_edges())
    with MemoryStore(path) as reopened:
        view = reopened._view
        assert view is not None
        assert reopened.read_world() == three_tenants()
        assert view._graph._built is None  # nobody asked for the graph yet
        reopened.nodes(NodeKind.USER)
        assert view._graph._built is not None
