"""Idempotent batches: a batch whose connection drops is resent in halves, never twice.

How to write tests here: make the server drop a real statement by sending it where no server
answers is not possible mid-write, so the first run of a chosen batch is made to fail the way a
dropped connection fails (`StoreUnavailable` before the server ran it); everything else runs on
the session's FalkorDB, and the rows are then counted in the database.
"""

from __future__ import annotations

from typing import Any

import pytest

from graphmodel.errors import StoreUnavailable
from graphmodel.stores.graphmap import iter_edges
from graphmodel.stores.neo4j import Neo4jStore
from graphmodel.stores.neo4j.queries import QueryName
from graphmodel.stores.neo4j.runner import Runner
from tests.conformance.worlds import three_tenants, trust_edges
from tests.unit.stores.neo4j.test_store import raw


@pytest.mark.parametrize(
    "statement", [QueryName.CREATE_NODES, QueryName.CREATE_EDGES], ids=["nodes", "edges"]
)
def test_a_dropped_batch_is_resent_in_halves_and_lands_once(
    store: Neo4jStore, reader: Neo4jStore, monkeypatch: pytest.MonkeyPatch, statement: QueryName
) -> None:
    real_run = Runner.run
    dropped: list[int] = []

    def run(self: Runner, name: QueryName, params: Any = None, **kw: Any) -> Any:
        rows = (params or {}).get("rows", [])
        if name is statement and len(rows) > 1 and not dropped:
            dropped.append(len(rows))  # the first multi-row batch: dropped before it ran
            raise StoreUnavailable("the connection was dropped (test)")
        return real_run(self, name, params, **kw)

    monkeypatch.setattr(Runner, "run", run)
    world = three_tenants()
    info = store.write_snapshot(world, source="t", trust_edges=trust_edges())
    assert dropped and reader.read_world() == world
    nodes = raw(store, "MATCH (n:TgNode {snapshot: $s}) RETURN count(n) AS n", s=info.id)
    keys = raw(
        store, "MATCH (n:TgNode {snapshot: $s}) RETURN count(DISTINCT n.key) AS n", s=info.id
    )
    assert nodes == keys  # no node written twice
    count = "MATCH (a:TgNode {snapshot: $s})-[r]->(:TgNode) RETURN count(r) AS n"
    expected = len(list(iter_edges(world))) + len(trust_edges())
    assert raw(store, count, s=info.id) == [{"n": expected}]  # no edge written twice
    assert store.trust_edges() == sorted(trust_edges(), key=lambda e: e.key)
