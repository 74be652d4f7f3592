"""GraphQL `access` over HTTP at a fixed concurrency vs the same call in-process.

    python -m bench.probe_http S OUT --db FILE [--concurrency 8] [--requests 2000]

Why both in one probe: the HTTP number alone hides where time goes. In-process, the probe opens
the snapshot file and times `GraphService.check` (what the resolver calls) on the workload;
then it starts `tenantgraph serve --no-auth` on the same file, warms it, and sends the same
questions as GraphQL `access` queries asking for the full explanation (paths, hops, reasons),
`concurrency` at a time, from one asyncio client. The ratio of the two p50s is the API's
overhead (HTTP, GraphQL parsing/validation/serialisation, thread hand-off); requests/s is the
throughput at that concurrency. Client and server share the machine's cores.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from bench.stats import percentiles, timed
from bench.workload import check_pairs, check_times
from graphmodel.service import GraphService
from graphmodel.stores import open_store

__all__ = ["QUERY", "main"]

QUERY = """
query Access($p: String!, $r: String!) {
  access(principal: $p, resource: $r) {
    decision mfa via partial codes
    paths { via nodes hops { source target kind rule policy sourceUrl } }
    reasons { code rule tenant policy message side inferred }
  }
}
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def in_process(db: Path, n: int, seed: int) -> tuple[list[tuple[str, str]], dict[str, Any]]:
    store = open_store("memory", path=str(db))
    svc = GraphService(store)
    ix = svc.index()
    ix.warm()  # as a server's index is once its background warm-up is done
    pairs = check_pairs(ix, n, seed)
    stats = check_times(svc, pairs, warmup=200)
    store.close()
    del svc, ix, store
    gc.collect()
    return pairs, stats


async def _load(url: str, pairs: list[tuple[str, str]], concurrency: int) -> dict[str, Any]:
    gate = asyncio.Semaphore(concurrency)
    samples: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as client:

        async def one(p: str, r: str) -> None:
            nonlocal errors
            async with gate:
                t0 = time.perf_counter()
                resp = await client.post(
                    "/graphql", json={"query": QUERY, "variables": {"p": p, "r": r}}
                )
                samples.append(time.perf_counter() - t0)
                body = resp.json()
                if resp.status_code != 200 or body.get("errors"):
                    errors += 1

        for p, r in pairs[:50]:  # warm: the first request builds the server's index
            await one(p, r)
        samples.clear()
        started = time.perf_counter()
        await asyncio.gather(*(one(p, r) for p, r in pairs))
        wall = time.perf_counter() - started
    return {
        **percentiles(samples),
        "requests_per_s": round(len(pairs) / wall, 1),
        "errors": errors,
        "wall_s": round(wall, 2),
    }


def over_http(db: Path, pairs: list[tuple[str, str]], concurrency: int) -> dict[str, Any]:
    port = _free_port()
    exe = Path(sys.executable).with_name("tenantgraph")
    proc = subprocess.Popen(
        [
            str(exe),
            "serve",
            "--db",
            str(db),
            "--no-auth",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        started = time.perf_counter()
        while True:
            if proc.poll() is not None:
                err = proc.stderr.read().decode() if proc.stderr else ""
                raise RuntimeError(f"tenantgraph serve exited: {err[-2000:]}")
            try:
                if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.perf_counter() - started > 900:
                raise RuntimeError("tenantgraph serve did not become ready in 900 s")
            time.sleep(0.5)
        ready_s = time.perf_counter() - started
        first, first_s = timed(
            lambda: httpx.post(
                f"{url}/graphql",
                timeout=600,
                json={"query": QUERY, "variables": {"p": pairs[0][0], "r": pairs[0][1]}},
            )
        )
        result = asyncio.run(_load(url, pairs, concurrency))
        return {
            **result,
            "server_ready_s": round(ready_s, 1),
            "first_request_s": round(first_s, 2),
            "first_status": first.status_code,
        }
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.probe_http")
    parser.add_argument("scale")
    parser.add_argument("out", type=Path)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args(argv)
    pairs, local = in_process(args.db, args.requests, args.seed)
    remote = over_http(args.db, pairs, args.concurrency)
    out = {
        "scale": args.scale,
        "concurrency": args.concurrency,
        "in_process": local,
        "http": remote,
        "overhead_p50": round(remote["p50_us"] / max(0.1, local["p50_us"]), 1),
        "overhead_p95": round(remote["p95_us"] / max(0.1, local["p95_us"]), 1),
    }
    args.out.write_text(json.dumps(out, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
