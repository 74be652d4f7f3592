"""Pass 2, part 2: groups, apps, app role assignments, teams and channels.

Names are handed out per tenant in a fixed order (users, groups, apps, teams, then groups that
back a team) so teams keep their own display names. A team *is* a Microsoft 365 group in Graph;
the model keeps them apart, so a team-backed group becomes a model group too only when something
refers to it as a group (a membership, an app assignment, a policy target, an access package).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graphmodel.ingest.graph_export.handles import HandleSpace
from graphmodel.ingest.graph_export.link import Linker
from graphmodel.ingest.graph_export.records import ChannelRec, TeamRec, TenantData
from graphmodel.schema.builtin import builtin_for_app_id
from graphmodel.schema.entities import App, AppRoleAssignment, Channel, Group, Team
from graphmodel.schema.enums import MembershipType, TargetType
from graphmodel.schema.ids import derive_id
from graphmodel.schema.xtap import B2BSetting

__all__ = ["Directory", "build_directory"]


@dataclass(slots=True)
class Directory:
    groups: list[Group] = field(default_factory=list)
    apps: list[App] = field(default_factory=list)
    assignments: list[AppRoleAssignment] = field(default_factory=list)
    teams: list[Team] = field(default_factory=list)
    channels: list[Channel] = field(default_factory=list)


def build_directory(lk: Linker) -> Directory:
    out = Directory()
    referenced = _referenced_groups(lk.data)
    registered: set[str] = set()  # refs of apps made from a registration in their tenant
    for d in lk.data:
        tenant = lk.name_of(d)
        team_ids = {t.id for t in d.teams}
        space = lk.spaces[tenant]
        late = []
        for g in d.groups.values():
            if g.team_backed and g.id in team_ids:
                if g.id in referenced:
                    late.append(g)
                continue
            lk.group_ref[(tenant, g.id)] = f"{tenant}/{space.claim(g.display, fallback=g.id)}"
        out.apps.extend(_apps(lk, d, tenant, registered))
        for t in d.teams:
            group = d.groups.get(t.id)
            name = space.claim(t.display, group.display if group else None, fallback=t.id)
            lk.team_ref[(tenant, t.id)] = f"{tenant}/{name}"
        for g in late:
            lk.group_ref[(tenant, g.id)] = f"{tenant}/{space.claim(g.display, fallback=g.id)}"
    _instances(lk, out.apps, registered)
    for d in lk.data:
        out.groups.extend(_groups(lk, d))
        out.assignments.extend(_assignments(lk, d))
    incoming: dict[tuple[str, str], tuple[ChannelRec, list[str]]] = {}
    for d in lk.data:
        for t in d.teams:
            team, channels = _team(lk, d, t, incoming)
            out.teams.append(team)
            out.channels.extend(channels)
    out.channels.extend(_incoming(lk, incoming))
    return out


def _referenced_groups(data: list[TenantData]) -> set[str]:
    found: set[str] = set()
    for d in data:
        for members in d.members.values():
            found.update(m.id for m in members if m.kind in (None, "group"))
        found.update(a.principal_id for a in d.assignments if a.principal_type != "User")
        for ca in d.ca:
            found.update(ca.include_groups + ca.exclude_groups)
        for pkg in d.packages:
            found.update(origin for _, system, origin in pkg.resources if system == "AadGroup")
        dflt = d.xtap.default
        settings: list[B2BSetting | None] = [
            dflt.b2b_collaboration_inbound, dflt.b2b_collaboration_outbound,
            dflt.b2b_direct_connect_inbound, dflt.b2b_direct_connect_outbound]
        for p in d.xtap.partners:
            settings += [p.b2b_collaboration_inbound, p.b2b_collaboration_outbound,
                         p.b2b_direct_connect_inbound, p.b2b_direct_connect_outbound]
        for s in settings:
            if s is not None:
                found.update(t.target for t in s.users_and_groups.targets
                             if t.target_type is TargetType.GROUP)
    return found


def _groups(lk: Linker, d: TenantData) -> list[Group]:
    tenant = lk.name_of(d)
    out: list[Group] = []
    for g in d.groups.values():
        ref = lk.group_ref.get((tenant, g.id))
        if ref is None:
            continue
        members: list[str] = []
        for m in d.members.get(g.id, ()):
            found = None
            if m.kind in (None, "user"):
                found = lk.user_ref.get((tenant, m.id))
            if found is None and m.kind in (None, "group"):
                found = lk.group_ref.get((tenant, m.id))
            if found is None and m.kind not in (None, "user", "group"):
                m.at.warn("not-modelled", f"a `{m.kind}` member of group `{ref}` is not modelled "
                          "and is left out")
            elif found is None:
                m.at.warn("unknown-reference", f"member `{m.id}` of group `{ref}` is not a user "
                          "or group of this tenant and is left out", "id")
            elif found != ref and found not in members:
                members.append(found)
        out.append(Group(tenant=tenant, name=ref.split("/", 1)[1], id=g.id,
                         members=tuple(members)))
    return out


def _apps(lk: Linker, d: TenantData, tenant: str, registered: set[str]) -> list[App]:
    space = lk.spaces[tenant]
    regs = {r.app_id: r for r in d.registrations}
    out: list[App] = []
    for sp in d.sps.values():
        reg = regs.pop(sp.app_id, None)
        name = space.claim(sp.display, fallback=sp.id)
        app = App(
            tenant=tenant,
            name=name,
            id=sp.id,
            app_id=sp.app_id,
            builtin=builtin_for_app_id(sp.app_id),
            sign_in_audience=reg.audience if reg is not None else None,
            app_role_assignment_required=sp.required,
            account_enabled=sp.enabled,
        )
        out.append(app)
        if reg is not None:
            registered.add(app.ref)
    for reg in regs.values():
        reg.at.warn("missing-object", f"registration `{reg.display or reg.app_id}` has no service "
                    "principal in `servicePrincipals`; one is assumed, as every registration has "
                    "one in its own tenant")
        name = space.claim(reg.display, fallback=reg.id)
        app = App(tenant=tenant, name=name, id=reg.id, app_id=reg.app_id,
                  builtin=builtin_for_app_id(reg.app_id), sign_in_audience=reg.audience)
        out.append(app)
        registered.add(app.ref)
    for app in out:
        lk.app_ref[(tenant, app.id)] = app.ref
        lk.app_by_app_id.setdefault((tenant, app.app_id), app.ref)
    for at, client, resource in d.grants:
        for key, value in (("clientId", client), ("resourceId", resource)):
            if value is not None and (tenant, value) not in lk.app_ref:
                at.warn("unknown-reference", f"delegated grant names service principal `{value}`, "
                        "which is not in `servicePrincipals`", key)
    return out


def _instances(lk: Linker, apps: list[App], registered: set[str]) -> None:
    """Link service principals of other tenants' multitenant registrations (`instanceOf`)."""
    owners = {(sp.id, lk.name_of(d)): sp.owner for d in lk.data for sp in d.sps.values()}
    for i, app in enumerate(apps):
        owner_id = owners.get((app.id, app.tenant))
        if app.ref in registered or owner_id is None:
            continue
        owner = lk.tenant_by_id.get(owner_id)
        if owner is None or owner == app.tenant or lk.is_placeholder(owner):
            continue
        reg = lk.app_by_app_id.get((owner, app.app_id))
        if reg is not None and reg in registered:
            apps[i] = App(tenant=app.tenant, name=app.name, id=app.id, app_id=app.app_id,
                          builtin=app.builtin, sign_in_audience=None,
                          app_role_assignment_required=app.app_role_assignment_required,
                          account_enabled=app.account_enabled, instance_of=reg)


