"""Unit tests of the memory store's sqlite file: schema, pragmas, and unusable files.

How to write tests here: create the file situation with the stdlib `sqlite3` module or plain
bytes, open it through `MemoryStore` (or `SnapshotDb`), and assert the `StoreIncompatible` /
`StoreUnavailable` / `Conflict` raised, its message (which must name the file) and its
`__cause__`.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from graphmodel.errors import StoreIncompatible, StoreUnavailable
from graphmodel.schema import World
from graphmodel.stores.memory import MemoryStore
from graphmodel.stores.memory.sqlite import SCHEMA_VERSION, SnapshotDb, SnapshotTx
from tests.conformance.worlds import three_tenants, trust_edges


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "store.db"


@pytest.fixture
def written(path: Path) -> Iterator[Path]:
    with MemoryStore(path) as store:
        store.write_snapshot(three_tenants(), source="a.yaml", trust_edges=trust_edges())
    yield path


def query(path: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_file_is_wal_with_a_schema_version(written: Path) -> None:
    assert query(written, "PRAGMA journal_mode") == [("wal",)]
    assert query(written, "SELECT value FROM meta WHERE key = 'schema_version'") == [
        (str(SCHEMA_VERSION),)
    ]
    # bumped by every write transaction: how other processes learn what to catch up with
    assert query(written, "SELECT value FROM meta WHERE key = 'generation'") == [("1",)]


def test_snapshot_is_queryable_with_sql(written: Path) -> None:
    assert query(written, "SELECT id, source, title FROM snapshots") == [
        (1, "a.yaml", "three tenants")
    ]
    guest = (
        "SELECT json_extract(data, '$.userType') FROM entities WHERE field = 'users'"
        " AND json_extract(data, '$.tenant') = 'contoso' AND json_extract(data, '$.name') = 'bob'"
    )
    assert query(written, guest) == [("Guest",)]
    members = (
        "SELECT m.value FROM entities, json_each(json_extract(data, '$.members')) AS m"
        " WHERE field = 'groups' AND json_extract(data, '$.name') = 'staff'"
    )
    assert query(written, members + " ORDER BY m.value") == [
        ("contoso/carol",),
        ("contoso/dave",),
    ]
    assert query(written, "SELECT count(*) FROM trust_edges") == [(len(trust_edges()),)]


def test_missing_directory_is_a_clear_error(tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "store.db"
    with pytest.raises(StoreIncompatible, match=r"directory `.*no/such` does not exist"):
        MemoryStore(target)


def test_directory_path_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreIncompatible, match="it is a directory"):
        MemoryStore(tmp_path)


def test_corrupt_file_is_incompatible_not_retryable(path: Path) -> None:
    path.write_bytes(b"this is not a database, just bytes " * 200)
    with pytest.raises(StoreIncompatible, match=re.escape(f"store file `{path}`")) as caught:
        MemoryStore(path)
    assert isinstance(caught.value.__cause__, sqlite3.DatabaseError)
    assert not caught.value.retryable


def test_foreign_database_is_refused(path: Path) -> None:
    query(path, "CREATE TABLE notes (text TEXT)")
    with pytest.raises(StoreIncompatible, match="is not a tenantgraph store"):
        MemoryStore(path)


def test_other_schema_version_is_refused(written: Path) -> None:
    conn = sqlite3.connect(written)
    with conn:
        conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    conn.close()
    with pytest.raises(StoreIncompatible, match="schema version `99`"):
        MemoryStore(written)


def test_locked_file_is_store_unavailable_and_changes_nothing(written: Path) -> None:
    store = MemoryStore(written, timeout=0.05)
    before = store.current_snapshot()
    other = sqlite3.connect(written, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StoreUnavailable, match="database is locked") as caught:
            store.write_snapshot(World(title="blocked"), source="x", trust_edges=())
        assert caught.value.retryable
        assert isinstance(caught.value.__cause__, sqlite3.OperationalError)
        assert store.current_snapshot() == before
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert store.write_snapshot(World(title="later"), source="y", trust_edges=()).id == 2
    store.close()


def test_sqlite_error_mid_write_is_store_unavailable(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: SnapshotTx, snapshot_id: int, edges: object) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    with MemoryStore(path) as store:
        first = store.write_snapshot(World(title="a"), source="a", trust_edges=())
        monkeypatch.setattr(SnapshotTx, "add_trust", broken)
        with pytest.raises(StoreUnavailable, match="disk I/O error"):
            store.write_snapshot(three_tenants(), source="b", trust_edges=())
        assert store.snapshots() == [first]


def test_history_reads_run_beside_an_open_write(written: Path) -> None:
    db = SnapshotDb(written)
    try:
        latest = db.latest()
        assert latest is not None
        with db.write() as tx:
            tx.add_snapshot(created_at=latest.created_at, source="s", title=None, counts={})
            assert [s.id for s in db.snapshots()] == [1]  # the uncommitted row is invisible
    finally:
        db.close()
    assert query(written, "SELECT count(*) FROM snapshots") == [(2,)]


def test_integrity_check_is_ok(written: Path) -> None:
    db = SnapshotDb(written)
    try:
        assert db.check_integrity() == "ok"
    finally:
        db.close()
