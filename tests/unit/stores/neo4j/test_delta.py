"""The versions a change writes turn the stored graph into exactly the next World's graph.

How this is checked without a server: a `Versions` double keeps what the Neo4j store keeps
live (one node record per key, a multiset of edge identities), starts from a whole write
(`iter_nodes(world, scale=GAP)`) and applies each `VersionDelta` the way the store's
statements do. After every change set, its edges must equal `iter_edges` of the new World
(exactly, as a multiset), its nodes must rebuild the new World (`graph_to_world`: order keys
order it), and each node must equal the shared mapping's record but for the order keys.
Changes come from realistic operations (`index_changes.OPS`) and random structural edits.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, seed, settings
from hypothesis import strategies as st

from graphmodel.changes import ChangeSet, Replace, apply_changes, diff_worlds
from graphmodel.errors import Conflict
from graphmodel.schema import World
from graphmodel.stores.base import EdgeRecord, NodeRecord
from graphmodel.stores.graphmap import HELD_PROPS, graph_to_world, iter_edges, iter_nodes
from graphmodel.stores.neo4j.delta import VersionDelta, plan_delta
from graphmodel.stores.neo4j.positions import GAP, NeedsWhole
from tests.audit.support import DEMO
from tests.unit.changes.test_changes_property import edited_world
from tests.unit.engine.index_changes import (
    BOUNDS,
    CORPUS,
    corpus_world,
    draw_change_set,
    picks,
)


def _identity(e: EdgeRecord) -> tuple[str, str, str, str]:
    return (e.kind.value, e.source, e.target, json.dumps(dict(e.props), sort_keys=True))


class Versions:
    """The live node versions and edges of the Neo4j layout, kept in memory."""

    def __init__(self, world: World) -> None:
        self.nodes = {n.key: n for n in iter_nodes(world, scale=GAP)}
        self.edges = Counter(_identity(e) for e in iter_edges(world))
        self.written = 0  # node versions and edges created by changes

    def fetch(self, keys: Collection[str]) -> Mapping[str, NodeRecord]:
        return {k: self.nodes[k] for k in keys if k in self.nodes}

    def apply(self, delta: VersionDelta) -> None:
        for close in delta.close_edges:
            ident = _identity(
                EdgeRecord(
                    source=close.source, target=close.target, kind=close.kind, props=close.props
                )
            )
            assert self.edges[ident] == close.count, ident  # the statement checks this count
            del self.edges[ident]
        for key in delta.close:
            assert key in self.nodes
            del self.nodes[key]
        for key in delta.removed:  # their live edges close: none may be left by then
            assert not [e for e in self.edges if key in (e[1], e[2])], key
        for record in delta.create:
            assert record.key not in self.nodes
            self.nodes[record.key] = record
        for edge in delta.create_edges:
            assert edge.source in self.nodes and edge.target in self.nodes, edge
            self.edges[_identity(edge)] += 1
        self.written += len(delta.create) + len(delta.create_edges)


def _without_order(node: NodeRecord) -> dict[str, Any]:
    props = {k: v for k, v in node.props.items() if k != "ord"}
    for name in HELD_PROPS.values():
        if isinstance(props.get(name), str):
            props[name] = [data for _pos, data in json.loads(str(props[name]))]
    return props


def assert_holds(versions: Versions, world: World) -> None:
    assert versions.edges == Counter(_identity(e) for e in iter_edges(world))
    assert graph_to_world(versions.nodes.values()) == world
    expected = {n.key: n for n in iter_nodes(world)}
    assert set(versions.nodes) == set(expected)
    for key, node in versions.nodes.items():
        assert node.kind == expected[key].kind
        assert _without_order(node) == _without_order(expected[key]), key


def step(versions: Versions, before: World, changes: ChangeSet) -> World:
    after = apply_changes(before, changes)
    try:
        delta = plan_delta(before, after, changes, versions.fetch)
    except NeedsWhole as exc:  # the store writes such a change whole
        assert any(isinstance(c, Replace) for c in changes) or "no room" in str(exc), exc
        return _whole(versions, after)
    versions.apply(delta)
    assert_holds(versions, after)
    return after


def _whole(versions: Versions, world: World) -> World:
    fresh = Versions(world)
    versions.nodes, versions.edges = fresh.nodes, fresh.edges
    return world


def _valid(world: World) -> bool:
    try:
        list(iter_nodes(world))
    except Conflict:
        return False
    return True


@seed(20270101)
@settings(max_examples=150, **BOUNDS)
@given(st.sampled_from(CORPUS), st.lists(picks, min_size=1, max_size=4))
def test_realistic_change_sequences(path: Path, steps: list[list[tuple[int, int]]]) -> None:
    world = corpus_world(path)
    versions = Versions(world)
    for picked in steps:
        changes, after = draw_change_set(world, picked)
        if not _valid(after):
            return
        world = step(versions, world, changes)
        assert world == after


@seed(20270102)
@settings(max_examples=150, **BOUNDS)
@given(st.sampled_from(CORPUS), st.lists(st.integers(0, 10**6), min_size=2, max_size=4))
def test_random_structural_edits(path: Path, seeds: list[int]) -> None:
    base = corpus_world(path)
    world = edited_world(base, seeds[0])
    if not _valid(world):
        return
    versions = Versions(world)
    for s in seeds[1:]:
        target = edited_world(base if s % 2 else world, s)
        if not _valid(target):
            continue
        world = step(versions, world, diff_worlds(world, target))
        assert world == target


def test_one_member_writes_one_node_and_one_edge() -> None:
    world = corpus_world(DEMO)
    group = max(world.groups, key=lambda g: len(g.members))
    newcomer = next(u for u in world.users if u.ref not in group.members)
    after = dataclasses.replace(
        world,
        groups=tuple(
            dataclasses.replace(g, members=(*g.members, newcomer.ref)) if g is group else g
            for g in world.groups
        ),
    )
    versions = Versions(world)
    delta = plan_delta(world, after, diff_worlds(world, after), versions.fetch)
    assert [n.key for n in delta.create] == [f"Group:{group.ref}"]
    assert delta.close == delta.moved == (f"Group:{group.ref}",)
    assert [(e.kind.value, e.source) for e in delta.create_edges] == [
        ("MEMBER_OF", f"User:{newcomer.ref}")
    ]
    assert delta.close_edges == ()


def test_an_entity_inserted_between_neighbours_gets_a_key_between_theirs() -> None:
    world = corpus_world(DEMO)
    middle = len(world.users) // 2
    clone = dataclasses.replace(world.users[middle], name="inserted", id="ffff")
    after = dataclasses.replace(world, users=(*world.users[:middle], clone, *world.users[middle:]))
    versions = Versions(world)
    versions.apply(plan_delta(world, after, diff_worlds(world, after), versions.fetch))
    assert_holds(versions, after)
    keys = [versions.nodes[f"User:{u.ref}"].props["ord"] for u in after.users]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    assert versions.written <= 3  # the user, its HOMED_IN edge (and a guest edge at most)


def test_no_room_between_neighbours_asks_for_a_whole_write() -> None:
    world = corpus_world(DEMO)
    versions = Versions(world)
    for i in range(25):  # each insert halves the room right after the first user
        users = world.users
        clone = dataclasses.replace(users[0], name=f"squeezed{i}", id=f"sq{i}")
        after = dataclasses.replace(world, users=(users[0], clone, *users[1:]))
        try:
            delta = plan_delta(world, after, diff_worlds(world, after), versions.fetch)
        except NeedsWhole as exc:
            assert "no room" in str(exc)
            break
        versions.apply(delta)
        world = after
    else:
        pytest.fail("twenty-five inserts at one spot never ran out of room")
    assert i >= 19  # GAP = 2^20: twenty halvings fit
