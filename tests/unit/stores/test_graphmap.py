"""Unit tests of `graphmodel.stores.graphmap`, the World <-> property graph mapping.

How to write tests here: build a World with `tests.conformance.worlds` (or inline dataclasses
for corner cases), map it, and assert on whole records or on the round trip
`graph_to_world(world_to_graph(w)[0]) == w`. No store is opened in this file.
"""

from __future__ import annotations

import json
import random
from dataclasses import replace
from datetime import datetime

import pytest

from graphmodel.errors import Conflict
from graphmodel.schema import (
    EDGE_RULES,
    OBSERVED_EDGES,
    AccessPackageAssignment,
    AppRoleAssignment,
    EdgeKind,
    Group,
    NodeKind,
    World,
)
from graphmodel.stores import MetaKind, NodeRecord
from graphmodel.stores.graphmap import (
    WORLD_KEY,
    graph_to_world,
    iter_edges,
    node_key,
    world_to_graph,
)
from tests.conformance.worlds import big_world, three_tenants, user


def round_trip(world: World) -> World:
    return graph_to_world(world_to_graph(world)[0])


@pytest.mark.parametrize(
    "world",
    [
        World(),
        World(title="only a title", source="s", as_of=datetime(2030, 1, 1)),
        three_tenants(),
        big_world(250),
    ],
    ids=["empty", "meta-only", "three-tenants", "generated"],
)
def test_round_trip_is_exact(world: World) -> None:
    assert round_trip(world) == world


def test_round_trip_ignores_node_order() -> None:
    world = three_tenants()
    nodes = world_to_graph(world)[0]
    random.Random(7).shuffle(nodes)
    assert graph_to_world(nodes) == world


def test_round_trip_keeps_tuple_order_of_every_collection() -> None:
    world = three_tenants()
    shuffled = World(
        **{
            name: tuple(reversed(getattr(world, name)))
            for name in ("tenants", "users", "groups", "apps", "assignments", "channels")
        },
        access_package_assignments=world.access_package_assignments,
        access_packages=world.access_packages,
    )
    assert round_trip(shuffled) == shuffled
    assert round_trip(shuffled).users[0] == world.users[-1]


def test_dangling_references_round_trip_without_edges() -> None:
    world = three_tenants()
    dangling = replace(
        world,
        users=(*world.users, user("contoso", "ghost-guest", guest_of="nowhere/ghost")),
        groups=(Group(tenant="contoso", name="g", id="1", members=("contoso/missing",)),),
        assignments=(AppRoleAssignment(principal="contoso/alice", app="contoso/missing-app"),),
        access_package_assignments=(
            AccessPackageAssignment(package="contoso/missing-pack", target="fabrikam/bob"),
        ),
    )
    nodes, edges = world_to_graph(dangling)
    assert graph_to_world(nodes) == dangling
    keys = {n.key for n in nodes}
    assert all(e.source in keys and e.target in keys for e in edges)
    meta = next(n for n in nodes if n.key == WORLD_KEY)
    assert "appRoleAssignments" in meta.props and "packageAssignments" in meta.props


def test_node_keys_are_kind_and_ref() -> None:
    nodes, _ = world_to_graph(three_tenants())
    keys = {n.key for n in nodes}
    assert {"Tenant:contoso", "User:contoso/alice", "Channel:contoso/project/partners"} <= keys
    assert node_key(NodeKind.GROUP, "contoso/sales") in keys
    assert [n.kind for n in nodes].count(MetaKind.WORLD) == 1


def test_props_are_neo4j_compatible() -> None:
    nodes, edges = world_to_graph(three_tenants())
    props = [n.props for n in nodes] + [e.props for e in edges]
    for record in props:
        for name, value in record.items():
            items = value if isinstance(value, tuple) else (value,)
            assert all(type(v) in (str, int, float, bool) for v in items), (record, name)
            assert len({type(v) for v in items}) <= 1, (record, name)  # homogeneous lists


def test_data_prop_is_the_codec_json() -> None:
    nodes, _ = world_to_graph(three_tenants())
    bob = next(n for n in nodes if n.key == "User:contoso/bob")
    data = json.loads(str(bob.props["data"]))
    assert (data["guestOf"], data["userType"], bob.props["ord"]) == ("fabrikam/bob", "Guest", 2)


def test_every_edge_obeys_the_edge_rules() -> None:
    nodes, edges = world_to_graph(three_tenants())
    kind_of = {n.key: n.kind for n in nodes}
    assert {e.kind for e in edges} == OBSERVED_EDGES  # the test world uses every observed kind
    for e in edges:
        rule = EDGE_RULES[e.kind]
        assert kind_of[e.source] in rule.sources and kind_of[e.target] in rule.targets, e


def test_member_refs_prefer_users_then_groups() -> None:
    world = three_tenants()
    member_of = [(e.source, e.target) for e in iter_edges(world) if e.kind is EdgeKind.MEMBER_OF]
    assert ("Group:contoso/staff", "Group:contoso/sales") in member_of
    assert ("User:contoso/alice", "Group:contoso/sales") in member_of


def test_two_entities_with_one_key_conflict() -> None:
    world = three_tenants()
    with pytest.raises(Conflict, match="User:contoso/alice"):
        world_to_graph(replace(world, users=(*world.users, world.users[0])))


def test_malformed_nodes_raise_value_error() -> None:
    with pytest.raises(ValueError, match="data"):
        graph_to_world([NodeRecord(key="User:x/y", kind=NodeKind.USER, props={"ord": 0})])
    nodes, _ = world_to_graph(three_tenants())
    tenant = next(n for n in nodes if n.kind is NodeKind.TENANT)
    with pytest.raises(ValueError, match="ord"):
        graph_to_world([replace(tenant, props={**tenant.props, "ord": "0"})])
