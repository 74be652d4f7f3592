"""One truth across processes: `refresh()` catches up, `write_snapshot(base=...)` is a CAS.

How to write tests here: a second `make_store()` opens the same storage as another process
would (it shares nothing in memory with the first), so cross-opener tests need
`Capability.DURABLE`. Assert the sentences of `GraphReader.refresh` and
`GraphWriter.write_snapshot` in `graphmodel/stores/base.py`, never backend details.
"""

from __future__ import annotations

import pytest

from graphmodel.errors import SnapshotConflict
from graphmodel.stores import ANY_BASE, Capability, GraphStore
from tests.conformance.support import MakeStore, requires
from tests.conformance.worlds import three_tenants, trust_edges


def test_a_write_on_the_current_base_publishes(store: GraphStore) -> None:
    first = store.write_snapshot(three_tenants(title="A"), source="a", trust_edges=(), base=None)
    second = store.write_snapshot(
        three_tenants(title="B"), source="b", trust_edges=(), base=first.id
    )
    assert store.current_snapshot() == second
    assert [s.id for s in store.snapshots()] == [second.id, first.id]


def test_a_write_on_a_stale_base_is_refused_and_writes_nothing(store: GraphStore) -> None:
    a = store.write_snapshot(three_tenants(title="A"), source="a", trust_edges=())
    b = store.write_snapshot(three_tenants(title="B"), source="b", trust_edges=(), base=a.id)
    with pytest.raises(SnapshotConflict) as caught:
        store.write_snapshot(three_tenants(title="C"), source="c", trust_edges=(), base=a.id)
    assert (caught.value.base, caught.value.current, caught.value.code) == (a.id, b.id, "conflict")
    assert store.current_snapshot() == b
    assert store.read_world().title == "B"
    assert [s.id for s in store.snapshots()] == [b.id, a.id]


def test_base_none_means_an_empty_store(store: GraphStore) -> None:
    a = store.write_snapshot(three_tenants(title="A"), source="a", trust_edges=(), base=None)
    with pytest.raises(SnapshotConflict) as caught:
        store.write_snapshot(three_tenants(title="B"), source="b", trust_edges=(), base=None)
    assert (caught.value.base, caught.value.current) == (None, a.id)
    assert store.current_snapshot() == a


def test_any_base_publishes_unconditionally(store: GraphStore) -> None:
    store.write_snapshot(three_tenants(title="A"), source="a", trust_edges=())
    b = store.write_snapshot(three_tenants(title="B"), source="b", trust_edges=(), base=ANY_BASE)
    assert store.current_snapshot() == b


def test_refresh_without_other_writers_changes_nothing(store: GraphStore) -> None:
    assert store.refresh() is None
    a = store.write_snapshot(three_tenants(title="A"), source="a", trust_edges=trust_edges())
    assert store.refresh() == a
    assert store.refresh() == a
    assert store.read_world() == three_tenants(title="A")


def test_refresh_sees_what_another_opener_published(make_store: MakeStore) -> None:
    first = make_store()
    requires(first, Capability.DURABLE)
    second = make_store()
    a = first.write_snapshot(three_tenants(title="A"), source="a", trust_edges=trust_edges())
    assert second.refresh() == a
    assert second.read_world() == three_tenants(title="A")
    held = second.read_world()  # a reader in the middle of answering from A

    b = first.write_snapshot(three_tenants(title="B"), source="b", trust_edges=(), base=a.id)
    assert second.refresh() == b
    assert second.current_snapshot() == b
    assert second.read_world() == three_tenants(title="B")
    assert second.trust_edges() == []
    assert [s.id for s in second.snapshots()] == [b.id, a.id]
    assert held == three_tenants(title="A")  # what a reader held is never changed under it
    assert second.read_world(a.id) == three_tenants(title="A")


def test_refresh_pending_says_when_another_opener_published_and_consumes_nothing(
    make_store: MakeStore,
) -> None:
    first = make_store()
    requires(first, Capability.DURABLE)
    second = make_store()
    second.refresh()
    a = first.write_snapshot(three_tenants(title="A"), source="a", trust_edges=())
    assert second.refresh_pending()
    assert second.refresh_pending()  # asking twice consumes nothing
    assert second.refresh() == a
    assert second.read_world().title == "A"


def test_two_openers_cannot_both_publish_on_one_base(make_store: MakeStore) -> None:
    first = make_store()
    requires(first, Capability.DURABLE)
    second = make_store()
    a = first.write_snapshot(three_tenants(title="A"), source="a", trust_edges=())
    assert second.refresh() == a
    b = first.write_snapshot(three_tenants(title="B"), source="b", trust_edges=(), base=a.id)
    # `second` has not refreshed: its view is A, but the check is against the storage
    with pytest.raises(SnapshotConflict) as caught:
        second.write_snapshot(three_tenants(title="C"), source="c", trust_edges=(), base=a.id)
    assert (caught.value.base, caught.value.current) == (a.id, b.id)
    assert second.refresh() == b
    assert first.refresh() == b
    c = second.write_snapshot(three_tenants(title="C"), source="c", trust_edges=(), base=b.id)
    assert first.refresh() == c
    assert first.read_world().title == "C"


def test_a_load_on_any_base_is_seen_by_the_other_opener(make_store: MakeStore) -> None:
    first = make_store()
    requires(first, Capability.DURABLE)
    second = make_store()
    first.write_snapshot(three_tenants(title="A"), source="a", trust_edges=())
    second.refresh()
    b = second.write_snapshot(three_tenants(title="B"), source="b", trust_edges=())
    assert first.current_snapshot() is not None
    assert first.refresh() == b
    assert first.read_world().title == "B"
