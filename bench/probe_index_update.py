"""Updating the engine index for a change (`evolve_index`) against building it (issue 22).

    python -m bench.probe_index_update M OUT.json [--repeats 40] [--seed 7] [--cache DIR]

Why a stream, not one change: a server applies change after change, each index evolved from
the previous one, so the orders the updater keeps between indexes (group ranks, who stands for
whom) are built once, on the first change that needs them, and patched afterwards; that first
change is reported apart. The World's lookups by key (`user_by_ref` ...) are built once up
front, as a writer that applies change sets keeps them (`apply_changes` carries them to the
next World). Each case draws a fresh random change per repeat: one member added to one of the
largest groups, one guest invited (a user appended and added to a group), one partner section
changed, one app role assignment removed, and a collector-style diff where 0.1% of users,
groups and assignments differ. The baseline is `WorldIndex(world)` of the same World, measured
in the same run; `ratio` is the build's median over the case's p50. Every evolved index is
spot-checked against a fresh build (sampled `check` verdicts) at the end.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import sys
import tempfile
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

from bench.probe_neo4j_scale import cached_world
from bench.stats import environment, percentiles, timed
from graphmodel.changes import (
    END,
    Add,
    ChangeSet,
    ListEdit,
    Patch,
    Remove,
    apply_changes,
    diff_worlds,
    keyed,
)
from graphmodel.engine import WorldIndex, check, evolve_index
from graphmodel.schema import AppRoleAssignment, User, World
from graphmodel.schema.enums import ExternalUserState, UserType
from graphmodel.schema.xtap import InboundTrust

__all__ = ["main"]

Maker = Callable[[World, random.Random], ChangeSet]


def member_added(world: World, rng: random.Random) -> ChangeSet:
    """A user of the group's tenant added to one of the 5 largest groups."""
    largest = sorted(world.groups, key=lambda g: len(g.members))[-5:]
    group = rng.choice(largest)
    users = [u for u in world.users if u.tenant == group.tenant] or list(world.users)
    members = set(group.members)
    drawn = (rng.choice(users) for _ in range(200))
    user = next((u for u in drawn if u.ref not in members), None)
    if user is None:  # the group holds its whole tenant: someone from elsewhere
        user = next(u for u in world.users if u.ref not in members)
    edit = ListEdit(add=((END, user.ref),))
    return ChangeSet((Patch("groups", group.ref, edit=(("members", edit),)),))


def guest_invited(world: World, rng: random.Random) -> ChangeSet:
    """A person of one tenant invited into another: a guest user appended, added to a group."""
    home = rng.choice(world.users)
    host = rng.choice([t for t in world.tenants if t.name != home.tenant]).name
    name = f"{home.name}-{rng.randrange(10**9)}#ext"
    guest = User(
        tenant=host,
        name=name,
        id=f"bench-{name}",
        user_principal_name=f"{name}@{host}.example",
        mail=home.mail,
        user_type=UserType.GUEST,
        external_user_state=ExternalUserState.ACCEPTED,
        guest_of=home.ref,
    )
    changes: list[Any] = [Add("users", guest)]
    groups = [g for g in world.groups if g.tenant == host]
    if groups:
        edit = ListEdit(add=((END, guest.ref),))
        changes.append(Patch("groups", rng.choice(groups).ref, edit=(("members", edit),)))
    return ChangeSet(tuple(changes))


def partner_changed(world: World, rng: random.Random) -> ChangeSet:
    """One partner's inbound trust flipped (MFA accepted or not), as the diff says it."""
    tenants = [t for t in world.tenants if t.cross_tenant_access.partners]
    tenant = rng.choice(tenants)
    policy = tenant.cross_tenant_access
    i = rng.randrange(len(policy.partners))
    partner = policy.partners[i]
    trust = partner.inbound_trust or InboundTrust()
    flipped = replace(
        partner, inbound_trust=replace(trust, is_mfa_accepted=not trust.is_mfa_accepted)
    )
    partners = (*policy.partners[:i], flipped, *policy.partners[i + 1 :])
    changed = replace(tenant, cross_tenant_access=replace(policy, partners=partners))
    tenants_after = tuple(changed if t is tenant else t for t in world.tenants)
    return diff_worlds(world, replace(world, tenants=tenants_after))


def assignment_removed(world: World, rng: random.Random) -> ChangeSet:
    a = rng.choice(world.assignments)
    return ChangeSet((Remove("assignments", (a.principal, a.app, a.app_role_id)),))


def collector_diff(world: World, rng: random.Random) -> ChangeSet:
    """The diff to a World where 0.1% of users, groups and assignments differ: users disabled
    or re-enabled, a few removed and a few appended, group members added and dropped,
    assignments removed and appended."""
    share = 0.001
    users = list(world.users)
    for i in rng.sample(range(len(users)), max(1, int(len(users) * share))):
        users[i] = replace(users[i], account_enabled=not users[i].account_enabled)
    homes = {u.guest_of or u.synced_from for u in users}
    gone = {u.ref for u in rng.sample(users, 20) if u.ref not in homes}
    users = [u for u in users if u.ref not in gone]
    for j in range(20):
        t = rng.choice(world.tenants).name
        name = f"new-{rng.randrange(10**9)}-{j}"
        users.append(User(tenant=t, name=name, id=f"bench-{name}", user_principal_name=name))
    groups = list(world.groups)
    refs = [u.ref for u in users]
    for i in rng.sample(range(len(groups)), max(1, int(len(groups) * share))):
        g = groups[i]
        members = [m for m in g.members if m not in gone]
        if members and rng.random() < 0.5:
            members.pop(rng.randrange(len(members)))
        else:
            members.append(rng.choice(refs))
        groups[i] = replace(g, members=tuple(dict.fromkeys(members)))
    assignments = [a for a in world.assignments if a.principal not in gone]
    n = max(1, int(len(assignments) * share))
    for i in sorted(rng.sample(range(len(assignments)), n), reverse=True):
        del assignments[i]
    apps = [a.ref for a in world.apps]
    assignments += [
        AppRoleAssignment(principal=rng.choice(refs), app=rng.choice(apps)) for _ in range(n)
    ]
    target = replace(
        world,
        users=tuple(users),
        groups=tuple(groups),
        assignments=tuple(dict.fromkeys(assignments)),
    )
    return diff_worlds(world, target)


