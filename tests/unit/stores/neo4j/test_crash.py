"""A writer process killed in the middle of a change: the snapshot before it stays whole.

How to write tests here: a private FalkorDB per test (`start_falkordb(tmp_path)`), a base World
written by the test, then a real writer process (its own process group) that writes a change
in many small statements; the test kills the group (SIGKILL) once the server holds some of the
change's versions, then reads what another store sees.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graphmodel.changes import apply_changes, diff_worlds
from graphmodel.errors import NodeNotFound
from graphmodel.stores import open_store
from graphmodel.stores.neo4j import Neo4jStore
from tests.conformance.worlds import three_tenants, trust_edges, user
from tests.support.bolt_server import BoltServer, needs_falkordb, start_falkordb
from tests.unit.stores.neo4j.test_store import raw

pytestmark = [pytest.mark.neo4j, needs_falkordb]

ROOT = Path(__file__).resolve().parents[4]
NEW_USERS = 400  # with 5 rows a statement: ~100 statements, time enough to be caught mid-way
LEASE_MS = 3_000  # the killed writer's lease: the next writer takes over after it
WRITTEN_BY = "MATCH (n:TgNode) WHERE n.from = $d OR n.to = $d RETURN count(n) AS v"

# The writer: adds NEW_USERS users to the current snapshot as one change, 5 rows a statement.
WRITER = f"""
import dataclasses, sys
from graphmodel.changes import diff_worlds
import graphmodel.stores.neo4j  # registers the `neo4j` store kind
from graphmodel.stores import open_store
from tests.conformance.worlds import user
store = open_store("neo4j", uri=sys.argv[1], namespace="crash", batch_rows=5)
store.lease_ms = {LEASE_MS}
world = store.read_world()
more = tuple(user("contoso", f"new{{i}}") for i in range({NEW_USERS}))
after = dataclasses.replace(world, users=(*world.users, *more))
print("writing", flush=True)
store.write_changes(diff_worlds(world, after), source="doomed", base=store.current_snapshot().id)
print("published", flush=True)
"""


@pytest.fixture
def bolt(tmp_path: Path) -> Iterator[BoltServer]:
    server = start_falkordb(tmp_path, timeout=60)
    try:
        yield server
    finally:
        server.stop()


def _store(bolt: BoltServer) -> Neo4jStore:
    store = open_store("neo4j", uri=bolt.uri, namespace="crash", timeout=60)
    assert isinstance(store, Neo4jStore)
    return store


def _one(store: Neo4jStore, cypher: str, **params: Any) -> Any:
    return raw(store, cypher, **params)[0]["v"]


def _wait_mid_write(store: Neo4jStore, proc: subprocess.Popen[str]) -> int:
    """The id of the writer's unpublished snapshot, once some of its versions are stored."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()  # it must not finish first
        sid = _one(
            store,
            "OPTIONAL MATCH (s:TgSnapshot {namespace: 'crash'}) WHERE s.complete = false "
            "RETURN max(s.id) AS v",
        )
        if sid is not None and _one(
            store, "MATCH (n:TgNode) WHERE n.from = $sid RETURN count(n) AS v", sid=sid
        ):
            return int(sid)
        time.sleep(0.01)
    raise AssertionError("the writer never started writing its versions")


def test_a_writer_killed_mid_change_leaves_the_previous_snapshot(bolt: BoltServer) -> None:
    world = three_tenants()
    with _store(bolt) as first:
        a = first.write_snapshot(world, source="a", trust_edges=trust_edges())
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, bolt.uri],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        with _store(bolt) as watcher:
            dead = _wait_mid_write(watcher, proc)
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=60)
            assert dead > a.id
            holder = _one(watcher, "MATCH (ns:TgNamespace {name: 'crash'}) RETURN ns.writer AS v")
            assert holder == dead  # it died holding the lease, its versions half written
            assert _one(watcher, WRITTEN_BY, d=dead) > 0
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    out, _err = proc.communicate()
    assert "writing" in out and "published" not in out

    with _store(bolt) as after:  # another process's view: the snapshot before, exactly
        assert after.current_snapshot() == a
        assert [s.id for s in after.snapshots()] == [a.id]
        assert after.read_world() == world and after.read_world(a.id) == world
        with pytest.raises(NodeNotFound):
            after.node("User:contoso/new0")
        # the next writer waits out the dead one's lease, undoes its writes, and publishes
        target = dataclasses.replace(world, users=(*world.users, user("contoso", "zed")))
        b = after.write_changes(diff_worlds(world, target), source="b", base=a.id)
        assert _one(after, WRITTEN_BY, d=dead) == 0
        assert _one(after, "MATCH (s:TgSnapshot {id: $d}) RETURN count(s) AS v", d=dead) == 0
    with _store(bolt) as reader:
        assert reader.read_world(b.id) == apply_changes(world, diff_worlds(world, target))
        assert reader.read_world(a.id) == world
