"""Edge contracts: `out_edges` / `in_edges` (kinds filter, ordering, not found), edge rules.

How to write tests here: derive the expected edges from `expected_graph(world)` and the trust
edges you wrote, then compare whole sorted lists; unknown nodes must raise `NodeNotFound`, and
an existing node without matching edges returns `[]`. No backend names in tests.
"""

from __future__ import annotations

import pytest

from graphmodel.errors import NodeNotFound
from graphmodel.schema import EDGE_RULES, OBSERVED_EDGES, TRUST_EDGES, EdgeKind, NodeKind, World
from graphmodel.stores import EdgeRecord, GraphStore
from graphmodel.stores.graphmap import sorted_edges
from graphmodel.stores.sync_derived import trust_to_record
from tests.conformance.support import expected_graph
from tests.conformance.worlds import ROLE_READER, three_tenants, trust_edges

ALL = frozenset(EdgeKind)


@pytest.fixture
def world(store: GraphStore) -> World:
    world = three_tenants()
    store.write_snapshot(world, source="edges", trust_edges=trust_edges())
    return world


def all_edges(world: World) -> list[EdgeRecord]:
    return expected_graph(world)[1] + [trust_to_record(e) for e in trust_edges()]


def test_out_and_in_edges_of_every_node_match_the_mapping(store: GraphStore, world: World) -> None:
    edges = all_edges(world)
    for key in expected_graph(world)[0]:
        want_out = sorted_edges((e for e in edges if e.source == key), by="target")
        want_in = sorted_edges((e for e in edges if e.target == key), by="source")
        assert store.out_edges(key, kinds=ALL) == want_out, key
        assert store.in_edges(key, kinds=ALL) == want_in, key


def test_out_edges_are_sorted_by_kind_then_target(store: GraphStore, world: World) -> None:
    got = store.out_edges("User:contoso/alice", kinds=ALL)
    assert [(e.kind.value, e.target) for e in got] == [
        ("ASSIGNED_TO", "App:contoso/portal"),
        ("ASSIGNED_TO", "App:contoso/portal"),
        ("CHANNEL_MEMBER", "Channel:contoso/project/partners"),
        ("HOMED_IN", "Tenant:contoso"),
        ("MEMBER_OF", "Group:contoso/sales"),
        ("TEAM_MEMBER", "Team:contoso/project"),
    ]


def test_parallel_edges_are_ordered_by_props(store: GraphStore, world: World) -> None:
    got = store.out_edges("User:contoso/alice", kinds=frozenset({EdgeKind.ASSIGNED_TO}))
    assert [e.props["appRoleId"] for e in got] == [
        "00000000-0000-0000-0000-000000000000",
        ROLE_READER,
    ]


def test_in_edges_are_sorted_by_kind_then_source(store: GraphStore, world: World) -> None:
    got = store.in_edges("Group:contoso/sales", kinds=frozenset({EdgeKind.MEMBER_OF}))
    assert [e.source for e in got] == [
        "Group:contoso/staff",
        "User:contoso/alice",
        "User:contoso/bob",
    ]
    got = store.in_edges("Channel:contoso/project/partners", kinds=ALL)
    assert [(e.kind.value, e.source) for e in got] == [
        ("CHANNEL_MEMBER", "User:contoso/alice"),
        ("CHANNEL_MEMBER", "User:fabrikam/frank"),
    ]


def test_kinds_filter_the_edges(store: GraphStore, world: World) -> None:
    got = store.out_edges("Tenant:contoso", kinds=TRUST_EDGES)
    assert {(e.kind, e.target) for e in got} == {
        (EdgeKind.B2B_COLLAB_IN, "Tenant:fabrikam"),
        (EdgeKind.DIRECT_CONNECT_IN, "Tenant:fabrikam"),
        (EdgeKind.TRUSTS_MFA, "Tenant:fabrikam"),
    }
    assert store.out_edges("Tenant:contoso", kinds=OBSERVED_EDGES) == []
    assert store.out_edges("User:contoso/alice", kinds=frozenset()) == []


def test_trust_edges_carry_rule_and_policy(store: GraphStore, world: World) -> None:
    (edge,) = store.in_edges("Tenant:contoso", kinds=frozenset({EdgeKind.SYNCS_USERS_TO}))
    assert edge.source == "Tenant:litware"
    assert (edge.props["rule"], edge.props["policy"]) == ("R7", "litware/xtap")


def test_node_without_edges_returns_empty_list(store: GraphStore, world: World) -> None:
    assert store.in_edges("User:contoso/alice", kinds=ALL) == []


def test_unknown_node_raises_node_not_found(store: GraphStore, world: World) -> None:
    for call in (store.out_edges, store.in_edges):
        with pytest.raises(NodeNotFound) as caught:
            call("Group:contoso/nope", kinds=ALL)
        assert caught.value.ref == "Group:contoso/nope"


def test_unknown_node_of_an_empty_store_raises(store: GraphStore) -> None:
    with pytest.raises(NodeNotFound):
        store.out_edges("Tenant:contoso", kinds=ALL)


def test_every_edge_obeys_the_edge_rules(store: GraphStore, world: World) -> None:
    for kind in NodeKind:
        for node in store.nodes(kind):
            for edge in store.out_edges(node.key, kinds=ALL):
                rule = EDGE_RULES[edge.kind]
                assert node.kind in rule.sources, (edge, rule)
                assert store.node(edge.target).kind in rule.targets, (edge, rule)


def test_guest_and_channel_edges_cross_tenants(store: GraphStore, world: World) -> None:
    guest = store.out_edges("User:contoso/bob", kinds=frozenset({EdgeKind.GUEST_OF}))
    assert [e.target for e in guest] == ["User:fabrikam/bob"]
    shared = store.out_edges(
        "Channel:contoso/project/partners", kinds=frozenset({EdgeKind.SHARED_WITH_TEAM})
    )
    assert [e.target for e in shared] == ["Team:fabrikam/eng"]
