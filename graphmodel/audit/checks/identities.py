"""Identity lifecycle checks: stale invitations, orphaned guests, synced members, open packages.

Why these: an invitation creates the guest object at once and it can be granted access before
redemption (L5, L8), so a long-pending guest with grants is access waiting for whoever redeems
the link. A guest whose home account was disabled keeps its memberships (L13) — re-enabling, or
a home tenant that re-enables the account, restores everything. Cross-tenant sync provisions
people so that the target tenant can grant them access through its groups (L29, L31); access
that does not come through a group membership is access nobody scoped. An access package whose
policy admits all external users lets anyone request its resources (L19).

Definitions used by the checks:

- a *held path* is a grant path with at least one grant hop (group membership, app role
  assignment, access package, team or channel membership): the open sign-in of an app that
  requires no assignment is not held by anyone (`graphmodel.audit.context.GRANT_EDGES`);
- a synced member's access is *justified* when at least one of its B2B collaboration paths
  goes through a group the synced object is a member of in the target tenant; every other
  access (direct assignment, access package, team or channel membership, an app that requires
  no assignment) is *outside the groups that justify its sync*;
- the *age* of a pending invitation is the time since the guest's
  `externalUserStateChangeDateTime` (when PendingAcceptance was set, i.e. the invitation was
  sent), counted at the evaluation clock; a guest without that date has an unknown age and is
  not reported (unknown is never "long ago", `scenarios.md`);
- a pending guest is reported when its answer for some resource is `pending`, whether that
  access comes from a grant or from an app that requires no assignment: either way the
  redeemer gets it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from functools import partial

from graphmodel.audit.checks._base import ACCESS, ACCESS_KINDS, Check, Draft, Reads, seeds_of
from graphmodel.audit.context import GRANT_EDGES, AuditContext, held_paths
from graphmodel.audit.model import CheckInfo, Exposure, Severity
from graphmodel.audit.tally import Seed, Tally
from graphmodel.engine import Reach, check, collaboration_grants, reachable
from graphmodel.engine.equivalence import Decided
from graphmodel.engine.grants import app_grant_hops, channel_grant_hops, hop
from graphmodel.engine.outsiders import tenant_of
from graphmodel.schema.entities import User
from graphmodel.schema.enums import AllowedTargetScope, ExternalUserState, Via
from graphmodel.schema.governance import AccessPackage
from graphmodel.schema.kinds import EdgeKind
from graphmodel.schema.verdict import AccessPath, Decision, Hop, Verdict

__all__ = ["CHECKS", "invitation_age"]

_MEMBER_OF = EdgeKind.MEMBER_OF

PENDING = CheckInfo(
    id="invitation.pending-with-paths",
    title="invitations pending for more than N days whose guests already hold paths",
    severity=Severity.MEDIUM,
    rules=("L5", "L8"),
    description="A guest object has been in PendingAcceptance for more than `--pending-days` "
    "(default 90, dated by externalUserStateChangeDateTime) and its answer for some resource is "
    "`pending`: whoever redeems the invitation link gets that access. Guests without the date "
    "are not reported (age unknown). Exposes each pending access with its path.",
)
HOME_DISABLED = CheckInfo(
    id="guest.home-disabled-with-paths",
    title="disabled home accounts whose guest objects still hold paths",
    severity=Severity.HIGH,
    rules=("L13", "L30"),
    description="The person's home account is disabled (they left the partner), but the guest "
    "or synced object in the resource tenant keeps its group memberships, assignments and team "
    "memberships; re-enabling either account restores the access. Exposes each held path.",
)
SYNC_OUTSIDE = CheckInfo(
    id="sync.access-outside-groups",
    title="synced members with access outside the groups that justify their sync",
    severity=Severity.LOW,
    rules=("L29", "L31", "L37"),
    description="A member synced by cross-tenant sync reaches a resource of the target tenant "
    "and none of the access paths goes through a group it is a member of there: a direct "
    "assignment, an access package, a team or channel membership, or an app that requires no "
    "assignment and is open to every member. Exposes each such access.",
)
PACKAGE_OPEN = CheckInfo(
    id="package.open-to-all-external",
    title="access packages open to all external users",
    severity=Severity.HIGH,
    rules=("L19", "L20"),
    description="A policy of an externally visible access package has allowedTargetScope "
    "`allExternalUsers`: anyone from any organisation may request it (a proposed connected "
    "organisation is created for unknown ones). Exposes the resources it grants and the "
    "current delivered assignments.",
)


def invitation_age(guest: User, now: datetime) -> timedelta | None:
    """How long the guest has been pending at the evaluation clock `now`, None when undated."""
    since = guest.external_user_state_change_date_time
    return None if since is None else now - since


def person_reach(ctx: AuditContext, principal: str, tenant: str) -> Iterator[Reach]:
    """The allow and pending answers of one principal on the resources of `tenant`, in
    resource order (verdicts built only when read)."""
    return (r for r in reachable(ctx.ix, principal) if tenant_of(r.resource) == tenant)


def _pending(ctx: AuditContext) -> Iterator[Draft]:
    for u in ctx.world.users:
        if u.external_user_state != ExternalUserState.PENDING_ACCEPTANCE or not ctx.wants(u.tenant):
            continue
        age = invitation_age(u, ctx.ix.now)
        if age is None or age <= timedelta(days=ctx.options.pending_days):
            continue
        principal = ctx.ix.home_identity(u).ref
        since = f"pending {age.days} days"

        def waiting(
            principal: str = principal, tenant: str = u.tenant, since: str = since
        ) -> Iterator[Seed]:
            for r in person_reach(ctx, principal, tenant):
                if r.decision == Decision.PENDING:
                    v = r.verdict
                    yield ctx.verdict_seed(v, path=next(iter(held_paths(v)), None), detail=since)

        when = f"for {age.days} days (more than {ctx.options.pending_days})"
        yield Draft(
            info=PENDING,
            tenant=u.tenant,
            subject=u.ref,
            message=lambda t, u=u, when=when: (  # type: ignore[misc]
                f"guest `{u.ref}` has not redeemed its invitation {when} and already holds "
                f"{t.raw} path(s)"
            ),
            policy=f"users[{u.name}].externalUserState",
            seeds=waiting,
            keep_empty=False,
        )


def _held_grants(ctx: AuditContext, guest: User, home: User) -> list[AccessPath]:
    entry = hop(
        home.ref,
        guest.ref,
        EdgeKind.GUEST_OF if guest.guest_of else EdgeKind.SYNCED_FROM,
        "R12" if guest.guest_of else "R17",
    )
    grants: list[list[Hop]] = []
    for app in ctx.ix.apps_by_tenant.get(guest.tenant, ()):
        if app.app_role_assignment_required:
            grants.extend(app_grant_hops(ctx.ix, guest, home, app))
    for ch in ctx.ix.channels_by_tenant.get(guest.tenant, ()):
        grants.extend(channel_grant_hops(ctx.ix, guest, ch))
    out: list[AccessPath] = []
    for hops in grants:
        if any(h.edge in GRANT_EDGES for h in hops):
            out.append(AccessPath(via=Via.B2B_COLLABORATION, hops=(entry, *hops)))
    return out


def _home_disabled(ctx: AuditContext) -> Iterator[Draft]:
    for u in ctx.world.users:
        home = ctx.ix.users.get(u.home_ref) if u.home_ref else None
        if home is None or home.account_enabled or not ctx.wants(u.tenant):
            continue
        state = "enabled" if u.account_enabled else "disabled too"
        paths = _held_grants(ctx, u, home)
        if not paths:
            continue

        def held(
            u: User = u, home: User = home, state: str = state, paths: list[AccessPath] = paths
        ) -> list[Exposure]:
            return [
                Exposure(
                    principal=home.ref,
                    resource=p.hops[-1].target,
                    via=Via.B2B_COLLABORATION,
                    decision=Decision.DENY,
                    path=p,
                    detail=f"home account disabled; the object in `{u.tenant}` is {state}",
                )
                for p in paths
            ]

        yield Draft(
            info=HOME_DISABLED,
            tenant=u.tenant,
            subject=u.ref,
            message=f"`{home.ref}`'s home account is disabled, but `{u.ref}` still holds "
            f"{len(paths)} grant path(s)",
            policy=f"users[{u.name}]",
            seeds=seeds_of(held),
        )


def _sync_outside(ctx: AuditContext) -> Iterator[Draft]:
    synced: dict[str, list[User]] = {}  # tenant -> its synced members, in world order
    for u in ctx.world.users:
        if u.synced_from is not None and ctx.wants(u.tenant):
            synced.setdefault(u.tenant, []).append(u)
    for tenant, users in synced.items():
        # one pass over the tenant's answers for all its synced members (outsiders all)
        homes = {u.ref: ctx.ix.home_identity(u).ref for u in users}
        reached = ctx.answers_of(tenant, homes.values())
        for u in users:
            principal = homes[u.ref]
            answers = reached.get(principal, ())
            tally = Tally.of(_ungrouped(ctx, principal, answers), ctx.exemplars)

            def ungrouped(principal: str = principal, tenant: str = u.tenant) -> Iterator[Seed]:
                mine = ctx.answers_of(tenant, (principal,)).get(principal, ())
                return _ungrouped(ctx, principal, mine)

            yield Draft(
                info=SYNC_OUTSIDE,
                tenant=u.tenant,
                subject=u.ref,
                message=lambda t, u=u: (  # type: ignore[misc]
                    f"synced member `{u.ref}` reaches {t.raw} resource(s) of "
                    f"`{u.tenant}` without a group membership there"
                ),
                policy=f"users[{u.name}].syncedFrom",
                seeds=ungrouped,
                tally=tally,
                keep_empty=False,
            )


def _ungrouped(
    ctx: AuditContext, principal: str, answers: Iterable[tuple[str, Decided]]
) -> Iterator[Seed]:
    """The seeds of a synced member's answers (resource order) that no group justifies: read
    from the grants where they tell, from the verdict where only it can."""
    for resource, (_decision, _mfa, via) in answers:
        grants = collaboration_grants(ctx.ix, principal, resource, via)
        if grants is None:
            found = _ungrouped_seed(ctx, check(ctx.ix, principal, resource))
            if found is not None:
                yield found
        elif grants and not _through_group(grants):
            yield Seed(resource, principal, None, True, partial(_built, ctx, principal, resource))


def _through_group(hop_lists: Iterable[Sequence[Hop]]) -> bool:
    """Whether one of the hop lists goes through a group membership."""
    for hops in hop_lists:
        for h in hops:
            if h.edge == _MEMBER_OF:
                return True
    return False


def _ungrouped_seed(ctx: AuditContext, v: Verdict) -> Seed | None:
    """The exposure of a synced member's access whose B2B collaboration paths exist and none
    goes through a group membership (the first such path shown), else None."""
    paths = [p for p in v.paths if p.via == Via.B2B_COLLABORATION]
    if not paths or _through_group(p.hops for p in paths):
        return None
    how = ", ".join(dict.fromkeys(h.edge.value for h in paths[0].hops[1:]))
    return ctx.verdict_seed(v, path=paths[0], detail=f"through {how}")


def _built(ctx: AuditContext, principal: str, resource: str) -> Exposure:
    """The exposure of an answer its grants showed ungrouped (the verdict agrees)."""
    found = _ungrouped_seed(ctx, check(ctx.ix, principal, resource))
    assert found is not None  # INVARIANT: `collaboration_grants` holds the verdict's hops
    return found.build()


def _package_open(ctx: AuditContext) -> Iterator[Draft]:
    for p in ctx.world.access_packages:
        if (
            not ctx.wants(p.tenant)
            or not p.catalog_externally_visible
            or not any(
                pol.allowed_target_scope == AllowedTargetScope.ALL_EXTERNAL_USERS
                for pol in p.policies
            )
        ):
            continue

        def granted(p: AccessPackage = p) -> Iterator[Exposure]:
            for r in p.resources:
                if r in ctx.ix.apps:
                    yield Exposure(resource=r, object=p.ref, detail="granted directly")
                    continue
                yield Exposure(object=r, detail=f"requesters become members of `{r}`")
                for a in ctx.ix.assigned_apps.get(r, []):
                    yield Exposure(resource=a, object=r, detail=f"assigned to `{r}`")
            for pa in ctx.ix.package_assignments_by_package.get(p.ref, ()):
                if ctx.ix.assignment_valid(pa):
                    yield Exposure(
                        principal=pa.target, object=p.ref, detail="holds a delivered assignment"
                    )

        hidden = " (hidden: requestable by direct link)" if p.is_hidden else ""
        yield Draft(
            info=PACKAGE_OPEN,
            tenant=p.tenant,
            subject=p.ref,
            message=f"access package `{p.ref}` may be requested by all external users{hidden}",
            policy=f"accessPackages[{p.name}].policies",
            seeds=seeds_of(granted),
        )


_PACKAGES = Reads(frozenset({"accessPackage", "packageAssignment", "assignment", "app"}))
_PEOPLE = Reads(ACCESS_KINDS | {"invitation"}, access=True)
CHECKS = (
    Check(PENDING, _pending, _PEOPLE),
    Check(HOME_DISABLED, _home_disabled, ACCESS),
    Check(SYNC_OUTSIDE, _sync_outside, ACCESS),
    Check(
        PACKAGE_OPEN,
        _package_open,
        Reads(frozenset({"accessPackage", "packageAssignment", "assignment", "app", "group"})),
    ),
)
