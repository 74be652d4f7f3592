"""Durability of the sqlite-backed memory store: SIGKILL and exceptions in the middle of a write.

How to write tests here: put a known snapshot A in a store file, disturb a write of B (kill
the writing process, or make one batch raise), then reopen the file and assert that the
current snapshot is exactly A or exactly B, never a mix, and that sqlite finds no corruption.
A reader that had the file open during the kill must agree after `refresh()`.
Keep the file fast: the crash test runs 20 times.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from graphmodel.schema import NodeKind
from graphmodel.stores import SnapshotInfo
from graphmodel.stores.memory import MemoryStore
from graphmodel.stores.memory.sqlite import SnapshotTx
from tests.conformance.worlds import big_world, three_tenants, trust_edges
from tests.support.processes import patience, spawn

REPO = Path(__file__).resolve().parents[3]
USERS_B = 100_000  # big enough that writing B takes seconds, so kills land inside the write
SMALL_B = 3_000  # every fourth attempt: B commits in about the kill window, so both outcomes occur
pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL")


def write_a(path: Path) -> SnapshotInfo:
    with MemoryStore(path) as store:
        return store.write_snapshot(three_tenants(title="A"), source="A", trust_edges=trust_edges())


def integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return "\n".join(row[0] for row in conn.execute("PRAGMA integrity_check"))
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("attempt", "mode"), [(i, "whole") for i in range(20)] + [(i, "changes") for i in range(8)]
)
def test_sigkill_during_a_write_leaves_a_or_b_never_a_mix(
    tmp_path: Path, attempt: int, mode: str
) -> None:
    """B is written whole, or (`changes`) as its change from A: the same outcome either way."""
    path = tmp_path / "store.db"
    users = USERS_B if attempt % 4 else SMALL_B
    a = write_a(path)
    reader = MemoryStore(path)  # another process's view, open across the kill
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    child = spawn(
        [sys.executable, "-m", "tests.unit.stores._crash_child", str(path), str(users), mode],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline() == "started\n"
        mid = reader.refresh()  # during the write: A, unless B already committed
        delay = random.uniform(0, 0.2)
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=patience(30))
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        seen = reader.refresh()
        seen_world = reader.read_world()
        reader.close()
    said = child.stdout.read()
    child.stdout.close()
    why = f"attempt {attempt} ({mode}): {users} users, killed {delay * 1000:.0f} ms after `started`"
    why += f", then the child said {said!r}"

    with MemoryStore(path) as store:
        current = store.current_snapshot()
        assert current is not None, why
        if current == a:
            assert store.snapshots() == [a], why
            assert store.read_world() == three_tenants(title="A"), why
            assert store.trust_edges() == sorted(trust_edges(), key=lambda e: e.key), why
        else:  # the commit finished before the kill: all of B, nothing of A's edges
            assert (current.title, current.id) == ("B", a.id + 1), why
            assert store.read_world() == big_world(users, title="B"), why
            assert store.trust_edges() == [], why
            assert [s.id for s in store.snapshots()] == [current.id, a.id], why
        assert mid in (a, current), why
        assert seen == current, why  # the open reader caught up with exactly what is stored
        assert seen_world == store.read_world(), why
    assert integrity(path) == "ok", why


def test_exception_mid_write_keeps_the_previous_snapshot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "store.db"
    store = MemoryStore(path, batch_size=1_000)
    a = store.write_snapshot(three_tenants(title="A"), source="A", trust_edges=trust_edges())
    original = SnapshotTx.add_parts
    calls = 0

    def fail_on_second_batch(self: SnapshotTx, snapshot_id: int, parts: list[object]) -> None:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("disk on fire")
        original(self, snapshot_id, parts)  # type: ignore[arg-type]

    monkeypatch.setattr(SnapshotTx, "add_parts", fail_on_second_batch)
    with pytest.raises(RuntimeError, match="disk on fire"):
        store.write_snapshot(big_world(5_000, title="B"), source="B", trust_edges=())
    assert calls == 2  # the first batch reached the database before the failure
    monkeypatch.undo()

    # in memory
    assert store.current_snapshot() == a
    assert store.snapshots() == [a]
    assert store.read_world() == three_tenants(title="A")
    assert store.nodes(NodeKind.TENANT)[0].key == "Tenant:contoso"
    store.close()
    # on disk
    with MemoryStore(path) as again:
        assert again.current_snapshot() == a
        assert again.read_world() == three_tenants(title="A")
        assert again.trust_edges() == sorted(trust_edges(), key=lambda e: e.key)
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("SELECT DISTINCT snapshot_id FROM world_parts").fetchall() == [(a.id,)]
    finally:
        conn.close()
    assert integrity(path) == "ok"
