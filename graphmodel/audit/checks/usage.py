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

from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from functools import partial

from graphmodel.audit.checks._base import ACCESS, Check, Draft
from graphmodel.audit.checks.identities import person_reach
from graphmodel.audit.context import AuditContext
from graphmodel.audit.model import CheckInfo, Exposure, Severity
from graphmodel.audit.tally import Run, Seed, Tally, seed_of
from graphmodel.engine import Direction, collaboration_grants, is_outsider, older_than
from graphmodel.policy.crosstenant import admits_anyone
from graphmodel.schema.entities import Tenant, User
from graphmodel.schema.kinds import EdgeKind
from graphmodel.schema.verdict import Decision, Hop, Verdict
from graphmodel.schema.xtap import B2BSetting, CrossTenantAccessPartner

__all__ = [
    "CHECKS",
    "activity_note",
    "admitting_inbound_sections",
    "assigned_paths",
    "assignment_subject",
    "last_activity",
]

_ALLOW = Decision.ALLOW

STALE_GUEST = CheckInfo(
    id="guest.stale-with-paths",
    title="guests with no sign-in for N days that still hold paths",
    severity=Severity.MEDIUM,
    rules=("L13", "L37"),
    description="A guest or synced member has not signed in for more than `--days` (default "
    "90; never, when created that long ago), yet still has allowed paths to resources of the "
    "tenant. Objects without sign-in or creation dates are unknown and not reported. Exposes "
    "each allowed access through the object with its path.",
)
UNUSED_TRUST = CheckInfo(
    id="partner.unused-trust",
    title="partner trust nobody used for N days",
    severity=Severity.LOW,
    rules=("R2", "R3"),
    description="A partner entry of the cross-tenant access settings admits someone inbound "
    "(B2B collaboration or direct connect), but the tenant's sign-in logs show no successful "
    "cross-tenant sign-in from that partner's users in the last `--days` (default 90). Exposes "
    "the partner entry and the access it currently allows.",
)
UNUSED_ASSIGNMENT = CheckInfo(
    id="assignment.unused",
    title="external principals' app assignments unused for N days",
    severity=Severity.LOW,
    rules=("L37",),
    description="An external principal reaches an app through an app role assignment (direct, "
    "through a group, or from an access package) and has not signed in to that app in the last "
    "`--days` (default 90). "
    "The subject is `principal -> app`. Exposes the allowed access with its path.",
)


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


def _stale_guests(ctx: AuditContext) -> Iterator[Draft]:
    days = ctx.options.unused_days
    for u in ctx.world.users:
        # guest and synced objects standing for outsiders (`is_outsider`), not local accounts
        if not ctx.wants(u.tenant) or not is_outsider(ctx.ix, ctx.ix.home_identity(u), u.tenant):
            continue
        when, signed_in = last_activity(u)
        if not older_than(when, ctx.ix.now, days):
            continue
        assert when is not None  # INVARIANT: older_than is False for None
        principal = ctx.ix.home_identity(u).ref

        def still(u: User = u, principal: str = principal, when: datetime = when) -> Iterator[Seed]:
            for r in person_reach(ctx, principal, u.tenant):
                if r.decision != Decision.ALLOW:
                    continue
                v = r.verdict
                through = [p for p in v.paths if u.ref in p.nodes]
                if through:
                    yield ctx.verdict_seed(v, path=through[0], detail=activity_note(when, u))

        what = (
            f"has not signed in since {when:%Y-%m-%d}"
            if signed_in
            else f"never signed in (created {when:%Y-%m-%d})"
        )
        yield Draft(
            info=STALE_GUEST,
            tenant=u.tenant,
            subject=u.ref,
            message=lambda t, u=u, what=what: (  # type: ignore[misc]
                f"`{u.ref}` {what}, more than {days} days before {ctx.ix.now:%Y-%m-%d}, "
                f"and still reaches {t.raw} resource(s)"
            ),
            policy=f"users[{u.name}].signInActivity",
            seeds=still,
            keep_empty=False,
        )


def activity_note(when: datetime, user: User) -> str:
    """What `last_activity` found, for an exposure's detail."""
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


