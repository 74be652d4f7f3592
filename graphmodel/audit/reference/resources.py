"""Resource and zone checks, the reference way: a verdict for every pair, every exposure kept.

What each check looks for, and why, is said once, in `graphmodel.audit.checks.resources`
(whose catalogue entries and small helpers these share). The finding logic here is the
audit as it was before issue 23, independent of the counted checks it is compared with.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from graphmodel.audit.checks.resources import CHANNEL_OUTSIDE, OPEN_APP, OUTSIDE_ZONE
from graphmodel.audit.model import Exposure, Finding
from graphmodel.audit.reference.context import AuditContext, Check, make_finding
from graphmodel.engine import check
from graphmodel.schema.enums import MembershipType, Via
from graphmodel.schema.verdict import Decision

__all__ = ["CHECKS"]


def _open_app(ctx: AuditContext) -> Iterator[Finding]:
    for app in ctx.world.apps:
        if app.app_role_assignment_required or not app.account_enabled or app.builtin:
            continue
        exposures = [ctx.exposure(v) for v in ctx.reach(app.ref) if v.via == Via.B2B_COLLABORATION]
        if not exposures:
            continue
        yield make_finding(
            OPEN_APP,
            tenant=app.tenant,
            subject=app.ref,
            message=f"`{app.ref}` requires no assignment, so every guest of `{app.tenant}` "
            f"reaches it ({len(exposures)} now)",
            policy=f"apps[{app.name}].appRoleAssignmentRequired",
            exposures=exposures,
        )


def _channel_outside(ctx: AuditContext) -> Iterator[Finding]:
    for ch in ctx.world.channels:
        if ch.membership_type != MembershipType.SHARED:
            continue
        how: dict[str, str] = {}
        for m in ch.members:
            how.setdefault(m, "direct member")
        for team in ch.shared_with_teams:
            for m in sorted(ctx.ix.team_members.get(team, ())):
                how.setdefault(m, f"member of the shared-with team `{team}`")
        exposures: list[Exposure] = []
        for m, source in sorted(how.items()):
            user = ctx.ix.users.get(m)
            if user is None or ctx.in_zone(user.tenant, ch.tenant):
                continue
            v = check(ctx.ix, m, ch.ref)
            state = (
                "reaches it"
                if v.decision != Decision.DENY
                else "denied: " + ", ".join(dict.fromkeys(v.codes))
            )
            exposures.append(ctx.exposure(v, detail=f"{source}; {state}"))
        if not exposures:
            continue
        yield make_finding(
            CHANNEL_OUTSIDE,
            tenant=ch.tenant,
            subject=ch.ref,
            message=f"shared channel `{ch.ref}` has {len(exposures)} member(s) from tenants "
            f"outside the zone of trust `{ctx.zone.label}`",
            policy=f"channels[{ch.ref}].members",
            exposures=exposures,
        )


def _outside_zone(ctx: AuditContext) -> Iterator[Finding]:
    groups: dict[tuple[str, str], list[Exposure]] = defaultdict(list)
    for ref in ctx.resources:
        tenant = ref.split("/", 1)[0]
        for v in ctx.reach(ref):
            if not ctx.is_external(v):
                continue
            home = ctx.home_label(v)
            if ctx.in_zone(home, tenant):
                continue
            groups[(tenant, home)].append(ctx.exposure(v))
    for (tenant, home), exposures in sorted(groups.items()):
        people = len({e.principal for e in exposures})
        things = len({e.resource for e in exposures})
        yield make_finding(
            OUTSIDE_ZONE,
            tenant=tenant,
            subject=f"{tenant}<-{home}",
            message=f"{people} principal(s) from `{home}` reach {things} resource(s) of "
            f"`{tenant}` from outside the zone of trust `{ctx.zone.label}`",
            exposures=exposures,
        )


CHECKS = (
    Check(OPEN_APP, _open_app),
    Check(CHANNEL_OUTSIDE, _channel_outside),
    Check(OUTSIDE_ZONE, _outside_zone),
)
