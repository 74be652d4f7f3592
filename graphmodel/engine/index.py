"""Per-snapshot indexes that make checks cheap: built once from a World, read-only afterwards.

What is precomputed (design.md, "Scale plan"): the transitive group closure, group -> direct
members, app -> assigned principals, home identity <-> its guest / synced objects, team and
channel membership, service principals per multitenant registration, Conditional Access per
tenant, entitlement-management assignments and grants. No query enumerates simple paths.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

from graphmodel.schema.builtin import BUILTIN_APP_IDS
from graphmodel.schema.entities import App, Channel, Group, Team, Tenant, User
from graphmodel.schema.enums import (
    AccessPackageAssignmentState,
    BuiltinApp,
    IdentityProviderKind,
    TenantType,
)
from graphmodel.schema.governance import (
    AccessPackage,
    AccessPackageAssignment,
    ConditionalAccessPolicy,
    ConnectedOrganization,
)
from graphmodel.schema.ids import derive_id
from graphmodel.schema.world import World

__all__ = ["WorldIndex"]


class WorldIndex:
    """Lookups over one World. Construction is O(size of the world); every lookup is O(1)-ish."""

    def __init__(self, world: World, *, now: datetime | None = None) -> None:
        self.world = world
        self.now = world.as_of or now or datetime.now(UTC)
        self.tenants: dict[str, Tenant] = {t.name: t for t in world.tenants}
        self.tenant_by_id: dict[str, Tenant] = {t.id: t for t in world.tenants}
        self.users: dict[str, User] = {u.ref: u for u in world.users}
        self.groups: dict[str, Group] = {g.ref: g for g in world.groups}
        self.apps: dict[str, App] = {a.ref: a for a in world.apps}
        self.teams: dict[str, Team] = {t.ref: t for t in world.teams}
        self.channels: dict[str, Channel] = {c.ref: c for c in world.channels}
        self.packages: dict[str, AccessPackage] = {p.ref: p for p in world.access_packages}

        self.users_by_tenant: dict[str, list[User]] = defaultdict(list)
        self.representations: dict[str, dict[str, User]] = defaultdict(dict)
        for u in world.users:
            self.users_by_tenant[u.tenant].append(u)
            if u.home_ref is not None:
                self.representations[u.home_ref][u.tenant] = u

        self.direct_groups: dict[str, list[str]] = defaultdict(list)  # member ref -> groups
        for g in world.groups:
            for m in g.members:
                self.direct_groups[m].append(g.ref)
        self._closure: dict[str, frozenset[str]] = {}

        self.assignees: dict[str, list[str]] = defaultdict(list)  # app ref -> principals
        self.assigned_apps: dict[str, list[str]] = defaultdict(list)  # principal -> apps
        for a in world.assignments:
            self.assignees[a.app].append(a.principal)
            self.assigned_apps[a.principal].append(a.app)

        self.team_members: dict[str, frozenset[str]] = {
            t.ref: frozenset(t.members) for t in world.teams
        }
        self.teams_of_user: dict[str, list[str]] = defaultdict(list)
        for t in world.teams:
            for m in t.members:
                self.teams_of_user[m].append(t.ref)
        self.channels_of_team: dict[str, list[Channel]] = defaultdict(list)
        self.channels_shared_with: dict[str, list[Channel]] = defaultdict(list)
        self.channels_of_member: dict[str, list[Channel]] = defaultdict(list)
        for c in world.channels:
            self.channels_of_team[c.team_ref].append(c)
            for team_ref in c.shared_with_teams:
                self.channels_shared_with[team_ref].append(c)
            for m in c.members:
                self.channels_of_member[m].append(c)

        self.service_principals: dict[str, dict[str, App]] = defaultdict(dict)
        for app in world.apps:
            if app.instance_of is not None:
                self.service_principals[app.instance_of][app.tenant] = app

        self.ca_by_tenant: dict[str, list[ConditionalAccessPolicy]] = defaultdict(list)
        for pol in world.conditional_access:
            self.ca_by_tenant[pol.tenant].append(pol)
        self.connected_orgs: dict[str, list[ConnectedOrganization]] = defaultdict(list)
        for org in world.connected_organizations:
            self.connected_orgs[org.tenant].append(org)

        self.package_assignments: dict[str, list[AccessPackageAssignment]] = defaultdict(list)
        self.package_assignments_by_package: dict[str, list[AccessPackageAssignment]] = defaultdict(
            list
        )
        for pa in world.access_package_assignments:
            self.package_assignments[pa.target].append(pa)
            self.package_assignments_by_package[pa.package].append(pa)
        self.packages_granting: dict[str, list[AccessPackage]] = defaultdict(list)
        for p in world.access_packages:
            for r in p.resources:
                self.packages_granting[r].append(p)
        self._teams_apps: dict[str, App] = {}

    # --- groups ---------------------------------------------------------------------------
    def transitive_groups(self, ref: str) -> frozenset[str]:
        """Every group `ref` (a user or group) is in, directly or through nesting."""
        cached = self._closure.get(ref)
        if cached is not None:
            return cached
        seen: set[str] = set()
        stack = list(self.direct_groups.get(ref, ()))
        while stack:
            g = stack.pop()
            if g in seen:
                continue
            seen.add(g)
            stack.extend(self.direct_groups.get(g, ()))
        result = frozenset(seen)
        self._closure[ref] = result
        return result

    def xtap_object_ids(self, user: User) -> frozenset[str]:
        """The user's object id plus its transitive group ids (R5: home-tenant objects)."""
        ids = {user.id}
        ids.update(self.groups[g].id for g in self.transitive_groups(user.ref))
        return frozenset(ids)

    # --- identities -----------------------------------------------------------------------
    def home_identity(self, user: User) -> User:
        """The principal an object stands for: its home identity when it has one in the world."""
        if user.home_ref is not None and user.home_ref in self.users:
            return self.users[user.home_ref]
        return user

    def representation_in(self, principal: User, tenant: str) -> User | None:
        """The user object that represents `principal` in `tenant` (guest or synced), if any."""
        return self.representations.get(principal.ref, {}).get(tenant)

    def is_b2c_consumer(self, user: User) -> bool:
        tenant = self.tenants[user.tenant]
        return tenant.type == TenantType.B2C and user.home_ref is None

    def is_entra_identity(self, user: User) -> bool:
        return user.identity_provider == IdentityProviderKind.ENTRA and not self.is_b2c_consumer(
            user
        )

    # --- apps and teams -------------------------------------------------------------------
    def teams_app(self, tenant: str) -> App:
        """The Teams service principal of a tenant (a channel's app for settings and CA)."""
        cached = self._teams_apps.get(tenant)
        if cached is not None:
            return cached
        for app in self.world.apps:
            if app.tenant == tenant and app.builtin == BuiltinApp.TEAMS:
                self._teams_apps[tenant] = app
                return app
        app = App(
            tenant=tenant,
            name="Microsoft Teams",
            id=derive_id("app", tenant, "Microsoft Teams"),
            app_id=BUILTIN_APP_IDS[BuiltinApp.TEAMS],
            builtin=BuiltinApp.TEAMS,
        )
        self._teams_apps[tenant] = app
        return app

    def registration_of(self, app: App) -> App:
        """The application registration behind a service principal (itself when registered here)."""
        if app.instance_of is not None and app.instance_of in self.apps:
            return self.apps[app.instance_of]
        return app

    def assignment_valid(self, pa: AccessPackageAssignment) -> bool:
        """L20/L21: only a delivered, unexpired assignment confers access."""
        if pa.state != AccessPackageAssignmentState.DELIVERED:
            return False
        return pa.expires is None or pa.expires > self.now
