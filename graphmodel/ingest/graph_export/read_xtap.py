"""Reading cross-tenant access settings: the policy, its default, partners and identity sync.

The model keeps Graph's own shape and ids (targets are object ids, app ids or keywords), so this
is a direct translation. Graph's inheritance rules are kept, not resolved: a partner section
that is `null` stays None and inherits the default at evaluation time (R3). Only a *half* of a
partner section (`usersAndGroups` or `applications` alone null) is filled from the default here,
because the model's B2BSetting holds both halves.
"""

from __future__ import annotations

from typing import Any

from graphmodel.ingest.graph_export import layout as L
from graphmodel.ingest.graph_export.files import iter_file
from graphmodel.ingest.graph_export.reader import Report
from graphmodel.ingest.graph_export.records import TenantData
from graphmodel.ingest.graph_export.values import At
from graphmodel.schema.enums import AccessType, TargetType
from graphmodel.schema.ids import is_guid
from graphmodel.schema.xtap import (
    AutomaticUserConsentSettings,
    B2BSetting,
    CrossTenantAccessDefault,
    CrossTenantAccessPartner,
    CrossTenantAccessPolicy,
    IdentitySynchronization,
    InboundTrust,
    Target,
    TargetConfiguration,
)

__all__ = ["SECTIONS", "read_cross_tenant_access"]

SECTIONS = (
    "b2bCollaborationInbound",
    "b2bCollaborationOutbound",
    "b2bDirectConnectInbound",
    "b2bDirectConnectOutbound",
)
_SHIPPED = CrossTenantAccessDefault()


def read_cross_tenant_access(data: TenantData, report: Report) -> None:
    folder = data.folder
    endpoints: list[str] = []
    for at, obj in iter_file(folder / L.CROSS_TENANT_POLICY, report):
        endpoints.extend(e.strip().lower() for e in at.texts(obj, "allowedCloudEndpoints"))
    default = _SHIPPED
    for at, obj in iter_file(folder / L.CROSS_TENANT_DEFAULT, report):
        default = _default(at, obj)
    partners: dict[str, CrossTenantAccessPartner] = {}
    syncs: dict[str, IdentitySynchronization] = {}
    for at, obj in iter_file(folder / L.CROSS_TENANT_PARTNERS, report):
        tenant_id = at.guid(obj, "tenantId", what="partner tenant id")
        if tenant_id is None:
            at.warn("missing-property", "a partner configuration without `tenantId` is left out")
            continue
        if tenant_id in partners:
            at.warn("duplicate-object", f"partner `{tenant_id}` is listed twice; the last wins")
        inline = at.mapping(obj, "identitySynchronization")
        if inline is not None:
            syncs[tenant_id] = _sync(data, at.sub("identitySynchronization"), inline, tenant_id)
        partners[tenant_id] = _partner(at, obj, tenant_id, default)
    sync_dir = folder / L.PARTNERS_DIR
    if sync_dir.is_dir():
        for path in sorted(sync_dir.glob("*.identitySynchronization.json")):
            tenant_id = path.name.split(".", 1)[0].lower()
            for at, obj in iter_file(path, report):
                syncs[tenant_id] = _sync(data, at, obj, tenant_id)
                if tenant_id not in partners:
                    partners[tenant_id] = CrossTenantAccessPartner(tenant_id=tenant_id)
    out = tuple(
        _with_sync(p, syncs.get(tid)) if tid in syncs else p for tid, p in partners.items()
    )
    data.xtap = CrossTenantAccessPolicy(
        default=default, partners=out, allowed_cloud_endpoints=tuple(endpoints)
    )


def _with_sync(p: CrossTenantAccessPartner, sync: IdentitySynchronization | None) -> (
    CrossTenantAccessPartner
):
    return CrossTenantAccessPartner(
        tenant_id=p.tenant_id,
        is_service_provider=p.is_service_provider,
        is_in_multi_tenant_organization=p.is_in_multi_tenant_organization,
        inbound_trust=p.inbound_trust,
        b2b_collaboration_inbound=p.b2b_collaboration_inbound,
        b2b_collaboration_outbound=p.b2b_collaboration_outbound,
        b2b_direct_connect_inbound=p.b2b_direct_connect_inbound,
        b2b_direct_connect_outbound=p.b2b_direct_connect_outbound,
        tenant_restrictions=p.tenant_restrictions,
        automatic_user_consent_settings=p.automatic_user_consent_settings,
        identity_synchronization=sync,
    )


def _sync(data: TenantData, at: At, obj: dict[str, Any], tenant_id: str) -> IdentitySynchronization:
    name = at.text(obj, "displayName")
    if name:
        data.known_tenants.setdefault(tenant_id, (name, None))
    inbound = at.mapping(obj, "userSyncInbound") or {}
    return IdentitySynchronization(
        is_sync_allowed=at.sub("userSyncInbound").flag(inbound, "isSyncAllowed") is True
    )


