"""Batched reverse lookups agree with per-candidate `check`, pair by pair.

`who_can_access` and `reachable` decide whole equivalence classes of pairs with one `check`
(`graphmodel.engine.equivalence`); these tests recompute every answer the slow, obvious way —
`check` for each candidate — on seeded generated worlds (group nesting, guests, synced users,
group- and app-scoped cross-tenant targets, CA with and without trust, shared channels) and on
every world of the scenario corpus (B2C, multitenant apps, governed guests, clouds). To cover a
new engine input, add a world where it changes an answer; never assert timings here.
"""

from __future__ import annotations

import random
from itertools import islice
from pathlib import Path

import pytest

from bench.generate import generate
from graphmodel.engine import WorldIndex, candidates_for, check
from graphmodel.engine.candidates import resources_near
from graphmodel.engine.reverse import reachable, who_can_access
from graphmodel.ingest.scenario import discover_scenario_files, load_scenario_file
from graphmodel.schema import World
from graphmodel.schema.verdict import Decision

REPO = Path(__file__).resolve().parents[3]
CORPUS = [REPO.parent / "shared" / "scenarios", REPO / "tests" / "rules", REPO / "fixtures"]

Key = tuple[str, str, str, str]


def _resources(world: World) -> list[str]:
    return [a.ref for a in world.apps] + [c.ref for c in world.channels]


def _expected_who(ix: WorldIndex, resource: str) -> list[Key]:
    out = []
    for ref in candidates_for(ix, resource):
        v = check(ix, ref, resource)
        if v.decision != Decision.DENY:
            out.append((v.principal, v.decision.value, v.mfa.value, v.via.value))
    return out


def _assert_agree(world: World, principals: list[str]) -> int:
    ix = WorldIndex(world)
    compared = 0
    for resource in _resources(world):
        got = [
            (r.principal, r.decision.value, r.mfa.value, r.via.value)
            for r in who_can_access(ix, resource)
        ]
        assert got == _expected_who(ix, resource), resource
        compared += len(got)
    for ref in principals:
        person = ix.home_identity(ix.users[ref])
        want = [
            (res, v.decision.value, v.mfa.value, v.via.value)
            for res in resources_near(ix, person)
            for v in [check(ix, ref, res)]
        ]
        got = [
            (r.resource, r.decision.value, r.mfa.value, r.via.value)
            for r in reachable(ix, ref, include_denied=True)
        ]
        assert got == want, ref
        reached = [
            (r.resource, r.decision.value, r.mfa.value, r.via.value) for r in reachable(ix, ref)
        ]
        assert reached == [w for w in want if w[1] != "deny"], ref
        compared += len(got)
    return compared


@pytest.mark.parametrize("seed", [1, 2])
def test_generated_world_agrees_with_per_candidate_check(seed: int) -> None:
    world = generate("T", seed=seed)
    rng = random.Random(seed)
    principals = [u.ref for u in rng.sample(world.users, 60)]
    assert _assert_agree(world, principals) > 10_000


def test_scenario_worlds_agree_with_per_candidate_check() -> None:
    files = discover_scenario_files([p for p in CORPUS if p.exists()])
    assert files, "the scenario corpus is missing"
    for path in files:
        world, _scenario = load_scenario_file(path)
        _assert_agree(world, [u.ref for u in world.users])


def test_lazy_verdict_is_checks_verdict() -> None:
    world = generate("T", seed=3)
    ix = WorldIndex(world)
    app = f"{world.tenants[0].name}/intranet"
    for reach in islice(who_can_access(ix, app), 50):
        assert reach.verdict == check(ix, reach.principal, app)
        assert (reach.decision, reach.mfa, reach.via) == (
            reach.verdict.decision,
            reach.verdict.mfa,
            reach.verdict.via,
        )


def test_cursor_pages_concatenate_to_the_stream() -> None:
    world = generate("T", seed=4)
    ix = WorldIndex(world)
    app = f"{world.tenants[0].name}/intranet"
    full = [r.principal for r in who_can_access(ix, app)]
    paged: list[str] = []
    after = None
    while True:
        page = [r.principal for r in islice(who_can_access(ix, app, after=after), 37)]
        if not page:
            break
        paged.extend(page)
        after = page[-1]
    assert paged == full == sorted(full)
    assert len(set(full)) == len(full)
