"""Engine benchmarks for one scale, in their own process: `python -m bench.probe_engine S OUT`.

Measures, on one generated world and with a baseline from the same run: check with its full
explanation vs the naive networkx baseline; who-can-access for the widest app (first page and
full stream, cold and warm) vs per-candidate `check`; reachable per user (batched vs
per-candidate); invitation checks. Every engine answer that has a baseline is cross-checked
against it, and the counts of agreeing / disagreeing pairs are part of the output.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from itertools import islice
from pathlib import Path
from typing import Any

from bench.generate import generate, widest_app
from bench.naive import CUTOFF, NaiveGraph
from bench.stats import Clock, environment, peak_rss_mb, percentiles, rss_mb, timed
from bench.workload import check_pairs, invite_pairs, principals, resources
from graphmodel.engine import WorldIndex, can_invite, check, render
from graphmodel.engine.candidates import candidates_for, resources_near
from graphmodel.engine.lookup import reachable, who_can_access
from graphmodel.schema.verdict import Decision, Verdict

__all__ = ["main"]

# samples per scale: checks, naive pairs, naive seconds, reverse cross-check resources + seconds,
# reachable principals, invitation pairs
PLAN: dict[str, dict[str, int]] = {
    "T": {
        "check": 500,
        "naive": 200,
        "naive_s": 20,
        "xres": 20,
        "xres_s": 20,
        "reach": 50,
        "invite": 200,
    },
    "S": {
        "check": 5000,
        "naive": 1000,
        "naive_s": 60,
        "xres": 40,
        "xres_s": 60,
        "reach": 300,
        "invite": 2000,
    },
    "M": {
        "check": 5000,
        "naive": 500,
        "naive_s": 90,
        "xres": 25,
        "xres_s": 90,
        "reach": 300,
        "invite": 2000,
    },
    "L": {
        "check": 5000,
        "naive": 300,
        "naive_s": 150,
        "xres": 15,
        "xres_s": 150,
        "reach": 200,
        "invite": 2000,
    },
}
PAGE = 100


def _key(v: Verdict) -> tuple[str, str, str, str]:
    return (v.principal, v.decision.value, v.mfa.value, v.via.value)


def bench_check(ix: WorldIndex, pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """`check` (the verdict is the explanation: paths + reasons), then check + render."""
    for p, r in pairs[:200]:
        check(ix, p, r)  # warm the lazily filled group closures
    samples, rendered, decisions = [], [], {"allow": 0, "pending": 0, "deny": 0}
    paths = 0
    for p, r in pairs:
        t0 = time.perf_counter()
        v = check(ix, p, r)
        t1 = time.perf_counter()
        render(v)
        t2 = time.perf_counter()
        samples.append(t1 - t0)
        rendered.append(t2 - t0)
        decisions[v.decision.value] += 1
        paths += len(v.paths)
    return {
        "check": percentiles(samples),
        "check_render": percentiles(rendered),
        "decisions": decisions,
        "paths_per_allow": round(paths / max(1, decisions["allow"]), 2),
    }


def bench_naive(ix: WorldIndex, pairs: list[tuple[str, str]], seconds: int) -> dict[str, Any]:
    """Naive all_simple_paths + per-path gates on the same pairs; agreement with the engine."""
    graph, build_s = timed(lambda: NaiveGraph(ix))
    gc.collect()
    gc.freeze()
    clock = Clock(seconds)
    naive_s, engine_s = [], []
    agree = disagree = path_missing = enumerated = 0
    examples: list[str] = []
    for p, r in pairs:
        if clock.expired():
            break
        t0 = time.perf_counter()
        v = check(ix, p, r)
        t1 = time.perf_counter()
        n = graph.decide(p, r)
        t2 = time.perf_counter()
        engine_s.append(t1 - t0)
        naive_s.append(t2 - t1)
        enumerated += n.enumerated
        same = v.decision == n.decision and (v.decision != Decision.ALLOW or v.mfa == n.mfa)
        if v.decision == Decision.ALLOW and not {x.nodes for x in v.paths} <= n.paths:
            same = False
            path_missing += 1
        if same:
            agree += 1
        else:
            disagree += 1
            if len(examples) < 5:
                examples.append(
                    f"{p} -> {r}: engine {v.decision.value}/{v.mfa.value}, "
                    f"naive {n.decision.value}/{n.mfa.value}"
                )
    e, nv = percentiles(engine_s), percentiles(naive_s)
    return {
        "graph_build_s": round(build_s, 2),
        "graph_nodes": graph.graph.number_of_nodes(),
        "graph_edges": graph.graph.number_of_edges(),
        "cutoff": CUTOFF,
        "pairs": len(naive_s),
        "pairs_planned": len(pairs),
        "engine": e,
        "naive": nv,
        "ratio_p50": round(nv["p50_us"] / e["p50_us"], 1) if naive_s else None,
        "ratio_p95": round(nv["p95_us"] / e["p95_us"], 1) if naive_s else None,
        "paths_enumerated_per_pair": round(enumerated / max(1, len(naive_s)), 1),
        "agree": agree,
        "disagree": disagree,
        "engine_paths_missing_in_naive": path_missing,
        "examples": examples,
    }


def _first_page(ix: WorldIndex, resource: str) -> float:
    """Seconds to the first page (PAGE items plus one, as the service pages) of a new stream."""
    t0 = time.perf_counter()
    list(islice(who_can_access(ix, resource), PAGE + 1))
    return time.perf_counter() - t0


def _full_stream(ix: WorldIndex, resource: str) -> tuple[float, int]:
    """Seconds to consume the whole stream as a cursor client does (items not kept)."""
    t0 = time.perf_counter()
    n = 0
    for _ in who_can_access(ix, resource):
        n += 1
    return time.perf_counter() - t0, n


def _per_candidate(ix: WorldIndex, resource: str) -> list[tuple[str, str, str, str]]:
    """The reference: `check` for every candidate (the lookup before batching)."""
    out = []
    for ref in candidates_for(ix, resource):
        v = check(ix, ref, resource)
        if v.decision != Decision.DENY:
            out.append(_key(v))
    return out


def _per_candidate_first_page(ix: WorldIndex, resource: str) -> float:
    """Seconds to the first page the per-candidate lookup (the engine before batching) gave."""
    t0 = time.perf_counter()
    n = 0
    for ref in candidates_for(ix, resource):
        if check(ix, ref, resource).decision != Decision.DENY:
            n += 1
            if n > PAGE:
                break
    return time.perf_counter() - t0


def bench_who(ix: WorldIndex, resource: str) -> dict[str, Any]:
    """Widest app: first page and full stream, cold (first lookup in the tenant) and warm;
    the full result kept in one list (what the cyclic GC then costs); per-candidate baseline;
    agreement of the two answers."""
    cold_first = _first_page(ix, resource)
    cold_full, _ = _full_stream(ix, resource)
    warm_first = [_first_page(ix, resource) for _ in range(5)]
    warm = [_full_stream(ix, resource) for _ in range(5)]
    items, as_list = timed(lambda: list(who_can_access(ix, resource)))
    batched = [(r.principal, r.decision.value, r.mfa.value, r.via.value) for r in items]
    del items
    baseline, base_s = timed(lambda: _per_candidate(ix, resource))
    base_first = _per_candidate_first_page(ix, resource)
    wf, wfull = percentiles(warm_first), percentiles([w[0] for w in warm])
    return {
        "resource": resource,
        "candidates": len(candidates_for(ix, resource)),
        "principals": warm[0][1],
        "cold_first_page_ms": round(cold_first * 1e3, 2),
        "cold_full_ms": round(cold_full * 1e3, 1),
        "warm_first_page_ms": round(wf["p50_us"] / 1e3, 2),
        "warm_full_ms": round(wfull["p50_us"] / 1e3, 1),
        "warm_full_max_ms": round(wfull["max_us"] / 1e3, 1),
        "full_as_list_ms": round(as_list * 1e3, 1),
        "baseline_full_ms": round(base_s * 1e3, 1),
        "baseline_first_page_ms": round(base_first * 1e3, 1),
        "ratio_full": round(base_s * 1e3 / max(1e-3, wfull["p50_us"] / 1e3), 1),
        "agree": batched == baseline,
    }


def bench_reverse_crosscheck(ix: WorldIndex, refs: list[str], seconds: int) -> dict[str, Any]:
    """Batched who-can-access == per-candidate check on sampled resources (within a budget)."""
    clock = Clock(seconds)
    done = agree = pairs = 0
    bad: list[str] = []
    for ref in refs:
        if clock.expired():
            break
        batched = [
            (r.principal, r.decision.value, r.mfa.value, r.via.value)
            for r in who_can_access(ix, ref)
        ]
        if batched == _per_candidate(ix, ref):
            agree += 1
        else:
            bad.append(ref)
        done += 1
        pairs += len(batched)
    return {
        "resources": done,
        "planned": len(refs),
        "agree": agree,
        "principals": pairs,
        "disagree": bad[:5],
    }


def bench_reachable(ix: WorldIndex, people: list[str]) -> dict[str, Any]:
    """reachable(principal) batched vs per-resource check, with agreement."""
    batched_s, base_s = [], []
    agree = 0
    sizes = []
    for p in people:
        t0 = time.perf_counter()
        got = [(r.resource, r.decision.value, r.mfa.value, r.via.value) for r in reachable(ix, p)]
        t1 = time.perf_counter()
        person = ix.home_identity(ix.users[p])
        want = []
        for ref in resources_near(ix, person):
            v = check(ix, p, ref)
            if v.decision != Decision.DENY:
                want.append((ref, v.decision.value, v.mfa.value, v.via.value))
        t2 = time.perf_counter()
        batched_s.append(t1 - t0)
        base_s.append(t2 - t1)
        agree += got == want
        sizes.append(len(resources_near(ix, person)))
    b, base = percentiles(batched_s), percentiles(base_s)
    return {
        "reachable": b,
        "baseline": base,
        "ratio_p50": round(base["p50_us"] / max(0.1, b["p50_us"]), 1),
        "resources_considered_p50": sorted(sizes)[len(sizes) // 2] if sizes else 0,
        "agree": agree,
        "principals": len(people),
    }


def bench_invites(ix: WorldIndex, pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """can_invite by handle and by email address (the first email call builds the mail index)."""
    email_first = next(i for i, (invitee, _) in enumerate(pairs) if "@" in invitee)
    _, cold = timed(lambda: can_invite(ix, *pairs[email_first]))
    by_handle: list[float] = []
    by_email: list[float] = []
    for invitee, inviter in pairs:
        t0 = time.perf_counter()
        can_invite(ix, invitee, inviter)
        (by_email if "@" in invitee else by_handle).append(time.perf_counter() - t0)
    return {
        "handle": percentiles(by_handle),
        "email": percentiles(by_email),
        "first_email_ms": round(cold * 1e3, 1),
    }


def run(scale: str, seed: int) -> dict[str, Any]:
    plan = PLAN[scale]
    out: dict[str, Any] = {"scale": scale, "seed": seed, "environment": environment()}
    world, out["generate_s"] = timed(lambda: generate(scale, seed=seed))
    gc.collect()
    gc.freeze()
    ix, out["index_s"] = timed(lambda: WorldIndex(world))
    gc.freeze()
    out["counts"] = world.counts().as_dict()
    out["rss_after_index_mb"] = round(rss_mb(), 1)
    print(f"[{scale}] world + index ready ({out['index_s']:.1f}s index)", flush=True)
    pairs = check_pairs(ix, plan["check"], seed)
    out["check"] = bench_check(ix, pairs)
    print(f"[{scale}] check p95 {out['check']['check']['p95_us']} us", flush=True)
    out["who"] = bench_who(ix, widest_app(world))
    print(
        f"[{scale}] who-can-access {out['who']['principals']} principals: warm first page "
        f"{out['who']['warm_first_page_ms']} ms, full {out['who']['warm_full_ms']} ms",
        flush=True,
    )
    out["reverse_crosscheck"] = bench_reverse_crosscheck(
        ix, resources(ix, plan["xres"], seed), plan["xres_s"]
    )
    people = [p.ref for p in principals(ix, plan["reach"], seed + 1)]
    out["reachable"] = bench_reachable(ix, people)
    out["invites"] = bench_invites(ix, invite_pairs(ix, plan["invite"], seed))
    print(
        f"[{scale}] reachable p95 {out['reachable']['reachable']['p95_us']} us; naive next",
        flush=True,
    )
    out["naive"] = bench_naive(ix, pairs[: plan["naive"]], plan["naive_s"])
    out["peak_rss_mb"] = round(peak_rss_mb(), 1)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.probe_engine")
    parser.add_argument("scale", choices=sorted(PLAN))
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    result = run(args.scale, args.seed)
    args.out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
