"""Every scenario world of the shared corpus survives a store round trip exactly.

How to write tests here: nothing to add per scenario; drop a `*.yaml` into the corpus and it is
picked up. The corpus lives next to the repository (`../shared/scenarios`); without it, or
without the world loader, the test is skipped with the reason.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from graphmodel.schema import EDGE_RULES, NodeKind, World
from graphmodel.stores import GraphStore
from graphmodel.stores.graphmap import graph_to_world, world_to_graph

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "scenarios"
FILES = sorted(CORPUS.rglob("*.yaml")) if CORPUS.is_dir() else []


@pytest.fixture(
    params=FILES or [pytest.param(None, marks=pytest.mark.skip(reason=f"no corpus at {CORPUS}"))],
    ids=lambda p: str(p.relative_to(CORPUS)) if isinstance(p, Path) else "none",
)
def scenario(request: pytest.FixtureRequest) -> Path:
    path: Path = request.param
    return path


def load(path: Path) -> World:
    ingest = pytest.importorskip("graphmodel.ingest.world", reason="no world loader yet")
    return ingest.load_world_file(path)


def test_scenario_world_round_trips_through_the_store(store: GraphStore, scenario: Path) -> None:
    world = load(scenario)
    assert graph_to_world(world_to_graph(world)[0]) == world
    info = store.write_snapshot(world, source=scenario.name, trust_edges=())
    assert store.read_world() == world
    assert info.counts == world.counts().as_dict()
    for kind in NodeKind:
        for node in store.nodes(kind):
            for edge in store.out_edges(node.key, kinds=frozenset(EDGE_RULES)):
                assert node.kind in EDGE_RULES[edge.kind].sources
