"""Unit tests of `graphmodel.stores.decorators` (wrappers around any `GraphStore`).

How to write tests here: wrap a real store from `open_store()`, write through the inner store,
and assert that the wrapper passes reads through and refuses what it must refuse.
"""

from __future__ import annotations

import pytest

from graphmodel.errors import Conflict, StoreUnavailable
from graphmodel.schema import EdgeKind, NodeKind
from graphmodel.stores import GraphStore, ReadOnlyStore, StoreReadOnly, open_store
from tests.conformance.worlds import three_tenants, trust_edges


def test_read_only_store_passes_reads_through() -> None:
    inner = open_store()
    world = three_tenants()
    info = inner.write_snapshot(world, source="x", trust_edges=trust_edges())
    with ReadOnlyStore(inner) as store:
        checked: GraphStore = store  # the wrapper is a GraphStore itself
        assert checked.current_snapshot() == info
        assert store.snapshots() == [info]
        assert store.read_world() == world and store.read_world(info.id) == world
        assert store.node("Tenant:contoso") == inner.node("Tenant:contoso")
        assert store.nodes(NodeKind.USER) == inner.nodes(NodeKind.USER)
        kinds = frozenset(EdgeKind)
        assert store.out_edges("Tenant:contoso", kinds=kinds) == inner.out_edges(
            "Tenant:contoso", kinds=kinds
        )
        assert store.in_edges("Tenant:contoso", kinds=kinds) == inner.in_edges(
            "Tenant:contoso", kinds=kinds
        )
        assert store.trust_edges() == inner.trust_edges()
        assert store.capabilities == inner.capabilities
    with pytest.raises(StoreUnavailable):
        inner.current_snapshot()  # closing the wrapper closed the inner store


def test_read_only_store_refuses_writes() -> None:
    inner = open_store()
    inner.write_snapshot(three_tenants(), source="x", trust_edges=())
    with ReadOnlyStore(inner) as store:
        with pytest.raises(StoreReadOnly) as caught:
            store.write_snapshot(three_tenants(), source="y", trust_edges=())
        assert isinstance(caught.value, Conflict) and caught.value.code == "conflict"
        assert caught.value.operation == "write_snapshot"
        assert str(caught.value) == "the store is read-only: `write_snapshot` refused"
        with pytest.raises(StoreReadOnly, match="replace_trust_edges"):
            store.replace_trust_edges(trust_edges())
        assert len(inner.snapshots()) == 1 and inner.trust_edges() == []
