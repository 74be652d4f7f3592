"""Snapshot contracts: round trip, history, current snapshot, empty store, reopen, read isolation.

How to write tests here: each test gets a fresh store (`store`) or an opener of the same storage
(`make_store`); assert the sentences of `GraphReader.read_world` / `snapshots` /
`GraphWriter.write_snapshot`, never backend details. Skip gaps with `requires(...)`.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from graphmodel.errors import SnapshotNotFound
from graphmodel.schema import EdgeKind, NodeKind, World
from graphmodel.stores import Capability, GraphStore
from tests.conformance.support import MakeStore, requires
from tests.conformance.worlds import big_world, three_tenants, trust_edges


def test_empty_store_has_no_snapshot(store: GraphStore) -> None:
    assert store.current_snapshot() is None
    assert store.snapshots() == []
    assert store.read_world() == World()
    assert store.trust_edges() == []


def test_round_trip_equals_the_world_exactly(store: GraphStore) -> None:
    world = three_tenants()
    info = store.write_snapshot(world, source="a.yaml", trust_edges=trust_edges())
    assert store.read_world() == world
    assert store.read_world(info.id) == world
    # tuple order is part of equality, and so is every nested field
    assert store.read_world().users == world.users
    assert store.read_world().as_of == world.as_of


def test_write_returns_the_snapshot_info(store: GraphStore) -> None:
    world = three_tenants(title="t1")
    before = datetime.now(UTC)
    info = store.write_snapshot(world, source="a.yaml, b.yaml", trust_edges=())
    assert isinstance(info.id, int)
    assert info.created_at.utcoffset() == timedelta(0)
    assert before - timedelta(seconds=1) <= info.created_at <= datetime.now(UTC)
    assert (info.source, info.title) == ("a.yaml, b.yaml", "t1")
    assert info.counts == world.counts().as_dict()
    assert store.current_snapshot() == info


def test_snapshots_are_listed_newest_first(store: GraphStore) -> None:
    infos = [
        store.write_snapshot(three_tenants(title=f"w{i}"), source=f"{i}", trust_edges=())
        for i in range(3)
    ]
    assert len({i.id for i in infos}) == 3
    assert infos[0].id < infos[1].id < infos[2].id
    assert store.current_snapshot() == infos[2]
    listed = store.snapshots()
    assert listed[0] == infos[2]
    assert [s.id for s in listed] == sorted((s.id for s in listed), reverse=True)


def test_history_keeps_previous_snapshots_readable(store: GraphStore) -> None:
    requires(store, Capability.SNAPSHOT_HISTORY)
    first = three_tenants(title="first")
    second = World(tenants=first.tenants[:1], title="second")
    a = store.write_snapshot(first, source="1", trust_edges=trust_edges("R1"))
    b = store.write_snapshot(second, source="2", trust_edges=())
    assert store.snapshots() == [b, a]
    assert store.read_world(a.id) == first
    assert store.read_world(b.id) == second
    assert store.trust_edges(a.id) == sorted(trust_edges("R1"), key=lambda e: e.key)
    assert store.trust_edges(b.id) == []


def test_unknown_snapshot_raises_snapshot_not_found(store: GraphStore) -> None:
    info = store.write_snapshot(three_tenants(), source="x", trust_edges=())
    for call in (store.read_world, store.trust_edges):
        with pytest.raises(SnapshotNotFound) as caught:
            call(info.id + 1000)
        assert caught.value.snapshot_id == info.id + 1000
        assert caught.value.code == "snapshot-not-found"


def test_unknown_snapshot_of_an_empty_store_raises(store: GraphStore) -> None:
    with pytest.raises(SnapshotNotFound):
        store.read_world(1)


def test_reads_see_only_the_current_snapshot(store: GraphStore) -> None:
    store.write_snapshot(three_tenants(), source="1", trust_edges=trust_edges())
    smaller = World(tenants=three_tenants().tenants[1:], title="smaller")
    store.write_snapshot(smaller, source="2", trust_edges=())
    assert [n.key for n in store.nodes(NodeKind.TENANT)] == ["Tenant:fabrikam", "Tenant:litware"]
    assert store.nodes(NodeKind.USER) == []
    assert store.out_edges("Tenant:fabrikam", kinds=frozenset(EdgeKind)) == []
    assert store.trust_edges() == []


def test_reopening_restores_the_latest_snapshot(make_store: MakeStore) -> None:
    store = make_store()
    requires(store, Capability.DURABLE)
    world = three_tenants()
    store.write_snapshot(World(title="old"), source="0", trust_edges=())
    info = store.write_snapshot(world, source="1", trust_edges=trust_edges())
    nodes = {k: store.nodes(k) for k in NodeKind}
    out = store.out_edges("User:contoso/alice", kinds=frozenset(EdgeKind))
    store.close()

    again = make_store()
    assert again.current_snapshot() == info
    assert again.read_world() == world
    assert again.trust_edges() == sorted(trust_edges(), key=lambda e: e.key)
    assert {k: again.nodes(k) for k in NodeKind} == nodes
    assert again.out_edges("User:contoso/alice", kinds=frozenset(EdgeKind)) == out
    later = again.write_snapshot(World(title="later"), source="2", trust_edges=())
    assert later.id > info.id
    assert [s.id for s in again.snapshots()][:2] == [later.id, info.id]


def test_readers_see_whole_snapshots_while_a_write_runs(store: GraphStore) -> None:
    small, large = big_world(200, title="small"), big_world(5_000, title="large")
    store.write_snapshot(small, source="small", trust_edges=())
    sizes = {"small": len(small.users), "large": len(large.users)}
    seen: set[str] = set()
    errors: list[str] = []
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            world = store.read_world()
            title = world.title or "untitled"
            seen.add(title)
            if len(world.users) != sizes.get(title, -1):
                errors.append(f"torn read: {title} with {len(world.users)} users")
            # NOTE: a busy loop would starve the writer (sqlite3 drops the GIL on every row)
            time.sleep(0.001)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        store.write_snapshot(large, source="large", trust_edges=())
    finally:
        done.set()
        reader.join()
    assert errors == []
    assert "small" in seen
    assert store.read_world().title == "large"
    assert len(store.nodes(NodeKind.USER)) == 5_000
