"""Serving speed (issue 13): `tenantgraph serve` on a stored snapshot, loaded by `wrk`.

    python -m bench.probe_serve L OUT --db FILE [--seed 7] [--duration 10] [--pairs 20000]

What it measures, in this order, each against a server in its own process:

1. In process (this process): the engine's `GraphService.check` on the same pairs the load
   uses, so the HTTP numbers have the engine's share beside them; then it lets go of the World.
2. Restart: `tenantgraph serve --workers 1`, and later `--workers 2` (the default on two
   cores), on the file; seconds until `/readyz` answers 200 (the lifespan builds the index
   before that), the server's peak RSS while opening (sampled every 100 ms) and its steady RSS
   after a warm-up; at the end, `RESTART_ROUNDS` more cold starts of each.
3. Load, one worker, then `--workers 2` (all cores): `wrk` (Debian's, a compiled load
   generator in its own process) for `duration` seconds per case — `/healthz` (bare HTTP, the
   baseline of the same run), `access` with the full explanation the viewer asks for over
   distinct random pairs (each request a different question: no cache can answer it) and over
   one repeated pair, and the first page (100) of `whoCanAccess` for the widest app — at
   concurrency 1 and 8 with one worker, 8 with two. Every request body is sent once beforehand
   and must answer without errors. Then, with two workers, `RATIO_ROUNDS` back-to-back pairs of
   `/healthz` and distinct `access` runs at concurrency 8, for the p95 ratio.

Output: one JSON document (`bench.serve_report` turns it into the target table).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import psutil

from bench.generate import widest_app
from bench.probe_http import QUERY as ACCESS_QUERY
from bench.workload import check_pairs, check_times
from graphmodel.service import GraphService
from graphmodel.stores import open_store

__all__ = ["WHO_QUERY", "main"]

HERE = Path(__file__).resolve().parent
WRK_SCRIPT = HERE / "wrk" / "report.lua"
WHO_QUERY = """
query Who($r: String!, $outsiders: Boolean! = false) {
  whoCanAccess(resource: $r, first: 100, outsiders: $outsiders) {
    pageInfo { hasNextPage endCursor }
    nodes { principal { ref } decision mfa via }
  }
}
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def in_process(db: Path, n: int, seed: int) -> dict[str, Any]:
    """Pairs for the load, the widest app, and the engine's own time per question."""
    store = open_store("memory", path=str(db))
    svc = GraphService(store)
    ix = svc.index()
    ix.warm()  # as a server's index is once its background warm-up is done
    pairs = check_pairs(ix, n, seed)
    widest = widest_app(ix.world)
    stats = check_times(svc, pairs[:5000], warmup=500)
    store.close()
    del svc, ix, store
    gc.collect()
    return {"pairs": pairs, "widest": widest, "check": stats}


