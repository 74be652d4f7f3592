"""`check(principal, resource, via)`: decide as Microsoft Entra would, with paths and reasons.

The principal is a person as known in their home tenant (a social guest or B2C consumer is
named by its object). Candidate routes: member of the resource tenant; B2B collaboration through
a guest / synced object (R12-R17, L7-L13); B2B direct connect to a shared channel (R19-R24, L25);
a multitenant app through the service principal in the home tenant (L35-L38); Azure AD B2C (L34).
With `via=any` the best allowing route decides; a denial reports the failing gates of every
route the principal has a foothold for (reasons.md: every gate, both sides).
"""

from __future__ import annotations

import time
from collections.abc import Collection
from dataclasses import dataclass

from graphmodel.engine.direct_route import direct_connect_route
from graphmodel.engine.index import WorldIndex
from graphmodel.engine.object_route import object_route
from graphmodel.engine.route import Resource, RouteResult, add_unique
from graphmodel.errors import NodeNotFound
from graphmodel.policy.apps import app_enabled_gate, audience_gate, is_multitenant_registration
from graphmodel.policy.reasons import reason
from graphmodel.schema.entities import App, Channel, User
from graphmodel.schema.enums import IdentityProviderKind, MembershipType, TenantType, Via
from graphmodel.schema.kinds import EdgeKind
from graphmodel.schema.suggest import closest_ref, refs_named
from graphmodel.schema.verdict import (
    AccessPath,
    Decision,
    Hop,
    Mfa,
    Reason,
    ReasonCode,
    Side,
    Verdict,
)

__all__ = ["CheckLimits", "check", "resolve_principal", "resolve_resource"]

