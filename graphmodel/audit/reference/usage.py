"""Evidence-of-use checks, the reference way: a verdict for every pair, every exposure kept.

What each check looks for, and why, is said once, in `graphmodel.audit.checks.usage`
(whose catalogue entries and small helpers these share). The finding logic here is the
audit as it was before issue 23, independent of the counted checks it is compared with.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphmodel.audit.checks.usage import (
    STALE_GUEST,
    UNUSED_ASSIGNMENT,
    UNUSED_TRUST,
    activity_note,
    admitting_inbound_sections,
    assigned_paths,
    assignment_subject,
    last_activity,
)
from graphmodel.audit.model import Exposure, Finding
from graphmodel.audit.reference.context import AuditContext, Check, make_finding
from graphmodel.engine import Direction, is_outsider, older_than
from graphmodel.schema.verdict import Decision

__all__ = ["CHECKS"]


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
                    exposures.append(
                        ctx.exposure(v, path=through[0], detail=activity_note(when, u))
                    )
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


def _unused_assignments(ctx: AuditContext) -> Iterator[Finding]:
    days = ctx.options.unused_days
    for app in ctx.world.apps:
        if app.ref not in ctx.ix.assignees:
            continue
        for v in ctx.reach(app.ref):
            if v.decision != Decision.ALLOW or not ctx.is_external(v):
                continue
            paths = assigned_paths(v)
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
