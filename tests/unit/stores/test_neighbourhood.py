"""A partial read gives exactly the verdict of the whole World (differential, issue 27).

How to write tests here: take a World, ask `check` on its whole index and on the index of the
partial World `check_world` gathers through `WorldLookups` (the in-memory reference of the
lookups the Neo4j store runs in Cypher), and require equal Verdicts: decision, route, MFA,
paths, reasons. Worlds: every scenario file (every user against every resource, on every
route, not only the file's own checks) and sampled pairs of a generated S world.
"""

from __future__ import annotations

import itertools
import os
from collections import Counter
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import pytest

from bench.generate import generate
from bench.workload import check_pairs
from graphmodel.engine import WorldIndex, check
from graphmodel.errors import NodeNotFound, WorldInvalid
from graphmodel.ingest.checks import AccessCheck
from graphmodel.ingest.scenario import discover_scenario_files, load_scenario_file
from graphmodel.schema.enums import Via
from graphmodel.schema.verdict import Verdict
from graphmodel.schema.world import World
from graphmodel.stores.lookups import WorldLookups
from graphmodel.stores.neighbourhood import check_world

REPO = Path(__file__).resolve().parents[3]
ROOTS = [REPO.parent / "shared" / "scenarios", REPO / "fixtures", REPO / "tests" / "rules"] + [
    Path(p) for p in os.environ.get("TENANTGRAPH_SCENARIOS", "").split(os.pathsep) if p
]

def _loadable(paths: Iterable[Path]) -> list[Path]:
    """Files this checkout can load (the corpus may hold a check kind a later branch adds;
    `tests/scenarios` reports those): the partial-read comparison needs only their World."""
    out = []
    for path in paths:
        try:
            load_scenario_file(path)
        except WorldInvalid:
            continue
        out.append(path)
    return out


FILES = _loadable(discover_scenario_files([r for r in ROOTS if r.exists()]))
Question = tuple[str, str, Via]


def verdict(ix: WorldIndex, question: Question) -> Verdict | str:
    principal, resource, via = question
    try:
        return check(ix, principal, resource, via=via)
    except NodeNotFound as exc:
        return f"not found: {exc}"


def differences(world: World, questions: Iterable[Question]) -> tuple[int, list[str]]:
    """How many questions were compared, and those whose partial answer differs."""
    whole, lookups = WorldIndex(world), WorldLookups(world)
    asked, differ = 0, []
    for question in questions:
        principal, resource, _via = question
        partial = check_world(lookups, 0, principal, resource)
        expected = verdict(whole, question)
        if partial is None:  # only an unknown ref may fall back to the whole World
            got: Verdict | str = expected if isinstance(expected, str) else "no partial World"
        else:
            got = verdict(WorldIndex(partial), question)
        asked += 1
        if got != expected:
            differ.append(f"{question}: whole {expected!r}, partial {got!r}")
    return asked, differ


def test_the_scenario_corpus_is_found() -> None:
    assert len(FILES) >= 10, f"scenario files found under {ROOTS}: {FILES}"


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_every_user_resource_and_route_of_a_scenario_world(path: Path) -> None:
    world, scenario = load_scenario_file(path)
    own = [(c.principal, c.resource, c.via) for c in scenario.checks if isinstance(c, AccessCheck)]
    people = [u.ref for u in world.users]
    resources = [a.ref for a in world.apps] + [c.ref for c in world.channels]
    every = [(p, r, v) for p, r in itertools.product(people, resources) for v in Via]
    asked, differ = differences(world, [*own, *every])
    assert asked == len(own) + len(every)
    assert not differ, "\n".join(differ[:5])


@cache
def s_world() -> tuple[World, WorldIndex]:
    world = generate("S", seed=7)
    return world, WorldIndex(world)


def test_sampled_pairs_of_a_generated_world_on_every_route() -> None:
    world, ix = s_world()
    pairs = check_pairs(ix, 400, seed=11)  # 80% near the principal: guests, groups, channels
    asked, differ = differences(world, [(p, r, v) for p, r in pairs for v in Via])
    assert asked == 400 * len(Via) and not differ, "\n".join(differ[:5])
    decisions = Counter(check(ix, p, r).decision.value for p, r in pairs)
    assert decisions["allow"] >= 40 and decisions["deny"] >= 40  # both kinds were compared


def test_questions_asked_through_a_guest_object_resolve_as_on_the_whole_world() -> None:
    world, ix = s_world()
    objects = [
        (obj.ref, r, Via.ANY)
        for p, r in check_pairs(ix, 600, seed=13)
        for obj in list(ix.representations.get(p, {}).values())[:1]
    ]
    asked, differ = differences(world, objects)
    assert asked >= 50 and not differ, "\n".join(differ[:5])


def test_a_partial_world_is_small() -> None:
    world, ix = s_world()
    lookups = WorldLookups(world)
    sizes = []
    for p, r in check_pairs(ix, 50, seed=17):
        partial = check_world(lookups, 0, p, r)
        assert partial is not None
        sizes.append(len(partial.users) + len(partial.groups) + len(partial.apps))
    whole = len(world.users) + len(world.groups) + len(world.apps)
    assert max(sizes) < whole // 50


@pytest.mark.parametrize(
    ("principal", "resource"),
    [("nobody/here", None), (None, "nowhere/app"), ("nobody/here", "nowhere/app")],
)
def test_an_unknown_ref_asks_for_the_whole_world(principal: str | None, resource: str | None):
    world, _ix = s_world()
    some_user, some_app = world.users[0].ref, world.apps[0].ref
    p, r = principal or some_user, resource or some_app
    assert check_world(WorldLookups(world), 0, p, r) is None
    assert check_world(WorldLookups(world), 0, some_user, some_app) is not None
