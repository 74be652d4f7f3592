"""Random change sets for the index-update tests, the way writers produce them.

`OPS` are single realistic operations on a World, each written as `graphmodel.changes`
changes (what a mutation sends): a member added to or taken out of a group (users, groups,
groups of other tenants, dangling refs, the group itself, and groups above it: nesting cycles
made and broken), a group added (at the end, at the start or in the middle, with members) or
removed or given a new object id, a user invited (a guest with `guest_of`, added to a group in
the same change set) or synced, removed, re-created at the end, disabled, made or unmade Global
Administrator, pointed at another home, a mail changed, an app role assignment added (at the
end or in the middle) or removed, a channel or team member added or removed, a Conditional
Access policy switched or narrowed, the World's clock moved, and every what-if operation of
`tests/audit/changes.py` (partner sections, trust, clouds, ...) through its diff.
`draw_change_set(world, picks)` chains a few of them into one ChangeSet, keeping those that
apply to the World the earlier ones left.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck
from hypothesis import strategies as st

from graphmodel.audit.changeset import apply_change_text
from graphmodel.changes import (
    END,
    START,
    Add,
    Change,
    ChangeSet,
    ListEdit,
    Patch,
    Remove,
    SetWorld,
    apply_changes,
    diff_worlds,
)
from graphmodel.errors import Conflict, WorldInvalid
from graphmodel.schema import AppRoleAssignment, Group, User, World
from graphmodel.schema.enums import CaState, DirectoryRole, ExternalUserState, UserType
from tests.audit.changes import candidate_changes, text_of
from tests.audit.support import DEMO, SCENARIOS, WORLDS, load_world_any

__all__ = ["OPS", "draw_change_set"]

Op = Callable[[World, random.Random], list[Change] | None]
_ROLES = ("00000000-0000-0000-0000-000000000000", "11111111-1111-1111-1111-111111111111")


def _members(entity: object, path: str, edit: ListEdit) -> Patch:
    family = {"Group": "groups", "Team": "teams", "Channel": "channels"}[type(entity).__name__]
    key = entity.ref  # type: ignore[attr-defined]
    return Patch(family, key, edit=((path, edit),))


def _anchor(rng: random.Random, items: Sequence[str]) -> object:
    roll = rng.random()
    if roll < 0.6 or not items:
        return END
    return START if roll < 0.75 else rng.choice(items)


def add_member(world: World, rng: random.Random) -> list[Change] | None:
    if not world.groups:
        return None
    g = rng.choice(world.groups)
    pool = [u.ref for u in world.users] + [x.ref for x in world.groups] + ["nobody/ghost"]
    member = rng.choice(pool)
    if member in g.members:
        return None
    add = ((_anchor(rng, g.members), member),)
    return [_members(g, "members", ListEdit(add=add))]  # type: ignore[arg-type]


def nest_cycle(world: World, rng: random.Random) -> list[Change] | None:
    """A group made a member of a group it is (transitively) in: a nesting cycle."""
    parents = {m: [g for g in world.groups if m in g.members] for m in world.group_by_ref}
    nested = [ref for ref, found in parents.items() if found]
    if not nested:
        return None
    child = world.group_by_ref[rng.choice(nested)]
    above = rng.choice(parents[child.ref])
    if above.ref in child.members:
        return None
    return [_members(child, "members", ListEdit(add=((END, above.ref),)))]


def remove_member(world: World, rng: random.Random) -> list[Change] | None:
    groups = [g for g in world.groups if g.members]
    if not groups:
        return None
    g = rng.choice(groups)
    nested = [m for m in g.members if m in world.group_by_ref]
    member = rng.choice(nested if nested and rng.random() < 0.5 else list(g.members))
    return [_members(g, "members", ListEdit(drop=(member,)))]


def add_group(world: World, rng: random.Random) -> list[Change] | None:
    if not world.tenants:
        return None
    tenant = rng.choice(world.tenants).name
    refs = [u.ref for u in world.users] + [g.ref for g in world.groups]
    members = tuple(dict.fromkeys(rng.sample(refs, min(len(refs), rng.randint(0, 4)))))
    name = f"new-{rng.randrange(10**6)}"
    group = Group(tenant=tenant, name=name, id=f"gid-{name}", members=members)
    changes: list[Change] = [Add("groups", group, _anchor(rng, [g.ref for g in world.groups]))]
    parents = [g for g in world.groups if rng.random() < 0.3]
    changes += [_members(p, "members", ListEdit(add=((END, group.ref),))) for p in parents[:2]]
    return changes


def remove_group(world: World, rng: random.Random) -> list[Change] | None:
    return [Remove("groups", rng.choice(world.groups).ref)] if world.groups else None


def new_group_id(world: World, rng: random.Random) -> list[Change] | None:
    if not world.groups:
        return None
    g = rng.choice(world.groups)
    return [Patch("groups", g.ref, set=(("id", g.id + "-2"),))]


def invite_guest(world: World, rng: random.Random) -> list[Change] | None:
    """A user of another tenant invited (or synced) into a tenant, often into a group too."""
    if len(world.tenants) < 2 or not world.users:
        return None
    home = rng.choice(world.users)
    host = rng.choice([t for t in world.tenants if t.name != home.tenant]).name
    name = f"{home.name}-{rng.randrange(10**6)}#ext"
    synced = rng.random() < 0.25
    guest = User(
        tenant=host,
        name=name,
        id=f"uid-{name}",
        user_principal_name=f"{name}@{host}.example",
        mail=home.mail,
        user_type=UserType.MEMBER if synced else UserType.GUEST,
        external_user_state=None if synced else ExternalUserState.ACCEPTED,
        guest_of=None if synced else home.ref,
        synced_from=home.ref if synced else None,
        roles=(DirectoryRole.GLOBAL_ADMINISTRATOR,) if rng.random() < 0.1 else (),
    )
    changes: list[Change] = [Add("users", guest, _anchor(rng, [u.ref for u in world.users]))]
    groups = [g for g in world.groups if g.tenant == host]
    if groups and rng.random() < 0.7:
        changes.append(_members(rng.choice(groups), "members", ListEdit(add=((END, guest.ref),))))
    return changes


def remove_user(world: World, rng: random.Random) -> list[Change] | None:
    return [Remove("users", rng.choice(world.users).ref)] if world.users else None


def recreate_user(world: World, rng: random.Random) -> list[Change] | None:
    """A user removed and added again at the end, in one change set (it moves in the World)."""
    if not world.users:
        return None
    u = rng.choice(world.users)
    return [Remove("users", u.ref), Add("users", dataclasses.replace(u, id=u.id + "-r"))]


def patch_user(world: World, rng: random.Random) -> list[Change] | None:
    if not world.users:
        return None
    u = rng.choice(world.users)
    roll = rng.random()
    if roll < 0.3:
        sets: tuple[tuple[str, object], ...] = (("account_enabled", not u.account_enabled),)
    elif roll < 0.5:
        ga = DirectoryRole.GLOBAL_ADMINISTRATOR
        roles = tuple(r for r in u.roles if r != ga) if ga in u.roles else (*u.roles, ga)
        sets = (("roles", roles),)
    elif roll < 0.75:
        others = [x.ref for x in world.users if x.ref != u.ref]
        home = rng.choice([None, *others]) if others else None
        sets = (("guest_of", home), ("synced_from", None))
    elif roll < 0.9:
        other = rng.choice(world.users)
        sets = (("mail", other.mail if rng.random() < 0.5 else f"x{rng.randrange(99)}@m.example"),)
    else:
        sets = (("external_user_state", ExternalUserState.PENDING_ACCEPTANCE),)
    return [Patch("users", u.ref, set=sets)]


def add_assignment(world: World, rng: random.Random) -> list[Change] | None:
    if world.assignments and rng.random() < 0.4:  # another role of an assigned principal
        a = rng.choice(world.assignments)
        role = next(r for r in _ROLES if r != a.app_role_id)
        keys = [(x.principal, x.app, x.app_role_id) for x in world.assignments]
        again = dataclasses.replace(a, app_role_id=role)
        return [Add("assignments", again, _anchor(rng, keys))]  # type: ignore[arg-type]
    if not world.apps:
        return None
    app = rng.choice(world.apps)
    pool = [u.ref for u in world.users if u.tenant == app.tenant]
    pool += [g.ref for g in world.groups if g.tenant == app.tenant]
    if not pool:
        return None
    a = AppRoleAssignment(principal=rng.choice(pool), app=app.ref, app_role_id=rng.choice(_ROLES))
    keys = [(x.principal, x.app, x.app_role_id) for x in world.assignments]
    return [Add("assignments", a, _anchor(rng, keys))]  # type: ignore[arg-type]


def remove_assignment(world: World, rng: random.Random) -> list[Change] | None:
    if not world.assignments:
        return None
    a = rng.choice(world.assignments)
    return [Remove("assignments", (a.principal, a.app, a.app_role_id))]


def channel_member(world: World, rng: random.Random) -> list[Change] | None:
    holders = [*world.channels, *world.teams]
    if not holders or not world.users:
        return None
    holder = rng.choice(holders)
    if holder.members and rng.random() < 0.4:
        return [_members(holder, "members", ListEdit(drop=(rng.choice(holder.members),)))]
    ref = rng.choice(world.users).ref
    if ref in holder.members:
        return None
    return [_members(holder, "members", ListEdit(add=((END, ref),)))]


def change_policy(world: World, rng: random.Random) -> list[Change] | None:
    if not world.conditional_access:
        return None
    pol = rng.choice(world.conditional_access)
    if rng.random() < 0.5:
        state = CaState.DISABLED if pol.state == CaState.ENABLED else CaState.ENABLED
        return [Patch("conditional_access", pol.ref, set=(("state", state),))]
    refs = [g.ref for g in world.groups if g.tenant == pol.tenant] or ["All"]
    users = dataclasses.replace(pol.users, include=(rng.choice(refs),))
    return [Patch("conditional_access", pol.ref, set=(("users", users),))]


def move_clock(world: World, rng: random.Random) -> list[Change] | None:
    if world.as_of is None:
        return None
    return [SetWorld("as_of", world.as_of + timedelta(days=rng.choice((-400, 30, 400))))]


def what_if(world: World, rng: random.Random) -> list[Change] | None:
    """One operation of the what-if change-set language, as the diff it makes."""
    entries = candidate_changes(world)
    if not entries:
        return None
    try:
        after = apply_change_text(world, text_of([rng.choice(entries)])).world
    except WorldInvalid:
        return None
    return list(diff_worlds(world, after))


OPS: tuple[Op, ...] = (
    add_member,
    add_member,
    nest_cycle,
    remove_member,
    add_group,
    remove_group,
    new_group_id,
    invite_guest,
    invite_guest,
    remove_user,
    recreate_user,
    patch_user,
    add_assignment,
    remove_assignment,
    channel_member,
    change_policy,
    move_clock,
    what_if,
    what_if,
)


def draw_change_set(world: World, picks: Sequence[tuple[int, int]]) -> tuple[ChangeSet, World]:
    """The change set of the picked operations (index into `OPS`, seed) that apply in order,
    and the World after it."""
    kept: list[Change] = []
    current = world
    for op, seed in picks:
        found = OPS[op % len(OPS)](current, random.Random(seed))
        if not found:
            continue
        try:
            current = apply_changes(current, found)
        except Conflict:
            continue
        kept.extend(found)
    changes = ChangeSet(tuple(kept))
    return changes, apply_changes(world, changes)


CORPUS = [*sorted(SCENARIOS.rglob("*.yaml")), DEMO, *sorted(WORLDS.glob("*.yaml"))]
"""World files the change properties draw from: the scenario corpus, the demo, audit worlds."""
BOUNDS: dict[str, Any] = {
    "deadline": None,
    "database": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
}
"""Hypothesis settings shared by the change properties (no deadline: CI shares 2 cores)."""
picks = st.lists(
    st.tuples(st.integers(0, len(OPS) - 1), st.integers(0, 2**16)), min_size=1, max_size=5
)
"""One change set's operations for `draw_change_set`: (index into `OPS`, seed) pairs."""
_WORLDS: dict[Path, World] = {}


def corpus_world(path: Path) -> World:
    """The World of a corpus file, read once per test session (a fresh copy each call, so
    no cached lookup of one test leaks into another)."""
    if path not in _WORLDS:
        _WORLDS[path] = load_world_any(path)
    return dataclasses.replace(_WORLDS[path])
