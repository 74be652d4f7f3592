"""Writes sized by the change: `write_changes`, `changes_after`, idempotency keys, `prune`.

How to write tests here: as elsewhere in the suite, assert only the sentences of
`ChangeWriter` in `graphmodel/stores/base.py`; a change set comes from `diff_worlds` between two
test Worlds, so the expected World is always `apply_changes(before, changes)`.
"""

from __future__ import annotations

import dataclasses

import pytest

from graphmodel.changes import ChangeSet, Remove, apply_changes, diff_worlds
from graphmodel.errors import Conflict, RequestReplayed, SnapshotConflict, SnapshotNotFound
from graphmodel.schema import World
from graphmodel.stores import Capability, GraphStore
from tests.conformance.support import MakeStore, requires
from tests.conformance.worlds import three_tenants, trust_edges


def _changed(world: World) -> World:
    """`world` with one user gone, one group's members edited and the title changed."""
    group = world.groups[0]
    gone = world.users[-1]
    return dataclasses.replace(
        world,
        title="changed",
        users=world.users[:-1],
        groups=(
            dataclasses.replace(group, members=tuple(reversed(group.members))),
            *world.groups[1:],
        ),
        assignments=tuple(a for a in world.assignments if a.principal != gone.ref),
    )


def test_a_change_reads_back_as_the_world_it_makes(store: GraphStore) -> None:
    before = three_tenants()
    a = store.write_snapshot(before, source="a", trust_edges=trust_edges())
    after = _changed(before)
    changes = diff_worlds(before, after)
    b = store.write_changes(changes, source="b", base=a.id)
    assert b.id > a.id and b.base in (None, a.id)
    assert (b.source, b.title, b.counts) == ("b", "changed", after.counts().as_dict())
    assert store.current_snapshot() == b
    assert store.read_world() == after
    assert store.read_world(b.id) == after
    assert store.trust_edges() == sorted(trust_edges(), key=lambda e: e.key)  # kept: None


def test_history_and_changes_after_agree(store: GraphStore) -> None:
    requires(store, Capability.SNAPSHOT_HISTORY)
    w1 = three_tenants()
    a = store.write_snapshot(w1, source="a", trust_edges=())
    w2 = _changed(w1)
    b = store.write_changes(diff_worlds(w1, w2), source="b", base=a.id, trust_edges=trust_edges())
    w3 = dataclasses.replace(w2, title="third")
    c = store.write_changes(diff_worlds(w2, w3), source="c", base=b.id)
    assert [store.read_world(s.id) for s in (a, b, c)] == [w1, w2, w3]
    assert store.trust_edges(a.id) == [] and store.trust_edges(c.id) == store.trust_edges(b.id)
    assert store.changes_after(c.id, c.id) == ChangeSet()
    for base, target in ((a, c), (b, c), (a, b)):
        found = store.changes_after(base.id, target.id)
        if found is not None:  # a backend may not know; when it does, it is exact
            assert apply_changes(store.read_world(base.id), found) == store.read_world(target.id)


def test_a_change_on_a_stale_base_is_refused_and_writes_nothing(store: GraphStore) -> None:
    w1 = three_tenants()
    a = store.write_snapshot(w1, source="a", trust_edges=())
    b = store.write_snapshot(dataclasses.replace(w1, title="B"), source="b", trust_edges=())
    with pytest.raises(SnapshotConflict) as caught:
        store.write_changes(diff_worlds(w1, _changed(w1)), source="c", base=a.id)
    assert (caught.value.base, caught.value.current) == (a.id, b.id)
    assert store.current_snapshot() == b and store.snapshots()[0].id == b.id


def test_a_change_that_does_not_apply_is_a_conflict(store: GraphStore) -> None:
    a = store.write_snapshot(three_tenants(), source="a", trust_edges=())
    with pytest.raises(Conflict):
        store.write_changes(ChangeSet((Remove("users", "nobody/x"),)), source="b", base=a.id)
    assert store.current_snapshot() == a


def test_an_idempotency_key_is_used_once(store: GraphStore) -> None:
    w1 = three_tenants()
    a = store.write_snapshot(w1, source="a", trust_edges=(), request_key="load-1")
    assert store.snapshot_for_request("load-1") == a
    assert store.snapshot_for_request("unknown") is None
    changes = diff_worlds(w1, _changed(w1))
    b = store.write_changes(changes, source="b", base=a.id, request_key="add-1")
    for retry in (
        lambda: store.write_changes(changes, source="b", base=b.id, request_key="add-1"),
        lambda: store.write_snapshot(w1, source="x", trust_edges=(), request_key="load-1"),
    ):
        with pytest.raises(RequestReplayed) as caught:
            retry()
        assert caught.value.code == "already-applied"
    assert store.snapshot_for_request("add-1") == b
    assert store.current_snapshot() == b and len(store.snapshots()) == 2


def test_prune_keeps_the_newest_and_readers_keep_what_they_hold(
    make_store: MakeStore,
) -> None:
    store = make_store()
    requires(store, Capability.SNAPSHOT_HISTORY)
    w1 = three_tenants()
    a = store.write_snapshot(w1, source="a", trust_edges=trust_edges())
    w2 = _changed(w1)
    b = store.write_changes(diff_worlds(w1, w2), source="b", base=a.id)
    w3 = dataclasses.replace(w2, title="third")
    c = store.write_changes(diff_worlds(w2, w3), source="c", base=b.id)
    held = store.read_world(a.id)  # a reader holding the oldest snapshot
    report = store.prune(keep=2)
    assert report.deleted == (a.id,) and report.oldest_kept == b.id
    assert held == w1  # what a reader holds stays whole
    with pytest.raises(SnapshotNotFound):
        store.read_world(a.id)
    assert [s.id for s in store.snapshots()] == [c.id, b.id]
    assert store.read_world(b.id) == w2 and store.read_world() == w3
    assert store.trust_edges(b.id) == sorted(trust_edges(), key=lambda e: e.key)
    assert store.prune(keep=5).deleted == ()
    if Capability.DURABLE in store.capabilities:  # another opener reads what is left
        other = make_store()
        assert other.read_world() == w3 and other.read_world(b.id) == w2
    assert store.prune(keep_days=0).deleted == (b.id,)  # the current one always stays
    assert store.read_world() == w3


def test_another_opener_catches_up_on_changes(make_store: MakeStore) -> None:
    first = make_store()
    requires(first, Capability.DURABLE)
    w1 = three_tenants()
    a = first.write_snapshot(w1, source="a", trust_edges=())
    second = make_store()
    assert second.read_world() == w1
    w2 = _changed(w1)
    b = first.write_changes(diff_worlds(w1, w2), source="b", base=a.id)
    assert second.refresh() == b
    assert second.read_world() == w2
