"""Groups, apps (with assignments) and Teams of a generated world.

Why these shapes: groups nest up to four levels with diamonds (two parents sharing an
ancestor), because closure cost and path explosion for the naive baseline come from there; apps
mix "assignment required" (only direct assignment or direct membership counts, L37 — nested
groups are a deliberate trap) with open apps; the largest tenant holds an open `intranet` app
(the widest who-can-access) and an `hr` app assigned to its all-members group. Shared channels
have external members and are shared with partner teams (direct connect).
"""

from __future__ import annotations

import random

from bench._people import Draft, Gen, TenantDraft
from graphmodel.schema import (
    App,
    AppRoleAssignment,
    BuiltinApp,
    Channel,
    Group,
    MembershipType,
    SignInAudience,
    Team,
    TenantType,
)
from graphmodel.schema.builtin import BUILTIN_APP_IDS
from graphmodel.schema.ids import derive_id

__all__ = ["make_apps", "make_groups", "make_teams"]

_LEVEL_SHARES = (0.6, 0.25, 0.1, 0.05)


def _levels(n: int) -> list[int]:
    if n < 4:
        return [n, 0, 0, 0]
    sizes = [max(1, int(n * s)) for s in _LEVEL_SHARES]
    sizes[0] = n - sum(sizes[1:])
    return sizes


def _group(t: TenantDraft, name: str, members: list[str]) -> Group:
    ref = f"{t.name}/{name}"
    gid = derive_id("group", t.name, name)
    t.group_ids[ref] = gid
    return Group(tenant=t.name, name=name, id=gid, members=tuple(dict.fromkeys(members)))


def make_groups(gen: Gen, draft: Draft) -> None:
    """Leaf groups hold users (1-4 each), upper levels hold groups; one all-members group."""
    rng = gen.rng
    rand = rng.random
    total = sum(len(t.members) for t in draft.tenants)
    for t in draft.tenants:
        n = max(1, round(gen.groups * len(t.members) / total))
        has_all = len(t.members) >= 100
        sizes = _levels(n - 1 if has_all and n > 1 else n)
        names = [[f"grp{lvl}-{j}" for j in range(size)] for lvl, size in enumerate(sizes)]
        children: dict[str, list[str]] = {name: [] for level in names for name in level}
        member_refs = [f"{t.name}/{u.name}" for u in t.members]
        leaves = names[0]
        n0 = len(leaves)
        for ref in member_refs:
            for _ in range(1 + int(rand() * rand() * 4)):
                children[leaves[int(rand() * n0)]].append(ref)
        for u in t.externals:
            if rand() < 0.3:
                children[leaves[int(rand() * n0)]].append(f"{t.name}/{u.name}")
        for lvl in range(3):
            parents = names[lvl + 1]
            if not parents:
                break
            for name in names[lvl]:
                ref = f"{t.name}/{name}"
                if rand() < 0.8:
                    first = rng.choice(parents)
                    children[first].append(ref)
                    if rand() < 0.15:
                        second = rng.choice(parents)
                        if second != first:  # a diamond when both share an ancestor
                            children[second].append(ref)
        for name in names[1]:
            if rand() < 0.3:
                children[name][:0] = rng.sample(
                    member_refs, min(len(member_refs), 1 + int(rand() * 5))
                )
        for level in names:
            for name in level:
                t.groups.append(_group(t, name, children[name]))
        t.leaf_groups = [f"{t.name}/{name}" for name in leaves]
        if has_all:
            t.groups.append(_group(t, "all-members", member_refs))


def _app(t: TenantDraft, name: str, **kw: object) -> App:
    app_id = kw.pop("app_id", None) or derive_id("appId", t.name, name)
    return App(
        tenant=t.name,
        name=name,
        id=derive_id("app", t.name, name),
        app_id=str(app_id),
        **kw,  # type: ignore[arg-type]
    )


def _assign(rng: random.Random, t: TenantDraft, app: App) -> None:
    groups = t.groups
    for _ in range(1 + int(rng.random() * 3)):
        g = groups[int(rng.random() * len(groups))]
        t.assignments.append(AppRoleAssignment(principal=g.ref, app=app.ref))
    if rng.random() < 0.4:
        for _ in range(1 + int(rng.random() * 5)):
            pool = t.externals if t.externals and rng.random() < 0.2 else t.members
            u = pool[int(rng.random() * len(pool))]
            t.assignments.append(AppRoleAssignment(principal=u.ref, app=app.ref))