_MFA_RANK = {Mfa.NONE: 0, Mfa.HOME: 1, Mfa.RESOURCE: 2}
_ROUTE_ORDER = {
    Via.MEMBER: 0,
    Via.B2B_COLLABORATION: 1,
    Via.B2B_DIRECT_CONNECT: 2,
    Via.B2C: 3,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckLimits:
    """Bounds on one check; a bound that is hit sets `partial` on the verdict."""

    max_paths: int = 100
    deadline_s: float = 2.0


def resolve_principal(ix: WorldIndex, ref: str) -> User:
    """The principal named by `ref`: its home identity when `ref` names a guest/synced object."""
    user = ix.users.get(ref)
    if user is None:
        raise _not_found(ref, "principal", ix.users)
    return ix.home_identity(user)


def resolve_resource(ix: WorldIndex, ref: str) -> Resource:
    if ref in ix.apps:
        return ix.apps[ref]
    if ref in ix.channels:
        return ix.channels[ref]
    raise _not_found(ref, "resource", [*ix.apps, *ix.channels])


def _not_found(ref: str, kind: str, refs: Collection[str]) -> NodeNotFound:
    """The error for an unknown `ref`, with the closest ref; a bare name (`bob`) is told that
    ids are `tenant/name` and which refs carry that name."""
    if "/" in ref:
        return NodeNotFound(ref, kind=kind, suggestion=closest_ref(ref, refs))
    named = refs_named(ref, refs)
    if len(named) == 1:
        return NodeNotFound(ref, kind=kind, suggestion=named[0], note="ids are `tenant/name`")
    if named:
        listed = " or ".join(f"`{r}`" for r in named)
        return NodeNotFound(ref, kind=kind, note=f"ids are `tenant/name`: {listed}")
    example = f" (e.g. `{min(refs)}`)" if refs else ""
    return NodeNotFound(ref, kind=kind, note=f"ids are `tenant/name`{example}")


def _b2c_route(ix: WorldIndex, principal: User, resource: Resource) -> RouteResult:
    """L34: B2C consumers reach only their own B2C tenant's apps; nothing else reaches them."""
    result = RouteResult(via=Via.B2C, subject=principal)
    res_tenant = ix.tenants[resource.tenant]
    consumer = ix.is_b2c_consumer(principal)
    if consumer and resource.tenant == principal.tenant and isinstance(resource, App):
        result.failures.extend(_app_basic_gates(ix, principal, resource))
        result.paths = [
            AccessPath(
                via=Via.B2C,
                hops=(
                    Hop(
                        source=principal.ref,
                        target=resource.ref,
                        edge=EdgeKind.SIGNS_IN_TO,
                        rule="L34",
                        policy=f"apps[{resource.name}]",
                    ),
                ),
            )
        ]
        return result
    if consumer:
        result.failures.append(
            reason(
                ReasonCode.B2C_ISOLATED,
                "L34",
                f"`{principal.ref}` is an Azure AD B2C consumer account; it reaches only apps of "
                f"`{principal.tenant}` (never Microsoft 365 or other tenants)",
                tenant=principal.tenant,
                side=Side.HOME,
            )
        )
        return result
    subject = ix.representation_in(principal, resource.tenant)
    if res_tenant.type == TenantType.B2C and subject is not None and isinstance(resource, App):
        result.subject = subject
        result.failures.extend(_app_basic_gates(ix, subject, resource))
        result.paths = [
            AccessPath(
                via=Via.B2C,
                hops=(
                    Hop(
                        source=principal.ref,
                        target=subject.ref,
                        edge=EdgeKind.GUEST_OF,
                        rule="L34",
                        policy="identityProviders",
                    ),
                    Hop(
                        source=subject.ref,
                        target=resource.ref,
                        edge=EdgeKind.SIGNS_IN_TO,
                        rule="L34",
                    ),
                ),
            )
        ]
        return result
    result.failures.append(
        reason(
            ReasonCode.NO_ACCOUNT,
            "L34",
            f"`{principal.ref}` has no account in the B2C tenant `{resource.tenant}`",
            tenant=resource.tenant,
            side=Side.RESOURCE,
        )
    )
    return result


def _app_basic_gates(ix: WorldIndex, subject: User, app: App) -> list[Reason]:
    out = app_enabled_gate(app)
    if not subject.account_enabled:
        out.append(
            reason(
                ReasonCode.ACCOUNT_DISABLED,
                "L13",
                f"`{subject.ref}` is disabled",
                tenant=subject.tenant,
                policy=f"users[{subject.name}].accountEnabled",
                side=Side.RESOURCE,
            )
        )
    return out


def _home_app_route(ix: WorldIndex, principal: User, registration: App) -> RouteResult:
    """L35/L36: a multitenant app used from home, through the service principal consent made."""
    identity = (
        principal.identity_provider if principal.home_ref is None else IdentityProviderKind.ENTRA
    )
    failures = audience_gate(registration, identity)
    home = ix.tenants[principal.tenant]
    reg_tenant = ix.tenants[registration.tenant]
    if home.cloud != reg_tenant.cloud:
        failures.append(
            reason(
                ReasonCode.AUDIENCE_MISMATCH,
                "L35",
                f"multitenant apps cannot cross national clouds ({home.cloud.value} -> "
                f"{reg_tenant.cloud.value})",
                tenant=registration.tenant,
                side=Side.RESOURCE,
            )
        )
    sp = ix.service_principals.get(registration.ref, {}).get(principal.tenant)
    if sp is None:
        failures.append(
            reason(
                ReasonCode.CONSENT_MISSING,
                "L36",
                f"`{registration.ref}` has no service principal in `{principal.tenant}`: nobody "
                "has consented to it there",
                tenant=principal.tenant,
                side=Side.HOME,
            )
        )
        return RouteResult(via=Via.MEMBER, failures=failures, subject=principal)
    result = object_route(ix, principal, principal, sp)
    result.failures[:0] = failures
    instance = Hop(
        source=sp.ref,
        target=registration.ref,
        edge=EdgeKind.INSTANCE_OF,
        rule="L36",
        policy=f"apps[{sp.name}].instanceOf",
    )
    result.paths = [AccessPath(via=p.via, hops=(*p.hops, instance)) for p in result.paths]
    return result


def _routes(ix: WorldIndex, principal: User, resource: Resource, via: Via) -> list[RouteResult]:
    """The routes to evaluate: the requested one, or (via=any) every route with a foothold."""
    res_tenant = ix.tenants[resource.tenant]
    consumer = ix.is_b2c_consumer(principal)
    home_reg = (
        isinstance(resource, App)
        and is_multitenant_registration(resource)
        and resource.tenant != principal.tenant
    )
    same = principal.tenant == resource.tenant and not consumer
    subject = principal if same else ix.representation_in(principal, resource.tenant)
    b2c_involved = consumer or (res_tenant.type == TenantType.B2C and not same)
    if via == Via.B2C or (b2c_involved and via == Via.ANY):
        return [_b2c_route(ix, principal, resource)]
    if via == Via.B2B_DIRECT_CONNECT:
        return [direct_connect_route(ix, principal, resource)]
    if via in (Via.MEMBER, Via.B2B_COLLABORATION):
        if home_reg and via == Via.MEMBER:
            return [_home_app_route(ix, principal, resource)]  # type: ignore[arg-type]
        if subject is None:
            return [_no_account(principal, resource)]
        route = object_route(ix, principal, subject, resource)
        if route.via != via:
            route.failures.append(_wrong_via(principal, resource, route.via, via))
        return [route]
    routes: list[RouteResult] = []
    if subject is not None:
        routes.append(object_route(ix, principal, subject, resource))
    if home_reg:
        routes.append(_home_app_route(ix, principal, resource))  # type: ignore[arg-type]
    shared = isinstance(resource, Channel) and resource.membership_type == MembershipType.SHARED
    if shared and not same and ix.is_entra_identity(principal):
        routes.append(direct_connect_route(ix, principal, resource))
    if subject is None and not shared:
        # R14: without a user object only a consented home service principal could serve
        routes.append(_no_account(principal, resource))
    if not routes:
        routes.append(_no_account(principal, resource))
    return routes


def _denied_route(routes: list[RouteResult], resource: Resource) -> RouteResult:
    """The route a denial is about. Another tenant's person reaches a shared channel only
    through B2B direct connect (R21, L25): a guest object's failing route is evidence, not the
    route, so the direct connect route names the denial whenever it was evaluated."""
    if isinstance(resource, Channel) and resource.membership_type == MembershipType.SHARED:
        for r in routes:
            if r.via == Via.B2B_DIRECT_CONNECT:
                return r
    return routes[0]


def _no_account(principal: User, resource: Resource) -> RouteResult:
    return RouteResult(
        via=Via.B2B_COLLABORATION,
        failures=[
            reason(
                ReasonCode.NO_ACCOUNT,
                "R14",
                f"`{principal.ref}` has no user object in `{resource.tenant}` (not invited, "
                "synced or signed up)",
                tenant=resource.tenant,
                side=Side.RESOURCE,
            )
        ],
    )


def _wrong_via(principal: User, resource: Resource, got: Via, asked: Via) -> Reason:
    return reason(
        ReasonCode.NO_ACCOUNT,
        "R14",
        f"`{principal.ref}` reaches `{resource.tenant}` as a {got.value} user, not through "
        f"{asked.value}",
        tenant=resource.tenant,
        side=Side.RESOURCE,
    )


def check(
    ix: WorldIndex,
    principal_ref: str,
    resource_ref: str,
    *,
    via: Via = Via.ANY,
    limits: CheckLimits | None = None,
) -> Verdict:
    """Decide whether the principal reaches the resource, with every path and reason.

    Raises NodeNotFound for an unknown principal or resource.
    """
    limits = limits or CheckLimits()
    started = time.monotonic()
    principal = resolve_principal(ix, principal_ref)
    resource = resolve_resource(ix, resource_ref)
    routes = _routes(ix, principal, resource, via)
    partial = time.monotonic() - started > limits.deadline_s
    allowed = [r for r in routes if r.decision == Decision.ALLOW]
    if allowed:
        allowed.sort(key=lambda r: (_MFA_RANK[r.mfa], _ROUTE_ORDER[r.via]))
        best = allowed[0]
        paths = sorted(
            {p for r in allowed for p in r.paths},
            key=lambda p: (_ROUTE_ORDER[p.via], len(p.hops), p.nodes),
        )
        if len(paths) > limits.max_paths:
            paths, partial = paths[: limits.max_paths], True
        return Verdict(
            principal=principal.ref,
            resource=resource.ref,
            via=best.via,
            decision=Decision.ALLOW,
            mfa=best.mfa,
            paths=tuple(paths),
            reasons=tuple(best.reasons()),
            partial=partial,
        )
    pending = [r for r in routes if r.decision == Decision.PENDING]
    if pending:
        best = pending[0]
        return Verdict(
            principal=principal.ref,
            resource=resource.ref,
            via=best.via,
            decision=Decision.PENDING,
            mfa=best.mfa,
            paths=tuple(best.paths[: limits.max_paths]),
            reasons=tuple(best.reasons()),
            partial=partial,
        )
    about = _denied_route(routes, resource)
    reasons: list[Reason] = []
    for r in (about, *(r for r in routes if r is not about)):  # its own gates first
        add_unique(reasons, r.reasons())
    if not reasons:
        reasons.append(_no_account(principal, resource).failures[0])
    return Verdict(
        principal=principal.ref,
        resource=resource.ref,
        via=about.via if via == Via.ANY else via,
        decision=Decision.DENY,
        mfa=Mfa.NONE,
        reasons=tuple(reasons),
        partial=partial,
    )