def _unused_trust(ctx: AuditContext) -> Iterator[Draft]:
    days = ctx.options.unused_days
    for tenant in ctx.audited_tenants():
        entries: list[tuple[str, str, str]] = []  # (partner name, sections, last seen)
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
            entries.append((name, ", ".join(admitting), seen))
        if not entries:
            continue
        stale = {name: seen for name, _sections, seen in reversed(entries)}  # the first wins

        def partners(
            name: str = tenant.name, stale: dict[str, str] = stale
        ) -> Iterator[tuple[str, Run]]:
            labels: dict[str, str] = {}  # principal -> its home label
            for a in ctx.tenant_answers(name):
                by_label: dict[str, list[str]] = defaultdict(list)
                for p, d in zip(a.principals, a.decided, strict=True):
                    if d[0] != _ALLOW:
                        continue
                    label = labels.get(p)
                    if label is None:
                        label = labels[p] = ctx.home_label(p)
                    if label in stale:
                        by_label[label].append(p)
                for label, principals in by_label.items():
                    yield label, ctx.run(a.resource, principals, detail=stale[label])

        # one pass over the tenant counts the access of every stale partner at once
        tallies = [Tally(ctx.exemplars) for _ in entries]
        for tally, (name, sections, seen) in zip(tallies, entries, strict=True):
            tally.add(seed_of(_entry(name, sections, seen)))
        by_name: dict[str, list[Tally]] = {}
        for tally, (name, _sections, _seen) in zip(tallies, entries, strict=True):
            by_name.setdefault(name, []).append(tally)
        for label, run in partners():
            for tally in by_name[label]:
                tally.add(run)
        for tally, (name, sections, seen) in zip(tallies, entries, strict=True):
            entry = _entry(name, sections, seen)

            def of_partner(
                name: str = name, entry: Exposure = entry, partners: Partners = partners
            ) -> Iterator[Seed | Run]:
                yield seed_of(entry)
                yield from (run for label, run in partners() if label == name)

            yield Draft(
                info=UNUSED_TRUST,
                tenant=tenant.name,
                subject=name,
                identity=f"{tenant.name}<-{name}",
                message=f"`{tenant.name}` trusts partner `{name}` inbound, but no one from "
                f"`{name}` signed in during the {days} days before {ctx.ix.now:%Y-%m-%d} "
                f"({seen})",
                policy=f"crossTenantAccess.partners[{name}]",
                seeds=of_partner,
                tally=tally,
            )


Partners = Callable[[], Iterator[tuple[str, Run]]]  # a tenant's access by partner


def _entry(name: str, admitting: str, seen: str) -> Exposure:
    return Exposure(object=name, detail=f"partner entry admits inbound {admitting}; {seen}")


_ASSIGNING = frozenset({EdgeKind.ASSIGNED_TO, EdgeKind.GRANTS})


def assigned_paths(v: Verdict) -> list[int]:
    """Indexes of the verdict's paths that end in an app role assignment to its resource.

    An access package whose resource is the app grants an app role assignment too (Entra
    assigns the package's app role to the requester), so its `GRANTS` hop counts.
    """
    return [i for i, p in enumerate(v.paths) if _assigns(p.hops, v.resource)]


def _assigns(hops: Sequence[Hop], app: str) -> bool:
    return any(h.edge in _ASSIGNING and h.target == app for h in hops)


def _unused_assignments(ctx: AuditContext) -> Iterator[Draft]:
    days = ctx.options.unused_days
    for app in ctx.world.apps:
        if app.ref not in ctx.ix.assignees or not ctx.wants(app.tenant):
            continue
        for r in ctx.outsider_reach(app.ref):
            if r.decision != Decision.ALLOW:
                continue
            last = ctx.ix.usage.last_used(r.principal, app.ref)
            if last is not None and not older_than(last, ctx.ix.now, days):
                continue
            grants = collaboration_grants(ctx.ix, r.principal, app.ref, r.via)
            if grants is not None and not any(_assigns(g, app.ref) for g in grants):
                continue  # the grants are the paths' hops: no assignment, no verdict needed
            v = r.verdict  # whether the access comes from an assignment is in its paths
            paths = assigned_paths(v)
            if not paths:
                continue
            seen = "never signed in to it" if last is None else f"last sign-in {last:%Y-%m-%d}"
            exposure = ctx.verdict_seed(v, path=v.paths[paths[0]], detail=seen)
            yield Draft(
                info=UNUSED_ASSIGNMENT,
                tenant=app.tenant,
                subject=assignment_subject(v.principal, app.ref),
                message=f"`{v.principal}` is assigned to `{app.ref}` but {seen} (threshold "
                f"{days} days before {ctx.ix.now:%Y-%m-%d})",
                policy=f"apps[{app.name}].assignedTo",
                seeds=partial(tuple, (exposure,)),
            )


CHECKS = (
    Check(STALE_GUEST, _stale_guests, ACCESS),
    Check(UNUSED_TRUST, _unused_trust, ACCESS),
    Check(UNUSED_ASSIGNMENT, _unused_assignments, ACCESS),
)
