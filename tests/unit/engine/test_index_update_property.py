"""An index updated change set by change set answers exactly as one built from scratch.

For random worlds and random sequences of change sets, `evolve_index` is applied step by step
and compared with `WorldIndex(world)` of the same World: every structure (entities by identity,
lists in order; `index_compare.structures`), every lazily filled cache entry it carries, and
every answer — `check` for all users x all apps and channels, `who_can_access` for every
resource and `reachable` for every user, per-candidate and batched, full verdicts — or the same
error. The old index must not move: its structures are compared before and after.

Sources of worlds: the scenario corpus, the demo, the audit worlds and a generated world with
nested groups and guests. Sources of changes: realistic operations written as the change
language (`index_changes.OPS`, including the what-if operations of `tests/audit/changes.py`)
and random structural edits (`edited_world`, which may make a World invalid as a directory:
the index must still agree with a fresh one). Seeded and bounded; to cover a new structure,
add an operation that changes it to `index_changes.OPS`.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import given, seed, settings
from hypothesis import strategies as st

from bench.generate import generate
from graphmodel.changes import ChangeSet, apply_changes, diff_worlds
from graphmodel.engine import WorldIndex, evolve_index, index_delta
from graphmodel.schema import World
from tests.audit.support import DEMO
from tests.unit.changes.test_changes_property import edited_world

from .index_changes import BOUNDS, CORPUS, corpus_world, draw_change_set, picks
from .index_compare import (
    answers,
    assert_caches_exact,
    assert_same_index,
    fill_caches,
    structures,
)


def _step(ix: WorldIndex, changes: ChangeSet, world: World, *, full: bool) -> WorldIndex:
    """Evolve `ix` by one change set and compare it with a fresh index; the old one stays."""
    before = structures(ix)
    evolved = evolve_index(ix, changes, world)
    fresh = WorldIndex(world)
    assert_same_index(evolved, fresh)
    if full:
        assert answers(evolved) == answers(fresh)
    assert structures(ix) == before
    assert_caches_exact(ix, WorldIndex(ix.world))  # what it shares was filled alike
    return evolved


@seed(20261222)
@settings(max_examples=200, **BOUNDS)
@given(
    st.sampled_from(CORPUS),
    st.lists(picks, min_size=1, max_size=4),
    st.booleans(),
    st.booleans(),
)
def test_realistic_change_sequences(
    path: Path, steps: list[list[tuple[int, int]]], warm: bool, lookups: bool
) -> None:
    """`lookups`: the World has its lookups by key built (carried from World to World by
    `apply_changes`), so the index gets the World's own objects; else replayed equal ones."""
    world = corpus_world(path)  # a fresh copy: no cached lookups
    if lookups:
        assert world.user_by_ref is not None and world.group_by_ref is not None
    ix = WorldIndex(world, closures=warm)
    if warm:
        fill_caches(ix)
    for i, step in enumerate(steps):
        changes, after = draw_change_set(world, step)
        assert apply_changes(world, changes) == after
        last = i == len(steps) - 1
        ix = _step(ix, changes, after, full=path != DEMO or last)
        world = after
        if i % 2:
            fill_caches(ix)  # the next step carries (or drops) filled caches


@seed(20261223)
@settings(max_examples=150, **BOUNDS)
@given(st.sampled_from(CORPUS), st.lists(st.integers(0, 10**6), min_size=2, max_size=4))
def test_random_structural_edits(path: Path, seeds: list[int]) -> None:
    base = corpus_world(path)
    world = edited_world(base, seeds[0])
    ix = WorldIndex(world)
    fill_caches(ix)
    for i, s in enumerate(seeds[1:]):
        target = edited_world(base if s % 2 else world, s)
        changes = diff_worlds(world, target)
        after = apply_changes(world, changes)
        assert after == target
        ix = _step(ix, changes, after, full=path != DEMO or i == len(seeds) - 2)
        world = after


@pytest.fixture(scope="module")
def generated() -> World:
    return generate("T", seed=3)  # 1,500 users: nesting four deep, diamonds, guests, synced


@seed(20261224)
@settings(max_examples=10, **BOUNDS)
@given(st.lists(picks, min_size=1, max_size=3), st.integers(0, 2**16))
def test_generated_world_sequences(
    generated: World, steps: list[list[tuple[int, int]]], sample: int
) -> None:
    """Structures and caches in full; answers for a sample of users and resources (a full
    sweep of this world takes minutes)."""
    world = generated
    ix = WorldIndex(world)
    fill_caches(ix)
    rng = random.Random(sample)
    for step in steps:
        changes, after = draw_change_set(world, step)
        ix = _step(ix, changes, after, full=False)
        world = after
    fresh = WorldIndex(world)
    users = [u.ref for u in rng.sample(world.users, 4)]
    resources = [a.ref for a in rng.sample(world.apps, 3)] + [world.channels[0].ref]
    assert answers(ix, users=users, resources=resources) == answers(
        fresh, users=users, resources=resources
    )


@seed(20261225)
@settings(max_examples=60, **BOUNDS)
@given(st.sampled_from(CORPUS), st.lists(picks, min_size=2, max_size=6))
def test_sequences_through_overlays(path: Path, steps: list[list[tuple[int, int]]]) -> None:
    """The same with every large-map edit as an `Overlay` (the threshold set to 0), so the
    small worlds here take the path a 1M-user index takes: overlays over overlays, flattened
    once their top grows, must answer as a fresh index does."""
    saved = index_delta.OVERLAY_ABOVE
    index_delta.OVERLAY_ABOVE = 0
    try:
        world = corpus_world(path)
        ix = WorldIndex(world)
        for step in steps:
            changes, after = draw_change_set(world, step)
            ix = _step(ix, changes, after, full=path != DEMO)
            world = after
    finally:
        index_delta.OVERLAY_ABOVE = saved
