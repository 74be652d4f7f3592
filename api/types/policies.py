"""Tenant settings in Microsoft Graph shape: cross-tenant access, collaboration, CA policies.

Field names follow Graph (`b2bCollaborationInbound`, `usersAndGroups`, `accessType`, ...), so a
frontend can show them next to the Entra admin center and post them back to the mutations.
"""

from __future__ import annotations

import strawberry
from strawberry import relay

from api.scope import Scope
from api.types.enums import (
    AccessType,
    AllowInvitesFrom,
    CaState,
    GrantControl,
    GrantOperator,
    GuestUserAccess,
    TargetType,
)
from api.types.node import Entity
from graphmodel.schema import entities as de
from graphmodel.schema import governance as dg
from graphmodel.schema import xtap as dx

__all__ = [
    "B2BSetting",
    "ConditionalAccessPolicy",
    "CrossTenantAccessDefault",
    "CrossTenantAccessPartner",
    "CrossTenantAccessPolicy",
    "ExternalCollaboration",
    "InboundTrust",
    "Target",
    "TargetConfiguration",
    "TeamsPolicy",
]


@strawberry.type(description="crossTenantAccessPolicyTarget: a keyword, object id or app id.")
class Target:
    target: str
    target_type: TargetType


@strawberry.type(description="crossTenantAccessPolicyTargetConfiguration.")
class TargetConfiguration:
    access_type: AccessType
    targets: list[Target]

    @classmethod
    def from_domain(cls, c: dx.TargetConfiguration) -> TargetConfiguration:
        return cls(
            access_type=c.access_type,
            targets=[Target(target=t.target, target_type=t.target_type) for t in c.targets],
        )


@strawberry.type(description="crossTenantAccessPolicyB2BSetting: users x applications.")
class B2BSetting:
    users_and_groups: TargetConfiguration
    applications: TargetConfiguration

    @classmethod
    def from_domain(cls, s: dx.B2BSetting | None) -> B2BSetting | None:
        if s is None:
            return None
        return cls(
            users_and_groups=TargetConfiguration.from_domain(s.users_and_groups),
            applications=TargetConfiguration.from_domain(s.applications),
        )


@strawberry.type(description="crossTenantAccessPolicyInboundTrust.")
class InboundTrust:
    is_mfa_accepted: bool
    is_compliant_device_accepted: bool
    is_hybrid_azure_ad_joined_device_accepted: bool = strawberry.field(
        name="isHybridAzureADJoinedDeviceAccepted"
    )

    @classmethod
    def from_domain(cls, t: dx.InboundTrust | None) -> InboundTrust | None:
        if t is None:
            return None
        return cls(
            is_mfa_accepted=t.is_mfa_accepted,
            is_compliant_device_accepted=t.is_compliant_device_accepted,
            is_hybrid_azure_ad_joined_device_accepted=t.is_hybrid_azure_ad_joined_device_accepted,
        )


@strawberry.type(description="crossTenantAccessPolicyConfigurationDefault.")
class CrossTenantAccessDefault:
    is_service_default: bool
    inbound_trust: InboundTrust
    b2b_collaboration_inbound: B2BSetting
    b2b_collaboration_outbound: B2BSetting
    b2b_direct_connect_inbound: B2BSetting
    b2b_direct_connect_outbound: B2BSetting
    tenant_restrictions: B2BSetting | None

    @classmethod
    def from_domain(cls, d: dx.CrossTenantAccessDefault) -> CrossTenantAccessDefault:
        def req(s: dx.B2BSetting) -> B2BSetting:
            converted = B2BSetting.from_domain(s)
            assert converted is not None  # INVARIANT: default sections are never null
            return converted

        trust = InboundTrust.from_domain(d.inbound_trust)
        assert trust is not None
        return cls(
            is_service_default=d.is_service_default,
            inbound_trust=trust,
            b2b_collaboration_inbound=req(d.b2b_collaboration_inbound),
            b2b_collaboration_outbound=req(d.b2b_collaboration_outbound),
            b2b_direct_connect_inbound=req(d.b2b_direct_connect_inbound),
            b2b_direct_connect_outbound=req(d.b2b_direct_connect_outbound),
            tenant_restrictions=B2BSetting.from_domain(d.tenant_restrictions),
        )


