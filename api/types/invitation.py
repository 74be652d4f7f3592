"""A B2B invitation (Graph `invitation`), as created by `createInvitation`."""

from __future__ import annotations

import strawberry
from strawberry import relay

from api.context import Context
from api.scope import Scope
from api.types.directory import User
from api.types.enums import InvitationStatus
from api.types.fields import field
from api.types.node import Entity
from graphmodel.schema import entities as de
from graphmodel.schema import governance as dg

__all__ = ["Invitation"]


@strawberry.type(description="A B2B collaboration invitation and its redemption link.")
class Invitation(Entity, relay.Node):
    KIND = "invitation"
    node_ref: relay.NodeID[str]
    invitation_id: str
    tenant: str
    invited_user_email_address: str
    invite_redeem_url: str
    invited_by: str | None
    status: InvitationStatus
    invited_user_ref: str
    snapshot: strawberry.Private[int | None]

    @classmethod
    def from_domain(cls, i: dg.Invitation, scope: Scope) -> Invitation:
        return cls(
            node_ref=f"{i.tenant}/{i.id}",
            invitation_id=i.id,
            tenant=i.tenant,
            invited_user_email_address=i.invited_user_email_address,
            invite_redeem_url=i.invite_redeem_url,
            invited_by=i.invited_by,
            status=i.status,
            invited_user_ref=i.invited_user,
            snapshot=scope.snapshot,
        )

    @field(description="The guest user object the invitation created.")
    async def invited_user(self, info: strawberry.Info[Context, None]) -> User | None:
        scope = await info.context.scope(self.snapshot)
        found = await info.context.loaders.node("user", self.invited_user_ref, scope.snapshot)
        return User.from_domain(found, scope) if isinstance(found, de.User) else None
