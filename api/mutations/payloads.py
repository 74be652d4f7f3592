"""Mutation payloads: what was written, the snapshot it went into, and input warnings.

An invitation or redemption refused by a gate is not an error: its payload carries the
engine's `answer` (the same data `canInvite` gives) and nothing is written.
"""

from __future__ import annotations

import strawberry

from api.types.directory import Group, User
from api.types.graph import Issue, Snapshot
from api.types.invitation import Invitation
from api.types.policies import CrossTenantAccessDefault, CrossTenantAccessPartner
from api.types.resources import App, Channel
from api.types.verdict import Answer

__all__ = [
    "AppAssignmentPayload",
    "ChannelMembershipPayload",
    "CreateInvitationPayload",
    "CrossTenantAccessDefaultPayload",
    "CrossTenantAccessPartnerPayload",
    "DeleteCrossTenantAccessPartnerPayload",
    "GroupMembershipPayload",
    "LoadWorldPayload",
    "RedeemInvitationPayload",
]


@strawberry.type(description="The invitation and guest created, or the gates that refused it.")
class CreateInvitationPayload:
    answer: Answer
    invitation: Invitation | None
    invited_user: User | None
    invite_redeem_url: str | None
    snapshot: Snapshot | None


@strawberry.type(description="The redeemed guest, or the redemption gates that refused it.")
class RedeemInvitationPayload:
    answer: Answer
    invitation: Invitation | None
    user: User | None
    snapshot: Snapshot | None


@strawberry.type
class CrossTenantAccessDefaultPayload:
    tenant: str
    default: CrossTenantAccessDefault
    warnings: list[Issue]
    snapshot: Snapshot


@strawberry.type
class CrossTenantAccessPartnerPayload:
    partner: CrossTenantAccessPartner
    warnings: list[Issue]
    snapshot: Snapshot


@strawberry.type
class DeleteCrossTenantAccessPartnerPayload:
    tenant: str
    deleted_tenant_id: str
    snapshot: Snapshot


@strawberry.type
class GroupMembershipPayload:
    group: Group
    snapshot: Snapshot


@strawberry.type
class ChannelMembershipPayload:
    channel: Channel
    snapshot: Snapshot


@strawberry.type
class AppAssignmentPayload:
    app: App
    snapshot: Snapshot


@strawberry.type(description="The snapshot a world file was loaded into, and its warnings.")
class LoadWorldPayload:
    snapshot: Snapshot
    warnings: list[Issue]
