"""Who is an outsider of a resource: the one definition (shared spec scenarios.md, "Outsiders").

A principal is an outsider of a resource when its home is not the resource's tenant: a user
homed in another tenant of the world (reaching through a guest or synced object, direct connect
or a multitenant app), or a guest whose identity provider is outside the resource tenant's
directory (social, email one-time passcode, SAML/WS-Fed, Microsoft account). Not outsiders:
members of the resource tenant, local accounts (even with `userType: Guest`) that sign in to
the resource tenant itself, and a B2C tenant's own consumer accounts on that tenant's apps.
"""

from __future__ import annotations

from graphmodel.engine.index import WorldIndex
from graphmodel.schema.enums import IdentityProviderKind

__all__ = ["is_outsider"]

_DIRECTORY_IDPS = frozenset({IdentityProviderKind.ENTRA, IdentityProviderKind.LOCAL})


def is_outsider(ix: WorldIndex, principal: str, resource: str) -> bool:
    """Whether `principal` (a user ref; its home identity is judged) is an outsider of
    `resource` (an app or channel ref, or a tenant handle). An unknown principal is not.

    Examples
    --------
    >>> from graphmodel.ingest import load_world_text
    >>> ix = WorldIndex(load_world_text('''
    ... tenants:
    ...   - name: contoso
    ...     users: [alice, {name: bob, guestOf: fabrikam/bob},
    ...             {name: gail, userType: Guest, identityProvider: google}]
    ...   - {name: fabrikam, users: [bob]}
    ... '''))
    >>> [p for p in ("contoso/alice", "fabrikam/bob", "contoso/bob", "contoso/gail")
    ...  if is_outsider(ix, p, "contoso/wiki")]
    ['fabrikam/bob', 'contoso/bob', 'contoso/gail']
    """
    user = ix.users.get(principal)
    if user is None:
        return False
    home = ix.home_identity(user)
    tenant = resource.split("/", 1)[0]
    if home.tenant != tenant or home.home_ref is not None:
        return True  # homed elsewhere (a guest or synced object whose home is not in the world)
    if ix.is_b2c_consumer(home):
        return False
    return home.identity_provider not in _DIRECTORY_IDPS
