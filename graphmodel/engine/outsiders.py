"""Who is an outsider of a tenant: the one definition every answer, label and filter uses.

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
from graphmodel.schema.enums import IdentityProviderKind

__all__ = ["DIRECTORY_PROVIDERS", "is_outsider"]

DIRECTORY_PROVIDERS = frozenset({IdentityProviderKind.ENTRA, IdentityProviderKind.LOCAL})
"""Identity providers that are the tenant's own directory (Entra; a B2C tenant's local accounts)."""


def is_outsider(ix: WorldIndex, principal: User, tenant: str) -> bool:
    """Whether `principal` is an outsider of `tenant` (see the module docstring).

    Examples: another tenant's user, a guest object whose home is outside the world and a
    Google guest are outsiders; a member, a local `userType: Guest` account and a B2C tenant's
    consumer on its own tenant are not.
    """
    if principal.tenant != tenant or principal.home_ref is not None:
        return True
    if ix.is_b2c_consumer(principal):
        return False
    return principal.identity_provider not in DIRECTORY_PROVIDERS
