"""Directory objects as GraphQL nodes: tenants, users and groups (apps and Teams: `resources`).

Nested objects (a group's members, a user's tenant, a channel's team) are loaded through the
request's node loader in batches, at the snapshot the parent was read from. A member or home
account outside a scoped token's tenants comes back as an `ExternalObject` (`tenant/<kind>`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated

import strawberry
from strawberry import relay

from api.context import Context
from api.scope import Scope
from api.types.enums import (
    Cloud,
    CreationType,
    CrossTenantAccessType,
    ExternalUserState,
    IdentityProviderKind,
    NodeKind,
    TenantType,
    UsageDirection,
    UserType,
)
from api.types.fields import field
from api.types.node import Entity
from api.types.policies import CrossTenantAccessPolicy, ExternalCollaboration, TeamsPolicy
from api.types.refs import Principal, Resource
from graphmodel.schema import entities as de
from graphmodel.service.answers import partner_usage

__all__ = [
    "DirectoryObject",
    "ExternalObject",
    "Group",
    "Info",
    "Tenant",
    "User",
    "directory_objects",
    "tenant_of",
]

Info = strawberry.Info[Context, None]


@strawberry.type(description="An object of a tenant outside this token's scope, or unknown.")
class ExternalObject(Principal, Resource):
    ref: str = strawberry.field(description="Redacted to `tenant/<kind>` when out of scope.")
    tenant: str
    kind: NodeKind | None = strawberry.field(description="Null when no such object exists.")


@strawberry.type(description="A tenant: its domains, cloud and settings.")
class Tenant(Entity, relay.Node):
    KIND = "tenant"
    node_ref: relay.NodeID[str]
    name: str
    tenant_id: str
    domains: list[str]
    primary_domain: str
    cloud: Cloud
    type: TenantType
    identity_providers: list[IdentityProviderKind]
    external_collaboration: ExternalCollaboration
    teams_policy: TeamsPolicy
    cross_tenant_access: CrossTenantAccessPolicy
    sign_ins: list[SignInUsage] = strawberry.field(
        description="Cross-tenant sign-in evidence in this tenant's logs, aggregated per user, "
        "resource and access type (successful sign-ins only)."
    )
    partner_usage: list[PartnerUsage] = strawberry.field(
        description="The same evidence per partner tenant and direction."
    )

    @classmethod
    def from_domain(cls, t: de.Tenant, scope: Scope) -> Tenant:
        return cls(
            node_ref=t.name,
            name=t.name,
            tenant_id=t.id,
            domains=list(t.domains),
            primary_domain=t.primary_domain,
            cloud=t.cloud,
            type=t.type,
            identity_providers=[p.kind for p in t.identity_providers],
            external_collaboration=ExternalCollaboration.from_domain(t.external_collaboration),
            teams_policy=TeamsPolicy(
                allow_user_to_participate_in_external_shared_channel=(
                    t.teams_policy.allow_user_to_participate_in_external_shared_channel
                ),
                allow_channel_sharing_to_external_user=(
                    t.teams_policy.allow_channel_sharing_to_external_user
                ),
            ),
            cross_tenant_access=CrossTenantAccessPolicy.from_domain(t, scope),
            sign_ins=[
                SignInUsage(
                    user_ref=scope.ref(s.user),
                    resource_ref=scope.ref(s.resource),
                    cross_tenant_access_type=s.cross_tenant_access_type,
                    first=s.first,
                    last=s.last,
                    count=s.count,
                )
                for s in t.sign_ins
            ],
            partner_usage=[
                PartnerUsage(
                    partner=p.partner,
                    direction=p.direction,
                    first=p.first,
                    last=p.last,
                    count=p.count,
                    users=p.users,
                )
                for p in partner_usage(t)
            ],
        )


@strawberry.type(description="Successful cross-tenant sign-ins of one user to one resource.")
class SignInUsage:
    user_ref: str = strawberry.field(description="The home identity that signed in.")
    resource_ref: str = strawberry.field(description="The app or channel signed in to.")
    cross_tenant_access_type: CrossTenantAccessType
    first: datetime | None
    last: datetime
    count: int | None


@strawberry.type(description="Cross-tenant sign-ins with one partner in one direction.")
class PartnerUsage:
    partner: str
    direction: UsageDirection = strawberry.field(
        description="INBOUND (the partner's users signed in here) or OUTBOUND."
    )
    first: datetime | None
    last: datetime
    count: int | None
    users: int


@strawberry.type(description="A Graph user object in a tenant (member, guest or synced user).")
class User(Entity, relay.Node, Principal):
    KIND = "user"
    node_ref: relay.NodeID[str]
    ref: str
    name: str
    tenant_name: str = strawberry.field(name="tenantName")
    object_id: str
    user_principal_name: str
    mail: str | None
    user_type: UserType
    external_user_state: ExternalUserState | None
    creation_type: CreationType | None
    account_enabled: bool
    identity_provider: IdentityProviderKind
    roles: list[str]
    created_date_time: datetime | None = strawberry.field(description="Graph createdDateTime.")
    external_user_state_change_date_time: datetime | None = strawberry.field(
        description="When externalUserState was last set (the invitation, for a pending guest)."
    )
    last_sign_in_date_time: datetime | None = strawberry.field(
        description="The last sign-in (successful when Graph says so; see the export layout)."
    )
    guest_of: str | None = strawberry.field(description="The home account an invited guest is.")
    synced_from: str | None = strawberry.field(description="The account a synced user copies.")
    home_ref: str | None = strawberry.field(
        description="The principal this object stands for (`guestOf` or `syncedFrom`): the "
        "handle to ask `access` about."
    )
    snapshot: strawberry.Private[int | None]
    raw_home: strawberry.Private[str | None]

    @classmethod
    def from_domain(cls, u: de.User, scope: Scope) -> User:
        return cls(
            node_ref=u.ref,
            ref=u.ref,
            name=u.name,
            tenant_name=u.tenant,
            object_id=u.id,
            user_principal_name=u.user_principal_name,
            mail=u.mail,
            user_type=u.user_type,
            external_user_state=u.external_user_state,
            creation_type=u.creation_type,
            account_enabled=u.account_enabled,
            identity_provider=u.identity_provider,
            roles=[r.value for r in u.roles],
            created_date_time=u.created_date_time,
            external_user_state_change_date_time=u.external_user_state_change_date_time,
            last_sign_in_date_time=u.last_sign_in_date_time,
            guest_of=None if u.guest_of is None else scope.ref(u.guest_of),
            synced_from=None if u.synced_from is None else scope.ref(u.synced_from),
            home_ref=None if u.home_ref is None else scope.ref(u.home_ref),
            snapshot=scope.snapshot,
            raw_home=u.home_ref,
        )

    @field()
    async def tenant(self, info: Info) -> Tenant | None:
        return await tenant_of(info, self.tenant_name, self.snapshot)

    @field(description="The home account (guest or synced user), if any.")
    async def home(self, info: Info) -> DirectoryObject | None:
        if self.raw_home is None:
            return None
        found = await directory_objects(info, [self.raw_home], self.snapshot)
        return found[0]


@strawberry.type(description="A security or Microsoft 365 group.")
class Group(Entity, relay.Node):
    KIND = "group"
    node_ref: relay.NodeID[str]
    ref: str
    name: str
    tenant_name: str = strawberry.field(name="tenantName")
    object_id: str
    snapshot: strawberry.Private[int | None]
    raw_members: strawberry.Private[tuple[str, ...]]

    @classmethod
    def from_domain(cls, g: de.Group, scope: Scope) -> Group:
        return cls(
            node_ref=g.ref,
            ref=g.ref,
            name=g.name,
            tenant_name=g.tenant,
            object_id=g.id,
            snapshot=scope.snapshot,
            raw_members=g.members,
        )

    @field()
    async def member_refs(self, info: Info) -> list[str]:
        """Computed when asked: a group of 300k members costs nothing to a payload that only
        names its snapshot."""
        return (await info.context.scope(self.snapshot)).refs(self.raw_members)

    @field(description="Direct members: users and nested groups.")
    async def members(self, info: Info) -> list[DirectoryObject]:
        return await directory_objects(info, self.raw_members, self.snapshot)

    @field()
    async def tenant(self, info: Info) -> Tenant | None:
        return await tenant_of(info, self.tenant_name, self.snapshot)


DirectoryObject = Annotated[
    User | Group | ExternalObject,
    strawberry.union("DirectoryObject", description="A user, a group, or an external object."),
]


async def tenant_of(info: Info, name: str, snapshot: int | None) -> Tenant | None:
    scope = await info.context.scope(snapshot)
    if not scope.sees_tenant(name):
        return None
    found = await info.context.loaders.node("tenant", name, scope.snapshot)
    return Tenant.from_domain(found, scope) if isinstance(found, de.Tenant) else None


async def directory_objects(
    info: Info, refs: Sequence[str], snapshot: int | None
) -> list[User | Group | ExternalObject]:
    """Users and groups by ref (one loader batch); others as `ExternalObject`."""
    scope = await info.context.scope(snapshot)
    found = await info.context.loaders.many("principal", list(refs), scope.snapshot)
    out: list[User | Group | ExternalObject] = []
    for ref, obj in zip(refs, found, strict=True):
        tenant = ref.partition("/")[0]
        if isinstance(obj, de.User) and scope.sees_tenant(obj.tenant):
            out.append(User.from_domain(obj, scope))
        elif isinstance(obj, de.Group) and scope.sees_tenant(obj.tenant):
            out.append(Group.from_domain(obj, scope))
        else:
            kind = NodeKind.USER if isinstance(obj, de.User) else NodeKind.GROUP if obj else None
            out.append(ExternalObject(ref=scope.ref(ref), tenant=tenant, kind=kind))
    return out
