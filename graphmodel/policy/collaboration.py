"""External collaboration settings: who may invite, domain lists, redemption re-checks.

Rules: L1 (allowInvitesFrom: none / adminsAndGuestInviters / adminsGuestInvitersAndAllMembers /
everyone; the default is `everyone`, `none` in the US Government cloud), L2 (allow/deny domain
lists, exact case-insensitive domain match [INFERENCE for subdomains]), L4 (lists are not
retroactive for redeemed guests, but a pending guest fails at redemption), L6 (an address that
already resolves to a user of the tenant is not re-invited [INFERENCE]), R15 / L3 (the domain
list and cross-tenant access settings are both checked at invitation).
Sources: https://learn.microsoft.com/entra/external-id/allow-deny-list ,
https://learn.microsoft.com/graph/api/resources/authorizationpolicy
"""

from __future__ import annotations

from graphmodel.policy.reasons import reason
from graphmodel.schema.entities import Tenant, User
from graphmodel.schema.enums import AllowInvitesFrom, Cloud, DirectoryRole, UserType
from graphmodel.schema.verdict import Reason, ReasonCode, Side

__all__ = [
    "INVITER_ROLES",
    "domain_gate",
    "domain_of",
    "effective_allow_invites_from",
    "inviter_gate",
]

INVITER_ROLES = frozenset(
    {
        DirectoryRole.GLOBAL_ADMINISTRATOR,
        DirectoryRole.USER_ADMINISTRATOR,
        DirectoryRole.GUEST_INVITER,
    }
)
"""Roles that may invite whatever `allowInvitesFrom` says (short of `none`), L1."""


def domain_of(address: str) -> str:
    """The lower-cased domain of an email address or UPN.

    Examples
    --------
    >>> domain_of("Pat@Adatum.com")
    'adatum.com'
    """
    return address.rsplit("@", 1)[-1].lower()


def effective_allow_invites_from(tenant: Tenant) -> AllowInvitesFrom:
    """L1: the configured value, or the cloud's shipped default."""
    configured = tenant.external_collaboration.allow_invites_from
    if configured is not None:
        return configured
    return AllowInvitesFrom.NONE if tenant.cloud == Cloud.USGOV else AllowInvitesFrom.EVERYONE


def inviter_gate(tenant: Tenant, inviter: User) -> list[Reason]:
    """L1: whether `inviter` (a user object of `tenant`) may send invitations."""
    setting = effective_allow_invites_from(tenant)
    has_role = bool(INVITER_ROLES.intersection(inviter.roles))
    if setting == AllowInvitesFrom.EVERYONE:
        allowed = True
    elif setting == AllowInvitesFrom.ADMINS_GUEST_INVITERS_AND_ALL_MEMBERS:
        allowed = has_role or inviter.user_type == UserType.MEMBER
    elif setting == AllowInvitesFrom.ADMINS_AND_GUEST_INVITERS:
        allowed = has_role
    else:
        allowed = False
    if allowed:
        return []
    return [
        reason(
            ReasonCode.INVITER_NOT_PERMITTED,
            "L1",
            f"`{tenant.name}` lets `{setting.value}` invite, which does not include "
            f"`{inviter.ref}` ({inviter.user_type.value}"
            f"{', roles ' + ', '.join(inviter.roles) if inviter.roles else ', no inviter role'})",
            tenant=tenant.name,
            policy="externalCollaboration.allowInvitesFrom",
            side=Side.RESOURCE,
        )
    ]


def domain_gate(tenant: Tenant, address: str, *, rule: str = "L2") -> list[Reason]:
    """L2 / L4: the tenant's collaboration domain list against the invitee's address."""
    settings = tenant.external_collaboration
    domain = domain_of(address)
    if settings.blocked_domains is not None and domain in settings.blocked_domains:
        return [
            reason(
                ReasonCode.DOMAIN_BLOCKED,
                rule,
                f"`{domain}` is on `{tenant.name}`'s blocked domain list",
                tenant=tenant.name,
                policy="externalCollaboration.blockedDomains",
                side=Side.RESOURCE,
            )
        ]
    if settings.allowed_domains is not None and domain not in settings.allowed_domains:
        return [
            reason(
                ReasonCode.DOMAIN_NOT_ALLOWED,
                rule,
                f"`{tenant.name}` invites only allow-listed domains and `{domain}` is not one",
                tenant=tenant.name,
                policy="externalCollaboration.allowedDomains",
                side=Side.RESOURCE,
            )
        ]
    return []
