"""Changes cost the size of the change (issue 22): writes, catch-up, reads during a stream.

    python -m bench.probe_changes M OUT [--seed 7] [--changes 40] [--duration 20]
    python -m bench.probe_changes M OUT --store neo4j   # steps 1-2, then the Neo4j store

Every figure has its baseline measured in the same run:

1. In process, on a store file holding the generated World: the whole-World write
   (`write_snapshot`, what every change cost before) — then `--changes` one-object mutations
   through `GraphService.update_world` (a member added to / removed from the largest group, in
   turn): commit time, bytes stored per change, and the time the writer takes to serve the new
   snapshot (its index evolved, not rebuilt) against building that index from scratch.
2. A re-load of the World with 0.1% of its users changed (`load_world` of a World whose
   objects are all new, as a re-import reads them): time and bytes against the whole write of
   step 1.
3. `tenantgraph serve --workers 2` on the file, loaded by `wrk` (its own process) with `access`
   questions over distinct pairs: once with no writes (the baseline), once while this process
   sends one-object mutations over HTTP (at most `--rate` a second). For each mutation: the
   client-observed commit time, and how long after the answer both workers serve the new
   snapshot (each says since when in `/healthz`, which does not catch up; the writer's own
   worker serves it before it answers); the read latency percentiles and errors of both runs;
   the file's growth per change.

Output: one JSON document on stdout and in OUT (`bench.changes_report` renders the table).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from bench.generate import generate
from bench.probe_changes_neo4j import neo4j_in_process
from bench.probe_http import QUERY as ACCESS_QUERY
from bench.probe_serve import wrk
from bench.server_proc import free_port
from bench.stats import percentiles, timed
from bench.workload import check_pairs
from graphmodel.engine import WorldIndex, derive_trust_edges
from graphmodel.schema import World
from graphmodel.service import GraphService
from graphmodel.service.mutations import add_group_member, remove_group_member
from graphmodel.stores import open_store
from graphmodel.stores.memory.encoding import decode_world, encode_world

__all__ = ["main"]

CLI = (sys.executable, "-m", "graphmodel.cli")
ADD = """mutation($g: String!, $m: String!) {
  addGroupMember(group: $g, member: $m) { snapshot { id } } }"""
REMOVE = ADD.replace("addGroupMember", "removeGroupMember")
CURRENT = '{"query": "{ currentSnapshot { id } }"}'
WORKERS = 2
READERS = 2  # wrk connections: one per worker, so latency is service time, not a queue


def _largest_group(world: World) -> tuple[str, list[str]]:
    """The largest group and users of its tenant that are not in it (one-object changes)."""
    group = max(world.groups, key=lambda g: len(g.members))
    inside = set(group.members)
    outside = [u.ref for u in world.users if u.tenant == group.tenant and u.ref not in inside]
    return group.ref, outside


def _db_bytes(db: Path) -> int:
    """The store file's size with its write-ahead log folded in (what a backup copies)."""
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return db.stat().st_size + sum(
        p.stat().st_size for p in (db.with_name(db.name + "-wal"),) if p.exists()
    )


