"""Partial reads over Bolt gather exactly what the in-memory reference gathers (issue 27).

How to write tests here: write a World to the session's FalkorDB, then compare the partial
World `check_world` builds through the store's Cypher lookups with the one it builds through
`WorldLookups` over the same World (equal Worlds: same entities, same order), and the
service's answers with partial reads against the whole snapshot's.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import pytest

from bench.generate import generate
from bench.workload import check_pairs
from graphmodel.engine import WorldIndex, derive_trust_edges
from graphmodel.errors import NodeNotFound
from graphmodel.ingest.checks import AccessCheck
from graphmodel.ingest.scenario import load_scenario_file
from graphmodel.schema.world import World
from graphmodel.service import GraphService
from graphmodel.stores.lookups import GraphLookups, WorldLookups
from graphmodel.stores.neighbourhood import check_world
from graphmodel.stores.neo4j import Neo4jStore
from tests.unit.stores.test_neighbourhood import FILES


@cache
def t_world() -> World:
    return generate("T", seed=3)  # nested groups, guests, synced users, channels, packages


def write(store: Neo4jStore, world: World) -> int:
    return store.write_snapshot(world, source="t", trust_edges=derive_trust_edges(world)).id


def test_the_store_offers_the_lookups(store: Neo4jStore) -> None:
    assert isinstance(store, GraphLookups)


def test_partial_worlds_over_bolt_equal_the_reference(store: Neo4jStore) -> None:
    world = t_world()
    sid = write(store, world)
    reference = WorldLookups(world)
    pairs = check_pairs(WorldIndex(world), 120, seed=5)
    for principal, resource in pairs:
        expected = check_world(reference, 0, principal, resource)
        assert expected is not None
        assert check_world(store, sid, principal, resource) == expected, (principal, resource)


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_partial_worlds_of_every_scenario_check_over_bolt(store: Neo4jStore, path: Path) -> None:
    world, scenario = load_scenario_file(path)
    sid = write(store, world)
    reference = WorldLookups(world)
    for chk in scenario.checks:
        if isinstance(chk, AccessCheck):
            expected = check_world(reference, 0, chk.principal, chk.resource)
            assert check_world(store, sid, chk.principal, chk.resource) == expected, chk


def test_a_one_shot_check_answers_without_reading_the_snapshot(
    store: Neo4jStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = t_world()
    write(store, world)
    pairs = check_pairs(WorldIndex(world), 40, seed=9)
    whole = GraphService(store)
    expected = [whole.check(p, r) for p, r in pairs]

    def refuse(*_args: object) -> World:
        raise AssertionError("a one-shot check read the whole snapshot")

    monkeypatch.setattr(Neo4jStore, "read_world", refuse)
    one_shot = GraphService(store, partial_reads=True)
    assert [one_shot.check(p, r) for p, r in pairs] == expected


def test_an_unknown_principal_gets_the_whole_worlds_error_and_suggestion(
    store: Neo4jStore,
) -> None:
    world = t_world()
    write(store, world)
    typo = world.users[0].ref + "x"
    app = world.apps[0].ref
    with pytest.raises(NodeNotFound) as whole:
        GraphService(store).check(typo, app)
    with pytest.raises(NodeNotFound) as partial:
        GraphService(store, partial_reads=True).check(typo, app)
    assert str(partial.value) == str(whole.value) and "did you mean" in str(whole.value)


def test_a_one_shot_check_keeps_the_clock_it_is_given(store: Neo4jStore) -> None:
    world = t_world()
    write(store, world)
    later = datetime(2031, 1, 1, tzinfo=UTC)  # assignments expire, guests are deleted
    pairs = check_pairs(WorldIndex(world), 40, seed=21)
    whole, one_shot = GraphService(store), GraphService(store, partial_reads=True)
    for p, r in pairs:
        assert one_shot.check(p, r, as_of=later) == whole.check(p, r, as_of=later)