class Server:
    """`tenantgraph serve --no-auth` in its own process group, with RSS sampling."""

    def __init__(self, db: Path, workers: int, *, sample_rss: bool = True) -> None:
        """`sample_rss`: follow the peak RSS while it opens. Each sample walks /proc for the
        process tree, which cost a two-worker start ~3 s on two cores (measured against a
        plain `curl` poll): starts timed for readiness only leave it off."""
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        exe = Path(sys.executable).with_name("tenantgraph")
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            [
                str(exe),
                "serve",
                "--db",
                str(db),
                "--no-auth",
                "--port",
                str(self.port),
                "--workers",
                str(workers),
                "--rate-limit",  # off: the benchmark measures throughput, not the limiter
                "0",
                "--log-level",
                "warning",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        self.peak_mb = 0.0
        self._sampling = sample_rss
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        if sample_rss:
            self._sampler.start()

    def rss_mb(self) -> float:
        """RSS of the server and its worker processes together (MiB)."""
        try:
            root = psutil.Process(self.proc.pid)
            procs = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return 0.0
        total = 0
        for p in procs:
            try:
                total += p.memory_info().rss
            except psutil.NoSuchProcess:
                continue
        return total / 2**20

    def _sample(self) -> None:
        while self._sampling:
            self.peak_mb = max(self.peak_mb, self.rss_mb())
            time.sleep(0.1)

    def wait_ready(self, timeout: float = 900) -> float:
        while True:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                raise RuntimeError(f"tenantgraph serve exited: {err[-2000:]}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return time.perf_counter() - self.started
            except httpx.HTTPError:
                pass
            if time.perf_counter() - self.started > timeout:
                raise RuntimeError(f"tenantgraph serve was not ready in {timeout} s")
            time.sleep(0.02)

    def stop(self) -> None:
        self._sampling = False
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _bodies(folder: Path, name: str, bodies: list[dict[str, Any]]) -> Path:
    path = folder / f"{name}.jsonl"
    path.write_text("".join(json.dumps(b) + "\n" for b in bodies), encoding="utf-8")
    return path


def _verify(url: str, bodies: list[dict[str, Any]]) -> None:
    """Every body once over HTTP: a benchmark of error responses would measure nothing."""
    with httpx.Client(base_url=url, timeout=120) as client:
        for body in bodies:
            answer = client.post("/graphql", json=body)
            data = answer.json()
            if answer.status_code != 200 or data.get("errors"):
                raise RuntimeError(f"{body} answered {answer.status_code}: {data}")


def wrk(url: str, path: str, bodies: Path | None, conns: int, seconds: int) -> dict[str, Any]:
    threads = min(conns, 2)
    cmd = ["wrk", f"-t{threads}", f"-c{conns}", f"-d{seconds}s", "--timeout", "10s"]
    cmd += ["-s", str(WRK_SCRIPT), url, "--", path]
    if bodies is not None:
        cmd.append(str(bodies))
    load = os.getloadavg()[0]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    line = next(ln for ln in reversed(out.splitlines()) if ln.startswith("{"))
    result: dict[str, Any] = json.loads(line)
    result["requests_per_s"] = round(result["requests"] / (result["duration_us"] / 1e6), 1)
    result["concurrency"] = conns
    result["load_before"] = round(load, 2)
    return result


def _cases(folder: Path, local: dict[str, Any]) -> dict[str, tuple[str, Path | None]]:
    pairs = local["pairs"]
    distinct = [{"query": ACCESS_QUERY, "variables": {"p": p, "r": r}} for p, r in pairs]
    repeated = distinct[:1]
    who = [{"query": WHO_QUERY, "variables": {"r": local["widest"]}}]
    outsiders = [{"query": WHO_QUERY, "variables": {"r": local["widest"], "outsiders": True}}]
    return {
        "healthz": ("/healthz", None),
        "access_distinct": ("/graphql", _bodies(folder, "distinct", distinct)),
        "access_repeated": ("/graphql", _bodies(folder, "repeated", repeated)),
        "who_first_page": ("/graphql", _bodies(folder, "who", who)),
        "who_outsiders_first_page": ("/graphql", _bodies(folder, "outsiders", outsiders)),
    }


RATIO_ROUNDS = 3
"""Back-to-back `/healthz` and `access` runs whose p95 ratio is taken (the median is reported):
one pair of runs swung between 1.05x and 2.28x on this machine."""


def run_load(
    db: Path,
    workers: int,
    plan: list[tuple[str, int]],
    cases: dict[str, Any],
    seconds: int,
    *,
    ratio_rounds: int = 0,
) -> dict[str, Any]:
    server = Server(db, workers, sample_rss=workers == 1)  # the peak/steady target: 1 worker
    try:
        ready_s = server.wait_ready()
        out: dict[str, Any] = {"workers": workers, "ready_s": round(ready_s, 2)}
        for _path, bodies in cases.values():
            if bodies is not None:
                lines = bodies.read_text(encoding="utf-8").splitlines()
                _verify(server.url, [json.loads(x) for x in lines[:2000]])
        out["steady_rss_mb"] = round(server.rss_mb(), 1)
        out["peak_rss_mb"] = round(server.peak_mb, 1)
        for name, conns in plan:
            path, bodies = cases[name]
            out[f"{name}@{conns}"] = wrk(server.url, path, bodies, conns, seconds)
            print(f"   {workers} worker(s) {name} c={conns}: {out[f'{name}@{conns}']}", flush=True)
        rounds = []
        for _ in range(ratio_rounds):
            base = wrk(server.url, "/healthz", None, 8, seconds)
            path, bodies = cases["access_distinct"]
            access = wrk(server.url, path, bodies, 8, seconds)
            rounds.append({"healthz": base, "access_distinct": access})
            print(f"   ratio round: {access['p95_us']} / {base['p95_us']} us", flush=True)
        out["ratio_rounds"] = rounds
        return out
    finally:
        server.stop()


RESTART_ROUNDS = 2
"""Extra cold starts per worker count, beside the one before the load (the median is
reported): one start swung between 9.6 s and 15.7 s with two workers on this machine."""


def restart_times(db: Path, workers: int, rounds: int) -> list[float]:
    """Seconds from `serve` until `/readyz` answers, for `rounds` fresh starts."""
    out = []
    for _ in range(rounds):
        server = Server(db, workers, sample_rss=False)
        try:
            out.append(round(server.wait_ready(), 2))
        finally:
            server.stop()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.probe_serve")
    parser.add_argument("scale")
    parser.add_argument("out", type=Path)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk case (10)")
    parser.add_argument("--pairs", type=int, default=20_000, help="distinct access pairs")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is not installed (Debian package `wrk`; `make setup` installs it)")
        return 2
    local = in_process(args.db, args.pairs, args.seed)
    folder = Path(tempfile.mkdtemp(prefix="tenantgraph-serve-"))
    try:
        cases = _cases(folder, local)
        one = [
            ("healthz", 1),
            ("access_distinct", 1),
            ("healthz", 8),
            ("access_distinct", 8),
            ("access_repeated", 8),
            ("who_first_page", 8),
        ]
        two = [
            ("healthz", 8),
            ("access_distinct", 8),
            ("access_repeated", 8),
            ("who_first_page", 8),
            ("who_outsiders_first_page", 8),
        ]
        result = {
            "scale": args.scale,
            "seed": args.seed,
            "duration_s": args.duration,
            "distinct_pairs": len(local["pairs"]),
            "widest_app": local["widest"],
            "in_process_check": local["check"],
            "one_worker": run_load(args.db, 1, one, cases, args.duration),
            "two_workers": run_load(
                args.db, 2, two, cases, args.duration, ratio_rounds=RATIO_ROUNDS
            ),
        }
        for key, workers in (("one_worker", 1), ("two_workers", 2)):
            more = restart_times(args.db, workers, RESTART_ROUNDS)
            result[key]["ready_rounds_s"] = [result[key]["ready_s"], *more]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    args.out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
