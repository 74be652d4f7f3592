"""Mutation inputs in Microsoft Graph's shape, and their conversion to Graph JSON.

Why Graph's shape: the body of `updateCrossTenantAccessPartner` is what one would PATCH to
`/policies/crossTenantAccessPolicy/partners/{tenantId}`, so admins can move settings between
Graph, world files and this API unchanged. The GraphQL types catch structural mistakes; the
rules (target types per half, R6, handle resolution) are checked by the service like a world
file, with located issues. An omitted field leaves the value unchanged; an explicit `null`
resets it (partner sections inherit the default again).
"""

from __future__ import annotations

import dataclasses
from enum import Enum

import strawberry

from api.types.enums import AccessType, IdentityProviderKind, TargetType, UserType
from graphmodel.schema.codec import camel

__all__ = [
    "B2BSettingInput",
    "CreateCrossTenantAccessPartnerInput",
    "CreateInvitationInput",
    "CrossTenantAccessDefaultInput",
    "CrossTenantAccessPartnerInput",
    "RedeemInvitationInput",
    "to_graph",
]

Unset = strawberry.UNSET


@strawberry.input(description="crossTenantAccessPolicyTarget: keyword, id, or `tenant/name`.")
class TargetInput:
    target: str
    target_type: TargetType


@strawberry.input(description="crossTenantAccessPolicyTargetConfiguration.")
class TargetConfigurationInput:
    access_type: AccessType
    targets: list[TargetInput] = strawberry.field(default_factory=list)


@strawberry.input(description="crossTenantAccessPolicyB2BSetting; a missing half is kept.")
class B2BSettingInput:
    users_and_groups: TargetConfigurationInput | None = Unset
    applications: TargetConfigurationInput | None = Unset


@strawberry.input(description="crossTenantAccessPolicyInboundTrust (omitted flags: false).")
class InboundTrustInput:
    is_mfa_accepted: bool | None = Unset
    is_compliant_device_accepted: bool | None = Unset
    is_hybrid_azure_ad_joined_device_accepted: bool | None = strawberry.field(
        default=Unset, name="isHybridAzureADJoinedDeviceAccepted"
    )


@strawberry.input(description="inboundOutboundPolicyConfiguration.")
class AutomaticUserConsentSettingsInput:
    inbound_allowed: bool | None = Unset
    outbound_allowed: bool | None = Unset


@strawberry.input(description="crossTenantIdentitySyncPolicyPartner.userSyncInbound.")
class UserSyncInboundInput:
    is_sync_allowed: bool


@strawberry.input(description="crossTenantIdentitySyncPolicyPartner.")
class IdentitySynchronizationInput:
    user_sync_inbound: UserSyncInboundInput | None = Unset


@strawberry.input(description="PATCH body of crossTenantAccessPolicyConfigurationDefault.")
class CrossTenantAccessDefaultInput:
    inbound_trust: InboundTrustInput | None = Unset
    b2b_collaboration_inbound: B2BSettingInput | None = Unset
    b2b_collaboration_outbound: B2BSettingInput | None = Unset
    b2b_direct_connect_inbound: B2BSettingInput | None = Unset
    b2b_direct_connect_outbound: B2BSettingInput | None = Unset
    tenant_restrictions: B2BSettingInput | None = Unset


@strawberry.input(description="PATCH body of crossTenantAccessPolicyConfigurationPartner.")
class CrossTenantAccessPartnerInput(CrossTenantAccessDefaultInput):
    is_service_provider: bool | None = Unset
    is_in_multi_tenant_organization: bool | None = Unset
    automatic_user_consent_settings: AutomaticUserConsentSettingsInput | None = Unset
    identity_synchronization: IdentitySynchronizationInput | None = Unset


@strawberry.input(description="POST body of a partner configuration.")
class CreateCrossTenantAccessPartnerInput(CrossTenantAccessPartnerInput):
    tenant_id: str = strawberry.field(description="The partner's tenant id or handle.")


@strawberry.input(description="POST /invitations.")
class CreateInvitationInput:
    invited_by: str = strawberry.field(description="The inviting user (`tenant/name`).")
    invited_user_email_address: str
    invite_redirect_url: str
    invited_user_type: UserType = UserType.GUEST
    reset_redemption: bool = False
    invited_user: str | None = strawberry.field(
        default=None, description="With `resetRedemption`: the existing guest to re-invite."
    )


@strawberry.input(description="The invitee redeems: by invitation id or by guest user ref.")
class RedeemInvitationInput:
    invitation_id: str | None = None
    user: str | None = None
    identity_provider: IdentityProviderKind | None = None


def to_graph(value: object) -> object:
    """An input object as Graph JSON: camelCase keys, enum values, omitted fields dropped.

    Examples
    --------
    >>> to_graph(InboundTrustInput(is_mfa_accepted=True, is_compliant_device_accepted=None))
    {'isMfaAccepted': True, 'isCompliantDeviceAccepted': None}
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, object] = {}
        for f in dataclasses.fields(value):
            item = getattr(value, f.name)
            if item is not Unset:
                out[camel(f.name)] = to_graph(item)
        return out
    if isinstance(value, list):
        return [to_graph(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    return value
