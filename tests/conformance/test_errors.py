"""Error contracts shared by every backend: codes, lifecycle, refused and failed writes.

How to write tests here: provoke the error through the public protocol only and assert the
error class (and its `code` / payload attributes), then assert that nothing changed. No backend
names; skip gaps with `requires(...)`.
"""

from __future__ import annotations

import pytest

from graphmodel.errors import Conflict, GraphModelError, NodeNotFound, StoreUnavailable
from graphmodel.schema import EdgeKind, NodeKind, World
from graphmodel.stores import Capability, GraphStore
from tests.conformance.support import requires
from tests.conformance.worlds import big_world, three_tenants, trust_edges, user


def test_errors_carry_stable_codes(store: GraphStore) -> None:
    with pytest.raises(GraphModelError) as caught:
        store.node("Tenant:none")
    assert isinstance(caught.value, NodeNotFound)
    assert caught.value.code == "node-not-found"
    assert str(caught.value) == "node `Tenant:none` not found"


def test_duplicate_node_keys_conflict_and_write_nothing(store: GraphStore) -> None:
    first = store.write_snapshot(three_tenants(), source="1", trust_edges=())
    world = three_tenants()
    twice = World(tenants=world.tenants, users=(*world.users, world.users[0]))
    with pytest.raises(Conflict) as caught:
        store.write_snapshot(twice, source="2", trust_edges=())
    assert caught.value.code == "conflict"
    assert store.current_snapshot() == first
    assert store.snapshots() == [first]


def test_a_write_failing_midway_leaves_the_previous_snapshot(store: GraphStore) -> None:
    requires(store, Capability.TRANSACTIONS)
    before = three_tenants()
    first = store.write_snapshot(before, source="1", trust_edges=trust_edges())
    big = big_world(12_000)
    broken = World(tenants=big.tenants, users=(*big.users, user("bigco", "bad", mail=object())))
    with pytest.raises(TypeError):  # the shared mapping cannot encode `mail`
        store.write_snapshot(broken, source="2", trust_edges=())
    assert store.current_snapshot() == first
    assert store.snapshots() == [first]
    assert store.read_world() == before
    assert store.nodes(NodeKind.USER)[0].key == "User:contoso/alice"
    with pytest.raises(NodeNotFound):
        store.node("User:bigco/u0")
    again = store.write_snapshot(three_tenants(title="again"), source="3", trust_edges=())
    assert again.id > first.id


def test_closed_store_raises_store_unavailable(store: GraphStore) -> None:
    store.write_snapshot(three_tenants(), source="1", trust_edges=())
    store.close()
    store.close()  # idempotent
    calls = [
        store.current_snapshot,
        store.snapshots,
        store.read_world,
        store.trust_edges,
        lambda: store.node("Tenant:contoso"),
        lambda: store.nodes(NodeKind.TENANT),
        lambda: store.out_edges("Tenant:contoso", kinds=frozenset(EdgeKind)),
        lambda: store.in_edges("Tenant:contoso", kinds=frozenset(EdgeKind)),
        lambda: store.write_snapshot(World(), source="x", trust_edges=()),
        lambda: store.replace_trust_edges([]),
    ]
    for call in calls:
        with pytest.raises(StoreUnavailable) as caught:
            call()
        assert caught.value.retryable


def test_store_is_a_context_manager(store: GraphStore) -> None:
    with store as same:
        assert same is store
        same.write_snapshot(World(), source="ctx", trust_edges=())
    with pytest.raises(StoreUnavailable):
        store.current_snapshot()
