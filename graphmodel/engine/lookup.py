"""Reverse questions: who can reach a resource, and what a principal can reach.

Candidates come from the indexes (users of the resource tenant and their home identities,
channel and shared-team members, members of tenants holding a consented service principal),
and each candidate is decided by the same `check` — there is no second decision path. Results
stream in a deterministic order so callers can page with a cursor without materialising
everything.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from graphmodel.engine.check import CheckLimits, check, resolve_principal, resolve_resource
from graphmodel.engine.index import WorldIndex
from graphmodel.policy.apps import is_multitenant_registration
from graphmodel.schema.entities import App, Channel
from graphmodel.schema.enums import TenantType
from graphmodel.schema.verdict import Decision, Verdict

__all__ = ["Reach", "candidates_for", "reachable", "who_can_access"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Reach:
    """One answer of a reverse lookup: the principal, the resource and the verdict."""

    principal: str
    resource: str
    verdict: Verdict


def candidates_for(ix: WorldIndex, resource_ref: str) -> list[str]:
    """Every principal that could possibly reach the resource, sorted (home identities)."""
    resource = resolve_resource(ix, resource_ref)
    tenant = resource.tenant
    refs: set[str] = set()
    for u in ix.users_by_tenant.get(tenant, ()):
        refs.add(ix.home_identity(u).ref)
    if isinstance(resource, Channel):
        refs.update(m for m in resource.members if m in ix.users)
        for team in resource.shared_with_teams:
            refs.update(m for m in ix.team_members.get(team, ()) if m in ix.users)
    elif isinstance(resource, App) and is_multitenant_registration(resource):
        for sp_tenant in ix.service_principals.get(resource.ref, {}):
            refs.update(u.ref for u in ix.users_by_tenant.get(sp_tenant, ()) if u.home_ref is None)
    if ix.tenants[tenant].type == TenantType.B2C:
        for person, objects in ix.representations.items():
            if tenant in objects:
                refs.add(person)
    return sorted(refs)


def who_can_access(
    ix: WorldIndex,
    resource_ref: str,
    *,
    include_pending: bool = True,
    after: str | None = None,
    limits: CheckLimits | None = None,
) -> Iterator[Reach]:
    """Principals whose verdict is allow (and pending, unless excluded), in ref order.

    `after` is an exclusive cursor: the principal ref of the last item of the previous page.
    """
    for ref in candidates_for(ix, resource_ref):
        if after is not None and ref <= after:
            continue
        verdict = check(ix, ref, resource_ref, limits=limits)
        if verdict.decision == Decision.ALLOW or (
            include_pending and verdict.decision == Decision.PENDING
        ):
            yield Reach(principal=verdict.principal, resource=resource_ref, verdict=verdict)


def _resources_near(ix: WorldIndex, principal_ref: str) -> list[str]:
    person = resolve_principal(ix, principal_ref)
    tenants = {person.tenant, *ix.representations.get(person.ref, {})}
    refs: set[str] = set()
    for app in ix.world.apps:
        consented = person.tenant in ix.service_principals.get(app.ref, {})
        if app.tenant in tenants or (is_multitenant_registration(app) and consented):
            refs.add(app.ref)
    for ch in ix.world.channels:
        if ch.tenant in tenants:
            refs.add(ch.ref)
    refs.update(c.ref for c in ix.channels_of_member.get(person.ref, ()))
    for team in ix.teams_of_user.get(person.ref, ()):
        refs.update(c.ref for c in ix.channels_shared_with.get(team, ()))
    return sorted(refs)


def reachable(
    ix: WorldIndex,
    principal_ref: str,
    *,
    include_denied: bool = False,
    after: str | None = None,
    limits: CheckLimits | None = None,
) -> Iterator[Reach]:
    """Resources the principal can reach (allow or pending), in ref order; denials optional."""
    for ref in _resources_near(ix, principal_ref):
        if after is not None and ref <= after:
            continue
        verdict = check(ix, principal_ref, ref, limits=limits)
        if include_denied or verdict.decision != Decision.DENY:
            yield Reach(principal=verdict.principal, resource=ref, verdict=verdict)
