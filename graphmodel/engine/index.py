"""Per-snapshot indexes that make checks cheap: built once from a World, read-only afterwards.

What is precomputed (design.md, "Scale plan"): group -> direct members, app -> assigned
principals, home identity <-> its guest / synced objects, team and channel membership, service
principals per multitenant registration, Conditional Access per tenant, entitlement-management
assignments and grants, each tenant's Teams app, and per tenant the principals with an object
there, sorted (the order reverse lookups stream in). The transitive group closure is computed
once per *group* (reusing the closures of the groups it nests in); a user's closure is the
union of its direct groups' closures, computed on demand, so a 1M-user index holds no per-user
closure objects. Indexes only a few questions need (mail addresses, domains, resources per
tenant) are built on first use. No query enumerates simple paths.

Each World family has its own builder (`_index_<family>`), so the index of the next snapshot
can be made from this one by `graphmodel.engine.index_update.evolve_index`, which reruns the
builders of small families and patches the structures of large ones, leaving this one as is.

Why the cyclic garbage collector is paused while building: the index creates millions of
long-lived containers, and every GC generation-2 pass would rescan all of them (measured: ~45%
of a 1M-user build). Callers that keep an index should `gc.freeze()` afterwards (the service
facade does), so later collections skip these objects too.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cached_property

from graphmodel.bulk import paused_gc
from graphmodel.changes import FAMILIES
from graphmodel.engine.usage import UsageIndex
from graphmodel.schema.builtin import BUILTIN_APP_IDS
from graphmodel.schema.entities import App, Channel, Group, Team, Tenant, User
from graphmodel.schema.enums import (
    AccessPackageAssignmentState,
    BuiltinApp,
    DirectoryRole,
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

__all__ = ["INDEXED_FAMILIES", "WorldIndex", "principal_ref"]

_EMPTY: frozenset[str] = frozenset()
_XTAP_CACHE = 100_000  # users whose cross-tenant target ids are remembered
INDEXED_FAMILIES = tuple(family for family in FAMILIES if family != "invitations")
"""The World families the index is built from, one `_index_<family>` builder each (a World's
`invitations` are read by no index)."""


def principal_ref(users: Mapping[str, User], ref: str, user: User) -> str:
    """The ref of the principal `user` (keyed `ref` in `users`) stands for: its home identity
    when that is in `users`, resolved once more as `check` resolves a candidate."""
    home = user.guest_of or user.synced_from
    if home is None or home not in users:
        return ref
    found = users[home]
    second = found.guest_of or found.synced_from
    return second if second is not None and second in users else home


class WorldIndex:
    """Lookups over one World. Construction is O(size of the world); every lookup is O(1)-ish.

    Thread-safe for readers: lazily filled caches are only ever extended with values that do
    not depend on who computed them first.
    """

    def __init__(self, world: World, *, now: datetime | None = None, closures: bool = True) -> None:
        self._start(world, now)
        with paused_gc(freeze=True):
            self._build(world)
            if closures:
                self.warm()

    def _start(self, world: World, now: datetime | None) -> None:
        """The clock, the lock and empty lazily filled caches (an index updated from an older
        one by `graphmodel.engine.index_update` starts here too, then shares or patches)."""
        self.world = world
        self.now = world.as_of or now or datetime.now(UTC)
        self._lock = threading.Lock()
        self._by_mail: dict[str, User] | None = None
        self._mails_by_tenant: set[tuple[str, str]] | None = None
        self._by_domain: dict[str, Tenant] | None = None
        self._up: dict[str, frozenset[str]] = {}  # group -> itself + every group above it
        self._ids_up: dict[str, frozenset[str]] = {}  # group -> the object ids of its _up
        self._xtap_ids: dict[str, tuple[User, frozenset[str]]] = {}
        self._resources_in: dict[tuple[str, bool], list[tuple[str, App | Channel]]] = {}
        self._teams_apps: dict[str, App] = {}
        #: what `index_update` keeps between an index and the next (orders of large families)
        self._carried: object | None = None

    @cached_property
    def usage(self) -> UsageIndex:
        """Sign-in evidence of every tenant (built on first use; most questions never ask)."""
        return UsageIndex(self.world.tenants)

    def _build(self, world: World) -> None:
        for family in INDEXED_FAMILIES:
            getattr(self, f"_index_{family}")(world)

    # --- one builder per World family (`index_update` reruns the one of a small family) ----
    def _index_tenants(self, world: World) -> None:
        self.tenants: dict[str, Tenant] = {t.name: t for t in world.tenants}
        self.tenant_by_id: dict[str, Tenant] = {t.id: t for t in world.tenants}

    def _index_users(self, world: World) -> None:
        self.users: dict[str, User] = {f"{u.tenant}/{u.name}": u for u in world.users}
        self.users_by_tenant: dict[str, list[User]] = defaultdict(list)
        self.representations: dict[str, dict[str, User]] = defaultdict(dict)
        for u in world.users:
            self.users_by_tenant[u.tenant].append(u)
            home = u.guest_of or u.synced_from
            if home is not None:
                self.representations[home][u.tenant] = u
        self._principals_of_tenants()

    def _index_groups(self, world: World) -> None:
        self.groups: dict[str, Group] = {f"{g.tenant}/{g.name}": g for g in world.groups}
        direct: dict[str, list[str]] = defaultdict(list)
        for gref, g in self.groups.items():
            for m in g.members:
                direct[m].append(gref)
        # member ref -> groups (after an evolve: an `Overlay` of a large dict, `index_delta`)
        self.direct_groups: Mapping[str, list[str]] = direct

    def _index_apps(self, world: World) -> None:
        self.apps: dict[str, App] = {f"{a.tenant}/{a.name}": a for a in world.apps}
        self.service_principals: dict[str, dict[str, App]] = defaultdict(dict)
        self.apps_by_tenant: dict[str, list[App]] = defaultdict(list)
        self._teams_apps = {}
        for app in world.apps:
            self.apps_by_tenant[app.tenant].append(app)
            if app.instance_of is not None:
                self.service_principals[app.instance_of][app.tenant] = app
            if app.builtin == BuiltinApp.TEAMS and app.tenant not in self._teams_apps:
                self._teams_apps[app.tenant] = app  # the first one, as a scan would find
        self.registrations_consented_in: dict[str, list[App]] = defaultdict(list)
        for reg_ref, sps in self.service_principals.items():
            reg = self.apps.get(reg_ref)
            if reg is not None:
                for tenant in sps:
                    self.registrations_consented_in[tenant].append(reg)

    def _index_assignments(self, world: World) -> None:
        assignees: dict[str, list[str]] = defaultdict(list)  # app ref -> principals
        assigned_apps: dict[str, list[str]] = defaultdict(list)  # principal -> apps
        for a in world.assignments:
            assignees[a.app].append(a.principal)
            assigned_apps[a.principal].append(a.app)
        # after an evolve: `Overlay`s of large dicts (`index_delta`)
        self.assignees: Mapping[str, list[str]] = assignees
        self.assigned_apps: Mapping[str, list[str]] = assigned_apps

    def _index_teams(self, world: World) -> None:
        self.teams: dict[str, Team] = {t.ref: t for t in world.teams}
        self.team_members: dict[str, frozenset[str]] = {
            t.ref: frozenset(t.members) for t in world.teams
        }
        self.teams_of_user: dict[str, list[str]] = defaultdict(list)
        for t in world.teams:
            for m in t.members:
                self.teams_of_user[m].append(t.ref)

    def _index_channels(self, world: World) -> None:
        self.channels: dict[str, Channel] = {c.ref: c for c in world.channels}
        self.channels_of_team: dict[str, list[Channel]] = defaultdict(list)
        self.channels_shared_with: dict[str, list[Channel]] = defaultdict(list)
        self.channels_of_member: dict[str, list[Channel]] = defaultdict(list)
        self.channels_by_tenant: dict[str, list[Channel]] = defaultdict(list)
        for c in world.channels:
            self.channels_by_tenant[c.tenant].append(c)
            self.channels_of_team[c.team_ref].append(c)
            for team_ref in c.shared_with_teams:
                self.channels_shared_with[team_ref].append(c)
            for m in c.members:
                self.channels_of_member[m].append(c)

    def _index_conditional_access(self, world: World) -> None:
        self.ca_by_tenant: dict[str, list[ConditionalAccessPolicy]] = defaultdict(list)
        for pol in world.conditional_access:
            self.ca_by_tenant[pol.tenant].append(pol)

    def _index_connected_organizations(self, world: World) -> None:
        self.connected_orgs: dict[str, list[ConnectedOrganization]] = defaultdict(list)
        for org in world.connected_organizations:
            self.connected_orgs[org.tenant].append(org)

    def _index_access_packages(self, world: World) -> None:
        self.packages: dict[str, AccessPackage] = {p.ref: p for p in world.access_packages}
        self.packages_granting: dict[str, list[AccessPackage]] = defaultdict(list)
        for p in world.access_packages:
            for r in p.resources:
                self.packages_granting[r].append(p)

    def _index_access_package_assignments(self, world: World) -> None:
        self.package_assignments: dict[str, list[AccessPackageAssignment]] = defaultdict(list)
        self.package_assignments_by_package: dict[str, list[AccessPackageAssignment]] = defaultdict(
            list
        )
        for pa in world.access_package_assignments:
            self.package_assignments[pa.target].append(pa)
            self.package_assignments_by_package[pa.package].append(pa)

    def warm(self) -> None:
        """Compute every group's closure (and its object ids) now instead of on first use.

        Why: first-use DFS walks were the tail of `check` latency on a fresh index (measured at
        1M users: 0.8 s for all groups, p95 check -35%). The constructor calls it unless told
        not to (`closures=False`): a server calls it on a background thread once it is ready
        (`GraphService(warm_indexes=True)`), a one-shot command never needs most of them. Safe
        beside readers: it only fills the caches they fill themselves.
        """
        for group_ref in self.groups:
            self._closure_ids(group_ref)

    def _principals_of_tenants(self) -> None:
        """Per tenant: the principals with an object there, sorted by ref (reverse lookups
        stream them in this order, so the first page after a load costs only itself)."""
        users = self.users
        by_tenant: dict[str, dict[str, User]] = defaultdict(dict)
        admins: dict[str, list[str]] = defaultdict(list)
        for ref, u in users.items():  # the dict's key strings: no new string per user
            pref = principal_ref(users, ref, u)
            by_tenant[u.tenant][pref] = users[pref]
            if DirectoryRole.GLOBAL_ADMINISTRATOR in u.roles:
                admins[u.tenant].append(ref)
        #: tenant -> (principal refs sorted, the principals in the same order)
        self.principals_by_tenant: dict[str, tuple[list[str], list[User]]] = {}
        for tenant, found in by_tenant.items():
            refs = sorted(found)
            self.principals_by_tenant[tenant] = (refs, [found[r] for r in refs])
        #: tenant -> refs of its Global Administrators (exempt from assignment, L37)
        self.admins_by_tenant: dict[str, list[str]] = admins

    # --- groups ---------------------------------------------------------------------------
    def group_closure(self, group: str) -> frozenset[str]:
        """`group` plus every group above it (cached per group; a complete entry is reused)."""
        cached = self._up.get(group)
        if cached is not None:
            return cached
        seen: set[str] = {group}
        stack = list(self.direct_groups.get(group, ()))
        up = self._up
        while stack:
            g = stack.pop()
            if g in seen:
                continue
            done = up.get(g)
            if done is not None:
                seen.update(done)  # INVARIANT: a cached entry is the full closure of g
                continue
            seen.add(g)
            stack.extend(self.direct_groups.get(g, ()))
        result = frozenset(seen)
        up[group] = result
        return result

    def transitive_groups(self, ref: str) -> frozenset[str]:
        """Every group `ref` (a user or group) is in, directly or through nesting.

        A group is in its own result only when it sits on a membership cycle.
        """
        direct = self.direct_groups.get(ref)
        if not direct:
            return _EMPTY
        if len(direct) == 1:
            return self.group_closure(direct[0])
        out: set[str] = set()
        for g in direct:
            out.update(self.group_closure(g))
        return frozenset(out)

    def xtap_object_ids(self, user: User) -> frozenset[str]:
        """The user's object id plus its transitive group ids (R5: home-tenant objects).

        Remembered for the most recently asked users (a bounded cache: a 1M-user index never
        holds a set per user), since a B2B check asks twice (settings, terms of use).
        """
        ref = f"{user.tenant}/{user.name}"
        found = self._xtap_ids.get(ref)
        if found is not None and found[0] is user:
            return found[1]
        ids = {user.id}
        for g in self.direct_groups.get(ref, ()):
            ids.update(self._closure_ids(g))
        result = frozenset(ids)
        if len(self._xtap_ids) >= _XTAP_CACHE:
            self._xtap_ids.clear()
        self._xtap_ids[ref] = (user, result)
        return result

    def _closure_ids(self, group: str) -> frozenset[str]:
        """The object ids of `group_closure(group)` (cached per group)."""
        found = self._ids_up.get(group)
        if found is None:
            groups = self.groups
            found = frozenset(groups[g].id for g in self.group_closure(group))
            self._ids_up[group] = found
        return found

    # --- identities -----------------------------------------------------------------------
    def home_identity(self, user: User) -> User:
        """The principal an object stands for: its home identity when it has one in the world."""
        home = user.guest_of or user.synced_from
        if home is not None:
            return self.users.get(home, user)
        return user

    def representation_in(self, principal: User, tenant: str) -> User | None:
        """The user object that represents `principal` in `tenant` (guest or synced), if any."""
        objects = self.representations.get(f"{principal.tenant}/{principal.name}")
        return None if objects is None else objects.get(tenant)

    def is_b2c_consumer(self, user: User) -> bool:
        tenant = self.tenants[user.tenant]
        return tenant.type == TenantType.B2C and user.home_ref is None

    def is_entra_identity(self, user: User) -> bool:
        return user.identity_provider == IdentityProviderKind.ENTRA and not self.is_b2c_consumer(
            user
        )

    def user_by_mail(self, address: str) -> User | None:
        """The first user (world order) whose mail is `address`, compared case-insensitively."""
        by_mail = self._by_mail
        if by_mail is None:
            with self._lock:
                if self._by_mail is None:
                    built: dict[str, User] = {}
                    with paused_gc():
                        for u in self.world.users:
                            if u.mail:
                                built.setdefault(u.mail.lower(), u)
                    self._by_mail = built
                by_mail = self._by_mail
        return by_mail.get(address.lower())

    def has_mail_in(self, tenant: str, address: str) -> bool:
        """Whether some user of `tenant` has the mail `address` (case-insensitive)."""
        pairs = self._mails_by_tenant
        if pairs is None:
            with self._lock:
                if self._mails_by_tenant is None:
                    with paused_gc():
                        self._mails_by_tenant = {
                            (u.tenant, (u.mail or "").lower()) for u in self.world.users
                        }
                pairs = self._mails_by_tenant
        return (tenant, address.lower()) in pairs

    def tenant_of_domain(self, domain: str) -> Tenant | None:
        """The first tenant (world order) that verified `domain` (case-insensitive)."""
        by_domain = self._by_domain
        if by_domain is None:
            built: dict[str, Tenant] = {}
            for t in self.world.tenants:
                for d in t.domains:
                    built.setdefault(d.lower(), t)
            self._by_domain = by_domain = built
        return by_domain.get(domain.lower())

    # --- apps and teams -------------------------------------------------------------------
    def resources_in(
        self, tenant: str, *, apps_only: bool = False
    ) -> list[tuple[str, App | Channel]]:
        """The apps and channels (or only the apps) of `tenant` as (ref, resource), sorted by
        ref; cached per tenant."""
        key = (tenant, apps_only)
        found = self._resources_in.get(key)
        if found is None:
            items: list[tuple[str, App | Channel]] = [
                (f"{a.tenant}/{a.name}", a) for a in self.apps_by_tenant.get(tenant, ())
            ]
            if not apps_only:
                items.extend((c.ref, c) for c in self.channels_by_tenant.get(tenant, ()))
            items.sort(key=lambda item: item[0])
            found = self._resources_in.setdefault(key, items)
        return found

    def teams_app(self, tenant: str) -> App:
        """The Teams service principal of a tenant (a channel's app for settings and CA)."""
        cached = self._teams_apps.get(tenant)
        if cached is not None:
            return cached
        app = App(
            tenant=tenant,
            name="Microsoft Teams",
            id=derive_id("app", tenant, "Microsoft Teams"),
            app_id=BUILTIN_APP_IDS[BuiltinApp.TEAMS],
            builtin=BuiltinApp.TEAMS,
        )
        return self._teams_apps.setdefault(tenant, app)

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