@strawberry.type(description="inboundOutboundPolicyConfiguration (null = inherit: false).")
class AutomaticUserConsentSettings:
    inbound_allowed: bool | None
    outbound_allowed: bool | None


@strawberry.type(description="crossTenantIdentitySyncPolicyPartner.userSyncInbound.")
class UserSyncInbound:
    is_sync_allowed: bool


@strawberry.type(description="crossTenantIdentitySyncPolicyPartner.")
class IdentitySynchronization:
    user_sync_inbound: UserSyncInbound


@strawberry.type(description="crossTenantAccessPolicyConfigurationPartner; null sections inherit.")
class CrossTenantAccessPartner(Entity, relay.Node):
    KIND = "partner"
    node_ref: relay.NodeID[str]
    tenant: str = strawberry.field(description="The tenant whose settings these are.")
    tenant_id: str = strawberry.field(description="The partner's tenant id.")
    partner_tenant: str | None = strawberry.field(description="The partner's handle, if known.")
    is_service_provider: bool
    is_in_multi_tenant_organization: bool
    inbound_trust: InboundTrust | None
    b2b_collaboration_inbound: B2BSetting | None
    b2b_collaboration_outbound: B2BSetting | None
    b2b_direct_connect_inbound: B2BSetting | None
    b2b_direct_connect_outbound: B2BSetting | None
    tenant_restrictions: B2BSetting | None
    automatic_user_consent_settings: AutomaticUserConsentSettings
    identity_synchronization: IdentitySynchronization | None

    @classmethod
    def build(
        cls, owner: str, p: dx.CrossTenantAccessPartner, scope: Scope
    ) -> CrossTenantAccessPartner:
        known = scope.world.tenant_by_id.get(p.tenant_id)
        sync = p.identity_synchronization
        consent = p.automatic_user_consent_settings
        return cls(
            node_ref=f"{owner}/{p.tenant_id}",
            tenant=owner,
            tenant_id=p.tenant_id,
            partner_tenant=known.name if known else None,
            is_service_provider=p.is_service_provider,
            is_in_multi_tenant_organization=p.is_in_multi_tenant_organization,
            inbound_trust=InboundTrust.from_domain(p.inbound_trust),
            b2b_collaboration_inbound=B2BSetting.from_domain(p.b2b_collaboration_inbound),
            b2b_collaboration_outbound=B2BSetting.from_domain(p.b2b_collaboration_outbound),
            b2b_direct_connect_inbound=B2BSetting.from_domain(p.b2b_direct_connect_inbound),
            b2b_direct_connect_outbound=B2BSetting.from_domain(p.b2b_direct_connect_outbound),
            tenant_restrictions=B2BSetting.from_domain(p.tenant_restrictions),
            automatic_user_consent_settings=AutomaticUserConsentSettings(
                inbound_allowed=consent.inbound_allowed, outbound_allowed=consent.outbound_allowed
            ),
            identity_synchronization=None
            if sync is None
            else IdentitySynchronization(
                user_sync_inbound=UserSyncInbound(is_sync_allowed=sync.is_sync_allowed)
            ),
        )

    @classmethod
    def convert(cls, obj: object, scope: Scope) -> CrossTenantAccessPartner:
        """From a `(owner tenant, partner configuration)` pair, as the node loader finds it."""
        assert isinstance(obj, tuple)
        owner, partner = obj
        assert isinstance(partner, dx.CrossTenantAccessPartner)
        return cls.build(str(owner), partner, scope)


@strawberry.type(description="crossTenantAccessPolicy: default, partners, other clouds.")
class CrossTenantAccessPolicy:
    default: CrossTenantAccessDefault
    partners: list[CrossTenantAccessPartner]
    allowed_cloud_endpoints: list[str]

    @classmethod
    def from_domain(cls, t: de.Tenant, scope: Scope) -> CrossTenantAccessPolicy:
        policy = t.cross_tenant_access
        return cls(
            default=CrossTenantAccessDefault.from_domain(policy.default),
            partners=[CrossTenantAccessPartner.build(t.name, p, scope) for p in policy.partners],
            allowed_cloud_endpoints=list(policy.allowed_cloud_endpoints),
        )


