"""One pair at a time: `decide` and `collaboration_grants` agree with `check`'s verdict.

`decide` answers one (principal, resource) pair through its equivalence class and
`collaboration_grants` reads how a reaching pair holds its grant without building the verdict
(the audits use both to count without a verdict per pair). Both are compared with `check` on
every pair of seeded generated worlds and of every world of the scenario corpus.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from bench.generate import generate
from graphmodel.engine import WorldIndex, check, collaboration_grants, decide
from graphmodel.ingest.scenario import discover_scenario_files, load_scenario_file
from graphmodel.schema import World
from graphmodel.schema.enums import Via
from graphmodel.schema.kinds import EdgeKind
from graphmodel.schema.verdict import Decision, Hop, Verdict

REPO = Path(__file__).resolve().parents[3]
CORPUS = [REPO.parent / "shared" / "scenarios", REPO / "tests" / "rules", REPO / "fixtures"]
_ENTRY = frozenset({EdgeKind.GUEST_OF, EdgeKind.SYNCED_FROM})


def _held(v: Verdict) -> set[tuple[Hop, ...]]:
    """The hops of the verdict's B2B collaboration paths after their entry hop, if any."""
    out: set[tuple[Hop, ...]] = set()
    for p in v.paths:
        if p.via == Via.B2B_COLLABORATION:
            out.add(p.hops[1:] if p.hops and p.hops[0].edge in _ENTRY else p.hops)
    return out


def _assert_pairs(world: World, principals: list[str]) -> tuple[int, int]:
    """(pairs compared, pairs whose grants told the verdict's paths) over every resource."""
    ix = WorldIndex(world)
    resources = [a.ref for a in world.apps] + [c.ref for c in world.channels]
    compared = told = 0
    for ref in principals:
        for resource in resources:
            v = check(ix, ref, resource)
            r = decide(ix, ref, resource)
            assert (r.principal, r.decision, r.via) == (v.principal, v.decision, v.via), (
                ref,
                resource,
            )
            assert r.decision == Decision.DENY or r.mfa == v.mfa, (ref, resource)
            compared += 1
            if v.decision == Decision.DENY:
                continue
            grants = collaboration_grants(ix, ref, resource, r.via)
            if grants is None:
                continue
            assert {tuple(g) for g in grants} == _held(v), (ref, resource)
            told += 1
    return compared, told


@pytest.mark.parametrize("seed", [1, 2])
def test_generated_world_pairs_agree_with_check(seed: int) -> None:
    world = generate("T", seed=seed)
    principals = [u.ref for u in random.Random(seed).sample(world.users, 40)]
    compared, told = _assert_pairs(world, principals)
    assert compared > 1_000 and told > 10


def test_scenario_world_pairs_agree_with_check() -> None:
    files = discover_scenario_files([p for p in CORPUS if p.exists()])
    assert files, "the scenario corpus is missing"
    told = 0
    for path in files:
        world, _scenario = load_scenario_file(path)
        told += _assert_pairs(world, [u.ref for u in world.users])[1]
    assert told > 0


def test_grants_are_unknown_off_the_collaboration_route() -> None:
    world = generate("T", seed=3)
    ix = WorldIndex(world)
    resource = f"{world.tenants[0].name}/intranet"
    member = next(u.ref for u in world.users if u.tenant == world.tenants[0].name)
    assert collaboration_grants(ix, member, resource, Via.MEMBER) is None
