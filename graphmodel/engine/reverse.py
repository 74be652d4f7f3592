"""Batched reverse lookups: who can reach a resource, and what a principal can reach.

Why batched: deciding each candidate with its own `check` is correct but O(candidates x
check) — 16 s for the widest app of a 1M-user world. Here every pair is decided through its
equivalence class (`graphmodel.engine.equivalence`): `check` runs once per class and the other
members reuse its decision, MFA location and route; their full verdicts are computed by `check`
only when a caller reads `Reach.verdict`. So there is still one decision path.

Candidates stream in principal-ref (resource-ref) order, so an exclusive `after` cursor pages
them and the first page costs only itself: for an app without assignment, everyone with an
object in the tenant (sorted once per tenant and cached); otherwise the holders of a grant —
assignees and direct members of assigned groups, Global Administrators, governed guests, team
and channel members, consenting tenants' members — sorted per query. A candidate without any
grant has no path on any route, so it is denied without evaluation. A `ReachFilter` is applied
as candidates stream (`graphmodel.engine.reach_filter`): principals it refuses are skipped
before they are decided, whole runs of them without being looked at.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left, bisect_right
from collections.abc import Hashable, Iterable, Iterator
from operator import itemgetter

from graphmodel.engine.candidates import candidates_for, near_items, principal_of
from graphmodel.engine.check import CheckLimits, check, resolve_principal, resolve_resource
from graphmodel.engine.equivalence import (
    Classes,
    Decided,
    TenantPrincipals,
    alone,
    classes_of,
)
from graphmodel.engine.index import WorldIndex
from graphmodel.engine.reach import Reach
from graphmodel.engine.reach_filter import ReachFilter, positions
from graphmodel.engine.route import Resource
from graphmodel.policy.apps import is_multitenant_registration
from graphmodel.schema.entities import App, Channel, User
from graphmodel.schema.enums import MembershipType, TenantType
from graphmodel.schema.verdict import Decision, Mfa, Verdict

__all__ = ["decide", "reachable", "who_can_access"]

_Candidate = tuple[str, User, User | None, int]  # principal ref, principal, subject, class id
_ALLOW, _PENDING, _DENY = Decision.ALLOW, Decision.PENDING, Decision.DENY
_HOLDER_SHARE = 4  # sort holders when fewer than 1/4 of the tenant's principals, else filter
_OPEN = ReachFilter()


def _ref(u: User) -> str:
    return f"{u.tenant}/{u.name}"


def _bits(
    classes: Classes,
    resource: Resource,
    p: User,
    s: User | None,
) -> Hashable:
    """Which grant the pair (principal `p`, its subject `s` in the resource tenant) holds on
    `resource` — part of the pair's class; None: no grant on any route, so denied."""
    ix = classes.ix
    if isinstance(resource, Channel):
        members = resource.members
        obj = s is not None and classes.channel_grant(_ref(s), resource, members)
        dc = resource.membership_type == MembershipType.SHARED and classes.channel_grant(
            _ref(p), resource, members
        )
        return (obj, dc) if obj or dc else None
    governed = _ref(p) in ix.package_assignments  # access packages grant per person
    assignees = classes.assignees(resource.ref)
    obj = s is not None and (governed or classes.app_grant(s, resource, assignees))
    if not is_multitenant_registration(resource):
        return True if obj else None
    sp = ix.service_principals.get(resource.ref, {}).get(p.tenant)
    home = (
        sp is not None
        and p.tenant != resource.tenant
        and (governed or classes.app_grant(p, sp, classes.assignees(sp.ref)))
    )
    return (obj, home) if obj or home else None


def _granted_channels(ix: WorldIndex, refs: Iterable[str]) -> set[str]:
    """Every channel where one of `refs` (a principal and its objects) may hold a grant."""
    out: set[str] = set()
    for ref in refs:
        for team in ix.teams_of_user.get(ref, ()):
            for c in ix.channels_of_team.get(team, ()):
                if c.membership_type == MembershipType.STANDARD:
                    out.add(c.ref)
            out.update(c.ref for c in ix.channels_shared_with.get(team, ()))
        out.update(c.ref for c in ix.channels_of_member.get(ref, ()))
    return out


