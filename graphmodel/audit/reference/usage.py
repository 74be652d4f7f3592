"""Evidence-of-use checks: possible access that nobody used, joined with its paths.

Why these: a path that exists but is never used is pure exposure — removing it costs no one
anything (IAM Access Analyzer's unused-access findings; Maester's stale-guest tests). The
engine says which paths are *possible*; the users' `lastSignInDateTime` and the tenants'
aggregated cross-tenant sign-ins say which were *used*. Every threshold counts back from the
evaluation clock (`asOf`) by `AuditOptions.unused_days` (default 90); a missing date is
unknown, never "long ago", so an undated object is not reported.

What counts as used:

- a guest: its `lastSignInDateTime` (the later of interactive and non-interactive sign-ins,
  so a guest whose token refreshes keep working counts as active); never signed in = created
  more than N days ago with no sign-in date;
- a partner trust: a successful cross-tenant sign-in from one of the partner's users in this
  tenant's logs (inbound);
- an app assignment: a successful sign-in of that principal to that app.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from graphmodel.audit.checks.usage import STALE_GUEST, UNUSED_ASSIGNMENT, UNUSED_TRUST
from graphmodel.audit.model import Exposure, Finding
from graphmodel.audit.reference.context import AuditContext, Check, make_finding
from graphmodel.engine import Direction, is_outsider, older_than
from graphmodel.policy.crosstenant import admits_anyone
from graphmodel.schema.entities import Tenant, User
from graphmodel.schema.kinds import EdgeKind
from graphmodel.schema.verdict import Decision, Verdict
from graphmodel.schema.xtap import B2BSetting, CrossTenantAccessPartner

__all__ = ["CHECKS", "admitting_inbound_sections", "assignment_subject", "last_activity"]


def assignment_subject(principal: str, app: str) -> str:
    """The subject of an `assignment.unused` finding: `fabrikam/bob -> contoso/payroll`."""
    return f"{principal} -> {app}"


def last_activity(user: User) -> tuple[datetime | None, bool]:
    """The date that says whether `user` is active, and whether it is a sign-in date.

    A sign-in date when Graph has one; else the creation date (the account never signed in).
    """
    if user.last_sign_in_date_time is not None:
        return user.last_sign_in_date_time, True
    return user.created_date_time, False


def _stale_guests(ctx: AuditContext) -> Iterator[Finding]:
    days = ctx.options.unused_days
    for u in ctx.world.users:
        # guest and synced objects standing for outsiders (`is_outsider`), not local accounts
        if not is_outsider(ctx.ix, ctx.ix.home_identity(u), u.tenant):
            continue
        when, signed_in = last_activity(u)
        if not older_than(when, ctx.ix.now, days):
            continue
        assert when is not None  # INVARIANT: older_than is False for None
        principal = ctx.ix.home_identity(u).ref
        exposures: list[Exposure] = []
        for ref in ctx.resources_of(u.tenant):
            for v in ctx.reach(ref):
                if v.principal != principal or v.decision != Decision.ALLOW:
                    continue
                through = [p for p in v.paths if u.ref in p.nodes]
                if through:
                    exposures.append(ctx.exposure(v, path=through[0], detail=_since(when, u)))
        if not exposures:
            continue
        what = (
            f"has not signed in since {when:%Y-%m-%d}"
            if signed_in
            else f"never signed in (created {when:%Y-%m-%d})"
        )
        yield make_finding(
            STALE_GUEST,
            tenant=u.tenant,
            subject=u.ref,
            message=f"`{u.ref}` {what}, more than {days} days before {ctx.ix.now:%Y-%m-%d}, "
            f"and still reaches {len(exposures)} resource(s)",
            policy=f"users[{u.name}].signInActivity",
            exposures=exposures,
        )


def _since(when: datetime, user: User) -> str:
    if user.last_sign_in_date_time is not None:
        return f"last sign-in {when:%Y-%m-%d}"
    return f"never signed in; created {when:%Y-%m-%d}"


def admitting_inbound_sections(tenant: Tenant, partner: CrossTenantAccessPartner) -> list[str]:
    """The partner's effective inbound sections that admit someone (world-file keys)."""
    return [s for s, setting in _inbound_sections(tenant, partner) if admits_anyone(setting)]