def _assignments(lk: Linker, d: TenantData) -> list[AppRoleAssignment]:
    tenant = lk.name_of(d)
    out: list[AppRoleAssignment] = []
    for a in d.assignments:
        app = lk.app_ref.get((tenant, a.resource_id))
        if app is None:
            a.at.warn("unknown-reference", f"app role assignment on `{a.resource_id}`, which is "
                      "not in `servicePrincipals`, is left out", "resourceId")
            continue
        if a.principal_type == "ServicePrincipal":
            a.at.warn("not-modelled", f"application permission of service principal "
                      f"`{a.principal_id}` on `{app}` is not modelled", "principalType")
            continue
        principal = lk.user_ref.get((tenant, a.principal_id)) or lk.group_ref.get(
            (tenant, a.principal_id)
        )
        if principal is None:
            a.at.warn("unknown-reference", f"assignment principal `{a.principal_id}` is not a "
                      f"user or group of `{tenant}`, so its assignment to `{app}` is left out",
                      "principalId")
            continue
        out.append(AppRoleAssignment(principal=principal, app=app, app_role_id=a.role_id))
    return out


def _team(
    lk: Linker,
    d: TenantData,
    t: TeamRec,
    incoming: dict[tuple[str, str], tuple[ChannelRec, list[str]]],
) -> tuple[Team, list[Channel]]:
    tenant = lk.name_of(d)
    ref = lk.team_ref[(tenant, t.id)]
    members: list[str] = []
    for m in t.members or ():
        found = lk.resolve_member(tenant, d.tenant_id, m.user_id, m.tenant_id or d.tenant_id,
                                  m.email, m.display, m.at)
        if found is not None and found not in members:
            members.append(found)
    name = ref.split("/", 1)[1]
    team = Team(tenant=tenant, name=name, id=t.id, members=tuple(members))
    space = HandleSpace()
    channels: list[Channel] = []
    for c in t.channels:
        if c.tenant_id is not None and c.tenant_id != d.tenant_id:
            host = lk.tenant_by_id.get(c.tenant_id)
            if host is None or lk.is_placeholder(host):
                entry = incoming.setdefault((c.tenant_id, c.id), (c, []))
                entry[1].append(ref)
            continue  # an imported host tenant lists its own channel
        channels.append(_channel(lk, d, (tenant, name, t.id), c, space))
    return team, channels


