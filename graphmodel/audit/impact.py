"""Which (principal, resource) answers an entity change can touch: the recomputation scope.

Why: a what-if or a snapshot diff need not re-decide every principal on every resource — only
the pairs whose inputs changed. Each change maps to rectangles `resources x principals` (None =
all), read off the engine's gates (engine/check, object_route, direct_route, grants, lookup):

- a tenant's settings (cross-tenant access default, clouds, collaboration lists, Teams policy,
  entitlement settings, type) are read when it is the resource tenant (inbound, trust, CA,
  redemption, lifecycle) and when it is the principal's home (outbound, Teams participation),
  so: every resource of the tenant for everyone, and every resource for its own principals —
  cross-tenant access defaults and cloud lists only for principals homed in another tenant
  than the resource (R1); a partner entry of T for P only between T and P: T's resources for
  P's principals and P's resources for T's principals;
- an account (user object) is read only for the person it is or stands for: every resource,
  for that home identity (and the object itself, which names the person when the home is gone);
- a group is read for its transitive members (home-side targeting R5, CA include/exclude,
  assignment L37): every resource, for every user under it on either side;
- an app, an app role assignment: that app, its registration and its service principals — and
  every channel of the tenant when it is the Teams app (a channel's app for settings and CA);
- a team or channel: its channels and the channels shared with the team;
- a Conditional Access policy or connected organization: every resource of its tenant;
- an access package: its tenant's resources for its assignees; a package assignment: its
  tenant's resources for the assignee (grants and the L22 lifecycle gate);
- `asOf` (expiry of everything): every pair. Invitations are not read by any gate.
The property test in tests/audit checks this table against recomputing everything.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from graphmodel.audit.worlddiff import EntityChange
from graphmodel.engine import WorldIndex
from graphmodel.schema.enums import BuiltinApp

__all__ = ["Rect", "scope_of"]


@dataclass(frozen=True, slots=True)
class Rect:
    """A set of pairs: `resources` x `principals` (None = every resource / every principal).

    `cross_tenant` keeps only pairs whose principal is homed outside the resource's tenant (the
    only pairs cross-tenant access settings and cloud settings are consulted for, R1).
    """

    resources: frozenset[str] | None
    principals: frozenset[str] | None
    cross_tenant: bool = False

    def covers(self, principal: str, resource: str) -> bool:
        if self.cross_tenant and principal.split("/", 1)[0] == resource.split("/", 1)[0]:
            return False
        return (self.resources is None or resource in self.resources) and (
            self.principals is None or principal in self.principals
        )


class _Both:
    """Lookups over the World before and after, unioned."""

    def __init__(self, before: WorldIndex, after: WorldIndex) -> None:
        self.ixs = (before, after)

    def resources_of(self, tenant: str) -> frozenset[str]:
        out: set[str] = set()
        for ix in self.ixs:
            out.update(a.ref for a in ix.world.apps if a.tenant == tenant)
            out.update(c.ref for c in ix.world.channels if c.tenant == tenant)
        return frozenset(out)

    def principals_of(self, tenant: str) -> frozenset[str]:
        return frozenset(
            u.ref
            for ix in self.ixs
            for u in ix.users_by_tenant.get(tenant, ())
            if u.home_ref is None
        )

    def person(self, ref: str) -> frozenset[str]:
        """`ref`, the identities it stands for (up its home chain) and the objects standing
        for it (down), on either side: every principal ref a change of `ref` can concern."""
        out = {ref}
        stack = [ref]
        while stack:
            current = stack.pop()
            for ix in self.ixs:
                user = ix.users.get(current)
                linked = [u.ref for u in ix.representations.get(current, {}).values()]
                if user is not None:
                    linked.append(ix.home_identity(user).ref)
                    if user.home_ref is not None:
                        linked.append(user.home_ref)
                for x in linked:
                    if x not in out:
                        out.add(x)
                        stack.append(x)
        return frozenset(out)

    def under_group(self, group: str) -> frozenset[str]:
        out: set[str] = set()
        for ix in self.ixs:
            seen: set[str] = set()
            stack = [group]
            while stack:
                g = stack.pop()
                if g in seen or g not in ix.groups:
                    continue
                seen.add(g)
                for m in ix.groups[g].members:
                    if m in ix.groups:
                        stack.append(m)
                    elif m in ix.users:
                        out.add(m)
        return frozenset(p for m in out for p in self.person(m))

    def app_family(self, app: str) -> frozenset[str]:
        out = {app}
        channels: set[str] = set()
        for ix in self.ixs:
            found = ix.apps.get(app)
            if found is None:
                continue
            if found.instance_of is not None:
                out.add(found.instance_of)
            out.update(sp.ref for sp in ix.service_principals.get(app, {}).values())
            if found.builtin == BuiltinApp.TEAMS:
                channels.update(c.ref for c in ix.world.channels if c.tenant == found.tenant)
        return frozenset(out | channels)

    def team_channels(self, team: str) -> frozenset[str]:
        out: set[str] = set()
        for ix in self.ixs:
            out.update(c.ref for c in ix.channels_of_team.get(team, ()))
            out.update(c.ref for c in ix.channels_shared_with.get(team, ()))
        return frozenset(out)

    def assignees(self, package: str) -> frozenset[str]:
        return frozenset(
            pa.target
            for ix in self.ixs
            for pa in ix.package_assignments_by_package.get(package, ())
        )


def _rects(c: EntityChange, both: _Both) -> Iterable[Rect]:
    kind = c.kind
    if kind == "crossTenantAccess" and c.partner is not None:
        # a partner entry is read only between its two tenants (R3, R4, R18, R35)
        yield Rect(both.resources_of(c.ref), both.principals_of(c.partner))
        yield Rect(both.resources_of(c.partner), both.principals_of(c.ref))
    elif kind == "crossTenantAccess":
        # the default and the cloud list are read only for principals of another tenant
        yield Rect(both.resources_of(c.ref), None, cross_tenant=True)
        yield Rect(None, both.principals_of(c.ref), cross_tenant=True)
    elif kind == "tenant":
        yield Rect(both.resources_of(c.ref), None)
        yield Rect(None, both.principals_of(c.ref))
    elif kind == "user":
        yield Rect(None, both.person(c.ref))
    elif kind in ("group", "groupMember"):
        yield Rect(None, both.under_group(c.ref))
        for side in (c.before, c.after):
            if side is not None:
                yield Rect(None, both.person(side))
    elif kind == "app":
        yield Rect(both.app_family(c.ref), None)
    elif kind == "assignment":
        app = c.ref.split("->", 1)[1].split("#", 1)[0]
        yield Rect(both.app_family(app), None)
    elif kind in ("team", "teamMember"):
        yield Rect(both.team_channels(c.ref), None)
    elif kind in ("channel", "channelMember"):
        yield Rect(frozenset({c.ref}), None)
    elif kind in ("conditionalAccess", "connectedOrganization") and c.tenant is not None:
        yield Rect(both.resources_of(c.tenant), None)
    elif kind == "accessPackage" and c.tenant is not None:
        yield Rect(both.resources_of(c.tenant), both.assignees(c.ref))
    elif kind == "packageAssignment" and c.tenant is not None:
        target = c.ref.split("->", 1)[1]
        yield Rect(both.resources_of(c.tenant), both.person(target))


def scope_of(
    changes: Sequence[EntityChange], before: WorldIndex, after: WorldIndex
) -> list[list[Rect]] | None:
    """Per change, the rectangles of pairs it can affect; None when every pair may change."""
    if any(c.kind == "asOf" for c in changes):
        return None
    both = _Both(before, after)
    return [list(_rects(c, both)) for c in changes]