def _holder_refs(classes: Classes, resource: Resource, tp: TenantPrincipals) -> set[str] | None:
    """Principal refs holding some grant on `resource`; None when nearly everyone may."""
    ix = classes.ix
    objects: list[str] = []
    if isinstance(resource, Channel):
        if resource.membership_type == MembershipType.STANDARD:
            objects.extend(ix.team_members.get(resource.team_ref, ()))
        else:
            objects.extend(resource.members)
            if resource.membership_type == MembershipType.SHARED:
                for team in resource.shared_with_teams:
                    objects.extend(ix.team_members.get(team, ()))
    else:
        if not resource.app_role_assignment_required:
            return None
        assigned = ix.assignees.get(resource.ref, ())
        estimate = len(assigned) + sum(
            len(ix.groups[a].members) for a in assigned if a in ix.groups
        )
        if estimate * _HOLDER_SHARE > len(tp.refs):
            return None
        for a in assigned:
            group = ix.groups.get(a)
            objects.extend(group.members if group is not None else (a,))
        objects.extend(tp.admins)
        for pkg in ix.packages.values():
            if pkg.tenant == resource.tenant:
                objects.extend(pa.target for pa in ix.package_assignments_by_package[pkg.ref])
    users = ix.users
    return {_ref(principal_of(ix, users[o])) for o in objects if o in users}


def _entry(classes: Classes, tp: TenantPrincipals, ref: str) -> _Candidate:
    """The candidate `ref` (a principal), classified for the tenant of `tp`."""
    i = bisect_left(tp.refs, ref)
    if i < len(tp.refs) and tp.refs[i] == ref:
        cls = tp.classes[i]
        if cls < 0:
            cls = tp.fill(i)
        return ref, tp.principals[i], tp.subjects[i], cls
    p = classes.ix.users[ref]  # no object in the tenant: direct connect, consenting tenants
    sig, subject = classes.principal_class(p, tp.tenant, ref)
    return ref, p, subject, classes.intern(sig)


def _positions(
    ix: WorldIndex, tp: TenantPrincipals, flt: ReachFilter, after: str | None
) -> Iterator[int]:
    """Positions of `tp`'s principals after the cursor whose principal passes `flt`."""
    start = 0 if after is None else bisect_right(tp.refs, after)
    if not flt.on_principal:
        yield from range(start, len(tp.refs))
        return
    if flt.outsiders_only:  # exact: no principal to test
        yield from positions(ix, tp, flt, start)
        return
    principals, tenant = tp.principals, tp.tenant
    for i in positions(ix, tp, flt, start):
        if flt.keeps_principal(ix, principals[i], tenant):
            yield i


def _slice(
    ix: WorldIndex, tp: TenantPrincipals, flt: ReachFilter, after: str | None
) -> Iterator[_Candidate]:
    refs, principals, subjects, ids = tp.refs, tp.principals, tp.subjects, tp.classes
    for i in _positions(ix, tp, flt, after):
        cls = ids[i]
        if cls < 0:
            cls = tp.fill(i)
        yield refs[i], principals[i], subjects[i], cls


def _candidates(
    classes: Classes,
    resource: Resource,
    tp: TenantPrincipals,
    holders: set[str] | None,
    after: str | None,
    flt: ReachFilter,
) -> Iterator[_Candidate]:
    """Candidates of `resource` after the cursor whose principal passes `flt`, in
    principal-ref order, each once."""
    ix = classes.ix
    refs: set[str] = set()
    if holders is not None:
        refs.update(h for h in holders if after is None or h > after)
    if isinstance(resource, App) and is_multitenant_registration(resource):
        for sp_tenant in ix.service_principals.get(resource.ref, {}):
            for u in ix.users_by_tenant.get(sp_tenant, ()):
                ref = _ref(u)
                if u.home_ref is None and (after is None or ref > after):
                    refs.add(ref)
    if flt.on_principal:
        users = ix.users
        refs = {r for r in refs if flt.keeps_principal(ix, users[r], tp.tenant)}
    extra = (_entry(classes, tp, ref) for ref in sorted(refs))
    if holders is not None:
        yield from extra
        return
    last = None
    for item in heapq.merge(_slice(ix, tp, flt, after), extra, key=itemgetter(0)):
        if item[0] != last:
            last = item[0]
            yield item