@strawberry.type(description="authorizationPolicy + B2B collaboration domain restrictions.")
class ExternalCollaboration:
    allow_invites_from: AllowInvitesFrom | None
    blocked_domains: list[str] | None
    allowed_domains: list[str] | None
    guest_user_access: GuestUserAccess | None = strawberry.field(
        description="null when guestUserRoleId names none of the documented levels"
    )
    guest_user_role_id: str | None = strawberry.field(
        description="the unknown guestUserRoleId (set only when guestUserAccess is null)"
    )
    self_service_sign_up_enabled: bool
    self_service_sign_up_apps: list[str]

    @classmethod
    def from_domain(cls, c: de.ExternalCollaboration) -> ExternalCollaboration:
        return cls(
            allow_invites_from=c.allow_invites_from,
            blocked_domains=None if c.blocked_domains is None else list(c.blocked_domains),
            allowed_domains=None if c.allowed_domains is None else list(c.allowed_domains),
            guest_user_access=c.guest_user_access,
            guest_user_role_id=c.guest_user_role_id,
            self_service_sign_up_enabled=c.self_service_sign_up.enabled,
            self_service_sign_up_apps=list(c.self_service_sign_up.apps),
        )


@strawberry.type(description="The tenant-wide Teams channels policy.")
class TeamsPolicy:
    allow_user_to_participate_in_external_shared_channel: bool
    allow_channel_sharing_to_external_user: bool


@strawberry.type(
    description="conditionalAccessUsers, trimmed. `GuestsOrExternalUsers` in `include` is "
    "narrowed by guestOrExternalUserTypes / externalTenants (null = all), in `exclude` by the "
    "exclude* pair: the two sides are independent."
)
class CaUsers:
    include: list[str]
    exclude: list[str]
    guest_or_external_user_types: list[str] | None
    external_tenants: list[str] | None
    exclude_guest_or_external_user_types: list[str] | None
    exclude_external_tenants: list[str] | None
    include_roles: list[str]
    exclude_roles: list[str]


def _values(items: tuple[str, ...] | None) -> list[str] | None:
    """A nullable setting as GraphQL strings (None = all, kept distinct from [] = none)."""
    return None if items is None else [str(i) for i in items]


@strawberry.type(description="conditionalAccessApplications.")
class CaApplications:
    include: list[str]
    exclude: list[str]


@strawberry.type(description="conditionalAccessPolicy, trimmed to what decisions use.")
class ConditionalAccessPolicy(Entity, relay.Node):
    KIND = "policy"
    node_ref: relay.NodeID[str]
    ref: str
    tenant: str
    name: str
    object_id: str
    state: CaState
    users: CaUsers
    applications: CaApplications
    grant: list[GrantControl]
    grant_operator: GrantOperator

    @classmethod
    def from_domain(cls, p: dg.ConditionalAccessPolicy, scope: Scope) -> ConditionalAccessPolicy:
        u = p.users
        return cls(
            node_ref=p.ref,
            ref=p.ref,
            tenant=p.tenant,
            name=p.name,
            object_id=p.id,
            state=p.state,
            users=CaUsers(
                include=scope.refs(list(u.include)),
                exclude=scope.refs(list(u.exclude)),
                guest_or_external_user_types=_values(u.guest_or_external_user_types),
                external_tenants=_values(u.external_tenants),
                exclude_guest_or_external_user_types=_values(
                    u.exclude_guest_or_external_user_types
                ),
                exclude_external_tenants=_values(u.exclude_external_tenants),
                include_roles=[r.value for r in u.include_roles],
                exclude_roles=[r.value for r in u.exclude_roles],
            ),
            applications=CaApplications(
                include=list(p.applications.include), exclude=list(p.applications.exclude)
            ),
            grant=[GrantControl(g) for g in p.grant],
            grant_operator=p.grant_operator,
        )