def in_process(world: World, db: Path, changes: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    store = open_store("memory", path=str(db))
    svc = GraphService(store)
    trust = derive_trust_edges(world)
    info, out["whole_write_s"] = timed(
        lambda: store.write_snapshot(world, source="bench", trust_edges=trust)
    )
    out["whole_bytes"] = info.stored_bytes
    svc.refresh()
    group, outside = _largest_group(world)
    out["group"], out["group_members"] = group, len(world.group_by_ref[group].members)
    commits, catch_up, sizes = [], [], []
    for i in range(changes):
        member = outside[i // 2]
        change = add_group_member if i % 2 == 0 else remove_group_member
        started = time.perf_counter()
        written = svc.update_world(lambda w, c=change, m=member: c(w, group, m), source="bench")
        total = time.perf_counter() - started
        evolved = svc.follower.last_catch_up_s or 0.0  # serving the new snapshot, after commit
        commits.append(total - evolved)
        catch_up.append(evolved)
        sizes.append(written.stored_bytes or 0)
    out["commit"] = percentiles(commits)
    out["writer_serves_it"] = percentiles(catch_up)
    out["bytes_per_change"] = {"max": max(sizes), "mean": round(sum(sizes) / len(sizes))}
    _, out["index_from_scratch_s"] = timed(lambda: WorldIndex(svc.world(), closures=False))
    out["evolved_indexes"] = svc.indexes.evolved
    # the World as a re-import reads it: every object new (decoded from text), 0.1% changed
    again = decode_world(encode_world(svc.world()))
    rng = random.Random(7)
    users = list(again.users)
    for i in rng.sample(range(len(users)), max(1, len(users) // 1000)):
        users[i] = dataclasses.replace(users[i], account_enabled=not users[i].account_enabled)
    again = dataclasses.replace(again, users=tuple(users))
    reloaded, out["reload_0_1pct_s"] = timed(lambda: svc.load_world(again, source="re"))
    out["reload_bytes"] = reloaded.stored_bytes
    out["reload_stored_as"] = "change" if reloaded.base is not None else "whole"
    out["reload_share_of_whole"] = round((reloaded.stored_bytes or 0) / out["whole_bytes"], 5)
    store.close()
    return out


class Served:
    """`tenantgraph serve --workers 2 --no-auth` on the file, in its own process group."""

    def __init__(self, db: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [
                *CLI,
                *("serve", "--no-auth", "--db", str(db), "--port", str(self.port)),
                *("--workers", str(WORKERS)),
                *("--rate-limit", "0", "--log-level", "warning"),  # the limiter is not measured
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 600
        while True:
            try:
                if httpx.get(f"{self.url}/readyz", timeout=5).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.stop()
                raise RuntimeError("tenantgraph serve did not come up")
            time.sleep(0.5)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, 15)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)


def _seen_everywhere(url: str, snapshot: int, committed: float, workers: int) -> float:
    """Seconds from `committed` (epoch) until the last of `workers` processes served
    `snapshot` or newer, as each says in `/healthz` (`since`: when it started serving what it
    serves; it does not catch up to answer). An upper bound when a worker has moved on to a
    newer snapshot already; inf when one does not serve it within 30 s."""
    deadline = time.monotonic() + 30
    served: dict[int, float] = {}
    while len(served) < workers:
        with httpx.Client(timeout=30) as client:  # a new connection: any worker may answer
            health = client.get(f"{url}/healthz").json()
        if (health["snapshot"] or 0) >= snapshot:
            served.setdefault(health["worker"], health["since"])
        if time.monotonic() > deadline:
            return float("inf")
    return max(0.0, max(served.values()) - committed)


_JSON = {"content-type": "application/json"}


def _stream(
    url: str, group: str, outside: list[str], stop: threading.Event, rate: float
) -> dict[str, Any]:
    commits, visible, errors = [], [], []
    i = 0
    with httpx.Client(timeout=60) as client:
        while not stop.is_set():
            member = outside[(i // 2) % len(outside)]
            query = ADD if i % 2 == 0 else REMOVE
            started = time.perf_counter()
            body = client.post(
                f"{url}/graphql",
                json={"query": query, "variables": {"g": group, "m": member}},
                headers={"Idempotency-Key": f"bench-{os.getpid()}-{i}"},
            ).json()
            commits.append(time.perf_counter() - started)
            answered = time.time()
            if body.get("errors"):
                errors.append(body["errors"][0].get("message"))
            else:
                made = next(iter(body["data"].values()))["snapshot"]["id"]
                visible.append(_seen_everywhere(url, made, answered, WORKERS))
            i += 1
            stop.wait(max(0.0, 1 / rate - (time.perf_counter() - started)))
    return {
        "changes": i,
        "commit": percentiles(commits),
        "all_workers_serve_it": percentiles([v for v in visible if v != float("inf")]),
        "never_seen": sum(v == float("inf") for v in visible),
        "errors": errors[:5],
        "error_count": len(errors),
    }


def served(db: Path, world: World, seconds: int, rate: float) -> dict[str, Any]:
    out: dict[str, Any] = {}
    group, outside = _largest_group(world)
    folder = Path(tempfile.mkdtemp(prefix="tg-changes-"))
    bodies = folder / "access.jsonl"
    pairs = check_pairs(WorldIndex(world, closures=False), 5000, 7)
    bodies.write_text(
        "\n".join(
            json.dumps({"query": ACCESS_QUERY, "variables": {"p": p, "r": r}}) for p, r in pairs
        )
        + "\n"
    )
    server = Served(db)
    try:
        wrk(server.url, "/graphql", bodies, READERS, seconds)  # warm-up: closures, caches
        out["reads_without_writes"] = wrk(server.url, "/graphql", bodies, READERS, seconds)
        before = _db_bytes(db)
        stop = threading.Event()
        result: dict[str, Any] = {}
        writer = threading.Thread(
            target=lambda: result.update(
                _stream(server.url, group, outside[len(outside) // 2 :], stop, rate)
            )
        )
        writer.start()
        out["reads_during_writes"] = wrk(server.url, "/graphql", bodies, READERS, seconds)
        stop.set()
        writer.join()
        out["writes"] = result
        out["file_growth_per_change"] = round((_db_bytes(db) - before) / max(result["changes"], 1))
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("scale")
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--changes", type=int, default=40)
    parser.add_argument("--duration", type=int, default=20, help="seconds of each wrk run")
    parser.add_argument("--rate", type=float, default=4.0, help="mutations per second at most")
    parser.add_argument(
        "--store",
        choices=("memory", "neo4j"),
        default="memory",
        help="neo4j: steps 1-2 on the memory store, then `bench.probe_changes_neo4j` (no serve)",
    )
    args = parser.parse_args(argv)
    result: dict[str, Any] = {"scale": args.scale, "load_before": os.getloadavg()[0]}
    world, result["generate_s"] = timed(lambda: generate(args.scale, seed=args.seed))
    result["counts"] = world.counts().as_dict()
    with tempfile.TemporaryDirectory(prefix="tg-changes-") as tmp:
        db = Path(tmp) / "store.db"
        result["in_process"] = in_process(world, db, args.changes)
        if args.store == "neo4j":
            result["neo4j"] = neo4j_in_process(world, args.changes)
        else:
            result["served"] = served(db, world, args.duration, args.rate)
    text = json.dumps(result, indent=2)
    args.out.write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
