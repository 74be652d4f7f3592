"""Baseline checks in the spirit of CISA SCuBA MS.AAD.8.1-8.3 (guest access and invitations).

Why these and how: SCuBA's Entra baseline asks that guests get limited directory access (8.1),
that only the Guest Inviter role invites (8.2) and that invitations go only to authorised
domains (8.3). The first three checks read the tenant's external collaboration settings
(lifecycle.md L1, L2, L16, L17). The fourth is an automated form of 8.3 on cross-tenant access
settings: the default inbound B2B collaboration section is blocked, so every admitted
organisation is named by a partner entry (xtap.md R3, R6, R12, R13). Exposures are the
concrete people, domains and tenants each gap lets in. B2C directories are not audited here.
Source: https://github.com/cisagov/ScubaGear (baselines/aad.md, section 8)
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from operator import itemgetter

from graphmodel.audit.checks._base import SETTINGS, Check, Draft, Reads, seeds_of
from graphmodel.audit.context import AuditContext
from graphmodel.audit.model import CheckInfo, Exposure, Severity
from graphmodel.audit.tally import Run, Seed, seed_of
from graphmodel.policy.collaboration import (
    INVITER_ROLES,
    effective_allow_invites_from,
    inviter_gate,
)
from graphmodel.policy.crosstenant import admits_anyone
from graphmodel.schema.entities import Tenant, User
from graphmodel.schema.enums import AllowInvitesFrom, GuestUserAccess, UserType
from graphmodel.schema.kinds import EdgeKind

__all__ = ["CHECKS"]

GUEST_ACCESS = CheckInfo(
    id="scuba.8.1",
    title="guests have the same directory access as members",
    severity=Severity.MEDIUM,
    rules=("L16", "L17"),
    baseline="CISA SCuBA MS.AAD.8.1v1",
    description="The guest user access level (guestUserRoleId) is `sameAsMembers`, so every "
    "guest object can enumerate users, groups and apps like an employee; or guestUserRoleId is "
    "none of the documented roles, so the level is unknown and the check fails closed (unknown "
    "is not limited). Exposes each guest object of the tenant.",
)
WHO_INVITES = CheckInfo(
    id="scuba.8.2",
    title="users without an inviter role may invite guests",
    severity=Severity.MEDIUM,
    rules=("L1",),
    baseline="CISA SCuBA MS.AAD.8.2v1",
    description="allowInvitesFrom is `everyone` or `adminsGuestInvitersAndAllMembers` (an unset "
    "value is the cloud's default: `everyone`, `none` in US Government), so people who hold no "
    "Guest Inviter, User Administrator or Global Administrator role can invite. Exposes each "
    "enabled user who may invite without such a role.",
)
INVITE_DOMAINS = CheckInfo(
    id="scuba.8.3",
    title="invitations are not limited to allowed domains",
    severity=Severity.MEDIUM,
    rules=("L2", "R15"),
    baseline="CISA SCuBA MS.AAD.8.3v1",
    description="The collaboration restrictions allow invitations to any domain, or only deny "
    "some, instead of listing the authorised domains. Exposes the domains of the other "
    "organisations in the world that may be invited.",
)
DEFAULT_INBOUND_BLOCKED = CheckInfo(
    id="scuba.8.3.xtap",
    title="default inbound collaboration is not blocked (partners not named explicitly)",
    severity=Severity.MEDIUM,
    rules=("R3", "R6", "R12", "R13"),
    baseline="CISA SCuBA MS.AAD.8.3v1 (automated form)",
    description="The automated form of 8.3: the default b2bCollaborationInbound section admits "
    "someone, so organisations without a partner entry can collaborate. Passing needs the "
    "default blocked and every admitted organisation named by a partner entry. Exposes the "
    "tenants the default admits (derived B2B_COLLAB_IN edges from the default).",
)


def _guest_access(ctx: AuditContext) -> Iterator[Draft]:
    for t in ctx.audited_tenants():
        settings = t.external_collaboration
        if settings.guest_user_access is None:  # fail closed: unknown is not limited (L17)
            message = (
                f"`{t.name}`'s guest access level is unknown: guestUserRoleId "
                f"`{settings.guest_user_role_id}` is none of the documented guest roles"
            )
            reads = "with an unknown level of directory permissions"
        elif settings.guest_user_access == GuestUserAccess.SAME_AS_MEMBERS:
            message = f"`{t.name}` gives guests the same directory access as members"
            reads = "with member permissions"
        else:
            continue

        def guests(name: str = t.name, reads: str = reads) -> Iterator[Exposure]:
            for u in ctx.ix.users_by_tenant.get(name, ()):
                if u.user_type == UserType.GUEST:
                    yield Exposure(
                        principal=ctx.ix.home_identity(u).ref,
                        object=u.ref,
                        detail=f"guest object `{u.ref}` reads the directory {reads}",
                    )

        yield Draft(
            info=GUEST_ACCESS,
            tenant=t.name,
            subject=t.name,
            message=message,
            policy="externalCollaboration.guestUserAccess",
            seeds=seeds_of(guests),
        )


def _who_invites(ctx: AuditContext) -> Iterator[Draft]:
    wide = (AllowInvitesFrom.EVERYONE, AllowInvitesFrom.ADMINS_GUEST_INVITERS_AND_ALL_MEMBERS)
    for t in ctx.audited_tenants():
        setting = effective_allow_invites_from(t)
        if setting not in wide:
            continue

        def inviters(t: Tenant = t) -> Iterator[Run]:
            found = {
                u.ref: u
                for u in ctx.ix.users_by_tenant.get(t.name, ())
                if u.account_enabled
                and not INVITER_ROLES.intersection(u.roles)
                and not inviter_gate(t, u)
            }
            yield Run(None, sorted(found), partial(_inviter, found), has_path=False)

        configured = t.external_collaboration.allow_invites_from is not None
        yield Draft(
            info=WHO_INVITES,
            tenant=t.name,
            subject=t.name,
            message=f"`{t.name}` lets `{setting.value}` invite guests"
            + ("" if configured else " (the cloud's default)"),
            policy="externalCollaboration.allowInvitesFrom",
            seeds=inviters,
        )


def _inviter(users: dict[str, User], ref: str) -> Seed:
    u = users[ref]
    detail = f"`{u.ref}` ({u.user_type.value}) may invite without an inviter role"
    return seed_of(Exposure(principal=u.ref, detail=detail))


def _invite_domains(ctx: AuditContext) -> Iterator[Draft]:
    # every workforce tenant's domains in key order (the first tenant naming one wins)
    everyone = sorted(
        ((domain, other.name) for other in ctx.workforce_tenants() for domain in other.domains),
        key=itemgetter(0),
    )
    for t in ctx.audited_tenants():
        settings = t.external_collaboration
        if settings.allowed_domains is not None:
            continue
        blocked = frozenset(settings.blocked_domains or ())

        def domains(t: Tenant = t, blocked: frozenset[str] = blocked) -> Iterator[Run]:
            first: dict[str, str] = {}  # domain -> the tenant it is invited to
            for domain, other in everyone:
                if other != t.name and domain not in first and domain.lower() not in blocked:
                    first[domain] = other
            yield Run(None, list(first), partial(_invitable, first), has_path=False, objects=True)

        mode = "any domain" if settings.blocked_domains is None else "every domain not denied"
        yield Draft(
            info=INVITE_DOMAINS,
            tenant=t.name,
            subject=t.name,
            message=f"`{t.name}` allows invitations to {mode} instead of an allow-list",
            policy="externalCollaboration.allowedDomains",
            seeds=domains,
        )


def _invitable(tenants: dict[str, str], domain: str) -> Seed:
    detail = f"invitations to `{domain}` (tenant `{tenants[domain]}`) are allowed"
    return seed_of(Exposure(object=domain, detail=detail))


def _default_inbound_blocked(ctx: AuditContext) -> Iterator[Draft]:
    for t in ctx.audited_tenants():
        if not admits_anyone(t.cross_tenant_access.default.b2b_collaboration_inbound):
            continue

        def admitted(name: str = t.name) -> Iterator[Exposure]:
            for e in ctx.trust_edges_from(name):
                if e.kind == EdgeKind.B2B_COLLAB_IN and e.policy.startswith(
                    "crossTenantAccess.default."
                ):
                    yield Exposure(
                        object=e.target,
                        trust=(e,),
                        detail=f"`{e.target}` is admitted by the default, not by a partner entry",
                    )

        yield Draft(
            info=DEFAULT_INBOUND_BLOCKED,
            tenant=t.name,
            subject=t.name,
            message=f"`{t.name}`'s default inbound B2B collaboration is not blocked, so admitted "
            "organisations are not all named by partner entries",
            policy="crossTenantAccess.default.b2bCollaborationInbound",
            seeds=seeds_of(admitted),
        )


CHECKS = (
    Check(GUEST_ACCESS, _guest_access, Reads(SETTINGS | {"user"})),
    Check(WHO_INVITES, _who_invites, Reads(SETTINGS | {"user"})),
    Check(INVITE_DOMAINS, _invite_domains, Reads(world=SETTINGS)),
    Check(DEFAULT_INBOUND_BLOCKED, _default_inbound_blocked, Reads(world=SETTINGS)),
)
