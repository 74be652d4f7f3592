"""Several stores, processes and API hosts over one Bolt server: compare-and-swap and refresh.

How to write tests here: the writers are real stores (or real `tenantgraph serve` processes) on
the session's FalkorDB; a conflict must leave no trace (no snapshot, no node of its id).
"""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest

from graphmodel.errors import SnapshotConflict
from graphmodel.stores.base import ANY_BASE
from graphmodel.stores.neo4j import Neo4jStore
from tests.conformance.worlds import three_tenants
from tests.support.bolt_server import BoltTargets
from tests.unit.stores.neo4j.conftest import OpenStore
from tests.unit.stores.neo4j.test_store import raw


def _twin(falkordb: BoltTargets, store: Neo4jStore, *, refresh_interval: float) -> Neo4jStore:
    """Another store on `store`'s namespace, as another process or host would open it."""
    return Neo4jStore(
        falkordb.driver("neo4j"),
        namespace=store.namespace,
        refresh_interval=refresh_interval,
    )


def test_a_write_from_a_stale_base_conflicts_and_leaves_no_trace(
    store: Neo4jStore, falkordb: BoltTargets
) -> None:
    first = store.write_snapshot(three_tenants(), source="1", trust_edges=())
    with _twin(falkordb, store, refresh_interval=0) as other:
        second = other.write_snapshot(
            three_tenants(title="b"), source="2", trust_edges=(), base=first.id
        )
        assert second.id > first.id
        with pytest.raises(SnapshotConflict) as lost:
            store.write_snapshot(
                three_tenants(title="c"), source="3", trust_edges=(), base=first.id
            )
    assert (lost.value.base, lost.value.current, lost.value.code) == (
        first.id,
        second.id,
        "conflict",
    )
    assert [s.id for s in store.snapshots()] == [second.id, first.id]
    count = "MATCH (n:TgNode) WHERE n.snapshot > $s RETURN count(n) AS n"
    assert raw(store, count, s=second.id) == [{"n": 0}]


def test_base_none_publishes_only_into_an_empty_namespace(store: Neo4jStore) -> None:
    made = store.write_snapshot(three_tenants(), source="1", trust_edges=(), base=None)
    with pytest.raises(SnapshotConflict) as lost:
        store.write_snapshot(three_tenants(), source="2", trust_edges=(), base=None)
    assert (lost.value.base, lost.value.current) == (None, made.id)
    again = store.write_snapshot(three_tenants(), source="3", trust_edges=(), base=ANY_BASE)
    assert store.current_snapshot() == again


def test_two_writers_from_one_base_exactly_one_wins(
    store: Neo4jStore, falkordb: BoltTargets
) -> None:
    base = store.write_snapshot(three_tenants(), source="0", trust_edges=()).id
    outcomes: list[str] = []

    def write(target: Neo4jStore, title: str) -> None:
        try:
            target.write_snapshot(
                three_tenants(title=title), source=title, trust_edges=(), base=base
            )
            outcomes.append("won")
        except SnapshotConflict:
            outcomes.append("lost")

    with _twin(falkordb, store, refresh_interval=0) as other:
        threads = [
            threading.Thread(target=write, args=(store, "a")),
            threading.Thread(target=write, args=(other, "b")),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert sorted(outcomes) == ["lost", "won"]
    assert len(store.snapshots()) == 2


def test_the_pointer_is_cached_for_the_interval_and_own_writes_show_at_once(
    open_store: OpenStore, falkordb: BoltTargets
) -> None:
    store = open_store()
    with (
        _twin(falkordb, store, refresh_interval=3600) as patient,
        _twin(falkordb, store, refresh_interval=0) as eager,
    ):
        assert patient.refresh() is None and eager.refresh() is None
        made = store.write_snapshot(three_tenants(), source="1", trust_edges=())
        assert store.current_snapshot() == made  # its own write, without a round trip
        assert eager.refresh() == made  # interval 0: reads the pointer every time
        assert patient.refresh() is None  # still within its interval: the cached pointer
        mine = patient.write_snapshot(
            replace(three_tenants(), title="p"), source="2", trust_edges=()
        )
        assert patient.current_snapshot() == mine and eager.current_snapshot() == mine
        assert patient.read_world().title == "p"
