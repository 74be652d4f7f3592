"""Identity lifecycle checks, the reference way: a verdict for every pair, every exposure kept.

What each check looks for, and why, is said once, in `graphmodel.audit.checks.identities`
(whose catalogue entries and small helpers these share). The finding logic here is the
audit as it was before issue 23, independent of the counted checks it is compared with.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import timedelta

from graphmodel.audit.checks.identities import (
    HOME_DISABLED,
    PACKAGE_OPEN,
    PENDING,
    SYNC_OUTSIDE,
    invitation_age,
)
from graphmodel.audit.context import GRANT_EDGES, held_paths
from graphmodel.audit.model import Exposure, Finding
from graphmodel.audit.reference.context import AuditContext, Check, make_finding
from graphmodel.engine.grants import app_grant_hops, channel_grant_hops, hop
from graphmodel.schema.entities import User
from graphmodel.schema.enums import AllowedTargetScope, ExternalUserState, Via
from graphmodel.schema.kinds import EdgeKind
from graphmodel.schema.verdict import AccessPath, Decision, Hop, Verdict

__all__ = ["CHECKS"]


def _by_principal(ctx: AuditContext, tenant: str) -> dict[str, list[Verdict]]:
    found: dict[str, list[Verdict]] = defaultdict(list)
    for ref in ctx.resources_of(tenant):
        for v in ctx.reach(ref):
            found[v.principal].append(v)
    return found


def _pending(ctx: AuditContext) -> Iterator[Finding]:
    reach: dict[str, dict[str, list[Verdict]]] = {}
    for u in ctx.world.users:
        if u.external_user_state != ExternalUserState.PENDING_ACCEPTANCE:
            continue
        age = invitation_age(u, ctx.ix.now)
        if age is None or age <= timedelta(days=ctx.options.pending_days):
            continue
        if u.tenant not in reach:
            reach[u.tenant] = _by_principal(ctx, u.tenant)
        principal = ctx.ix.home_identity(u).ref
        since = f"pending {age.days} days"
        exposures = [
            ctx.exposure(v, path=next(iter(held_paths(v)), None), detail=since)
            for v in reach[u.tenant].get(principal, ())
            if v.decision == Decision.PENDING
        ]
        if not exposures:
            continue
        when = f"for {age.days} days (more than {ctx.options.pending_days})"
        yield make_finding(
            PENDING,
            tenant=u.tenant,
            subject=u.ref,
            message=f"guest `{u.ref}` has not redeemed its invitation {when} and already holds "
            f"{len(exposures)} path(s)",
            policy=f"users[{u.name}].externalUserState",
            exposures=exposures,
        )


def _held_grants(ctx: AuditContext, guest: User, home: User) -> list[AccessPath]:
    entry = hop(
        home.ref,
        guest.ref,
        EdgeKind.GUEST_OF if guest.guest_of else EdgeKind.SYNCED_FROM,
        "R12" if guest.guest_of else "R17",
    )
    grants: list[list[Hop]] = []
    for app in ctx.world.apps:
        if app.tenant == guest.tenant and app.app_role_assignment_required:
            grants.extend(app_grant_hops(ctx.ix, guest, home, app))
    for ch in ctx.world.channels:
        if ch.tenant == guest.tenant:
            grants.extend(channel_grant_hops(ctx.ix, guest, ch))
    out: list[AccessPath] = []
    for hops in grants:
        if any(h.edge in GRANT_EDGES for h in hops):
            out.append(AccessPath(via=Via.B2B_COLLABORATION, hops=(entry, *hops)))
    return out


def _home_disabled(ctx: AuditContext) -> Iterator[Finding]:
    for u in ctx.world.users:
        home = ctx.ix.users.get(u.home_ref) if u.home_ref else None
        if home is None or home.account_enabled:
            continue
        state = "enabled" if u.account_enabled else "disabled too"
        exposures = [
            Exposure(
                principal=home.ref,
                resource=p.hops[-1].target,
                via=Via.B2B_COLLABORATION,
                decision=Decision.DENY,
                path=p,
                detail=f"home account disabled; the object in `{u.tenant}` is {state}",
            )
            for p in _held_grants(ctx, u, home)
        ]
        if not exposures:
            continue
        yield make_finding(
            HOME_DISABLED,
            tenant=u.tenant,
            subject=u.ref,
            message=f"`{home.ref}`'s home account is disabled, but `{u.ref}` still holds "
            f"{len(exposures)} grant path(s)",
            policy=f"users[{u.name}]",
            exposures=exposures,
        )


def _sync_outside(ctx: AuditContext) -> Iterator[Finding]:
    reach: dict[str, dict[str, list[Verdict]]] = {}
    for u in ctx.world.users:
        if u.synced_from is None:
            continue
        if u.tenant not in reach:
            reach[u.tenant] = _by_principal(ctx, u.tenant)
        principal = ctx.ix.home_identity(u).ref
        exposures: list[Exposure] = []
        for v in reach[u.tenant].get(principal, ()):
            paths = [p for p in v.paths if p.via == Via.B2B_COLLABORATION]
            if not paths or any(any(h.edge == EdgeKind.MEMBER_OF for h in p.hops) for p in paths):
                continue
            how = ", ".join(dict.fromkeys(h.edge.value for h in paths[0].hops[1:]))
            exposures.append(ctx.exposure(v, path=paths[0], detail=f"through {how}"))
        if not exposures:
            continue
        yield make_finding(
            SYNC_OUTSIDE,
            tenant=u.tenant,
            subject=u.ref,
            message=f"synced member `{u.ref}` reaches {len(exposures)} resource(s) of "
            f"`{u.tenant}` without a group membership there",
            policy=f"users[{u.name}].syncedFrom",
            exposures=exposures,
        )


def _package_open(ctx: AuditContext) -> Iterator[Finding]:
    for p in ctx.world.access_packages:
        if not p.catalog_externally_visible or not any(
            pol.allowed_target_scope == AllowedTargetScope.ALL_EXTERNAL_USERS for pol in p.policies
        ):
            continue
        exposures: list[Exposure] = []
        for r in p.resources:
            if r in ctx.ix.apps:
                exposures.append(Exposure(resource=r, object=p.ref, detail="granted directly"))
                continue
            apps = ctx.ix.assigned_apps.get(r, [])
            exposures.append(Exposure(object=r, detail=f"requesters become members of `{r}`"))
            exposures.extend(
                Exposure(resource=a, object=r, detail=f"assigned to `{r}`") for a in apps
            )
        exposures.extend(
            Exposure(principal=pa.target, object=p.ref, detail="holds a delivered assignment")
            for pa in ctx.ix.package_assignments_by_package.get(p.ref, ())
            if ctx.ix.assignment_valid(pa)
        )
        hidden = " (hidden: requestable by direct link)" if p.is_hidden else ""
        yield make_finding(
            PACKAGE_OPEN,
            tenant=p.tenant,
            subject=p.ref,
            message=f"access package `{p.ref}` may be requested by all external users{hidden}",
            policy=f"accessPackages[{p.name}].policies",
            exposures=exposures,
        )


CHECKS = (
    Check(PENDING, _pending),
    Check(HOME_DISABLED, _home_disabled),
    Check(SYNC_OUTSIDE, _sync_outside),
    Check(PACKAGE_OPEN, _package_open),
)
