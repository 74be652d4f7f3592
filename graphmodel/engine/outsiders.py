"""Who is an outsider of a tenant: the one definition every answer, label and filter uses.

Why one function: "who outside the company can reach this" is asked by `whoCanAccess` filters,
`tenantgraph who` labels, the unused-access filter, audit findings, exports and the viewer.
Each had its own test (a tenant prefix, `userType`, a home reference), and they disagreed on
social and one-time-passcode guests, who are objects of the resource tenant yet authenticate
elsewhere.

The definition (scenarios.md, "Outsiders"): a principal is an outsider of a resource when its
home is not the resource's tenant — a user homed in another tenant of the world (reaching
through a guest or synced object, direct connect or a multitenant app), or a guest whose
identity provider is outside the resource tenant's directory (social, email one-time passcode,
SAML/WS-Fed, Microsoft account). Not outsiders: members of the resource tenant, local accounts
with `userType: Guest` that sign in to the resource tenant itself, and a B2C tenant's own
consumer accounts on that tenant's apps.

The principal is the home identity a reverse lookup answers with (`Reach.principal`), or the
guest object itself when its home is not in the world.
"""

from __future__ import annotations

from graphmodel.engine.index import WorldIndex
from graphmodel.schema.entities import User
from graphmodel.schema.enums import IdentityProviderKind, PrincipalKind, UserType

__all__ = [
    "DIRECTORY_PROVIDERS",
    "OUTSIDER_KINDS",
    "home_tenant",
    "is_outsider",
    "is_outsider_ref",
    "principal_kind",
    "tenant_of",
]

OUTSIDER_KINDS = frozenset(
    {
        PrincipalKind.B2B_GUEST,
        PrincipalKind.B2B_MEMBER,
        PrincipalKind.OTHER_TENANT,
        PrincipalKind.SOCIAL_GUEST,
    }
)
"""The kinds whose home is outside the resource tenant."""

DIRECTORY_PROVIDERS = frozenset({IdentityProviderKind.ENTRA, IdentityProviderKind.LOCAL})
"""Identity providers that are the tenant's own directory (Entra; a B2C tenant's local accounts)."""


def tenant_of(ref: str) -> str:
    """The tenant handle of a `tenant/name` (or `tenant/team/channel`) ref."""
    return ref.split("/", 1)[0]


def principal_kind(ix: WorldIndex, principal: User, tenant: str) -> PrincipalKind:
    """What `principal` is to `tenant`, judged by the object that signs in there.

    Examples: the tenant's own user is MEMBER (INTERNAL_GUEST with `userType: Guest`); a user of
    another tenant is B2B_GUEST or B2B_MEMBER through its guest or synced object here (by that
    object's `userType`, as Conditional Access's external user types), OTHER_TENANT without one;
    a guest authenticated by Google, Facebook, a Microsoft account, email one-time passcode or
    SAML/WS-Fed is SOCIAL_GUEST; a B2C tenant's consumer account is CONSUMER in its tenant.
    """
    if principal.tenant == tenant:
        if ix.is_b2c_consumer(principal):
            return PrincipalKind.CONSUMER
        if principal.home_ref is not None:  # a guest or synced object whose home is not here
            return _object_kind(principal)
        if principal.identity_provider not in DIRECTORY_PROVIDERS:
            return PrincipalKind.SOCIAL_GUEST
        if principal.user_type == UserType.GUEST:
            return PrincipalKind.INTERNAL_GUEST
        return PrincipalKind.MEMBER
    obj = ix.representation_in(principal, tenant)
    return PrincipalKind.OTHER_TENANT if obj is None else _object_kind(obj)


def _object_kind(obj: User) -> PrincipalKind:
    if obj.user_type == UserType.GUEST:
        return PrincipalKind.B2B_GUEST
    return PrincipalKind.B2B_MEMBER


def is_outsider(ix: WorldIndex, principal: User, tenant: str) -> bool:
    """Whether `principal` is an outsider of `tenant` (see the module docstring)."""
    if principal.tenant != tenant:
        return True  # homed elsewhere, whatever object it uses here
    return principal_kind(ix, principal, tenant) in OUTSIDER_KINDS


def is_outsider_ref(ix: WorldIndex, principal: str, resource: str) -> bool:
    """`is_outsider` for refs: the principal of an answer and the resource it reaches.

    A ref that names no user (a stale answer) counts by its tenant prefix alone.
    """
    tenant = tenant_of(resource)
    user = ix.users.get(principal)
    if user is None:
        return tenant_of(principal) != tenant
    return is_outsider(ix, user, tenant)


def home_tenant(ix: WorldIndex, principal: User) -> str | None:
    """The tenant the principal's identity is homed in; None for a guest authenticated outside
    any tenant (social, one-time passcode, SAML/WS-Fed, Microsoft account).

    A guest or synced object whose home identity is not in the world names its home's tenant.
    """
    if principal.home_ref is not None:
        return tenant_of(principal.home_ref)
    if principal.identity_provider not in DIRECTORY_PROVIDERS and not ix.is_b2c_consumer(principal):
        return None
    return principal.tenant
