"""Pass 2 for `crossTenantAccess`: the default, partner entries and cloud settings.

Omitted default sections are Microsoft's shipped defaults (`CrossTenantAccessDefault()`), and a
given `default` is no longer the service default. Omitted partner sections stay None: they are
inherited from the default at evaluation time (R3), never copied here. Partner keys are tenant
handles of the file or raw tenant ids; the settings' targets are resolved in `_targets`.
"""

from __future__ import annotations

from graphmodel.ingest._fields import Collector, suggest
from graphmodel.ingest._index import NameIndex, TenantEntry
from graphmodel.ingest._targets import SECTIONS, Scope, read_setting
from graphmodel.ingest.yamlsource import Loc
from graphmodel.schema.ids import is_guid
from graphmodel.schema.xtap import (
    SERVICE_DEFAULT,
    AutomaticUserConsentSettings,
    B2BSetting,
    CrossTenantAccessDefault,
    CrossTenantAccessPartner,
    CrossTenantAccessPolicy,
    IdentitySynchronization,
    InboundTrust,
)

__all__ = ["CLOUD_ENDPOINTS", "build_cross_tenant_access", "read_inbound_trust", "read_partner"]

CLOUD_ENDPOINTS = ("microsoftonline.com", "microsoftonline.us", "partner.microsoftonline.cn")
_TRUST_FIELDS = (
    "isMfaAccepted",
    "isCompliantDeviceAccepted",
    "isHybridAzureADJoinedDeviceAccepted",
)
POLICY_FIELDS = ("default", "partners", "allowedCloudEndpoints")
DEFAULT_FIELDS = (*SECTIONS, "inboundTrust", "automaticUserConsentSettings")
PARTNER_FIELDS = (
    *SECTIONS,
    "inboundTrust",
    "automaticUserConsentSettings",
    "identitySynchronization",
    "isServiceProvider",
    "isInMultiTenantOrganization",
)


def _section_of(d: CrossTenantAccessDefault, key: str) -> B2BSetting | None:
    return {
        "b2bCollaborationInbound": d.b2b_collaboration_inbound,
        "b2bCollaborationOutbound": d.b2b_collaboration_outbound,
        "b2bDirectConnectInbound": d.b2b_direct_connect_inbound,
        "b2bDirectConnectOutbound": d.b2b_direct_connect_outbound,
        "tenantRestrictions": d.tenant_restrictions,
    }[key]


def build_cross_tenant_access(
    c: Collector, index: NameIndex, tenant: TenantEntry
) -> CrossTenantAccessPolicy:
    """The tenant's crossTenantAccessPolicy; absent, it is Microsoft's shipped one."""
    loc = (*tenant.loc, "crossTenantAccess")
    raw = tenant.raw.get("crossTenantAccess")
    m = None if raw is None else c.mapping(raw, loc, what="crossTenantAccess", fields=POLICY_FIELDS)
    if m is None:
        return CrossTenantAccessPolicy()
    default = (
        CrossTenantAccessDefault()
        if m.get("default") is None
        else _default(c, index, tenant, m["default"], (*loc, "default"))
    )
    endpoints = [
        text
        for item_loc, text in c.texts(
            m.get("allowedCloudEndpoints"),
            (*loc, "allowedCloudEndpoints"),
            what="allowedCloudEndpoints",
        )
        if c.one_of(text, item_loc, CLOUD_ENDPOINTS, what="allowedCloudEndpoints") is not None
    ]
    return CrossTenantAccessPolicy(
        default=default,
        partners=_partners(c, index, tenant, m.get("partners"), (*loc, "partners"), default),
        allowed_cloud_endpoints=tuple(endpoints),
    )


def _default(
    c: Collector, index: NameIndex, tenant: TenantEntry, value: object, loc: Loc
) -> CrossTenantAccessDefault:
    m = c.mapping(value, loc, what="crossTenantAccess.default", fields=DEFAULT_FIELDS)
    if m is None:
        return CrossTenantAccessDefault()
    if "automaticUserConsentSettings" in m:
        c.error(
            "unknown-field",
            (*loc, "automaticUserConsentSettings"),
            "`automaticUserConsentSettings` can only be set on a partner entry (the default is "
            "always false)",
        )
    got: dict[str, B2BSetting] = {}
    for key in SECTIONS:
        shipped = _section_of(SERVICE_DEFAULT, key)
        if m.get(key) is None:
            if shipped is not None:
                got[key] = shipped
            continue
        scope = Scope(home=tenant, partner=None, partner_key=None, section=key)
        found = read_setting(c, index, scope, m[key], (*loc, key), shipped) or shipped
        if found is not None:
            got[key] = found
    shipped_default = CrossTenantAccessDefault()
    return CrossTenantAccessDefault(
        is_service_default=False,
        inbound_trust=(
            read_inbound_trust(c, m.get("inboundTrust"), (*loc, "inboundTrust")) or InboundTrust()
        ),
        b2b_collaboration_inbound=got.get(
            "b2bCollaborationInbound", shipped_default.b2b_collaboration_inbound
        ),
        b2b_collaboration_outbound=got.get(
            "b2bCollaborationOutbound", shipped_default.b2b_collaboration_outbound
        ),
        b2b_direct_connect_inbound=got.get(
            "b2bDirectConnectInbound", shipped_default.b2b_direct_connect_inbound
        ),
        b2b_direct_connect_outbound=got.get(
            "b2bDirectConnectOutbound", shipped_default.b2b_direct_connect_outbound
        ),
        tenant_restrictions=got.get("tenantRestrictions"),
    )


