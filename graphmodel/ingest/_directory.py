"""Pass 2 for directory objects: groups, apps (with assignments), teams and channels.

The world format is terse on purpose; this module fills in what Microsoft Graph would hold for
each object — ids, application ids shared between a registration and the service principals
consent created from it, assignments, channel membership — so the engine never has to guess.
Every reference must resolve; each one that does not is an issue.
"""

from __future__ import annotations

from graphmodel.ingest._fields import Collector
from graphmodel.ingest._index import Named, NameIndex, TenantEntry, object_id
from graphmodel.ingest.yamlsource import Loc
from graphmodel.schema.entities import App, AppRoleAssignment, Channel, Group, Team
from graphmodel.schema.enums import (
    BuiltinApp,
    MembershipType,
    SignInAudience,
)
from graphmodel.schema.ids import derive_id

__all__ = ["build_apps", "build_groups", "build_teams"]

GROUP_FIELDS = ("name", "members")
APP_FIELDS = (
    "name",
    "builtin",
    "signInAudience",
    "instanceOf",
    "assignmentRequired",
    "assignedTo",
    "accountEnabled",
)
TEAM_FIELDS = ("name", "members", "channels")
CHANNEL_FIELDS = ("name", "membershipType", "members", "sharedWithTeams")


def build_groups(c: Collector, index: NameIndex, tenant: TenantEntry) -> list[Group]:
    """Groups with direct members in file order (nesting is kept, never flattened: L37)."""
    out: list[Group] = []
    for named in tenant.objects["group"].values():
        m = c.mapping(named.raw, named.loc, what="group", fields=GROUP_FIELDS)
        if m is None:
            continue
        members: dict[str, None] = {}  # an ordered set: big groups stay linear
        loc = (*named.loc, "members")
        for item_loc, text in c.texts(m.get("members"), loc, what="members"):
            found = index.local_ref(c, tenant, text, item_loc, kinds=("user", "group"))
            if found is None:
                continue
            if found[1] == f"{tenant.name}/{named.name}":
                c.error("invalid-reference", item_loc, "a group cannot be a member of itself")
            elif found[1] in members:
                c.error("duplicate-value", item_loc, f"`{text}` is listed twice in `members`")
            else:
                members[found[1]] = None
        out.append(
            Group(
                tenant=tenant.name,
                name=named.name,
                id=object_id("group", tenant.name, named.name),
                members=tuple(members),
            )
        )
    return out


def build_apps(
    c: Collector, index: NameIndex, tenant: TenantEntry
) -> tuple[list[App], list[AppRoleAssignment]]:
    """Service principals with their app ids, and `assignedTo` as app role assignments."""
    apps: list[App] = []
    assignments: list[AppRoleAssignment] = []
    app_ids: dict[str, str] = {}
    for named in tenant.objects["app"].values():
        loc = named.loc
        m = c.mapping(named.raw, loc, what="app", fields=APP_FIELDS)
        if m is None:
            continue
        builtin = (
            c.choice(m["builtin"], (*loc, "builtin"), BuiltinApp, what="builtin")
            if m.get("builtin") is not None
            else None
        )
        audience = (
            c.choice(
                m["signInAudience"], (*loc, "signInAudience"), SignInAudience, what="signInAudience"
            )
            if m.get("signInAudience") is not None
            else None
        )
        instance_of = _instance_of(c, index, tenant, m, loc)
        app_id = index.app_id(tenant, named)
        if app_id in app_ids:
            c.error(
                "duplicate-id",
                loc,
                f"`{named.name}` and `{app_ids[app_id]}` are the same application (`{app_id}`); "
                "a tenant holds one service principal per application",
            )
        app_ids.setdefault(app_id, named.name)
        ref = f"{tenant.name}/{named.name}"
        seen: set[str] = set()
        for item_loc, text in c.texts(m.get("assignedTo"), (*loc, "assignedTo"), what="assignedTo"):
            found = index.local_ref(c, tenant, text, item_loc, kinds=("user", "group"))
            if found is not None and found[1] not in seen:
                seen.add(found[1])
                assignments.append(AppRoleAssignment(principal=found[1], app=ref))
        apps.append(
            App(
                tenant=tenant.name,
                name=named.name,
                id=object_id("app", tenant.name, named.name),
                app_id=app_id,
                builtin=builtin,
                sign_in_audience=audience,
                app_role_assignment_required=c.flag(m, "assignmentRequired", loc, default=False),
                account_enabled=c.flag(m, "accountEnabled", loc, default=True),
                instance_of=instance_of,
            )
        )
    return apps, assignments


