"""What the request log and `/metrics` cost per request (issue 26), against a baseline in the run.

    python -m bench.probe_ops OUT [--db FILE] [--concurrency 8] [--requests 2000] [--rounds 3]

Starts `tenantgraph serve --no-auth --workers 1 --rate-limit 0` on one store three ways and
sends the same fast-lane `access` questions (the cheapest request, where a fixed cost shows
most) from one asyncio client, `concurrency` at a time: `baseline` (`--log-level warning`:
no log line, no metrics; the per-request record is still kept), `log` (the default JSON line
per request, to /dev/null) and `log+metrics` (`--metrics` too). Configurations alternate over
`rounds` and the medians of their p50/p95/p99 are reported with ratios to the baseline.
Without `--db`, the demo world is loaded into a temporary store.

On a shared machine the HTTP figures move by more than what is measured, so `--micro` also
times the per-request work alone: the same `POST /graphql` sent straight to an ASGI app that
reads the body and answers 200, bare and wrapped in `api.observe.Observe` with no sink, with the
JSON log line (formatted, written to /dev/null) and with the log line and the metrics; the
configurations alternate in blocks of 500 calls and each call's time is a sample.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.probe_http import QUERY, _load
from bench.server_proc import Server, load_world
from bench.stats import percentiles
from bench.workload import check_pairs
from graphmodel.service import GraphService
from graphmodel.stores import open_store

__all__ = ["CONFIGS", "main"]

REPO = Path(__file__).resolve().parent.parent
CONFIGS: dict[str, list[str]] = {  # `Server` starts with `--log-level warning`
    "baseline": [],
    "log": ["--log-level", "info"],
    "log+metrics": ["--log-level", "info", "--metrics"],
}


def _round(db: Path, options: list[str], pairs: list[tuple[str, str]], conc: int) -> dict[str, Any]:
    extra = ("--no-auth", "--workers", "1", "--rate-limit", "0", *options)
    server = Server(db, extra=extra).start()
    try:
        return asyncio.run(_load(server.url, pairs, conc))
    finally:
        server.stop()


async def _bare(scope: Any, receive: Any, send: Any) -> None:
    """The innermost app: read the body, answer a small JSON 200 (what every request does)."""
    while (await receive()).get("more_body"):
        pass
    body = b'{"data":{"access":{"decision":"ALLOW"}}}'
    headers = [(b"content-type", b"application/json"), (b"content-length", b"40")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def micro(calls: int) -> dict[str, Any]:
    """Per-call time of the request record, log line and metrics around a bare ASGI app."""
    import logging
    import os

    from api import metrics
    from api.observe import Observe
    from api.requestlog import JsonFormatter, log_request

    handler = logging.StreamHandler(open(os.devnull, "w"))  # noqa: SIM115 - for the run
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("tenantgraph.request")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    metrics.enable()
    apps = {
        "bare": _bare,
        "record": Observe(_bare, []),
        "record+log": Observe(_bare, [log_request]),
        "record+log+metrics": Observe(_bare, [log_request, metrics.record_request]),
    }
    body = json.dumps({"query": QUERY, "variables": {"p": "fabrikam/bob", "r": "contoso/payroll"}})
    scope = {
        "type": "http", "method": "POST", "path": "/graphql", "query_string": b"",
        "headers": [(b"content-type", b"application/json")],
    }  # fmt: skip

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body.encode(), "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        pass

    async def run() -> dict[str, list[float]]:
        samples: dict[str, list[float]] = {name: [] for name in apps}
        for _ in range(max(1, calls // 500)):
            for name, app in apps.items():
                for _ in range(500):
                    started = time.perf_counter()
                    await app(dict(scope), receive, send)
                    samples[name].append(time.perf_counter() - started)
        return samples

    samples = asyncio.run(run())
    out: dict[str, Any] = {name: percentiles(xs) for name, xs in samples.items()}
    bare = out["bare"]["p50_us"]
    for name in apps:
        out[name]["added_p50_us"] = round(out[name]["p50_us"] - bare, 1)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.probe_ops")
    parser.add_argument("out", type=Path)
    parser.add_argument("--db", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--micro", type=int, default=0, metavar="CALLS", help="also time N calls")
    parser.add_argument("--skip-http", action="store_true", help="only the --micro timing")
    args = parser.parse_args(argv)
    if args.skip_http:
        result = {"micro": micro(args.micro or 20_000)}
        args.out.write_text(json.dumps(result, indent=2), encoding="utf-8")
        print(json.dumps(result, indent=2))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db
        if db is None:
            db = Path(tmp) / "demo.db"
            load_world(db, REPO / "fixtures" / "demo.yaml")
        with GraphService(open_store("memory", path=str(db))) as svc:
            pairs = check_pairs(svc.index(), args.requests, args.seed)
        runs: dict[str, list[dict[str, Any]]] = {name: [] for name in CONFIGS}
        for _ in range(args.rounds):
            for name, options in CONFIGS.items():
                runs[name].append(_round(db, options, pairs, args.concurrency))
    result: dict[str, Any] = {"requests": len(pairs), "concurrency": args.concurrency}
    for name, rounds in runs.items():
        result[name] = {
            key: statistics.median(r[key] for r in rounds)
            for key in ("p50_us", "p95_us", "p99_us", "requests_per_s", "errors")
        }
    base = result["baseline"]
    for name in ("log", "log+metrics"):
        result[name]["ratio_p50"] = round(result[name]["p50_us"] / base["p50_us"], 3)
        result[name]["ratio_p99"] = round(result[name]["p99_us"] / base["p99_us"], 3)
    if args.micro:
        result["micro"] = micro(args.micro)
    args.out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
