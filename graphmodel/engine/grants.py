"""Grant paths inside the resource tenant: app role assignments and channel membership.

L37: with assignment required, only a direct assignment or DIRECT membership of an assigned
group counts (nested groups do not); entitlement management's delivered assignments grant the
package's app or make the user a direct member of the package's group (L20, L21). Global
Administrators are exempt from assignment. L25: channel membership by membership type.
"""

from __future__ import annotations

from graphmodel.engine.index import WorldIndex
from graphmodel.schema.entities import App, Channel, User
from graphmodel.schema.enums import DirectoryRole, MembershipType
from graphmodel.schema.kinds import EdgeKind
from graphmodel.schema.rules import rule_source
from graphmodel.schema.verdict import Hop

__all__ = ["app_grant_hops", "channel_grant_hops", "hop", "shared_team_hops"]


def hop(source: str, target: str, edge: EdgeKind, rule: str, policy: str | None = None) -> Hop:
    return Hop(
        source=source,
        target=target,
        edge=edge,
        rule=rule,
        policy=policy,
        source_url=rule_source(rule),
    )


def app_grant_hops(ix: WorldIndex, subject: User, principal: User, app: App) -> list[list[Hop]]:
    """Every way `subject` (the object signing in) holds `app`, as hop lists from `subject`.

    An empty list means: assignment is required and nothing grants it.
    """
    s, a = subject.ref, app.ref
    if not app.app_role_assignment_required:
        policy = f"apps[{app.name}].appRoleAssignmentRequired"
        return [[hop(s, a, EdgeKind.SIGNS_IN_TO, "L37", policy)]]
    out: list[list[Hop]] = []
    assignees = ix.assignees.get(a, [])
    if s in assignees:
        out.append([hop(s, a, EdgeKind.ASSIGNED_TO, "L37", f"apps[{app.name}].assignedTo")])
    for g in ix.direct_groups.get(s, ()):
        if g in assignees:
            out.append(
                [
                    hop(s, g, EdgeKind.MEMBER_OF, "L37", f"groups[{ix.groups[g].name}].members"),
                    hop(g, a, EdgeKind.ASSIGNED_TO, "L37", f"apps[{app.name}].assignedTo"),
                ]
            )
    for pa in ix.package_assignments.get(principal.ref, ()):
        pkg = ix.packages.get(pa.package)
        if pkg is None or pkg.tenant != app.tenant or not ix.assignment_valid(pa):
            continue
        first = hop(s, pkg.ref, EdgeKind.HAS_ASSIGNMENT, "L20", f"accessPackages[{pkg.name}]")
        for r in pkg.resources:
            if r == a:
                out.append([first, hop(pkg.ref, a, EdgeKind.GRANTS, "L20")])
            elif r in ix.groups and r in assignees:
                out.append(
                    [
                        first,
                        hop(pkg.ref, r, EdgeKind.GRANTS, "L20"),
                        hop(r, a, EdgeKind.ASSIGNED_TO, "L37", f"apps[{app.name}].assignedTo"),
                    ]
                )
    if not out and DirectoryRole.GLOBAL_ADMINISTRATOR in subject.roles:
        out.append([hop(s, a, EdgeKind.SIGNS_IN_TO, "L37", "roles[GlobalAdministrator]")])
    return out


def channel_grant_hops(ix: WorldIndex, subject: User, channel: Channel) -> list[list[Hop]]:
    """L25: how a user object of the host tenant is a member of `channel` (standard: the team)."""
    s, c = subject.ref, channel.ref
    if channel.membership_type == MembershipType.STANDARD:
        if s in ix.team_members.get(channel.team_ref, frozenset()):
            return [
                [
                    hop(s, channel.team_ref, EdgeKind.TEAM_MEMBER, "L25"),
                    hop(channel.team_ref, c, EdgeKind.CHANNEL_OF, "L25"),
                ]
            ]
        return []
    out: list[list[Hop]] = []
    if s in channel.members:
        out.append([hop(s, c, EdgeKind.CHANNEL_MEMBER, "L25", f"channels[{channel.name}].members")])
    if channel.membership_type == MembershipType.SHARED:
        out.extend(shared_team_hops(ix, s, channel))
    return out


def shared_team_hops(ix: WorldIndex, member_ref: str, channel: Channel) -> list[list[Hop]]:
    """Membership through a team the shared channel is shared with (any tenant)."""
    out: list[list[Hop]] = []
    for team in channel.shared_with_teams:
        if member_ref in ix.team_members.get(team, frozenset()):
            out.append(
                [
                    hop(member_ref, team, EdgeKind.TEAM_MEMBER, "L25"),
                    hop(team, channel.ref, EdgeKind.SHARED_WITH_TEAM, "L25"),
                ]
            )
    return out
