"""The change language's laws, on every visible world and random edits of them.

- `apply_changes(a, diff_worlds(a, b)) == b`, tuple order included, for any two Worlds;
- the JSON codec round-trips every change set exactly;
- applying a change set never modifies its input World and shares untouched families;
- a World's cached lookups carried over by `apply_changes` equal freshly built ones.
"""

from __future__ import annotations

import dataclasses
import doctest
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import graphmodel.changes.apply
import graphmodel.changes.diff
import graphmodel.changes.model
from graphmodel.changes import (
    FAMILIES,
    ChangeSet,
    apply_changes,
    decode_changes,
    diff_worlds,
    encode_changes,
)
from graphmodel.ingest import load_world_file
from graphmodel.schema import World

REPO = Path(__file__).resolve().parents[3]
SCENARIOS = Path("/work/shared/scenarios")
FILES = [*sorted(SCENARIOS.rglob("*.yaml")), REPO / "fixtures" / "demo.yaml"]
_WORLDS: dict[Path, World] = {}


def _world(path: Path) -> World:
    if path not in _WORLDS:
        _WORLDS[path] = load_world_file(path)
    return _WORLDS[path]


def _renamed(entity: Any, suffix: str) -> Any:
    if hasattr(entity, "name") and isinstance(entity.name, str):
        return dataclasses.replace(entity, name=entity.name + suffix)
    return entity


def _edit_tuple(items: tuple[Any, ...], rng: random.Random) -> tuple[Any, ...]:
    """Drop, duplicate-under-a-new-name, swap and reorder items of one tuple."""
    out = list(items)
    for _ in range(rng.randint(0, 3)):
        action = rng.choice(["drop", "copy", "swap", "shuffle", "reverse"])
        if not out:
            break
        i = rng.randrange(len(out))
        if action == "drop":
            del out[i]
        elif action == "copy":
            out.insert(rng.randrange(len(out) + 1), _renamed(out[i], f"-{rng.randint(0, 99)}x"))
        elif action == "swap":
            j = rng.randrange(len(out))
            out[i], out[j] = out[j], out[i]
        elif action == "shuffle":
            part = out[i : i + 4]
            rng.shuffle(part)
            out[i : i + 4] = part
        else:
            out.reverse()
    return tuple(out)


def _edit_entity(entity: Any, rng: random.Random) -> Any:
    """Change one field of an entity: a list field edited, a bool flipped, a text changed."""
    fields = [f.name for f in dataclasses.fields(entity) if f.name not in ("tenant", "name")]
    name = rng.choice(fields)
    value = getattr(entity, name)
    if isinstance(value, bool):
        return dataclasses.replace(entity, **{name: not value})
    if isinstance(value, tuple):
        return dataclasses.replace(entity, **{name: _edit_tuple(value, rng)})
    if isinstance(value, str) and name in ("id", "mail", "user_principal_name", "app_id"):
        return dataclasses.replace(entity, **{name: value + "x"})
    if dataclasses.is_dataclass(value) and name == "cross_tenant_access":
        partners = _edit_tuple(value.partners, rng)
        return dataclasses.replace(entity, **{name: dataclasses.replace(value, partners=partners)})
    return entity


def edited_world(world: World, seed: int) -> World:
    """A random neighbour of `world`: a few families reordered or thinned, a few entities
    changed (valid or not as a directory: the change language does not care)."""
    rng = random.Random(seed)
    fields: dict[str, Any] = {}
    for family in rng.sample(list(FAMILIES), rng.randint(1, 4)):
        items = getattr(world, family)
        if rng.random() < 0.5:
            items = _edit_tuple(items, rng)
        if items and rng.random() < 0.8:
            items = list(items)
            for _ in range(rng.randint(1, 3)):
                i = rng.randrange(len(items))
                items[i] = _edit_entity(items[i], rng)
            items = tuple(items)
        fields[family] = items
    if rng.random() < 0.2:
        fields["title"] = f"edited {seed}"
    return dataclasses.replace(world, **fields)


pairs = st.tuples(st.sampled_from(FILES), st.integers(0, 10**6), st.integers(0, 10**6))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pairs)
def test_diff_then_apply_gives_the_other_world(case: tuple[Path, int, int]) -> None:
    path, seed_a, seed_b = case
    base = _world(path)
    a, b = edited_world(base, seed_a), edited_world(base, seed_b)
    changes = diff_worlds(a, b)
    assert apply_changes(a, changes) == b
    assert decode_changes(encode_changes(changes)) == changes
    assert apply_changes(a, decode_changes(encode_changes(changes))) == b
    assert (len(changes) == 0) == (a == b)


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(FILES), st.sampled_from(FILES))
def test_any_two_worlds(first: Path, second: Path) -> None:
    a, b = _world(first), _world(second)
    assert apply_changes(a, diff_worlds(a, b)) == b


def test_applying_shares_untouched_families_and_leaves_the_input_alone() -> None:
    world = _world(REPO / "fixtures" / "demo.yaml")
    before = dataclasses.replace(world)
    group = world.groups[0]
    member = world.users[-1].ref
    changed = dataclasses.replace(group, members=(*group.members, member))
    after = dataclasses.replace(world, groups=(changed, *world.groups[1:]))
    changes = diff_worlds(world, after)
    assert len(changes) == 1 and len(encode_changes(changes)) < 300  # one member, not a group
    new = apply_changes(world, changes)
    assert new == after and world == before
    assert new.users is world.users and new.tenants is world.tenants


def test_carried_lookups_equal_fresh_ones() -> None:
    world = _world(REPO / "fixtures" / "demo.yaml")
    for attr in ("user_by_ref", "group_by_ref", "tenant_by_name", "tenant_by_id"):
        getattr(world, attr)  # built on the old World, so apply_changes carries them over
    for seed in range(30):
        target = edited_world(world, seed)
        new = apply_changes(world, diff_worlds(world, target))
        fresh = dataclasses.replace(new)  # no cached lookups
        for attr in ("user_by_ref", "group_by_ref", "tenant_by_name", "tenant_by_id"):
            assert getattr(new, attr) == getattr(fresh, attr), (seed, attr)


def test_a_change_that_does_not_apply_is_a_conflict() -> None:
    from graphmodel.changes import Remove
    from graphmodel.errors import Conflict

    with pytest.raises(Conflict, match="does not apply"):
        apply_changes(_world(FILES[0]), ChangeSet((Remove("users", "nobody/none"),)))


@pytest.mark.parametrize(
    "module",
    [graphmodel.changes.model, graphmodel.changes.apply, graphmodel.changes.diff],
    ids=lambda m: m.__name__,
)
def test_doctests(module: Any) -> None:
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
