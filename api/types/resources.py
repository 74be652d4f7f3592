"""Resources as GraphQL nodes: enterprise apps, Teams teams and channels.

Their principals (assignees, members) are loaded in batches through `directory_objects`; a
member outside a scoped token's tenants is an `ExternalObject`.
"""

from __future__ import annotations

import strawberry
from strawberry import relay

from api.scope import Scope
from api.types.directory import DirectoryObject, Info, Tenant, directory_objects, tenant_of
from api.types.enums import BuiltinApp, MembershipType, SignInAudience
from api.types.fields import field
from api.types.node import Entity
from api.types.refs import Resource
from graphmodel.schema import entities as de

__all__ = ["App", "Channel", "Team"]


@strawberry.type(description="An enterprise app (service principal).")
class App(Entity, relay.Node, Resource):
    KIND = "app"
    node_ref: relay.NodeID[str]
    ref: str
    name: str
    tenant_name: str = strawberry.field(name="tenantName")
    object_id: str
    app_id: str
    builtin: BuiltinApp | None
    sign_in_audience: SignInAudience | None
    app_role_assignment_required: bool
    account_enabled: bool
    instance_of: str | None
    snapshot: strawberry.Private[int | None]
    raw_assigned: strawberry.Private[list[str]]

    @classmethod
    def from_domain(cls, a: de.App, scope: Scope) -> App:
        return cls(
            node_ref=a.ref,
            ref=a.ref,
            name=a.name,
            tenant_name=a.tenant,
            object_id=a.id,
            app_id=a.app_id,
            builtin=a.builtin,
            sign_in_audience=a.sign_in_audience,
            app_role_assignment_required=a.app_role_assignment_required,
            account_enabled=a.account_enabled,
            instance_of=None if a.instance_of is None else scope.ref(a.instance_of),
            snapshot=scope.snapshot,
            raw_assigned=scope.lookups.assignees.get(a.ref, []),
        )

    @field()
    async def assigned_refs(self, info: Info) -> list[str]:
        return (await info.context.scope(self.snapshot)).refs(self.raw_assigned)

    @field(description="Users and groups with an app role assignment.")
    async def assigned_to(self, info: Info) -> list[DirectoryObject]:
        return await directory_objects(info, self.raw_assigned, self.snapshot)

    @field()
    async def tenant(self, info: Info) -> Tenant | None:
        return await tenant_of(info, self.tenant_name, self.snapshot)


@strawberry.type(description="A Microsoft Teams team.")
class Team(Entity, relay.Node):
    KIND = "team"
    node_ref: relay.NodeID[str]
    ref: str
    name: str
    tenant_name: str = strawberry.field(name="tenantName")
    object_id: str
    channel_refs: list[str]
    snapshot: strawberry.Private[int | None]
    raw_members: strawberry.Private[tuple[str, ...]]

    @classmethod
    def from_domain(cls, t: de.Team, scope: Scope) -> Team:
        return cls(
            node_ref=t.ref,
            ref=t.ref,
            name=t.name,
            tenant_name=t.tenant,
            object_id=t.id,
            channel_refs=scope.lookups.channels_of_team.get(t.ref, []),
            snapshot=scope.snapshot,
            raw_members=t.members,
        )

    @field()
    async def member_refs(self, info: Info) -> list[str]:
        return (await info.context.scope(self.snapshot)).refs(self.raw_members)

    @field()
    async def members(self, info: Info) -> list[DirectoryObject]:
        return await directory_objects(info, self.raw_members, self.snapshot)

    @field()
    async def channels(self, info: Info) -> list[Channel]:
        scope = await info.context.scope(self.snapshot)
        found = await info.context.loaders.many("channel", self.channel_refs, scope.snapshot)
        return [Channel.from_domain(c, scope) for c in found if isinstance(c, de.Channel)]


@strawberry.type(description="A Teams channel (standard, private or shared).")
class Channel(Entity, relay.Node, Resource):
    KIND = "channel"
    node_ref: relay.NodeID[str]
    ref: str
    name: str
    tenant_name: str = strawberry.field(name="tenantName")
    team_ref: str
    object_id: str
    membership_type: MembershipType
    shared_with_teams: list[str]
    snapshot: strawberry.Private[int | None]
    raw_members: strawberry.Private[tuple[str, ...]]

    @classmethod
    def from_domain(cls, c: de.Channel, scope: Scope) -> Channel:
        return cls(
            node_ref=c.ref,
            ref=c.ref,
            name=c.name,
            tenant_name=c.tenant,
            team_ref=c.team_ref,
            object_id=c.id,
            membership_type=c.membership_type,
            shared_with_teams=scope.refs(list(c.shared_with_teams)),
            snapshot=scope.snapshot,
            raw_members=c.members,
        )

    @field()
    async def member_refs(self, info: Info) -> list[str]:
        return (await info.context.scope(self.snapshot)).refs(self.raw_members)

    @field(description="Direct channel members (private and shared channels).")
    async def members(self, info: Info) -> list[DirectoryObject]:
        return await directory_objects(info, self.raw_members, self.snapshot)

    @field()
    async def team(self, info: Info) -> Team | None:
        scope = await info.context.scope(self.snapshot)
        found = await info.context.loaders.node("team", self.team_ref, scope.snapshot)
        return Team.from_domain(found, scope) if isinstance(found, de.Team) else None
