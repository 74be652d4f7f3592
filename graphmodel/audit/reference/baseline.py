"""SCuBA 8.1-8.3 baseline checks, the reference way: a verdict per pair, every exposure kept.

What each check looks for, and why, is said once, in `graphmodel.audit.checks.baseline`
(whose catalogue entries and small helpers these share). The finding logic here is the
audit as it was before issue 23, independent of the counted checks it is compared with.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphmodel.audit.checks.baseline import (
    DEFAULT_INBOUND_BLOCKED,
    GUEST_ACCESS,
    INVITE_DOMAINS,
    WHO_INVITES,
)
from graphmodel.audit.model import Exposure, Finding
from graphmodel.audit.reference.context import AuditContext, Check, make_finding
from graphmodel.policy.collaboration import (
    INVITER_ROLES,
    effective_allow_invites_from,
    inviter_gate,
)
from graphmodel.policy.crosstenant import admits_anyone
from graphmodel.schema.enums import AllowInvitesFrom, GuestUserAccess, UserType
from graphmodel.schema.kinds import EdgeKind

__all__ = ["CHECKS"]


def _guest_access(ctx: AuditContext) -> Iterator[Finding]:
    for t in ctx.workforce_tenants():
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
        exposures = [
            Exposure(
                principal=ctx.ix.home_identity(u).ref,
                object=u.ref,
                detail=f"guest object `{u.ref}` reads the directory {reads}",
            )
            for u in ctx.ix.users_by_tenant.get(t.name, ())
            if u.user_type == UserType.GUEST
        ]
        yield make_finding(
            GUEST_ACCESS,
            tenant=t.name,
            subject=t.name,
            message=message,
            policy="externalCollaboration.guestUserAccess",
            exposures=exposures,
        )


def _who_invites(ctx: AuditContext) -> Iterator[Finding]:
    wide = (AllowInvitesFrom.EVERYONE, AllowInvitesFrom.ADMINS_GUEST_INVITERS_AND_ALL_MEMBERS)
    for t in ctx.workforce_tenants():
        setting = effective_allow_invites_from(t)
        if setting not in wide:
            continue
        exposures = [
            Exposure(
                principal=u.ref,
                detail=f"`{u.ref}` ({u.user_type.value}) may invite without an inviter role",
            )
            for u in ctx.ix.users_by_tenant.get(t.name, ())
            if u.account_enabled
            and not INVITER_ROLES.intersection(u.roles)
            and not inviter_gate(t, u)
        ]
        configured = t.external_collaboration.allow_invites_from is not None
        yield make_finding(
            WHO_INVITES,
            tenant=t.name,
            subject=t.name,
            message=f"`{t.name}` lets `{setting.value}` invite guests"
            + ("" if configured else " (the cloud's default)"),
            policy="externalCollaboration.allowInvitesFrom",
            exposures=exposures,
        )


def _invite_domains(ctx: AuditContext) -> Iterator[Finding]:
    for t in ctx.workforce_tenants():
        settings = t.external_collaboration
        if settings.allowed_domains is not None:
            continue
        blocked = set(settings.blocked_domains or ())
        exposures = [
            Exposure(
                object=domain,
                detail=f"invitations to `{domain}` (tenant `{other.name}`) are allowed",
            )
            for other in ctx.workforce_tenants()
            if other.name != t.name
            for domain in other.domains
            if domain.lower() not in blocked
        ]
        mode = "any domain" if settings.blocked_domains is None else "every domain not denied"
        yield make_finding(
            INVITE_DOMAINS,
            tenant=t.name,
            subject=t.name,
            message=f"`{t.name}` allows invitations to {mode} instead of an allow-list",
            policy="externalCollaboration.allowedDomains",
            exposures=exposures,
        )


def _default_inbound_blocked(ctx: AuditContext) -> Iterator[Finding]:
    for t in ctx.workforce_tenants():
        if not admits_anyone(t.cross_tenant_access.default.b2b_collaboration_inbound):
            continue
        exposures = [
            Exposure(
                object=e.target,
                trust=(e,),
                detail=f"`{e.target}` is admitted by the default, not by a partner entry",
            )
            for e in ctx.trust_edges
            if e.kind == EdgeKind.B2B_COLLAB_IN
            and e.source == t.name
            and e.policy.startswith("crossTenantAccess.default.")
        ]
        yield make_finding(
            DEFAULT_INBOUND_BLOCKED,
            tenant=t.name,
            subject=t.name,
            message=f"`{t.name}`'s default inbound B2B collaboration is not blocked, so admitted "
            "organisations are not all named by partner entries",
            policy="crossTenantAccess.default.b2bCollaborationInbound",
            exposures=exposures,
        )


CHECKS = (
    Check(GUEST_ACCESS, _guest_access),
    Check(WHO_INVITES, _who_invites),
    Check(INVITE_DOMAINS, _invite_domains),
    Check(DEFAULT_INBOUND_BLOCKED, _default_inbound_blocked),
)