def _scan_app(
    ix: WorldIndex,
    tp: TenantPrincipals,
    app: App,
    after: str | None,
    flt: ReachFilter,
) -> Iterator[tuple[int, str]]:
    """(class, principal ref) of every principal of the app's tenant passing `flt` and holding
    a grant on the app (`app_grant_hops` inlined: this loop runs once per principal of a
    tenant)."""
    required = app.app_role_assignment_required
    assigned = frozenset(ix.assignees.get(app.ref, ()))
    admins = frozenset(tp.admins)
    governed = ix.package_assignments
    direct = ix.direct_groups
    refs, subject_refs, ids = tp.refs, tp.subject_refs, tp.classes
    for i in _positions(ix, tp, flt, after):
        cls = ids[i]
        if cls < 0:
            cls = tp.fill(i)
        s = subject_refs[i]
        if s is None:
            continue  # no object in the tenant: no route to a (non-multitenant) app
        if required and not (
            s in assigned
            or s in admins
            or refs[i] in governed
            or not assigned.isdisjoint(direct.get(s, ()))
        ):
            continue
        yield cls, refs[i]


def _each(
    ix: WorldIndex,
    resource_ref: str,
    include_pending: bool,
    after: str | None,
    limits: CheckLimits | None,
    flt: ReachFilter,
) -> Iterator[Reach]:
    """Per-candidate evaluation (Azure AD B2C tenants: small, and decided per person)."""
    tenant = resolve_resource(ix, resource_ref).tenant
    for ref in candidates_for(ix, resource_ref):
        if after is not None and ref <= after:
            continue
        if flt.on_principal and not flt.keeps_principal(ix, ix.users[ref], tenant):
            continue
        v = check(ix, ref, resource_ref, limits=limits)
        if (v.decision == _ALLOW or (include_pending and v.decision == _PENDING)) and (
            flt.keeps_route(v.via)
        ):
            yield Reach(v.principal, resource_ref, v, ix=ix, limits=limits)


def who_can_access(
    ix: WorldIndex,
    resource_ref: str,
    *,
    include_pending: bool = True,
    after: str | None = None,
    limits: CheckLimits | None = None,
    filters: ReachFilter = _OPEN,
) -> Iterator[Reach]:
    """Principals whose verdict is allow (and pending, unless excluded), in ref order, those
    `filters` keeps only.

    `after` is an exclusive cursor: the principal ref of the last item of the previous page.
    Raises NodeNotFound (on first iteration) for an unknown resource.
    """
    resource = resolve_resource(ix, resource_ref)
    if ix.tenants[resource.tenant].type == TenantType.B2C:
        yield from _each(ix, resource_ref, include_pending, after, limits, filters)
        return
    classes = classes_of(ix)
    tp = classes.tenant_principals(resource.tenant)
    holders = _holder_refs(classes, resource, tp)
    rclass = classes.resource_class(resource)
    memo: dict[Hashable, Decided] = {}  # local: a cheaper key than the shared cache's

    def decide(cls: int, bits: Hashable, ref: str) -> Reach | None:
        local = cls if bits is True else (cls, bits)
        decided = memo.get(local)
        verdict = None
        if decided is None:
            # a class of one person is decided per resource, never per resource class
            shared = (resource_ref if classes.is_single(cls) else rclass, (cls, bits))
            decided = classes.decided(shared)
            if decided is None:
                verdict = check(ix, ref, resource_ref, limits=limits)
                decided = (verdict.decision, verdict.mfa, verdict.via)
                classes.remember(shared, decided)
            memo[local] = decided
        decision = decided[0]
        if (decision is _ALLOW or (include_pending and decision is _PENDING)) and (
            filters.keeps_route(decided[2])
        ):
            return Reach(ref, resource_ref, verdict, decision, decided[1], decided[2], ix, limits)
        return None

    if holders is None and isinstance(resource, App) and not is_multitenant_registration(resource):
        for cls, ref in _scan_app(ix, tp, resource, after, filters):
            reach = decide(cls, True, ref)
            if reach is not None:
                yield reach
        return
    for ref, principal, subject, cls in _candidates(classes, resource, tp, holders, after, filters):
        bits = _bits(classes, resource, principal, subject)
        if bits is not None:
            reach = decide(cls, bits, ref)
            if reach is not None:
                yield reach