def _inbound_sections(
    tenant: Tenant, partner: CrossTenantAccessPartner
) -> list[tuple[str, B2BSetting]]:
    """The partner's effective inbound sections (a null section inherits the default, R3)."""
    default = tenant.cross_tenant_access.default
    return [
        (
            "b2bCollaborationInbound",
            partner.b2b_collaboration_inbound or default.b2b_collaboration_inbound,
        ),
        (
            "b2bDirectConnectInbound",
            partner.b2b_direct_connect_inbound or default.b2b_direct_connect_inbound,
        ),
    ]


def _unused_trust(ctx: AuditContext) -> Iterator[Finding]:
    days = ctx.options.unused_days
    for tenant in ctx.workforce_tenants():
        for partner in tenant.cross_tenant_access.partners:
            admitting = admitting_inbound_sections(tenant, partner)
            if not admitting:
                continue
            known = ctx.ix.tenant_by_id.get(partner.tenant_id)
            name = known.name if known is not None else partner.tenant_id
            last = ctx.ix.usage.last_from_partner(tenant.name, name, Direction.INBOUND)
            if last is not None and not older_than(last, ctx.ix.now, days):
                continue
            seen = "no cross-tenant sign-in recorded" if last is None else f"last {last:%Y-%m-%d}"
            exposures = [
                Exposure(
                    object=name,
                    detail=f"partner entry admits inbound {', '.join(admitting)}; {seen}",
                )
            ]
            exposures += [
                ctx.exposure(v, detail=seen)
                for ref in ctx.resources_of(tenant.name)
                for v in ctx.reach(ref)
                if v.decision == Decision.ALLOW and ctx.home_label(v) == name
            ]
            yield make_finding(
                UNUSED_TRUST,
                tenant=tenant.name,
                subject=name,
                identity=f"{tenant.name}<-{name}",
                message=f"`{tenant.name}` trusts partner `{name}` inbound, but no one from "
                f"`{name}` signed in during the {days} days before {ctx.ix.now:%Y-%m-%d} "
                f"({seen})",
                policy=f"crossTenantAccess.partners[{name}]",
                exposures=exposures,
            )


_ASSIGNING = frozenset({EdgeKind.ASSIGNED_TO, EdgeKind.GRANTS})


def _assigned(v: Verdict) -> list[int]:
    """Indexes of the verdict's paths that end in an app role assignment to its resource.

    An access package whose resource is the app grants an app role assignment too (Entra
    assigns the package's app role to the requester), so its `GRANTS` hop counts.
    """
    return [
        i
        for i, p in enumerate(v.paths)
        if any(h.edge in _ASSIGNING and h.target == v.resource for h in p.hops)
    ]


def _unused_assignments(ctx: AuditContext) -> Iterator[Finding]:
    days = ctx.options.unused_days
    for app in ctx.world.apps:
        if app.ref not in ctx.ix.assignees:
            continue
        for v in ctx.reach(app.ref):
            if v.decision != Decision.ALLOW or not ctx.is_external(v):
                continue
            paths = _assigned(v)
            if not paths:
                continue
            last = ctx.ix.usage.last_used(v.principal, app.ref)
            if last is not None and not older_than(last, ctx.ix.now, days):
                continue
            seen = "never signed in to it" if last is None else f"last sign-in {last:%Y-%m-%d}"
            yield make_finding(
                UNUSED_ASSIGNMENT,
                tenant=app.tenant,
                subject=assignment_subject(v.principal, app.ref),
                message=f"`{v.principal}` is assigned to `{app.ref}` but {seen} (threshold "
                f"{days} days before {ctx.ix.now:%Y-%m-%d})",
                policy=f"apps[{app.name}].assignedTo",
                exposures=[ctx.exposure(v, path=v.paths[paths[0]], detail=seen)],
            )


CHECKS = (
    Check(STALE_GUEST, _stale_guests),
    Check(UNUSED_TRUST, _unused_trust),
    Check(UNUSED_ASSIGNMENT, _unused_assignments),
)
