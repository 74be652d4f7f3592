"""Equivalence classes of (principal, resource) pairs: the pairs `check` must decide alike.

Why: a reverse lookup over a 400k-principal tenant cannot afford 400k full checks (each builds
paths and reasons). But `check`'s decision, MFA location and route depend on the principal only
through the facts `principal_class` collects, on the resource only through `resource_class`,
and on the pair through which grant exists (`*_grant`); everything else — cross-tenant
settings, Conditional Access, trust, clouds, Teams policies — is a property of the tenants.
Pairs equal in all three are decided alike, so the reverse lookups run `check` once per class
and reuse its (decision, mfa, via): cross-tenant guards are evaluated once per (home tenant,
resource tenant, app), and per user only where targeting names users or groups — the user's
ids enter the class only as their intersection with the ids some policy targets (design.md,
"Scale plan").

INVARIANT: every fact about a principal, its objects or a resource that `check` reads is in a
class, or makes the class unique (`("one", ref)`: B2C routes and governed guests, whose access
packages are read per person). When `check` gains an input, add it here;
`tests/unit/engine/test_reverse_lookup.py` and the benchmark's cross-check compare batched
answers with per-candidate `check` to catch an omission.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Hashable, Iterable

from graphmodel.bulk import paused_gc
from graphmodel.engine.index import WorldIndex
from graphmodel.policy.apps import is_multitenant_registration
from graphmodel.policy.collaboration import domain_of
from graphmodel.schema.entities import App, Channel, User
from graphmodel.schema.enums import (
    DirectoryRole,
    ExternalUserState,
    MembershipType,
    TenantType,
    Via,
)
from graphmodel.schema.verdict import Decision, Mfa
from graphmodel.schema.world import World
from graphmodel.schema.xtap import (
    B2BSetting,
    CrossTenantAccessDefault,
    CrossTenantAccessPartner,
    Keyword,
)

__all__ = ["MAX_DECISIONS", "ONE", "Classes", "Decided", "TenantPrincipals", "alone", "classes_of"]

_EMPTY: frozenset[str] = frozenset()
_GA = DirectoryRole.GLOBAL_ADMINISTRATOR
_CA_USER_KEYWORDS = frozenset({"All", "GuestsOrExternalUsers"})
_CA_APP_KEYWORDS = frozenset({"All", "Office365"})
_APP_KEYWORDS = frozenset({Keyword.ALL_APPLICATIONS, Keyword.OFFICE365, Keyword.ALL_MICROSOFT_APPS})
ONE = "one"  # first item of a class decided alone
MAX_DECISIONS = 200_000  # remembered class decisions per index
Decided = tuple[Decision, Mfa, Via]


def _ref(u: User) -> str:
    return f"{u.tenant}/{u.name}"


def alone(sig: Hashable) -> bool:
    """Whether a principal class stands for one person only (never shared across pairs)."""
    return isinstance(sig, tuple) and sig[:1] == (ONE,)


class TenantPrincipals:
    """Everyone with an object in a tenant, as `check` sees them, sorted by principal ref.

    Parallel lists: `refs[i]` is the principal's ref and `principals[i]` the principal (built
    eagerly: the sort is what a cursor needs). Filled on first use of `i` by `fill(i)`, so the
    first page of a lookup does not pay for the whole tenant: `subjects[i]` (the object that
    signs in to the tenant, None if there is none), `subject_refs[i]` (its ref) and `classes[i]`
    (the interned principal class; -1 until filled). `admins` holds the refs of the tenant's
    Global Administrators (exempt from assignment). `memo` keeps what filters compute once per
    tenant (`graphmodel.engine.reach_filter`).
    """

    __slots__ = (
        "_owner",
        "admins",
        "classes",
        "memo",
        "principals",
        "refs",
        "subject_refs",
        "subjects",
        "tenant",
    )

    def __init__(
        self,
        owner: Classes,
        tenant: str,
        refs: list[str],
        principals: list[User],
        admins: tuple[str, ...],
    ) -> None:
        self._owner = owner
        self.tenant = tenant
        self.refs = refs
        self.principals = principals
        self.admins = admins
        self.subjects: list[User | None] = [None] * len(refs)
        self.subject_refs: list[str | None] = [None] * len(refs)
        self.classes: list[int] = [-1] * len(refs)
        self.memo: dict[str, list[int]] = {}

    def fill(self, i: int) -> int:
        """Compute (once) the subject and class of entry `i`; returns the class id."""
        p = self.principals[i]
        sig, subject = self._owner.principal_class(p, self.tenant, self.refs[i])
        self.subjects[i] = subject
        if subject is not None:
            self.subject_refs[i] = self.refs[i] if subject is p else _ref(subject)
        cls = self._owner.intern(sig)
        self.classes[i] = cls  # INVARIANT: written last; readers test it before the others
        return cls


def _settings(world: World) -> Iterable[B2BSetting]:
    for t in world.tenants:
        policy = t.cross_tenant_access
        holders: list[CrossTenantAccessDefault | CrossTenantAccessPartner] = [policy.default]
        holders.extend(policy.partners)
        for holder in holders:
            for s in (
                holder.b2b_collaboration_inbound,
                holder.b2b_collaboration_outbound,
                holder.b2b_direct_connect_inbound,
                holder.b2b_direct_connect_outbound,
                holder.tenant_restrictions,
            ):
                if s is not None:
                    yield s


class Classes:
    """The class computations of one WorldIndex (see the module docstring); thread-safe."""

    def __init__(self, ix: WorldIndex) -> None:
        self.ix = ix
        self._lock = threading.Lock()
        xt_ids: set[str] = set()
        xt_apps: set[str] = set()
        for s in _settings(ix.world):
            xt_ids.update(t.target for t in s.users_and_groups.targets)
            xt_apps.update(t.target for t in s.applications.targets)
        xt_ids.discard(Keyword.ALL_USERS)
        #: object ids some cross-tenant user/group target names (R5), and the groups they are
        self.xt_ids = frozenset(xt_ids)
        self.xt_groups = frozenset(ref for ref, g in ix.groups.items() if g.id in self.xt_ids)
        #: application ids some cross-tenant application target names (R9)
        self.xt_apps = frozenset(xt_apps - _APP_KEYWORDS)
        ca_refs: set[str] = set()
        ca_apps: set[str] = set()
        for pol in ix.world.conditional_access:
            ca_refs.update(pol.users.include, pol.users.exclude)
            ca_apps.update(pol.applications.include, pol.applications.exclude)
        #: user/group refs and app refs some Conditional Access policy names
        self.ca_refs = frozenset(ca_refs - _CA_USER_KEYWORDS)
        self.ca_apps = frozenset(ca_apps - _CA_APP_KEYWORDS)
        self._xt_up: dict[str, frozenset[str]] = {}
        self._ca_up: dict[str, frozenset[str]] = {}
        self._ids: dict[Hashable, int] = {}
        self._tenants: dict[str, TenantPrincipals] = {}
        self._resources: dict[str, Hashable] = {}
        self._decisions: dict[Hashable, Decided] = {}
        self._single: set[int] = set()
        self._assignees: dict[str, frozenset[str]] = {}

    # --- user keys ------------------------------------------------------------------------
    def _targeted(
        self, ref: str, targets: frozenset[str], memo: dict[str, frozenset[str]]
    ) -> frozenset[str]:
        """The groups `ref` is in (transitively) that appear in `targets`."""
        out: frozenset[str] | None = None
        for g in self.ix.direct_groups.get(ref, ()):
            hit = memo.get(g)
            if hit is None:
                hit = memo[g] = targets.intersection(self.ix.group_closure(g))
            if hit:
                out = hit if out is None else out | hit
        return _EMPTY if out is None else out

    def xtap_key(self, user: User, ref: str) -> Hashable:
        """What cross-tenant targeting can see of `user` (R5): targeted ids among its ids."""
        if not self.xt_ids:
            return None
        return (user.id in self.xt_ids, self._targeted(ref, self.xt_groups, self._xt_up))

    def ca_key(self, ref: str) -> Hashable:
        """What Conditional Access can see of a user object: named refs among its refs."""
        if not self.ca_refs:
            return None
        return (ref in self.ca_refs, self._targeted(ref, self.ca_refs, self._ca_up))

    @staticmethod
    def facets(user: User) -> tuple[object, ...]:
        """The user's own facts that gates read (account, identity, type, state, roles: the
        Global Administrator exemption and Conditional Access role targets)."""
        return (
            user.tenant,
            user.account_enabled,
            user.identity_provider,
            user.user_type,
            user.guest_of is None,
            user.synced_from is None,
            user.external_user_state,
            frozenset(user.roles),
        )

    # --- classes --------------------------------------------------------------------------
    def principal_class(
        self, principal: User, tenant: str, ref: str | None = None
    ) -> tuple[Hashable, User | None]:
        """The class of `principal` (whose ref is `ref`) for resources of `tenant`, and the
        object that signs in there (`check`'s subject: the principal itself in its own tenant,
        else its guest or synced object, or None)."""
        ix = self.ix
        if ref is None:
            ref = f"{principal.tenant}/{principal.name}"
        consumer = ix.is_b2c_consumer(principal)
        same = principal.tenant == tenant and not consumer
        subject = principal if same else ix.representation_in(principal, tenant)
        b2c = consumer or (ix.tenants[tenant].type == TenantType.B2C and not same)
        if b2c or ref in ix.package_assignments:
            return (ONE, ref), subject
        pending = None
        if subject is None:
            subject_part: Hashable = None
        else:
            if subject is principal:
                subject_part = True
            else:
                subject_part = (self.facets(subject), self.ca_key(_ref(subject)))
            if subject.external_user_state == ExternalUserState.PENDING_ACCEPTANCE:
                pending = domain_of(principal.mail or principal.user_principal_name)  # L4
        # Cross-tenant settings are evaluated for a B2B collaboration subject (S is another
        # tenant's person, or an object standing for one) and for direct connect / a home
        # service principal (other tenants only): never for a tenant's own member at home.
        external = not same or principal.guest_of is not None or principal.synced_from is not None
        sig = (
            self.facets(principal),
            subject_part,
            pending,
            self.xtap_key(principal, ref) if external else None,
            self.ca_key(ref),
        )
        return sig, subject

    def intern(self, sig: Hashable) -> int:
        """A small int standing for `sig` (equal classes, equal ints)."""
        found = self._ids.get(sig)
        if found is None:
            with self._lock:
                found = self._ids.setdefault(sig, len(self._ids))
                if alone(sig):
                    self._single.add(found)
        return found

    def is_single(self, cls: int) -> bool:
        """Whether the interned class `cls` stands for one person (see `alone`)."""
        return cls in self._single

    def resource_class(self, resource: App | Channel) -> Hashable:
        """The facts of a resource that gates read; a multitenant registration is alone."""
        found = self._resources.get(resource.ref)
        if found is None:
            found = self._resources[resource.ref] = self._resource_class(resource)
        return found

    def _resource_class(self, resource: App | Channel) -> Hashable:
        if isinstance(resource, Channel):
            return ("channel", resource.tenant, resource.membership_type)
        reg = self.ix.registration_of(resource)
        alone = is_multitenant_registration(resource) or resource.ref in self.ca_apps
        return (
            "app",
            resource.tenant,
            resource.account_enabled,
            reg.sign_in_audience,
            resource.app_role_assignment_required,
            resource.builtin,
            resource.ref if alone else None,
            resource.app_id if resource.app_id in self.xt_apps else None,
        )

    # --- decisions ------------------------------------------------------------------------
    def decided(self, key: Hashable) -> Decided | None:
        """The (decision, mfa, via) remembered for a (resource class, principal class, grant)
        key — valid for the life of the index, whatever lookup computed it."""
        return self._decisions.get(key)

    def remember(self, key: Hashable, decided: Decided) -> None:
        if len(self._decisions) >= MAX_DECISIONS:
            self._decisions.clear()  # a bound, not an LRU: refilling costs one check per class
        self._decisions[key] = decided

    # --- grants ---------------------------------------------------------------------------
    def assignees(self, app: str) -> frozenset[str]:
        """The refs (users and groups) assigned to `app`, as a set made once per index."""
        found = self._assignees.get(app)
        if found is None:
            found = self._assignees[app] = frozenset(self.ix.assignees.get(app, ()))
        return found

    def app_grant(self, subject: User, app: App, assignees: frozenset[str]) -> bool:
        """Whether `app_grant_hops` finds a grant for `subject` (access packages aside)."""
        if not app.app_role_assignment_required:
            return True
        ref = f"{subject.tenant}/{subject.name}"
        if ref in assignees:
            return True
        for g in self.ix.direct_groups.get(ref, ()):
            if g in assignees:
                return True
        return _GA in subject.roles

    def channel_grant(self, member: str, channel: Channel, members: Collection[str]) -> bool:
        """Whether `member` (a user ref) is in `channel` as `channel_grant_hops` counts it."""
        team_members = self.ix.team_members
        if channel.membership_type == MembershipType.STANDARD:
            return member in team_members.get(channel.team_ref, _EMPTY)
        if member in members:
            return True
        if channel.membership_type == MembershipType.SHARED:
            return any(member in team_members.get(t, _EMPTY) for t in channel.shared_with_teams)
        return False

    # --- tenants --------------------------------------------------------------------------
    def tenant_principals(self, tenant: str) -> TenantPrincipals:
        """Everyone with an object in `tenant` (built on first use, then cached)."""
        found = self._tenants.get(tenant)
        if found is not None:
            return found
        with self._lock:
            found = self._tenants.get(tenant)
            if found is not None:
                return found
        with paused_gc():
            built = self._build_tenant(tenant)
        with self._lock:
            return self._tenants.setdefault(tenant, built)

    def _build_tenant(self, tenant: str) -> TenantPrincipals:
        refs, principals = self.ix.principals_by_tenant.get(tenant, ([], []))
        admins = tuple(self.ix.admins_by_tenant.get(tenant, ()))
        return TenantPrincipals(self, tenant, refs, principals, admins)


_LOCK = threading.Lock()


def classes_of(ix: WorldIndex) -> Classes:
    """The `Classes` of an index, created on first use and kept with the index."""
    found: Classes | None = getattr(ix, "_classes", None)
    if found is None:
        with _LOCK:
            found = getattr(ix, "_classes", None)
            if found is None:
                found = Classes(ix)
                ix._classes = found  # type: ignore[attr-defined]
    return found
