"""Node contracts: `node(key)` and `nodes(kind)` on the current snapshot.

How to write tests here: compute what the store must hold with `expected_graph(world)` (the
shared mapping) and compare whole records; assert ordering and not-found behaviour exactly as
`GraphReader.node` / `nodes` document them. No backend names; skip gaps with `requires(...)`.
"""

from __future__ import annotations

import pytest

from graphmodel.errors import NodeNotFound
from graphmodel.schema import NodeKind, World
from graphmodel.stores import GraphStore
from graphmodel.stores.graphmap import WORLD_KEY
from tests.conformance.support import expected_graph
from tests.conformance.worlds import three_tenants, trust_edges


@pytest.fixture
def world(store: GraphStore) -> World:
    world = three_tenants()
    store.write_snapshot(world, source="nodes", trust_edges=trust_edges())
    return world


def test_every_entity_is_a_node_equal_to_the_mapping(store: GraphStore, world: World) -> None:
    nodes, _edges = expected_graph(world)
    for key, record in nodes.items():
        assert store.node(key) == record


def test_nodes_of_a_kind_are_sorted_by_key(store: GraphStore, world: World) -> None:
    nodes, _edges = expected_graph(world)
    for kind in NodeKind:
        got = store.nodes(kind)
        assert [n.key for n in got] == sorted(k for k, n in nodes.items() if n.kind is kind)
        assert all(n.kind is kind for n in got)
    assert [n.key for n in store.nodes(NodeKind.TENANT)] == [
        "Tenant:contoso",
        "Tenant:fabrikam",
        "Tenant:litware",
    ]


def test_node_keys_are_kind_and_ref(store: GraphStore, world: World) -> None:
    assert store.node("User:contoso/alice").props["ref"] == "contoso/alice"
    assert store.node("Channel:contoso/project/partners").kind is NodeKind.CHANNEL
    inv = world.invitations[0]
    assert store.node(f"Invitation:contoso/{inv.id}").kind is NodeKind.INVITATION


def test_node_props_are_readable_scalars(store: GraphStore, world: World) -> None:
    bob = store.node("User:contoso/bob").props
    assert (bob["userType"], bob["guestOf"], bob["accountEnabled"]) == (
        "Guest",
        "fabrikam/bob",
        True,
    )
    assert store.node("App:contoso/portal").props["appRoleAssignmentRequired"] is True
    assert store.node("Tenant:contoso").props["domains"] == (
        "contoso.com",
        "contoso.onmicrosoft.com",
    )
    for kind in NodeKind:
        for node in store.nodes(kind):
            for name, value in node.props.items():
                items = value if isinstance(value, tuple) else (value,)
                assert all(isinstance(v, str | int | float | bool) for v in items), name


def test_unknown_node_raises_node_not_found(store: GraphStore, world: World) -> None:
    with pytest.raises(NodeNotFound) as caught:
        store.node("User:contoso/nobody")
    assert caught.value.ref == "User:contoso/nobody"
    assert caught.value.code == "node-not-found"
    assert isinstance(caught.value, LookupError)


def test_world_bookkeeping_node_is_not_visible(store: GraphStore, world: World) -> None:
    with pytest.raises(NodeNotFound):
        store.node(WORLD_KEY)


def test_empty_store_has_no_nodes(store: GraphStore) -> None:
    assert all(store.nodes(kind) == [] for kind in NodeKind)
    with pytest.raises(NodeNotFound):
        store.node("Tenant:contoso")
