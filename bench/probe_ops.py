"""What the request log and `/metrics` cost per request (issue 26), against a baseline in the run.

    python -m bench.probe_ops OUT [--db FILE] [--concurrency 8] [--requests 2000] [--rounds 3]

Starts `tenantgraph serve --no-auth --workers 1 --rate-limit 0` on one store three ways and
sends the same fast-lane `access` questions (the cheapest request, where a fixed cost shows
most) from one asyncio client, `concurrency` at a time: `baseline` (`--log-level warning`:
no log line, no metrics; the per-request record is still kept), `log` (the default JSON line
per request, to /dev/null) and `log+metrics` (`--metrics` too). Configurations alternate over
`rounds` and the medians of their p50/p95/p99 are reported with ratios to the baseline.
Without `--db`, the demo world is loaded into a temporary store.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.probe_http import _load
from bench.server_proc import Server, load_world
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.probe_ops")
    parser.add_argument("out", type=Path)
    parser.add_argument("--db", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
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
    args.out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
