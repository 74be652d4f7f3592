"""The neo4j backend's own promises on the FalkorDB test server (the conformance suite: the rest).

How to write tests here: use `store` / `open_store` from the conftest (a fresh namespace), and
`raw(store, cypher, **params)` to look at the database the way a Neo4j Browser user would.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from graphmodel.errors import Conflict, StoreIncompatible
from graphmodel.schema import (
    CrossTenantAccessPartner,
    CrossTenantAccessPolicy,
    NodeKind,
    Tenant,
    World,
)
from graphmodel.stores import SnapshotInfo
from graphmodel.stores.graphmap import iter_nodes
from graphmodel.stores.neo4j import OPENCYPHER, Neo4jStore, snapshots
from graphmodel.stores.neo4j.pipeline import Pipeline
from graphmodel.stores.neo4j.writer import SnapshotWriter
from tests.conformance.worlds import tenant, three_tenants, trust_edges, user
from tests.support.bolt_server import (
    BoltTargets,
    fresh_namespace,
    open_neo4j_store,
    purge_namespace,
)
from tests.unit.stores.neo4j.conftest import OpenStore

pytestmark = pytest.mark.neo4j


def raw(store: Neo4jStore, cypher: str, **params: Any) -> list[dict[str, Any]]:
    runner = store._runner
    return runner.execute("test", cypher, runner.encode(params))


def test_falkordb_gets_the_opencypher_profile(store: Neo4jStore) -> None:
    assert store.profile is OPENCYPHER


def test_text_with_quotes_backslashes_and_unicode_round_trips(
    store: Neo4jStore, reader: Neo4jStore
) -> None:
    base = three_tenants()
    nasty = "it's a \\ \"test\" — ünïcode ☃\nline two \\'quoted\\'"
    world = replace(
        base,
        title=nasty,
        users=(*base.users, user("contoso", "quote", mail=f"{nasty}@contoso.com")),
    )
    info = store.write_snapshot(world, source=nasty, trust_edges=trust_edges())
    assert reader.read_world() == world
    assert (info.title, info.source) == (nasty, nasty)
    assert store.current_snapshot() == info
    assert store.node("User:contoso/quote").props["mail"] == f"{nasty}@contoso.com"


def test_long_json_text_is_written_in_parts(store: Neo4jStore, reader: Neo4jStore) -> None:
    base = three_tenants()
    partners = tuple(
        CrossTenantAccessPartner(tenant_id=f"00000000-0000-0000-0000-{i:012d}") for i in range(4000)
    )
    big = replace(tenant("bigco"), cross_tenant_access=CrossTenantAccessPolicy(partners=partners))
    world = replace(base, tenants=(*base.tenants, big))
    store.write_snapshot(world, source="big", trust_edges=())
    data = store.node("Tenant:bigco").props["data"]
    budget = store._runner.budget()
    assert isinstance(data, str) and budget is not None and len(data) > budget
    assert reader.read_world() == world


def test_a_prop_larger_than_a_statement_conflicts_and_publishes_nothing(store: Neo4jStore) -> None:
    first = store.write_snapshot(three_tenants(), source="1", trust_edges=())
    huge = Tenant(name="huge", id="h", domains=tuple(f"d{i}.example.com" for i in range(20_000)))
    with pytest.raises(Conflict, match="`Tenant:huge`"):
        store.write_snapshot(World(tenants=(huge,)), source="2", trust_edges=())
    assert store.snapshots() == [first]
    assert raw(store, "MATCH (n:TgNode {key: 'Tenant:huge'}) RETURN count(n) AS n") == [{"n": 0}]


def test_nodes_carry_kind_labels_for_browser_queries(store: Neo4jStore) -> None:
    info = store.write_snapshot(three_tenants(), source="x", trust_edges=trust_edges())
    rows = raw(store, "MATCH (u:User {snapshot: $s}) RETURN count(u) AS n", s=info.id)
    assert rows == [{"n": len(store.nodes(NodeKind.USER))}]
    rows = raw(
        store,
        "MATCH (:Tenant {snapshot: $s, ref: 'contoso'})-[t:TRUSTS_MFA]->(p:Tenant) "
        "RETURN p.ref AS partner, t.rule AS rule",
        s=info.id,
    )
    assert rows == [{"partner": "fabrikam", "rule": "R7"}]


def test_namespaces_are_separate_stores(falkordb: BoltTargets, store: Neo4jStore) -> None:
    store.write_snapshot(three_tenants(), source="a", trust_edges=())
    other_name = fresh_namespace("unit-other")
    try:
        with open_neo4j_store(falkordb, "neo4j", other_name) as other:
            assert other.current_snapshot() is None
            assert other.nodes(NodeKind.TENANT) == []
            b = other.write_snapshot(World(title="b"), source="b", trust_edges=())
            assert store.current_snapshot() != b and store.read_world() == three_tenants()
    finally:
        purge_namespace(falkordb, "neo4j", other_name)


def _dead_writer(store: Neo4jStore, world: World) -> int:
    """Leave an unpublished snapshot behind, as a writer killed mid-write would."""
    runner = store._runner
    info = SnapshotInfo(id=0, created_at=datetime.now(UTC), source="dead", title=None)
    sid = snapshots.allocate(runner, store.namespace, info)
    with runner.session() as session, Pipeline() as pipeline:
        writer = SnapshotWriter(runner, session, sid, batch_rows=100, pipeline=pipeline)
        writer.nodes(iter_nodes(world))
    return sid


def test_partial_snapshots_older_than_the_current_one_are_removed_on_open(
    open_store: OpenStore,
) -> None:
    store = open_store()
    dead = _dead_writer(store, three_tenants())
    done = store.write_snapshot(World(title="done"), source="ok", trust_edges=())
    in_flight = _dead_writer(store, three_tenants())  # newer: maybe still being written
    assert store.snapshots() == [done]
    count = "MATCH (n:TgNode {snapshot: $s}) RETURN count(n) AS n"
    assert raw(store, count, s=dead)[0]["n"] > 0
    again = open_store()
    assert raw(again, count, s=dead) == [{"n": 0}]
    assert raw(again, count, s=in_flight)[0]["n"] > 0
    assert again.snapshots() == [done]


def test_a_failed_write_removes_its_nodes(
    store: Neo4jStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = store.write_snapshot(three_tenants(), source="1", trust_edges=())
    monkeypatch.setattr(snapshots, "publish", lambda *a, **k: snapshots.Published(False, None))
    with pytest.raises(Conflict, match="a newer snapshot became current"):
        store.write_snapshot(three_tenants(title="lost"), source="2", trust_edges=())
    assert store.current_snapshot() == first
    rows = raw(store, "MATCH (n:TgNode {snapshot: $s}) RETURN count(n) AS n", s=first.id + 1)
    assert rows == [{"n": 0}]


def test_a_failed_trust_replace_keeps_the_live_generation(
    store: Neo4jStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.write_snapshot(three_tenants(), source="1", trust_edges=trust_edges("R1"))
    real = SnapshotWriter.trust

    def write_then_fail(self: SnapshotWriter, *args: Any, **kwargs: Any) -> int:
        real(self, *args, **kwargs)
        raise RuntimeError("killed")

    monkeypatch.setattr(SnapshotWriter, "trust", write_then_fail)
    with pytest.raises(RuntimeError):
        store.replace_trust_edges(trust_edges("R2"))
    assert store.trust_edges() == sorted(trust_edges("R1"), key=lambda e: e.key)
    rows = raw(store, "MATCH (:Tenant)-[r]->(:Tenant) WHERE r.gen = 1 RETURN count(r) AS n")
    assert rows == [{"n": 0}]


def test_a_database_cannot_be_chosen_on_this_server(falkordb: BoltTargets) -> None:
    with pytest.raises(StoreIncompatible, match="cannot select database `neo4j`"):
        Neo4jStore(falkordb.driver("neo4j"), server="bolt://test", database="neo4j")


def test_closing_a_store_leaves_the_borrowed_driver_open(open_store: OpenStore) -> None:
    open_store().close()
    assert open_store().current_snapshot() is None  # the same driver still serves