def _partners(
    c: Collector,
    index: NameIndex,
    tenant: TenantEntry,
    value: object,
    loc: Loc,
    default: CrossTenantAccessDefault,
) -> tuple[CrossTenantAccessPartner, ...]:
    if value is None:
        return ()
    if not isinstance(value, dict):
        c.wrong_type(loc, "partners", "a mapping of tenant handles or ids", value)
        return ()
    out: list[CrossTenantAccessPartner] = []
    seen: dict[str, str] = {}
    for key, body in value.items():
        ploc = (*loc, key)
        partner: TenantEntry | None
        if is_guid(key):
            tenant_id = key.lower()
            partner = index.by_id.get(tenant_id)
        else:
            partner = index.tenants.get(key)
            if partner is None:
                c.error(
                    "unknown-reference",
                    ploc,
                    f"partner `{key}` is not a tenant of this file{suggest(key, index.tenants)}; "
                    "use a tenant handle or a tenant id",
                )
                continue
            tenant_id = partner.id
        if partner is tenant:
            c.error("invalid-reference", ploc, "a tenant cannot be its own partner")
            continue
        if tenant_id in seen:
            c.error("duplicate-name", ploc, f"`{key}` and `{seen[tenant_id]}` are the same partner")
            continue
        seen[tenant_id] = key
        out.append(read_partner(c, index, tenant, partner, key, tenant_id, body, ploc, default))
    return tuple(out)


def read_partner(
    c: Collector,
    index: NameIndex,
    tenant: TenantEntry,
    partner: TenantEntry | None,
    key: str,
    tenant_id: str,
    body: object,
    loc: Loc,
    default: CrossTenantAccessDefault,
) -> CrossTenantAccessPartner:
    if body is None:
        return CrossTenantAccessPartner(tenant_id=tenant_id)
    m = c.mapping(body, loc, what="partner", fields=PARTNER_FIELDS)
    if m is None:
        return CrossTenantAccessPartner(tenant_id=tenant_id)
    got: dict[str, B2BSetting | None] = {}
    for section in SECTIONS:
        if m.get(section) is None:
            got[section] = None
            continue
        scope = Scope(home=tenant, partner=partner, partner_key=key, section=section)
        fallback = _section_of(default, section)
        got[section] = read_setting(c, index, scope, m[section], (*loc, section), fallback)
    return CrossTenantAccessPartner(
        tenant_id=tenant_id,
        is_service_provider=c.flag(m, "isServiceProvider", loc, default=False),
        is_in_multi_tenant_organization=c.flag(
            m, "isInMultiTenantOrganization", loc, default=False
        ),
        inbound_trust=read_inbound_trust(c, m.get("inboundTrust"), (*loc, "inboundTrust")),
        b2b_collaboration_inbound=got["b2bCollaborationInbound"],
        b2b_collaboration_outbound=got["b2bCollaborationOutbound"],
        b2b_direct_connect_inbound=got["b2bDirectConnectInbound"],
        b2b_direct_connect_outbound=got["b2bDirectConnectOutbound"],
        tenant_restrictions=got["tenantRestrictions"],
        automatic_user_consent_settings=_consent(
            c, m.get("automaticUserConsentSettings"), (*loc, "automaticUserConsentSettings")
        ),
        identity_synchronization=_sync(
            c, m.get("identitySynchronization"), (*loc, "identitySynchronization")
        ),
    )


def read_inbound_trust(c: Collector, value: object, loc: Loc) -> InboundTrust | None:
    if value is None:
        return None
    m = c.mapping(value, loc, what="inboundTrust", fields=_TRUST_FIELDS)
    if m is None:
        return None
    mfa, compliant, hybrid = (c.flag(m, key, loc, default=False) for key in _TRUST_FIELDS)
    return InboundTrust(
        is_mfa_accepted=mfa,
        is_compliant_device_accepted=compliant,
        is_hybrid_azure_ad_joined_device_accepted=hybrid,
    )


def _consent(c: Collector, value: object, loc: Loc) -> AutomaticUserConsentSettings:
    if value is None:
        return AutomaticUserConsentSettings()
    fields = ("inboundAllowed", "outboundAllowed")
    m = c.mapping(value, loc, what="automaticUserConsentSettings", fields=fields)
    if m is None:
        return AutomaticUserConsentSettings()
    return AutomaticUserConsentSettings(
        inbound_allowed=c.opt_flag(m, "inboundAllowed", loc),
        outbound_allowed=c.opt_flag(m, "outboundAllowed", loc),
    )


def _sync(c: Collector, value: object, loc: Loc) -> IdentitySynchronization | None:
    if value is None:
        return None
    m = c.mapping(value, loc, what="identitySynchronization", fields=("userSyncInbound",))
    inbound = None if m is None else m.get("userSyncInbound")
    if inbound is None:
        return IdentitySynchronization()
    loc = (*loc, "userSyncInbound")
    inner = c.mapping(inbound, loc, what="userSyncInbound", fields=("isSyncAllowed",))
    allowed = False if inner is None else c.flag(inner, "isSyncAllowed", loc, default=False)
    return IdentitySynchronization(is_sync_allowed=allowed)
