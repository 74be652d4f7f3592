"""The memory store shared by several openers of one file (as several processes would).

How to write tests here: open the same sqlite file twice with `MemoryStore(path)`; each opener
has its own in-memory view and its own connections, exactly like another process. Assert what
`refresh()` and the compare-and-swap writes promise for the memory store's own extras (trust
edges of the current snapshot, the change signal); the protocol itself is in
`tests/conformance/test_consistency.py`.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from graphmodel.errors import SnapshotConflict
from graphmodel.stores.memory import MemoryStore
from graphmodel.stores.memory.sqlite import Head
from tests.conformance.worlds import three_tenants, trust_edges


def test_trust_edges_replaced_by_another_opener_are_seen_after_refresh(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    with MemoryStore(path) as first, MemoryStore(path) as second:
        a = first.write_snapshot(three_tenants(), source="a", trust_edges=())
        assert second.refresh() == a and second.trust_edges() == []
        first.replace_trust_edges(trust_edges())
        assert second.trust_edges() == []  # not before it refreshes
        assert second.refresh() == a
        assert second.trust_edges() == sorted(trust_edges(), key=lambda e: e.key)


def test_trust_edges_of_a_snapshot_no_longer_current_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    with MemoryStore(path) as first, MemoryStore(path) as second:
        a = first.write_snapshot(three_tenants(title="A"), source="a", trust_edges=())
        second.refresh()
        b = first.write_snapshot(three_tenants(title="B"), source="b", trust_edges=())
        with pytest.raises(SnapshotConflict) as caught:
            second.replace_trust_edges(trust_edges())  # `second` still thinks A is current
        assert (caught.value.base, caught.value.current) == (a.id, b.id)
        assert first.refresh() == b and first.trust_edges() == []


def test_an_unrelated_commit_to_the_file_changes_nothing(tmp_path: Path) -> None:
    """Another program committing to the file moves the signal but not the snapshot."""
    path = tmp_path / "store.db"
    with MemoryStore(path) as store:
        a = store.write_snapshot(three_tenants(), source="a", trust_edges=trust_edges())
        world = store.read_world()
        conn = sqlite3.connect(path)
        try:
            with conn:
                conn.execute("INSERT INTO meta (key, value) VALUES ('note', 'hello')")
        finally:
            conn.close()
        assert store.refresh() == a
        assert store.read_world() is world  # nothing was reloaded


def test_refresh_pending_is_false_once_caught_up_and_true_while_a_refresh_loads(
    tmp_path: Path,
) -> None:
    path = tmp_path / "store.db"
    with MemoryStore(path) as first, MemoryStore(path) as second:
        assert not second.refresh_pending()  # opening read the newest snapshot
        a = first.write_snapshot(three_tenants(title="A"), source="a", trust_edges=())
        assert second.refresh_pending()
        loading, release = threading.Event(), threading.Event()
        original = second._db.head

        def slow_head() -> Head:  # a refresh that has consumed the signal and still loads
            loading.set()
            release.wait(5)
            return original()

        second._db.head = slow_head  # type: ignore[method-assign]
        refresher = threading.Thread(target=second.refresh)
        refresher.start()
        assert loading.wait(5)
        assert second.current_snapshot() is None  # not swapped in yet
        assert second.refresh_pending()  # the signal is consumed, but the load is not done
        release.set()
        refresher.join(5)
        assert second.current_snapshot() == a
        assert not second.refresh_pending()