def _channel(
    lk: Linker, d: TenantData, owner: tuple[str, str, str], c: ChannelRec, space: HandleSpace
) -> Channel:
    tenant, team, team_id = owner
    ref = f"{tenant}/{team}"
    kind = c.kind
    if kind is None:
        c.at.warn("missing-property", f"channel `{c.display or c.id}` has no known "
                  "`membershipType`; it is treated as a standard channel", "membershipType")
        kind = MembershipType.STANDARD
    members: list[str] = []
    if kind is not MembershipType.STANDARD:
        if c.members is None:
            c.at.warn("missing-file", f"{kind} channel `{c.display or c.id}` has no `members.json`"
                      ", so its members are unknown")
        for m in c.members or ():
            found = lk.resolve_member(tenant, d.tenant_id, m.user_id, m.tenant_id, m.email,
                                      m.display, m.at)
            if found is not None and found not in members:
                members.append(found)
    shared: list[str] = []
    for s in c.shared:
        if s.team_id == team_id:
            continue  # the host team itself (`isHostTeam`)
        home = lk.tenant_by_id.get((s.tenant_id or d.tenant_id).lower())
        if home is not None and not lk.is_placeholder(home):
            found = lk.team_ref.get((home, s.team_id))
            if found is None:
                s.at.warn("unknown-reference", f"shared-with team `{s.display or s.team_id}` is "
                          f"not a team of imported tenant `{home}`", "id")
        else:
            home = lk.tenant_for_id(s.tenant_id or d.tenant_id, s.at)
            allowed = [
                lk.resolve_member(home, s.tenant_id or "", m.user_id, m.tenant_id, m.email,
                                  m.display, m.at)
                for m in s.allowed or ()
            ]
            found = lk.placeholder_team(home, s.team_id, s.display, [a for a in allowed if a])
        if found is not None and found != ref and found not in shared:
            shared.append(found)
    return Channel(tenant=tenant, team=team, name=space.claim(c.display, fallback=c.id), id=c.id,
                   membership_type=kind, members=tuple(members), shared_with_teams=tuple(shared))


def _incoming(
    lk: Linker, incoming: dict[tuple[str, str], tuple[ChannelRec, list[str]]]
) -> list[Channel]:
    """Channels shared into imported teams by tenants that are not imported (placeholders)."""
    out: list[Channel] = []
    spaces: dict[str, HandleSpace] = {}
    for (host_id, cid), (c, teams) in incoming.items():
        host = lk.tenant_for_id(host_id, c.at)
        team_id = c.host_team_id or derive_id("team", host_id, cid)
        team = lk.placeholder_team(host, team_id, None, [])
        name = spaces.setdefault(team, HandleSpace()).claim(c.display, fallback=cid)
        out.append(Channel(tenant=host, team=team.split("/", 1)[1], name=name, id=cid,
                           membership_type=c.kind or MembershipType.SHARED,
                           shared_with_teams=tuple(dict.fromkeys(teams))))
    return out