def reachable(
    ix: WorldIndex,
    principal_ref: str,
    *,
    include_denied: bool = False,
    after: str | None = None,
    limits: CheckLimits | None = None,
    filters: ReachFilter = _OPEN,
) -> Iterator[Reach]:
    """Resources the principal can reach (allow or pending), in ref order; denials optional;
    those `filters` keeps only (the principal as it is to each resource's tenant).

    Raises NodeNotFound (on first iteration) for an unknown principal.
    """
    person = resolve_principal(ix, principal_ref)
    classes = classes_of(ix)
    footholds: dict[str, tuple[bool, User | None, int]] = {}
    kept: dict[str, bool] = {}

    def foothold(tenant: str) -> tuple[bool, User | None, int]:
        sig, subject = classes.principal_class(person, tenant)
        found = footholds[tenant] = (alone(sig), subject, classes.intern(sig))
        return found

    def keeps(tenant: str) -> bool:
        found = kept.get(tenant)
        if found is None:
            found = kept[tenant] = filters.keeps_principal(ix, person, tenant)
        return found

    for tenant in (person.tenant, *ix.representations.get(person.ref, {})):
        foothold(tenant)
    objects = {person.ref, *(_ref(s) for _a, s, _c in footholds.values() if s is not None)}
    channels = _granted_channels(ix, objects)
    for ref, resource in near_items(ix, person, channels=None if include_denied else channels):
        if after is not None and ref <= after:
            continue
        if filters.on_principal and not keeps(resource.tenant):
            continue
        single, subject, cls = footholds.get(resource.tenant) or foothold(resource.tenant)
        if single:  # B2C routes and governed guests are decided per pair
            bits: Hashable = ref
        elif isinstance(resource, Channel) and ref not in channels:
            bits = None
        else:
            bits = _bits(classes, resource, person, subject)
        if bits is None:  # no grant on any route: denied, without evaluating it
            if include_denied:
                denied = Reach(person.ref, ref, None, _DENY, Mfa.NONE, None, ix, limits)
                if not filters.via or filters.keeps_route(denied.via):  # via: a full check
                    yield denied
            continue
        key = (classes.resource_class(resource), (cls, bits))
        decided, verdict = _decided(classes, key, principal_ref, ref, limits)
        if (include_denied or decided[0] is not _DENY) and filters.keeps_route(decided[2]):
            yield Reach(person.ref, ref, verdict, decided[0], decided[1], decided[2], ix, limits)


def _decided(
    classes: Classes,
    key: Hashable,
    principal_ref: str,
    resource_ref: str,
    limits: CheckLimits | None,
) -> tuple[Decided, Verdict | None]:
    """The class decision of `key`, running `check` for this pair when the class has none yet
    (its verdict is returned then, so the caller's answer need not compute it again)."""
    decided = classes.decided(key)
    verdict = None
    if decided is None:
        verdict = check(classes.ix, principal_ref, resource_ref, limits=limits)
        decided = (verdict.decision, verdict.mfa, verdict.via)
        classes.remember(key, decided)
    return decided, verdict


def decide(
    ix: WorldIndex, principal_ref: str, resource_ref: str, *, limits: CheckLimits | None = None
) -> Reach:
    """One pair decided as `reachable` decides each resource of a principal: through its
    equivalence class, so `check` runs only for a class not decided yet and the answer's
    verdict (paths, reasons) is computed on first read. Any world size; denials included.

    Raises NodeNotFound for an unknown principal or resource.
    """
    person = resolve_principal(ix, principal_ref)
    resource = resolve_resource(ix, resource_ref)
    classes = classes_of(ix)
    sig, subject = classes.principal_class(person, resource.tenant)
    bits: Hashable = resource.ref if alone(sig) else _bits(classes, resource, person, subject)
    if bits is None:  # no grant on any route: denied, without evaluating it
        return Reach(person.ref, resource.ref, None, _DENY, Mfa.NONE, None, ix, limits)
    key = (classes.resource_class(resource), (classes.intern(sig), bits))
    decided, verdict = _decided(classes, key, person.ref, resource.ref, limits)
    return Reach(person.ref, resource.ref, verdict, decided[0], decided[1], decided[2], ix, limits)
