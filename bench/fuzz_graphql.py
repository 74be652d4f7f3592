"""Hostile GraphQL documents against a served process while `/healthz` is timed from another.

    python -m bench.fuzz_graphql --documents 1000 --concurrency 4 --out bench/out/fuzz_graphql.json

The server is `tenantgraph serve` over the demo world (`bench.server_proc`), with a reader token,
as an attacker would have, and `--rate-limit 0` so that every document is really processed. A
poller process GETs `/healthz` every 10 ms on its own connection: first 5 s alone (the baseline,
same run), then while `--concurrency` client threads send the documents (`tests.fuzz.cases.
hostile_graphql`: fragment bombs, 9,000 repeated fields, alias and directive floods, 500 KB
strings, deep nesting, and random documents built from the schema). Counted: HTTP statuses,
HTTP 500s, errors without `extensions.code`, `internal-error`s; healthz p50/p95/p99 under attack
and their ratio to the baseline; server RSS before and after.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from api.auth import Role
from api.schema import build_schema
from bench.server_proc import Server, load_world
from bench.stats import percentiles
from tests.fuzz.cases import hostile_graphql

REPO = Path(__file__).resolve().parent.parent


def _poll(url: str, stop: Any, out: Any) -> None:
    samples: list[float] = []
    failures = 0
    with httpx.Client(timeout=30) as http:
        while not stop.is_set():
            started = time.perf_counter()
            try:
                ok = http.get(f"{url}/healthz").status_code == 200
            except httpx.HTTPError:
                ok = False
            samples.append(time.perf_counter() - started)
            failures += not ok
            time.sleep(0.01)
    out.put((samples, failures))


class Healthz:
    """The `/healthz` poller process: `start()`, then `stop()` returns (samples, failures)."""

    def __init__(self, url: str) -> None:
        self.stop_event: Any = multiprocessing.Event()
        self.queue: Any = multiprocessing.Queue()
        self.proc = multiprocessing.Process(target=_poll, args=(url, self.stop_event, self.queue))

    def start(self) -> Healthz:
        self.proc.start()
        return self

    def stop(self) -> tuple[list[float], int]:
        self.stop_event.set()
        samples, failures = self.queue.get()
        self.proc.join()
        return samples, failures


def run(documents: int, concurrency: int) -> dict[str, Any]:
    schema = build_schema()._schema
    docs = [hostile_graphql(schema, random.Random(i)) for i in range(documents)]
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "fuzz.db"
        load_world(db, REPO / "fixtures" / "demo.yaml")
        server = Server(db, ("--rate-limit", "0")).start(Path(tmp) / "server.log")
        try:
            token = server.token(Role.READER, "fuzz")
            rss_before = server.rss_mb
            poller = Healthz(server.url).start()
            time.sleep(5)
            baseline, base_fail = poller.stop()
            statuses: Counter[int] = Counter()
            codes: Counter[str] = Counter()
            uncoded: list[str] = []
            internal: list[str] = []
            durations: list[float] = []
            slowest: list[tuple[float, str]] = []

            def send(doc: str) -> None:
                with httpx.Client(
                    base_url=server.url, headers={"authorization": f"Bearer {token}"}, timeout=120
                ) as http:
                    started = time.perf_counter()
                    response = http.post("/graphql", json={"query": doc})
                    took = time.perf_counter() - started
                    durations.append(took)
                    slowest.append((took, doc[:160]))
                statuses[response.status_code] += 1
                for error in response.json().get("errors", ()):
                    code = (error.get("extensions") or {}).get("code")
                    codes[str(code)] += 1
                    if not code:
                        uncoded.append(doc[:200])
                    elif code == "internal-error":
                        internal.append(doc[:200])

            poller = Healthz(server.url).start()
            started = time.time()
            with ThreadPoolExecutor(concurrency) as pool:
                list(pool.map(send, docs))
            attack_s = time.time() - started
            under_attack, attack_fail = poller.stop()
            rss_after = server.rss_mb
        finally:
            server.stop()
    base = percentiles(baseline)
    attack = percentiles(under_attack)
    return {
        "documents_sent": documents,
        "concurrency": concurrency,
        "attack_seconds": round(attack_s, 1),
        "http_statuses": dict(sorted(statuses.items())),
        "http_500": statuses.get(500, 0),
        "uncoded_errors": len(uncoded),
        "internal_errors": len(internal),
        "internal_samples": internal[:5],
        "error_codes": dict(codes.most_common()),
        "request_time": percentiles(durations),
        "slowest": [(round(t, 2), d) for t, d in sorted(slowest, reverse=True)[:5]],
        "healthz_baseline": base,
        "healthz_under_attack": attack,
        "healthz_failures": base_fail + attack_fail,
        "healthz_p99_ratio": round(attack["p99_us"] / base["p99_us"], 2),
        "server_rss_mb": {"before": round(rss_before, 1), "after": round(rss_after, 1)},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    result = run(args.documents, args.concurrency)
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")
    bad = result["http_500"] + result["uncoded_errors"] + result["internal_errors"]
    return 1 if bad or result["healthz_under_attack"]["p99_us"] > 100_000 else 0


if __name__ == "__main__":
    sys.exit(main())
