"""Resource and zone-of-trust checks: apps open to every guest, shared channels, outside access.

Why these: an app that requires no assignment admits every user object of its tenant that can
sign in — every guest included (L37) — so its audience is decided by whoever gets invited, not
by the app owner. First-party workloads (Teams, SharePoint, ...) are left out: their guest access
is governed by their own sharing settings (L18). The zone of trust works like an access
analyzer's zone: access from the resource's own tenant or from a zone tenant is expected; any
other access, and any shared-channel membership of a person homed outside the zone (L25,
whether direct connect currently lets them in or not), is a finding.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from functools import partial

from graphmodel.audit.checks._base import ACCESS, Check, Draft
from graphmodel.audit.context import AuditContext
from graphmodel.audit.model import CheckInfo, Exposure, Severity
from graphmodel.audit.tally import Run, Seed, Tally, in_key_order
from graphmodel.engine import check, decide
from graphmodel.schema.entities import Channel
from graphmodel.schema.enums import MembershipType, Via
from graphmodel.schema.verdict import Decision

__all__ = ["CHECKS"]

OPEN_APP = CheckInfo(
    id="app.open-to-every-guest",
    title="apps without assignment required that every guest can reach",
    severity=Severity.MEDIUM,
    rules=("L37", "R12"),
    description="An enabled app (not a Microsoft first-party workload) has "
    "appRoleAssignmentRequired false, so every guest that can sign in to the tenant reaches it. "
    "Reported when at least one guest does. Exposes each guest access.",
)
CHANNEL_OUTSIDE = CheckInfo(
    id="channel.external-outside-zone",
    title="shared channels with external members from tenants outside the zone of trust",
    severity=Severity.HIGH,
    rules=("L25", "R19", "R21"),
    description="A shared channel lists members (directly, or through a team it is shared "
    "with) homed in tenants the zone of trust does not include. Exposes each such member with "
    "the current direct connect verdict.",
)
OUTSIDE_ZONE = CheckInfo(
    id="zone.access-from-outside",
    title="access from outside the zone of trust",
    severity=Severity.MEDIUM,
    rules=("R2", "R12", "R19", "L35"),
    description="Principals homed in a tenant outside the zone of trust (or guests without an "
    "Entra home) reach apps or channels of the tenant. One finding per resource tenant and "
    "home; exposes each access with its path and the trust edges it crosses.",
)


def _open_app(ctx: AuditContext) -> Iterator[Draft]:
    for app in ctx.world.apps:
        if (
            app.app_role_assignment_required
            or not app.account_enabled
            or app.builtin
            or not ctx.wants(app.tenant)
        ):
            continue

        def guests(ref: str = app.ref) -> Iterator[Run]:
            a = ctx.answers(ref)
            collaboration = Via.B2B_COLLABORATION
            yield ctx.run(
                ref,
                [p for p, d in zip(a.principals, a.decided, strict=True) if d[2] == collaboration],
            )

        yield Draft(
            info=OPEN_APP,
            tenant=app.tenant,
            subject=app.ref,
            message=lambda t, app=app: (  # type: ignore[misc]
                f"`{app.ref}` requires no assignment, so every guest of `{app.tenant}` "
                f"reaches it ({t.raw} now)"
            ),
            policy=f"apps[{app.name}].appRoleAssignmentRequired",
            seeds=guests,
            keep_empty=False,
        )


def _member_state(ctx: AuditContext, member: str, channel: str, source: str) -> Exposure:
    v = check(ctx.ix, member, channel)
    state = (
        "reaches it"
        if v.decision != Decision.DENY
        else "denied: " + ", ".join(dict.fromkeys(v.codes))
    )
    return ctx.exposure(v, detail=f"{source}; {state}")


def _channel_outside(ctx: AuditContext) -> Iterator[Draft]:
    for ch in ctx.world.channels:
        if ch.membership_type != MembershipType.SHARED or not ctx.wants(ch.tenant):
            continue

        def outside(ch: Channel = ch) -> list[Seed]:
            how: dict[str, str] = {}
            for m in ch.members:
                how.setdefault(m, "direct member")
            for team in ch.shared_with_teams:
                for m in sorted(ctx.ix.team_members.get(team, ())):
                    how.setdefault(m, f"member of the shared-with team `{team}`")
            out: list[Seed] = []
            for m, source in sorted(how.items()):
                user = ctx.ix.users.get(m)
                if user is None or ctx.in_zone(user.tenant, ch.tenant):
                    continue
                r = decide(ctx.ix, m, ch.ref)  # a path exactly when it reaches
                build = partial(_member_state, ctx, m, ch.ref, source)
                out.append(Seed(ch.ref, r.principal, None, r.decision != Decision.DENY, build))
            return in_key_order(out)

        yield Draft(
            info=CHANNEL_OUTSIDE,
            tenant=ch.tenant,
            subject=ch.ref,
            message=lambda t, ch=ch: (  # type: ignore[misc]
                f"shared channel `{ch.ref}` has {t.raw} member(s) from tenants "
                f"outside the zone of trust `{ctx.zone.label}`"
            ),
            policy=f"channels[{ch.ref}].members",
            seeds=outside,
            keep_empty=False,
        )


Homes = Callable[[], Iterator[tuple[str, Run]]]  # a tenant's outside access, by home label


def _outside_zone(ctx: AuditContext) -> Iterator[Draft]:
    tenants = sorted({ref.split("/", 1)[0] for ref in (*ctx.ix.apps, *ctx.ix.channels)})
    for tenant in tenants:
        if not ctx.wants(tenant):
            continue

        def homes(tenant: str = tenant) -> Iterator[tuple[str, Run]]:
            outside: dict[str, str | None] = {}  # outsider -> its home when outside the zone

            def outside_home(principal: str) -> str | None:
                home = ctx.home_label(principal)
                return None if ctx.in_zone(home, tenant) else home

            for a in ctx.tenant_answers(tenant):  # outsiders only
                by_home: dict[str, list[str]] = defaultdict(list)
                for p in a.principals:
                    if p not in outside:
                        outside[p] = outside_home(p)
                    home = outside[p]
                    if home is not None:
                        by_home[home].append(p)
                for home, principals in by_home.items():
                    yield home, ctx.run(a.resource, principals)

        groups: dict[str, Tally] = defaultdict(lambda: Tally(ctx.exemplars))
        for home, run in homes():
            groups[home].add(run)
        for home, tally in sorted(groups.items()):

            def of_home(home: str = home, homes: Homes = homes) -> Iterator[Run]:
                return (run for h, run in homes() if h == home)

            yield Draft(
                info=OUTSIDE_ZONE,
                tenant=tenant,
                subject=f"{tenant}<-{home}",
                message=f"{len(tally.principals)} principal(s) from `{home}` reach "
                f"{len(tally.resources)} resource(s) of `{tenant}` from outside the zone of trust "
                f"`{ctx.zone.label}`",
                seeds=of_home,
                tally=tally,
            )


CHECKS = (
    Check(OPEN_APP, _open_app, ACCESS),
    Check(CHANNEL_OUTSIDE, _channel_outside, ACCESS),
    Check(OUTSIDE_ZONE, _outside_zone, ACCESS),
)
