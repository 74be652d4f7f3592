"""Snapshot write and reopen of the memory store (networkx + sqlite), each in a fresh process.

    python -m bench.probe_store S OUT --db FILE            # generate, derive, write, close
    python -m bench.probe_store S OUT --db FILE --reopen   # open the file, read, index, refresh

Why two processes: reopening is what a restarted server does — nothing cached, nothing warm —
and each step's peak RSS is its own. The reopened World is compared with a freshly generated
one (same seed), so a lossy snapshot would show here, not only in the conformance suite.
The reopened store also times `refresh()` when nothing was published (what every API request
pays to catch up with other processes) against `current_snapshot()` in the same run.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
from pathlib import Path
from typing import Any

from bench.generate import generate
from bench.stats import peak_rss_mb, percentiles, rss_mb, timed
from graphmodel.engine import WorldIndex, derive_trust_edges
from graphmodel.stores import open_store

__all__ = ["main"]

_REFRESHES = 20_000


def _refresh_cost(store: Any) -> dict[str, Any]:
    """`refresh()` with nothing published, and `current_snapshot()` as the baseline."""
    out: dict[str, Any] = {}
    for name, call in (("current", store.current_snapshot), ("refresh", store.refresh)):
        samples = []
        for _ in range(_REFRESHES):
            _, seconds = timed(call)
            samples.append(seconds)
        out[name] = percentiles(samples)
    out["ratio_p50"] = round(out["refresh"]["p50_us"] / max(out["current"]["p50_us"], 0.1), 1)
    return out


def write(scale: str, seed: int, db: Path) -> dict[str, Any]:
    out: dict[str, Any] = {"scale": scale}
    world, out["generate_s"] = timed(lambda: generate(scale, seed=seed))
    gc.collect()
    gc.freeze()
    edges, out["derive_s"] = timed(lambda: derive_trust_edges(world))
    out["trust_edges"] = len(edges)
    out["counts"] = world.counts().as_dict()
    if db.exists():
        db.unlink()
    store = open_store("memory", path=str(db))
    _, out["write_s"] = timed(
        lambda: store.write_snapshot(world, source="bench", trust_edges=edges)
    )
    _, out["close_s"] = timed(store.close)
    out["file_mb"] = round(os.path.getsize(db) / 2**20, 1)
    out["peak_rss_mb"] = round(peak_rss_mb(), 1)
    return out


def reopen(scale: str, seed: int, db: Path, *, verify: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"scale": scale}
    store, out["reopen_s"] = timed(lambda: open_store("memory", path=str(db)))
    world, out["read_world_s"] = timed(store.read_world)
    gc.collect()
    gc.freeze()
    _, out["index_s"] = timed(lambda: WorldIndex(world))
    out["rss_mb"] = round(rss_mb(), 1)
    out["peak_rss_mb"] = round(peak_rss_mb(), 1)
    out["counts"] = world.counts().as_dict()
    out["refresh_idle"] = _refresh_cost(store)
    if verify:  # the full comparison holds a second World in memory: skipped at L
        out["lossless"] = world == generate(scale, seed=seed)
    store.close()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.probe_store")
    parser.add_argument("scale")
    parser.add_argument("out", type=Path)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--reopen", action="store_true")
    args = parser.parse_args(argv)
    if args.reopen:
        result = reopen(args.scale, args.seed, args.db, verify=args.scale != "L")
    else:
        result = write(args.scale, args.seed, args.db)
    args.out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
