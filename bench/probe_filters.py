"""Outsider filters of who-can-access, in their own process: `python -m bench.probe_filters L`.

Issue 24's target: on the widest app of scale L, the first page of *outsiders* within 20 ms.
Measured against baselines taken in the same run on the same index, so the ratios hold on a
busy machine:

- the engine's first page (100 + 1 answers, as the service pages) with `outsiders`, cold (the
  first filtered question of the tenant: it finds the tenant's own outsiders once) and warm,
  against the unfiltered first page;
- the service's first page with `total_count` (what `whoCanAccess { totalCount }` costs: one
  pass over the filtered stream), against the unfiltered one;
- the full outsider stream, against the full unfiltered stream, and their answers' agreement
  (the filtered stream must equal the unfiltered answers that are outsiders).

Prints p50/p95/p99 per operation and the ratios; `--out` also writes the JSON.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
from itertools import islice
from pathlib import Path
from typing import Any

from bench.generate import generate, widest_app
from bench.stats import environment, percentiles, timed
from graphmodel.engine import ReachFilter, WorldIndex
from graphmodel.engine.lookup import who_can_access
from graphmodel.service import GraphService
from graphmodel.stores import open_store

__all__ = ["main", "run"]

PAGE = 100
REPEAT = {"T": 30, "S": 30, "M": 20, "L": 15}
OUTSIDERS = ReachFilter(outsiders=True)
OPEN = ReachFilter()


def _first_page(ix: WorldIndex, app: str, flt: ReachFilter) -> int:
    return len(list(islice(who_can_access(ix, app, filters=flt), PAGE + 1)))


def _stream(ix: WorldIndex, app: str, flt: ReachFilter) -> int:
    return sum(1 for _ in who_can_access(ix, app, filters=flt))


def _samples(fn: Any, n: int) -> list[float]:
    return [timed(fn)[1] for _ in range(n)]


def _ratio(a: dict[str, float], b: dict[str, float]) -> float:
    return round(a["p50_us"] / max(b["p50_us"], 1e-3), 2)


def run(scale: str) -> dict[str, Any]:
    world, generate_s = timed(lambda: generate(scale))
    app = widest_app(world)
    n = REPEAT.get(scale, 10)
    out: dict[str, Any] = {"scale": scale, "app": app, "environment": environment()}
    out["generate_s"] = round(generate_s, 1)
    with open_store("memory") as store:
        svc = GraphService(store)
        svc.load_world(world, source="bench")
        del world
        gc.collect()
        ix, index_s = timed(svc.index)
        gc.freeze()
        out["index_s"] = round(index_s, 1)
        _, cold_open = timed(lambda: _first_page(ix, app, OPEN))  # builds the tenant's data
        _, cold_outsiders = timed(lambda: _first_page(ix, app, OUTSIDERS))
        out["cold_ms"] = {
            "first_page": cold_open * 1e3,
            "first_page_outsiders": cold_outsiders * 1e3,
        }
        engine_open = percentiles(_samples(lambda: _first_page(ix, app, OPEN), n))
        engine_out = percentiles(_samples(lambda: _first_page(ix, app, OUTSIDERS), n))
        page_open = percentiles(
            _samples(lambda: svc.who_can_access(app, first=PAGE, count=True), max(3, n // 5))
        )
        page_out = percentiles(
            _samples(lambda: svc.who_can_access(app, first=PAGE, count=True, filters=OUTSIDERS), n)
        )
        full_open = percentiles(_samples(lambda: _stream(ix, app, OPEN), max(3, n // 5)))
        full_out = percentiles(_samples(lambda: _stream(ix, app, OUTSIDERS), n))
        everyone = list(who_can_access(ix, app))
        kept = [r.principal for r in everyone if r.outsider]
        filtered = [r.principal for r in who_can_access(ix, app, filters=OUTSIDERS)]
    out["answers"] = {"all": len(everyone), "outsiders": len(kept), "agree": kept == filtered}
    out["engine_first_page"] = {"all": engine_open, "outsiders": engine_out}
    out["service_first_page_with_count"] = {"all": page_open, "outsiders": page_out}
    out["full_stream"] = {"all": full_open, "outsiders": full_out}
    out["ratios_p50"] = {
        "engine_first_page_outsiders_vs_all": _ratio(engine_out, engine_open),
        "service_page_with_count_outsiders_vs_all": _ratio(page_out, page_open),
        "full_stream_outsiders_vs_all": _ratio(full_out, full_open),
    }
    return out


def _print(out: dict[str, Any]) -> None:
    a = out["answers"]
    print(
        f"[{out['scale']}] {out['app']}: {a['all']:,} answers, {a['outsiders']:,} outsiders "
        f"(filtered stream agrees: {a['agree']}); index {out['index_s']} s"
    )
    print(
        f"  cold first page: all {out['cold_ms']['first_page']:.1f} ms, "
        f"outsiders {out['cold_ms']['first_page_outsiders']:.1f} ms"
    )
    for name in ("engine_first_page", "service_first_page_with_count", "full_stream"):
        for which in ("all", "outsiders"):
            p = out[name][which]
            print(
                f"  {name:<32} {which:<9} p50 {p['p50_us'] / 1e3:9.2f} ms  "
                f"p95 {p['p95_us'] / 1e3:9.2f} ms  p99 {p['p99_us'] / 1e3:9.2f} ms  (n={p['n']})"
            )
    for name, ratio in out["ratios_p50"].items():
        print(f"  ratio {name}: {ratio}x")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.probe_filters", description=__doc__)
    parser.add_argument("scale", nargs="?", default="L", choices=sorted(REPEAT))
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    args = parser.parse_args(argv)
    out = run(args.scale)
    _print(out)
    if args.out:
        args.out.write_text(json.dumps(out, indent=2), encoding="utf-8")
    return 0 if out["answers"]["agree"] else 1


if __name__ == "__main__":
    sys.exit(main())
