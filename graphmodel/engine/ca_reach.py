"""R43: the Conditional Access user type of a person's other route, when it reaches a sign-in.

Microsoft documents that policies targeting B2B direct connect users also apply to B2B
collaboration users of Teams or SharePoint Online who are eligible for direct connect, and
policies targeting B2B collaboration users to direct connect users of shared channels who also
have a guest object in the tenant (the quoted rule text and its source are in
`graphmodel.policy.conditional_access`; xtap.md R43). "Eligible for B2B direct connect" is read
as the spec reads it: direct connect enabled on both sides for this user and app (home outbound
and resource inbound, R7), between tenants of one cloud (R24), for a Microsoft Entra work
account. The policy layer applies the policies; this module only says which extra type a
route's sign-in carries, and why, in words a reason can quote.
"""

from __future__ import annotations

from graphmodel.engine.index import WorldIndex
from graphmodel.policy.clouds import same_cloud
from graphmodel.policy.conditional_access import AlsoTargeted
from graphmodel.policy.crosstenant import AppFacts, allows, effective_setting
from graphmodel.schema.entities import App, Tenant, User
from graphmodel.schema.enums import BuiltinApp, ExternalUserType, UserType
from graphmodel.schema.xtap import Section

__all__ = ["collaboration_also", "direct_connect_also", "direct_connect_eligible"]

TEAMS_AND_SHAREPOINT = frozenset({BuiltinApp.TEAMS, BuiltinApp.SHAREPOINT})
"""The apps whose B2B collaboration sign-ins direct connect policies reach (R43)."""


def direct_connect_eligible(
    ix: WorldIndex, principal: User, home: Tenant, resource: Tenant, app: App
) -> bool:
    """Whether direct connect is enabled on both sides for `principal` and `app` (R19, R24)."""
    if not ix.is_entra_identity(principal) or not same_cloud(home, resource):
        return False
    ids = ix.xtap_object_ids(principal)
    facts = AppFacts.of(app)
    out = effective_setting(home, resource, Section.B2B_DIRECT_CONNECT_OUTBOUND)
    inb = effective_setting(resource, home, Section.B2B_DIRECT_CONNECT_INBOUND)
    return allows(out.setting, ids, facts) and allows(inb.setting, ids, facts)


def collaboration_also(
    ix: WorldIndex, principal: User, home: Tenant, resource: Tenant, app: App
) -> tuple[AlsoTargeted, ...]:
    """A B2B collaboration user signing in to Teams or SharePoint Online who is also eligible
    for direct connect: direct connect policies reach this sign-in too."""
    if app.builtin not in TEAMS_AND_SHAREPOINT or home.name == resource.name:
        return ()
    if not direct_connect_eligible(ix, principal, home, resource, app):
        return ()
    return (
        AlsoTargeted(
            external_type=ExternalUserType.B2B_DIRECT_CONNECT_USER,
            because=f"`{principal.ref}` signs in to {app.builtin.value} as a B2B collaboration "
            f"user and is also eligible for B2B direct connect (`{home.name}` outbound and "
            f"`{resource.name}` inbound allow it)",
        ),
    )


def direct_connect_also(
    ix: WorldIndex, principal: User, resource_tenant: str
) -> tuple[AlsoTargeted, ...]:
    """A direct connect user entering a shared channel who also has a guest (or synced) object
    in the host tenant: B2B collaboration policies of that object's type reach it too."""
    obj = ix.representation_in(principal, resource_tenant)
    if obj is None:
        return ()
    kind = (
        ExternalUserType.B2B_COLLABORATION_GUEST
        if obj.user_type == UserType.GUEST
        else ExternalUserType.B2B_COLLABORATION_MEMBER
    )
    return (
        AlsoTargeted(
            external_type=kind,
            because=f"`{principal.ref}` enters the shared channel by B2B direct connect and "
            f"also has the user object `{obj.ref}` in `{resource_tenant}`",
        ),
    )
