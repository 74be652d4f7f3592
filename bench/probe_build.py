"""Build time and peak memory of one scale, in a fresh process: `python -m bench.probe_build S OUT`.

Why a process of its own: peak RSS is a high-water mark, so it is only meaningful for a process
that did nothing else. Measured: generating the World, building the engine index, preparing
the reverse-lookup data of the largest tenant (what the first who-can-access there pays), RSS
after each step, and `check` latency on a workload drawn from the World alone.

`--engine-root DIR` puts an older copy of the package first on `sys.path` (e.g. `git archive
<commit> graphmodel | tar -x -C DIR`), so the same probe measures the engine before a change;
that is how `python -m bench --before <commit>` fills the before/after table.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

from bench.stats import peak_rss_mb, percentiles, rss_mb, timed

__all__ = ["main", "run"]


def _pairs(world: Any, n: int, seed: int) -> list[tuple[str, str]]:
    """(principal, resource) pairs from World data only (works with any engine version)."""
    rng = random.Random(seed)
    users, apps = world.user_by_ref, world.apps
    by_tenant: dict[str, list[str]] = {}
    for a in apps:
        by_tenant.setdefault(a.tenant, []).append(a.ref)
    out = []
    for _ in range(n):
        u = world.users[rng.randrange(len(world.users))]
        home = users.get(u.guest_of or u.synced_from or "", u)
        near = by_tenant.get(u.tenant)
        ref = (
            rng.choice(near) if near and rng.random() < 0.8 else apps[rng.randrange(len(apps))].ref
        )
        out.append((home.ref, ref))
    return out


def run(scale: str, seed: int) -> dict[str, Any]:
    from bench.generate import generate
    from graphmodel.engine import WorldIndex, check

    out: dict[str, Any] = {"scale": scale}
    base = rss_mb()
    world, out["generate_s"] = timed(lambda: generate(scale, seed=seed))
    gc.collect()
    gc.freeze()  # the World lives as long as the process, like a loaded snapshot
    out["rss_world_mb"] = round(rss_mb() - base, 1)
    ix, out["index_s"] = timed(lambda: WorldIndex(world))
    gc.freeze()
    out["rss_index_mb"] = round(rss_mb() - base - out["rss_world_mb"], 1)

    try:
        from graphmodel.engine import equivalence
    except ImportError:  # an engine from before the batched reverse lookups
        equivalence = None  # type: ignore[assignment]

    def prepare() -> int:
        assert equivalence is not None
        tp = equivalence.classes_of(ix).tenant_principals(world.tenants[0].name)
        for i in range(len(tp.refs)):
            if tp.classes[i] < 0:
                tp.fill(i)
        return len(tp.refs)

    if equivalence is not None:
        out["largest_tenant_principals"], out["reverse_prepare_s"] = timed(prepare)
    pairs = _pairs(world, 3000, seed)
    for p, r in pairs[:300]:
        check(ix, p, r)
    samples = []
    for p, r in pairs:
        t0 = time.perf_counter()
        check(ix, p, r)
        samples.append(time.perf_counter() - t0)
    out["check"] = percentiles(samples)
    out["rss_total_mb"] = round(rss_mb(), 1)
    out["peak_rss_mb"] = round(peak_rss_mb(), 1)
    out["counts"] = world.counts().as_dict()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.probe_build")
    parser.add_argument("scale")
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--engine-root", type=Path, help="import graphmodel from this directory")
    args = parser.parse_args(argv)
    if args.engine_root is not None:
        sys.path.insert(0, str(args.engine_root.resolve()))
        for name in [m for m in sys.modules if m == "graphmodel" or m.startswith("graphmodel.")]:
            del sys.modules[name]
    args.out.write_text(json.dumps(run(args.scale, args.seed), indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