def make_apps(gen: Gen, draft: Draft) -> None:
    """Built-in Teams (and SharePoint), line-of-business apps, multitenant registrations + SPs."""
    rng = gen.rng
    workforce = [t for t in draft.tenants if t.type == TenantType.WORKFORCE]
    weights = [len(t.members) ** 0.85 for t in draft.tenants]
    budget = gen.apps * 0.97
    total_w = sum(weights)
    for t, w in zip(draft.tenants, weights, strict=True):
        n = max(1, round(budget * w / total_w))
        if t.type == TenantType.B2C:
            t.apps.append(_app(t, "storefront"))
            continue
        t.apps.append(
            _app(t, "teams", builtin=BuiltinApp.TEAMS, app_id=BUILTIN_APP_IDS[BuiltinApp.TEAMS])
        )
        if n >= 3:
            sp = BUILTIN_APP_IDS[BuiltinApp.SHAREPOINT]
            t.apps.append(_app(t, "sharepoint", builtin=BuiltinApp.SHAREPOINT, app_id=sp))
        if t.index == 0:
            t.apps.append(_app(t, "intranet"))
            hr = _app(t, "hr", app_role_assignment_required=True)
            t.apps.append(hr)
            t.assignments.append(AppRoleAssignment(principal=f"{t.name}/all-members", app=hr.ref))
        for j in range(max(0, n - len(t.apps))):
            required = rng.random() < 0.55
            app = _app(
                t,
                f"app{j}",
                app_role_assignment_required=required,
                account_enabled=rng.random() >= 0.02,
            )
            t.apps.append(app)
            if required:
                _assign(rng, t, app)
    for owner in workforce[1:61]:
        if rng.random() >= 0.3:
            continue
        reg = _app(owner, "saas", sign_in_audience=SignInAudience.AZURE_AD_MULTIPLE_ORGS)
        owner.apps.append(reg)
        others = [t for t in workforce if t is not owner and t.cloud == owner.cloud]
        for host in rng.sample(others, min(len(others), 1 + int(rng.random() * 12))):
            required = rng.random() < 0.3
            principal = _app(
                host,
                f"saas-{owner.name}",
                app_id=reg.app_id,
                instance_of=reg.ref,
                app_role_assignment_required=required,
            )
            host.apps.append(principal)
            if required:
                _assign(rng, host, principal)


def make_teams(gen: Gen, draft: Draft) -> None:
    """Teams of 3-30 members; standard, private and shared channels (external members)."""
    rng = gen.rng
    rand = rng.random
    tenants = draft.tenants
    for t in tenants:
        if t.type != TenantType.WORKFORCE or len(t.members) < 10:
            continue
        for j in range(max(1, len(t.members) // 120)):
            picks = rng.sample(t.members, min(len(t.members), 3 + int(rand() * 28)))
            refs = [u.ref for u in picks]
            if t.externals and rand() < 0.1:
                refs.append(rng.choice(t.externals).ref)
            t.teams.append(
                Team(
                    tenant=t.name,
                    name=f"team{j}",
                    id=derive_id("team", t.name, f"team{j}"),
                    members=tuple(dict.fromkeys(refs)),
                )
            )
    for t in tenants:
        for team in t.teams:
            _channels(rng, tenants, t, team)


def _channels(rng: random.Random, tenants: list[TenantDraft], t: TenantDraft, team: Team) -> None:
    def channel(name: str, kind: MembershipType, members: list[str], shared: list[str]) -> None:
        t.channels.append(
            Channel(
                tenant=t.name,
                team=team.name,
                name=name,
                id=derive_id("channel", t.name, team.name, name),
                membership_type=kind,
                members=tuple(dict.fromkeys(members)),
                shared_with_teams=tuple(shared),
            )
        )

    own = [m for m in team.members if not m.split("/", 1)[1].startswith(("x", "s", "o"))]
    channel("general", MembershipType.STANDARD, [], [])
    if rng.random() < 0.25:
        channel(
            "priv",
            MembershipType.PRIVATE,
            rng.sample(own, min(len(own), 2 + int(rng.random() * 4))),
            [],
        )
    partners = [tenants[i] for i in t.partners if tenants[i].type == TenantType.WORKFORCE]
    if rng.random() < 0.2 and partners:
        members = rng.sample(own, min(len(own), 1 + int(rng.random() * 3)))
        for _ in range(1 + int(rng.random() * 6)):
            p = rng.choice(partners)
            members.append(rng.choice(p.members).ref)
        shared: list[str] = []
        if rng.random() < 0.5:
            with_teams = [p for p in partners if p.teams]
            if with_teams:
                shared.append(rng.choice(rng.choice(with_teams).teams).ref)
        channel("ext", MembershipType.SHARED, members, shared)