def _default(at: At, obj: dict[str, Any]) -> CrossTenantAccessDefault:
    sections = {
        key: _setting(at, obj, key, _section(_SHIPPED, key)) or _section(_SHIPPED, key)
        for key in SECTIONS
    }
    restrictions = _setting(at, obj, "tenantRestrictions", None)
    return CrossTenantAccessDefault(
        is_service_default=at.flag(obj, "isServiceDefault") is True,
        inbound_trust=_trust(at, obj) or InboundTrust(),
        b2b_collaboration_inbound=_need(sections["b2bCollaborationInbound"]),
        b2b_collaboration_outbound=_need(sections["b2bCollaborationOutbound"]),
        b2b_direct_connect_inbound=_need(sections["b2bDirectConnectInbound"]),
        b2b_direct_connect_outbound=_need(sections["b2bDirectConnectOutbound"]),
        tenant_restrictions=restrictions,
    )


def _need(setting: B2BSetting | None) -> B2BSetting:
    assert setting is not None  # INVARIANT: the shipped default has every B2B section
    return setting


def _section(d: CrossTenantAccessDefault, key: str) -> B2BSetting | None:
    return {
        "b2bCollaborationInbound": d.b2b_collaboration_inbound,
        "b2bCollaborationOutbound": d.b2b_collaboration_outbound,
        "b2bDirectConnectInbound": d.b2b_direct_connect_inbound,
        "b2bDirectConnectOutbound": d.b2b_direct_connect_outbound,
        "tenantRestrictions": d.tenant_restrictions,
    }[key]


def _partner(
    at: At, obj: dict[str, Any], tenant_id: str, default: CrossTenantAccessDefault
) -> CrossTenantAccessPartner:
    got = {key: _setting(at, obj, key, _section(default, key)) for key in SECTIONS}
    consent = at.mapping(obj, "automaticUserConsentSettings") or {}
    cat = at.sub("automaticUserConsentSettings")
    return CrossTenantAccessPartner(
        tenant_id=tenant_id,
        is_service_provider=at.flag(obj, "isServiceProvider") is True,
        is_in_multi_tenant_organization=at.flag(obj, "isInMultiTenantOrganization") is True,
        inbound_trust=_trust(at, obj),
        b2b_collaboration_inbound=got["b2bCollaborationInbound"],
        b2b_collaboration_outbound=got["b2bCollaborationOutbound"],
        b2b_direct_connect_inbound=got["b2bDirectConnectInbound"],
        b2b_direct_connect_outbound=got["b2bDirectConnectOutbound"],
        tenant_restrictions=_setting(at, obj, "tenantRestrictions", default.tenant_restrictions),
        automatic_user_consent_settings=AutomaticUserConsentSettings(
            inbound_allowed=cat.flag(consent, "inboundAllowed"),
            outbound_allowed=cat.flag(consent, "outboundAllowed"),
        ),
    )


def _trust(at: At, obj: dict[str, Any]) -> InboundTrust | None:
    trust = at.mapping(obj, "inboundTrust")
    if trust is None:
        return None
    t = at.sub("inboundTrust")
    return InboundTrust(
        is_mfa_accepted=t.flag(trust, "isMfaAccepted") is True,
        is_compliant_device_accepted=t.flag(trust, "isCompliantDeviceAccepted") is True,
        is_hybrid_azure_ad_joined_device_accepted=(
            t.flag(trust, "isHybridAzureADJoinedDeviceAccepted") is True
        ),
    )


def _setting(
    at: At, obj: dict[str, Any], key: str, fallback: B2BSetting | None
) -> B2BSetting | None:
    """One B2B setting; None = null (inherit). A null half is taken from `fallback`."""
    value = at.mapping(obj, key)
    if value is None:
        return None
    here = at.sub(key)
    users = _configuration(here, value, "usersAndGroups")
    apps = _configuration(here, value, "applications")
    if users is None and fallback is not None:
        users = fallback.users_and_groups
    if apps is None and fallback is not None:
        apps = fallback.applications
    if users is None or apps is None:
        here.warn("missing-property", f"`{key}` lacks `usersAndGroups` or `applications` and "
                  "has nothing to inherit them from, so the section is ignored")
        return None
    return B2BSetting(users_and_groups=users, applications=apps)


def _configuration(at: At, obj: dict[str, Any], key: str) -> TargetConfiguration | None:
    value = at.mapping(obj, key)
    if value is None:
        return None
    here = at.sub(key)
    access = here.choice(value, "accessType", AccessType)
    if access is None:
        here.warn("missing-property", f"`{key}` has no usable `accessType`, so it is ignored")
        return None
    targets: list[Target] = []
    for i, t in here.objects(value, "targets"):
        th = here.sub("targets", i)
        kind = th.choice(t, "targetType", TargetType)
        text = th.text(t, "target")
        if kind is None or not text:
            th.warn("missing-property", "a target without a usable `target` and `targetType` "
                    "is left out")
            continue
        targets.append(Target(target=text.lower() if is_guid(text) else text, target_type=kind))
    return TargetConfiguration(access_type=access, targets=tuple(targets))
