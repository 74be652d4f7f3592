"""Cross-tenant access settings in Microsoft Graph shape (crossTenantAccessPolicy and friends).

A target string is a keyword (`AllUsers`, `AllApplications`, `Office365`, `AllMicrosoftApps`),
a user/group object id, or an application (client) id. World files may name objects by handle;
the loader resolves handles to these ids (see `xtap.md` §1.2 and R5).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from graphmodel.schema.enums import AccessType, TargetType

__all__ = [
    "SERVICE_DEFAULT",
    "AutomaticUserConsentSettings",
    "B2BSetting",
    "CrossTenantAccessDefault",
    "CrossTenantAccessPartner",
    "CrossTenantAccessPolicy",
    "IdentitySynchronization",
    "InboundTrust",
    "Keyword",
    "Section",
    "Target",
    "TargetConfiguration",
    "b2b_setting",
]


class Keyword(StrEnum):
    ALL_USERS = "AllUsers"
    ALL_APPLICATIONS = "AllApplications"
    OFFICE365 = "Office365"
    ALL_MICROSOFT_APPS = "AllMicrosoftApps"


class Section(StrEnum):
    """The per-section units of partner-over-default resolution (R3)."""

    B2B_COLLABORATION_INBOUND = "b2bCollaborationInbound"
    B2B_COLLABORATION_OUTBOUND = "b2bCollaborationOutbound"
    B2B_DIRECT_CONNECT_INBOUND = "b2bDirectConnectInbound"
    B2B_DIRECT_CONNECT_OUTBOUND = "b2bDirectConnectOutbound"
    INBOUND_TRUST = "inboundTrust"
    TENANT_RESTRICTIONS = "tenantRestrictions"


@dataclass(frozen=True, slots=True, kw_only=True)
class Target:
    """crossTenantAccessPolicyTarget: `target` is a keyword, object id or app id."""

    target: str
    target_type: TargetType


@dataclass(frozen=True, slots=True, kw_only=True)
class TargetConfiguration:
    """crossTenantAccessPolicyTargetConfiguration: one accessType for the whole list (R8)."""

    access_type: AccessType
    targets: tuple[Target, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class B2BSetting:
    """crossTenantAccessPolicyB2BSetting: one rule over users x applications (R7)."""

    users_and_groups: TargetConfiguration
    applications: TargetConfiguration


@dataclass(frozen=True, slots=True, kw_only=True)
class InboundTrust:
    is_mfa_accepted: bool = False
    is_compliant_device_accepted: bool = False
    is_hybrid_azure_ad_joined_device_accepted: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class AutomaticUserConsentSettings:
    """inboundOutboundPolicyConfiguration; None on a partner = inherit the default (false)."""

    inbound_allowed: bool | None = None
    outbound_allowed: bool | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class IdentitySynchronization:
    """crossTenantIdentitySyncPolicyPartner.userSyncInbound.isSyncAllowed."""

    is_sync_allowed: bool = False


def b2b_setting(access: AccessType) -> B2BSetting:
    """A section that allows or blocks AllUsers x AllApplications (the shipped shapes)."""
    return B2BSetting(
        users_and_groups=TargetConfiguration(
            access_type=access,
            targets=(Target(target=Keyword.ALL_USERS, target_type=TargetType.USER),),
        ),
        applications=TargetConfiguration(
            access_type=access,
            targets=(Target(target=Keyword.ALL_APPLICATIONS, target_type=TargetType.APPLICATION),),
        ),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class CrossTenantAccessDefault:
    """crossTenantAccessPolicyConfigurationDefault; every section is present (never null)."""

    is_service_default: bool = True
    inbound_trust: InboundTrust = field(default_factory=InboundTrust)
    b2b_collaboration_inbound: B2BSetting = field(
        default_factory=lambda: b2b_setting(AccessType.ALLOWED)
    )
    b2b_collaboration_outbound: B2BSetting = field(
        default_factory=lambda: b2b_setting(AccessType.ALLOWED)
    )
    b2b_direct_connect_inbound: B2BSetting = field(
        default_factory=lambda: b2b_setting(AccessType.BLOCKED)
    )
    b2b_direct_connect_outbound: B2BSetting = field(
        default_factory=lambda: b2b_setting(AccessType.BLOCKED)
    )
    tenant_restrictions: B2BSetting | None = None  # "all access settings disabled by default"


@dataclass(frozen=True, slots=True, kw_only=True)
class CrossTenantAccessPartner:
    """crossTenantAccessPolicyConfigurationPartner; a None section inherits the default (R3)."""

    tenant_id: str
    is_service_provider: bool = False
    is_in_multi_tenant_organization: bool = False
    inbound_trust: InboundTrust | None = None
    b2b_collaboration_inbound: B2BSetting | None = None
    b2b_collaboration_outbound: B2BSetting | None = None
    b2b_direct_connect_inbound: B2BSetting | None = None
    b2b_direct_connect_outbound: B2BSetting | None = None
    tenant_restrictions: B2BSetting | None = None
    automatic_user_consent_settings: AutomaticUserConsentSettings = field(
        default_factory=AutomaticUserConsentSettings
    )
    identity_synchronization: IdentitySynchronization | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CrossTenantAccessPolicy:
    """crossTenantAccessPolicy: the default, partners keyed by tenant id, other clouds."""

    default: CrossTenantAccessDefault = field(default_factory=CrossTenantAccessDefault)
    partners: tuple[CrossTenantAccessPartner, ...] = ()
    allowed_cloud_endpoints: tuple[str, ...] = ()

    def partner(self, tenant_id: str) -> CrossTenantAccessPartner | None:
        """The partner entry for `tenant_id`, or None when the default governs it."""
        for p in self.partners:
            if p.tenant_id == tenant_id:
                return p
        return None


SERVICE_DEFAULT = CrossTenantAccessDefault()
