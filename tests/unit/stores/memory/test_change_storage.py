"""The memory store keeps changes, not copies: bytes per change, bounded chains, catch-up.

How to write tests here: write a World whole, then changes on it (`diff_worlds` or the
service's mutations), and assert on what the file holds (`snapshots.stored_bytes`, the rows of
`world_parts`) and that every snapshot still reads back equal to the World its change made.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

import pytest

from graphmodel.changes import apply_changes, diff_worlds
from graphmodel.schema import World
from graphmodel.service.mutations import add_group_member
from graphmodel.stores.memory import MemoryStore
from graphmodel.stores.memory import history as memory_history
from graphmodel.stores.memory.schema import SCHEMA_VERSION
from tests.conformance.worlds import big_world, three_tenants, trust_edges


def _rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_a_one_member_change_stores_bytes_not_a_world(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    world = big_world(20_000)
    with MemoryStore(path) as store:
        a = store.write_snapshot(world, source="a", trust_edges=())
        changes = add_group_member(world, "bigco/g7", "bigco/u1")
        b = store.write_changes(changes, source="b", base=a.id)
        again = store.write_changes(
            diff_worlds(store.read_world(), store.read_world()), source="c", base=b.id
        )
        assert a.stored_bytes is not None and a.stored_bytes > 1_000_000
        assert b.stored_bytes is not None and b.stored_bytes < 300
        assert again.stored_bytes is not None and again.stored_bytes < 100  # an unchanged load
        assert store.read_world(b.id) == apply_changes(world, changes)
    assert _rows(path, "SELECT DISTINCT snapshot_id FROM world_parts") == [(a.id,)]
    with MemoryStore(path) as reopened:  # a fresh process replays the change
        assert reopened.read_world() == apply_changes(world, changes)


def test_chains_stay_bounded_and_checkpoints_read_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(memory_history, "MAX_CHAIN", 3)
    monkeypatch.setattr(memory_history, "CHECKPOINT_EVERY", 2)
    path = tmp_path / "s.db"
    worlds = [three_tenants(title="0")]
    with MemoryStore(path) as store:
        info = store.write_snapshot(worlds[0], source="0", trust_edges=trust_edges())
        ids = [info.id]
        for i in range(1, 8):
            worlds.append(dataclasses.replace(worlds[-1], title=str(i)))
            info = store.write_changes(
                diff_worlds(worlds[-2], worlds[-1]), source=str(i), base=info.id
            )
            ids.append(info.id)
            assert store._db.depth(info.id) < 3  # a write stores itself whole at MAX_CHAIN
        due = store.checkpoint_due()
        assert due in (None, info.id)
        if due is not None:
            assert store.write_checkpoint(due) and store._db.depth(due) == 0
            assert not store.write_checkpoint(due)  # already whole
    with MemoryStore(path) as reopened:
        assert [reopened.read_world(i) for i in ids] == worlds
        assert reopened.trust_edges(ids[-1]) == sorted(trust_edges(), key=lambda e: e.key)


def test_another_process_catches_up_by_applying_the_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "s.db"
    world = big_world(2_000)
    writer = MemoryStore(path)
    reader = MemoryStore(path)
    try:
        a = writer.write_snapshot(world, source="a", trust_edges=())
        assert reader.refresh() == a
        held = reader.read_world()

        def no_whole_read(snapshot_id: int | None) -> object:
            raise AssertionError("caught up by reading a whole snapshot")

        monkeypatch.setattr(reader, "_load", no_whole_read)
        changes = add_group_member(world, "bigco/g3", "bigco/u1999")
        b = writer.write_changes(changes, source="b", base=a.id)
        assert reader.refresh() == b
        assert reader.read_world() == apply_changes(world, changes)
        assert reader.read_world().users is held.users  # untouched families are shared
        assert reader.changes_after(a.id, b.id) == changes
    finally:
        writer.close()
        reader.close()


def test_trust_edges_replaced_on_a_snapshot_stored_as_a_change(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    world = three_tenants()
    with MemoryStore(path) as store:
        a = store.write_snapshot(world, source="a", trust_edges=())
        b = store.write_changes(
            diff_worlds(world, dataclasses.replace(world, title="b")), source="b", base=a.id
        )
        stats = store.replace_trust_edges(trust_edges("R9"))
        assert stats.created == len(trust_edges("R9"))
        assert store.trust_edges(b.id) == sorted(trust_edges("R9"), key=lambda e: e.key)
        assert store.trust_edges(a.id) == []
    with MemoryStore(path) as reopened:
        assert reopened.trust_edges() == sorted(trust_edges("R9"), key=lambda e: e.key)


_V3 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE snapshots (
    id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL,
    source TEXT NOT NULL, title TEXT, counts TEXT NOT NULL);
CREATE TABLE world_parts (
    snapshot_id INTEGER NOT NULL REFERENCES snapshots(id), seq INTEGER NOT NULL,
    field TEXT NOT NULL, rows TEXT NOT NULL, PRIMARY KEY (snapshot_id, seq));
CREATE TABLE trust_edges (
    snapshot_id INTEGER NOT NULL REFERENCES snapshots(id), kind TEXT NOT NULL,
    source TEXT NOT NULL, target TEXT NOT NULL, rule TEXT NOT NULL, policy TEXT NOT NULL,
    scope TEXT NOT NULL, source_url TEXT NOT NULL, PRIMARY KEY (snapshot_id, kind, source, target));
"""


def _version_3_file(path: Path, worlds: list[World]) -> None:
    """A store file as schema version 3 wrote it: every snapshot whole, no change columns."""
    from graphmodel.stores.memory.encoding import encode_world

    conn = sqlite3.connect(path)
    with conn:
        conn.executescript(_V3)
        conn.execute("INSERT INTO meta VALUES ('schema_version', '3'), ('generation', '1')")
        for i, world in enumerate(worlds, start=1):
            conn.execute(
                "INSERT INTO snapshots (created_at, source, title, counts) VALUES (?,?,?,?)",
                ("2026-01-01T00:00:00+00:00", f"v3-{i}", world.title, "{}"),
            )
            for seq, (field, rows) in enumerate(encode_world(world)):
                conn.execute("INSERT INTO world_parts VALUES (?,?,?,?)", (i, seq, field, rows))
    conn.close()


def test_a_version_3_file_is_upgraded_in_place(tmp_path: Path) -> None:
    path = tmp_path / "v3.db"
    old = [three_tenants(title="one"), three_tenants(title="two")]
    _version_3_file(path, old)
    with MemoryStore(path) as store:
        assert [store.read_world(i) for i in (1, 2)] == old
        sizes = [s.stored_bytes for s in store.snapshots()]
        assert all(size is not None and size > 0 for size in sizes)
        assert all(s.base is None for s in store.snapshots())
        changed = dataclasses.replace(old[1], title="three")
        c = store.write_changes(diff_worlds(old[1], changed), source="c", base=2)
        assert c.base == 2 and store.read_world() == changed
    assert _rows(path, "SELECT value FROM meta WHERE key = 'schema_version'") == [
        (str(SCHEMA_VERSION),)
    ]
    with MemoryStore(path) as reopened:
        assert reopened.read_world(1) == old[0] and reopened.read_world() == changed
