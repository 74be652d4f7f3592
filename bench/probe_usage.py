"""Evidence-of-use benchmarks, in their own process: `python -m bench.probe_usage [S] [--out F]`.

What evidence of use costs, each against a baseline measured in the same run on the same
generated world (with synthetic sign-in aggregates for a fixed share of the external answers):

- who-can-access over the widest app through the service: the plain answer (`usage=ANY`, which
  still joins `lastUsed`) vs the `UNUSED` filter, and the engine's own stream as the floor;
- the three evidence-of-use checks vs the `zone.access-from-outside` check (the same reverse
  lookups over every resource), each on a fresh audit context;
- the remove-unused proposal (findings, one what-if per candidate, the proof) vs one plain
  what-if of the same change set.

Prints p50/p95/p99 per operation and the ratios; `--out` also writes the JSON.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench.generate import generate, widest_app
from bench.stats import environment, percentiles, timed
from graphmodel.audit import AuditOptions, run_checks
from graphmodel.audit.unused import UNUSED_CHECKS, propose_unused_removal
from graphmodel.audit.whatif import what_if
from graphmodel.engine import UsageFilter, WorldIndex
from graphmodel.engine.lookup import who_can_access
from graphmodel.schema import CrossTenantAccessType, SignInUsage, World
from graphmodel.service import GraphService
from graphmodel.stores import open_store

__all__ = ["main", "with_sign_ins"]

REPEAT = {"T": 15, "S": 5, "M": 3}


def with_sign_ins(world: World, share: float = 0.3, seed: int = 7) -> World:
    """`world` with a sign-in aggregate for `share` of the external answers of each app."""
    rng = random.Random(seed)
    ix = WorldIndex(world)
    found: dict[str, list[SignInUsage]] = {}
    for app in world.apps:
        for r in who_can_access(ix, app.ref):
            if r.principal.split("/")[0] == app.tenant or rng.random() > share:
                continue
            found.setdefault(app.tenant, []).append(
                SignInUsage(
                    user=r.principal,
                    resource=app.ref,
                    cross_tenant_access_type=CrossTenantAccessType.B2B_COLLABORATION,
                    last=ix.now - timedelta(days=rng.randrange(0, 200)),
                    count=rng.randrange(1, 50),
                )
            )
    tenants = tuple(replace(t, sign_ins=tuple(found.get(t.name, ()))) for t in world.tenants)
    return replace(world, tenants=tenants)


def _samples(fn: Any, n: int) -> list[float]:
    return [timed(fn)[1] for _ in range(n)]


def _all(svc: GraphService, resource: str, usage: UsageFilter) -> int:
    count, after = 0, None
    while True:
        page = svc.who_can_access(resource, first=1000, after=after, usage=usage)
        count += len(page.items)
        if not page.has_next:
            return count
        after = page.end_cursor


def run(scale: str) -> dict[str, Any]:
    world = with_sign_ins(generate(scale))
    n = REPEAT.get(scale, 3)
    app = widest_app(world)
    out: dict[str, Any] = {"scale": scale, "app": app, "environment": environment()}
    out["signIns"] = sum(len(t.sign_ins) for t in world.tenants)
    with open_store("memory") as store:
        svc = GraphService(store)
        svc.load_world(world, source="bench")
        ix = svc.index()
        _all(svc, app, UsageFilter.ANY)  # warm the index's caches once
        floor = _samples(lambda: sum(1 for _ in who_can_access(ix, app)), n)
        plain = _samples(lambda: _all(svc, app, UsageFilter.ANY), n)
        unused = _samples(lambda: _all(svc, app, UsageFilter.UNUSED), n)
    out["who"] = {
        "engine_stream": percentiles(floor),
        "service_any": percentiles(plain),
        "service_unused": percentiles(unused),
        "answers": _all_count(world, app),
    }
    fresh = WorldIndex(world)
    base = _samples(lambda: run_checks(fresh, checks=("zone.access-from-outside",)), n)
    usage = _samples(lambda: run_checks(fresh, checks=UNUSED_CHECKS), n)
    findings = run_checks(fresh, checks=UNUSED_CHECKS)
    out["checks"] = {
        "zone_access_baseline": percentiles(base),
        "evidence_of_use": percentiles(usage),
        "findings": len(findings),
    }
    opts = AuditOptions()
    proposal, _ = timed(lambda: propose_unused_removal(fresh, options=opts))
    k = max(1, n // 3)
    propose = _samples(lambda: propose_unused_removal(fresh, options=opts), k)
    if proposal.count:
        plain_whatif = _samples(lambda: what_if(fresh, proposal.changes, options=opts), k)
    else:
        plain_whatif = []
    out["removeUnused"] = {
        "proposal": percentiles(propose),
        "whatif_baseline": percentiles(plain_whatif),
        "changes": proposal.count,
        "removed": len(proposal.removed),
        "usedLost": len(proposal.used_lost),
        "skipped": len(proposal.skipped),
    }
    out["ratios_p50"] = {
        "who_unused_vs_any": _ratio(out["who"]["service_unused"], out["who"]["service_any"]),
        "who_any_vs_engine": _ratio(out["who"]["service_any"], out["who"]["engine_stream"]),
        "checks_vs_zone": _ratio(
            out["checks"]["evidence_of_use"], out["checks"]["zone_access_baseline"]
        ),
        "proposal_vs_whatif": _ratio(
            out["removeUnused"]["proposal"], out["removeUnused"]["whatif_baseline"]
        ),
    }
    return out


def _all_count(world: World, app: str) -> int:
    return sum(1 for _ in who_can_access(WorldIndex(world), app))


def _ratio(a: dict[str, float], b: dict[str, float]) -> float | None:
    if not a.get("p50_us") or not b.get("p50_us"):
        return None
    return round(a["p50_us"] / b["p50_us"], 2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.probe_usage", description=__doc__)
    parser.add_argument("scale", nargs="?", default="T", choices=["T", "S", "M"])
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    args = parser.parse_args(argv)
    result = run(args.scale)
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