def _instance_of(
    c: Collector, index: NameIndex, tenant: TenantEntry, m: dict[str, object], loc: Loc
) -> str | None:
    """The multitenant registration a service principal was created from (by consent)."""
    if m.get("instanceOf") is None:
        return None
    for other in ("builtin", "signInAudience"):
        if m.get(other) is not None:
            c.error(
                "conflicting-fields",
                (*loc, other),
                f"`{other}` belongs to the registration, not to a service principal with "
                "`instanceOf`",
            )
    loc = (*loc, "instanceOf")
    ref = c.text(m["instanceOf"], loc, what="instanceOf")
    if ref is None:
        return None
    found = index.lookup(ref)
    if found is None or found[1] != "app":
        if found is None:
            index.unknown(c, loc, ref, "an app")
        else:
            c.error("invalid-reference", loc, f"`{ref}` is {index.describe(ref)}, not an app")
        return None
    owner, _, registration = found
    if owner is tenant:
        c.error(
            "invalid-reference",
            loc,
            f"`{ref}` is registered in this tenant, which already holds its service principal",
        )
        return None
    audience = registration.raw.get("signInAudience")
    if audience is None or audience == SignInAudience.AZURE_AD_MY_ORG.value:
        why = "has no `signInAudience`" if audience is None else f"is `{audience}`"
        c.error(
            "instance-of-single-tenant-app",
            loc,
            f"`{ref}` is not a multitenant app registration (its `signInAudience` {why}), so no "
            "other tenant can hold a service principal of it",
        )
        return None
    return ref


def build_teams(
    c: Collector, index: NameIndex, tenant: TenantEntry
) -> tuple[list[Team], list[Channel]]:
    """Teams and their channels; channel members may be external users only in shared channels."""
    teams: list[Team] = []
    channels: list[Channel] = []
    for named in tenant.objects["team"].values():
        m = c.mapping(named.raw, named.loc, what="team", fields=TEAM_FIELDS)
        if m is None:
            continue
        members: dict[str, None] = {}
        loc = (*named.loc, "members")
        for item_loc, text in c.texts(m.get("members"), loc, what="members"):
            found = index.local_ref(c, tenant, text, item_loc, kinds=("user",))
            if found is not None:
                members.setdefault(found[1])
        teams.append(
            Team(
                tenant=tenant.name,
                name=named.name,
                id=object_id("team", tenant.name, named.name),
                members=tuple(members),
            )
        )
        for channel in tenant.channels[named.name].values():
            built = _channel(c, index, tenant, named.name, channel)
            if built is not None:
                channels.append(built)
    return teams, channels


def _channel(
    c: Collector, index: NameIndex, tenant: TenantEntry, team: str, named: Named
) -> Channel | None:
    loc = named.loc
    m = c.mapping(named.raw, loc, what="channel", fields=CHANNEL_FIELDS)
    if m is None:  # pragma: no cover - pass 1 keeps mappings only
        return None
    kind = c.field_choice(m, "membershipType", loc, MembershipType, default=MembershipType.STANDARD)
    shared = kind is MembershipType.SHARED
    if kind is MembershipType.STANDARD and m.get("members") is not None:
        c.warn(
            "standard-channel-members",
            (*loc, "members"),
            "a standard channel has its team's members, so `members` is ignored; set "
            "`membershipType: private` or `shared` to give it its own",
        )
    members: dict[str, None] = {}
    for item_loc, text in c.texts(m.get("members"), (*loc, "members"), what="members"):
        owner = text.partition("/")[0] if "/" in text else tenant.name
        if owner == tenant.name:
            found = index.local_ref(c, tenant, text, item_loc, kinds=("user",))
            ref = found[1] if found else None
        else:
            ref = index.user_ref(c, item_loc, text)
            if ref is not None and not shared:
                c.error(
                    "invalid-value",
                    item_loc,
                    f"`{text}` is in another tenant; only a shared channel has external members",
                )
        if ref is not None:
            members.setdefault(ref)
    teams: dict[str, None] = {}
    loc_shared = (*loc, "sharedWithTeams")
    if m.get("sharedWithTeams") is not None and not shared:
        c.error(
            "invalid-value",
            loc_shared,
            "only a shared channel can be shared with other teams; set `membershipType: shared`",
        )
    for item_loc, text in c.texts(m.get("sharedWithTeams"), loc_shared, what="sharedWithTeams"):
        team_ref = text if "/" in text else f"{tenant.name}/{text}"
        team_found = index.lookup(team_ref)
        if team_found is None:
            index.unknown(c, item_loc, team_ref, "a team")
        elif team_found[1] != "team":
            c.error(
                "invalid-reference",
                item_loc,
                f"`{team_ref}` is {index.describe(team_ref)}, not a team",
            )
        else:
            teams.setdefault(team_ref)
    return Channel(
        tenant=tenant.name,
        team=team,
        name=named.name,
        id=derive_id("channel", tenant.name, team, named.name),
        membership_type=kind,
        members=tuple(members),
        shared_with_teams=tuple(teams),
    )
