"""Unit tests of the memory store's sqlite file: schema, pragmas, and unusable files.

How to write tests here: create the file situation with the stdlib `sqlite3` module or plain
bytes, open it through `MemoryStore` (or `SnapshotDb`), and assert the `StoreIncompatible` /
`StoreUnavailable` / `Conflict` raised, its message (which must name the file) and its
`__cause__`.
"""

from __future__ import annotations

import json
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


def _downgrade_to_version_2(path: Path) -> None:
    """Rewrite `path` as schema version 2 wrote it: parts as arrays of objects, the old view."""
    conn = sqlite3.connect(path)
    with conn:
        for rowid, text in conn.execute("SELECT rowid, rows FROM world_parts").fetchall():
            part = json.loads(text)
            if isinstance(part, dict):
                objects = [dict(zip(part["keys"], r, strict=True)) for r in part["rows"]]
                conn.execute(
                    "UPDATE world_parts SET rows = ? WHERE rowid = ?", (json.dumps(objects), rowid)
                )
        conn.execute("DROP VIEW entities")
        conn.execute(
            "CREATE VIEW entities AS SELECT p.snapshot_id AS snapshot_id, p.field AS field,"
            " e.value AS data FROM world_parts AS p, json_each(p.rows) AS e"
        )
        conn.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    conn.close()


def test_a_version_2_file_is_upgraded_in_place_and_reads_the_same(written: Path) -> None:
    _downgrade_to_version_2(written)
    users = "SELECT data FROM entities WHERE field = 'users' ORDER BY data"
    before = query(written, users)
    assert before and json.loads(str(before[0][0]))  # the old view: one object per entity
    with MemoryStore(written) as store:
        assert store.read_world() == three_tenants()
        store.write_snapshot(three_tenants(title="B"), source="b", trust_edges=())
    assert query(written, "SELECT value FROM meta WHERE key = 'schema_version'") == [
        (str(SCHEMA_VERSION),)
    ]
    # the new view gives the same objects for the old snapshot's parts and the new one's
    assert query(written, users.replace("WHERE", "WHERE snapshot_id = 1 AND")) == before
    assert query(written, users.replace("WHERE", "WHERE snapshot_id = 2 AND")) == before
    with MemoryStore(written) as reopened:
        assert reopened.read_world(1) == three_tenants()


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
        latest = db.snapshots()[0]
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