CASES: dict[str, tuple[Maker, int]] = {  # name -> (change maker, share of --repeats)
    "member added to a large group": (member_added, 1),
    "guest invited (user + group member)": (guest_invited, 1),
    "partner section changed": (partner_changed, 1),
    "app assignment removed": (assignment_removed, 1),
    "0.1% collector diff": (collector_diff, 4),  # fewer repeats: each diff is large
}


def _spot_check(ix: WorldIndex, rng: random.Random, pairs: int = 300) -> bool:
    """Sampled verdicts of the evolved index equal those of a fresh build."""
    fresh = WorldIndex(ix.world, closures=False)
    users = rng.sample(ix.world.users, min(pairs, len(ix.world.users)))
    resources = [a.ref for a in ix.world.apps]
    return all(
        check(ix, u.ref, r) == check(fresh, u.ref, r)
        for u in users
        for r in [rng.choice(resources)]
    )


def run(scale: str, seed: int, repeats: int, cache: Path) -> dict[str, Any]:
    out: dict[str, Any] = {"scale": scale, "seed": seed, "environment": environment()}
    world, out["world_s"] = cached_world(scale, seed, cache)
    out["counts"] = world.counts().as_dict()
    for family in ("tenants", "users", "groups", "assignments"):
        keyed(world, family)  # a writer's lookups, carried from World to World
    gc.collect()
    gc.freeze()
    builds = []
    ix = WorldIndex(world)
    for _ in range(3):
        ix, seconds = timed(lambda: WorldIndex(world))
        builds.append(seconds)
    build = sorted(builds)[1]
    out["build_s"] = [round(s, 3) for s in builds]
    rng = random.Random(seed)
    first: dict[str, float] = {}
    for name, maker in (("guest invited", guest_invited), ("member added", member_added)):
        changes = maker(world, rng)
        after = apply_changes(world, changes)
        ix, seconds = timed(partial(evolve_index, ix, changes, after))
        first[name] = round(seconds * 1e3, 1)
        world = after
    out["first_change_ms"] = first
    cases: dict[str, Any] = {}
    for name, (maker, share) in CASES.items():
        evolve, apply, sizes = [], [], []
        for _ in range(max(2, repeats // share)):
            changes = maker(world, rng)
            after, apply_s = timed(partial(apply_changes, world, changes))
            ix, seconds = timed(partial(evolve_index, ix, changes, after))
            evolve.append(seconds)
            apply.append(apply_s)
            sizes.append(len(changes))
            world = after
        stats = percentiles(evolve)
        cases[name] = {
            "evolve": stats,
            "apply": percentiles(apply),
            "changes_per_set": round(sum(sizes) / len(sizes), 1),
            "ratio_build_over_p50": round(build / (stats["p50_us"] / 1e6), 1),
        }
        print(
            f"{name}: evolve p50 {stats['p50_us'] / 1e3:.2f} ms, p99 "
            f"{stats['p99_us'] / 1e3:.2f} ms; build {build:.2f} s",
            flush=True,
        )
    out["cases"] = cases
    out["spot_check_equal"] = _spot_check(ix, rng)
    out["load_end"] = [round(x, 2) for x in os.getloadavg()]
    return out


def render(data: dict[str, Any]) -> str:
    """The Markdown rows of this run for `bench/RESULTS.md`."""
    build = sorted(data["build_s"])[1]
    lines = [
        f"Scale {data['scale']} ({data['counts']['users']:,} users, "
        f"{data['counts']['groups']:,} groups): `WorldIndex(world)` {build:.2f} s (median of 3: "
        f"{', '.join(f'{s:.2f}' for s in data['build_s'])}); first change after a build "
        f"(builds the orders it keeps): guest invited {data['first_change_ms']['guest invited']}"
        f" ms, member added {data['first_change_ms']['member added']} ms; spot check against a "
        f"fresh build: {'equal' if data['spot_check_equal'] else 'DIFFERENT'}; load at end "
        f"{data['load_end']}.",
        "",
        "| case | changes | n | evolve p50 ms | p95 ms | p99 ms | max ms | build / p50 | "
        "apply p50 ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, c in data["cases"].items():
        e = c["evolve"]
        lines.append(
            f"| {name} | {c['changes_per_set']} | {e['n']} | {e['p50_us'] / 1e3:.2f} | "
            f"{e['p95_us'] / 1e3:.2f} | {e['p99_us'] / 1e3:.2f} | {e['max_us'] / 1e3:.2f} | "
            f"{c['ratio_build_over_p50']:,.0f}x | {c['apply']['p50_us'] / 1e3:.2f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.probe_index_update")
    parser.add_argument("scale")
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeats", type=int, default=40)
    default_cache = (
        Path(os.environ.get("TMPDIR", tempfile.gettempdir())) / "tenantgraph-bench-worlds"
    )
    parser.add_argument("--cache", type=Path, default=default_cache)
    args = parser.parse_args(argv)
    data = run(args.scale, args.seed, args.repeats, args.cache)
    args.out.write_text(json.dumps(data, indent=2), encoding="utf-8")
    print(render(data))
    return 0 if data["spot_check_equal"] else 1


if __name__ == "__main__":
    sys.exit(main())
