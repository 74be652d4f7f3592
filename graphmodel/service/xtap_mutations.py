"""Cross-tenant access mutations as pure `World -> World` functions (Graph shapes in).

Mirrors Microsoft Graph's management operations on `crossTenantAccessPolicy`:
`PATCH .../default`, `POST .../partners`, `PATCH .../partners/{tenantId}` and
`DELETE .../partners/{tenantId}`. Bodies are plain JSON-able mappings in Graph's camelCase shape
(the API passes its input objects through unchanged) and are validated by
`graphmodel.service.xtap_reader.Reader` like a world file's `crossTenantAccess`. Each function
returns the new World, the written configuration and the warnings; bad input raises
`WorldInvalid` with every located issue, an unknown tenant or partner `NodeNotFound`, and
creating a partner that exists `Conflict` (as Graph answers 409).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from graphmodel.errors import Conflict, Issue, NodeNotFound
from graphmodel.schema.entities import Tenant
from graphmodel.schema.ids import is_guid
from graphmodel.schema.world import World
from graphmodel.schema.xtap import (
    AutomaticUserConsentSettings,
    B2BSetting,
    CrossTenantAccessDefault,
    CrossTenantAccessPartner,
    IdentitySynchronization,
    InboundTrust,
)
from graphmodel.service.xtap_reader import SECTIONS, Loc, Reader, Side, shipped_section, with_tenant

__all__ = [
    "DEFAULT_FIELDS",
    "PARTNER_FIELDS",
    "create_partner",
    "delete_partner",
    "tenant_named",
    "update_default",
    "update_partner",
]

_TRUST = ("isMfaAccepted", "isCompliantDeviceAccepted", "isHybridAzureADJoinedDeviceAccepted")
DEFAULT_FIELDS = (*SECTIONS, "inboundTrust")
PARTNER_FIELDS = (
    "tenantId",
    *SECTIONS,
    "inboundTrust",
    "isServiceProvider",
    "isInMultiTenantOrganization",
    "automaticUserConsentSettings",
    "identitySynchronization",
)
Result = tuple[World, CrossTenantAccessPartner, list[Issue]]


def tenant_named(world: World, name: str) -> Tenant:
    """The tenant `name`, or NodeNotFound."""
    found = world.tenant_by_name.get(name)
    if found is None:
        raise NodeNotFound(name, kind="tenant")
    return found


def _trust(r: Reader, value: object, loc: Loc) -> InboundTrust:
    body = r.mapping(value, loc, _TRUST)
    mfa, compliant, hybrid = (r.flag(body, key, loc, False) for key in _TRUST)
    return InboundTrust(
        is_mfa_accepted=mfa,
        is_compliant_device_accepted=compliant,
        is_hybrid_azure_ad_joined_device_accepted=hybrid,
    )


def update_default(
    world: World, tenant_name: str, body: Mapping[str, object]
) -> tuple[World, CrossTenantAccessDefault, list[Issue]]:
    """PATCH the tenant's default configuration; the result is never the service default."""
    tenant = tenant_named(world, tenant_name)
    current = tenant.cross_tenant_access.default
    r = Reader(world)
    body = r.mapping(body, (), DEFAULT_FIELDS)
    side = Side(home=tenant, partner=None, is_default=True)
    changes: dict[str, object] = {"is_service_default": False}
    for key, (_direction, attr) in SECTIONS.items():
        if key not in body:
            continue
        if body[key] is None:
            changes[attr] = shipped_section(attr)
            continue
        before = getattr(current, attr) or shipped_section(attr)
        changes[attr] = r.setting(side, key, body[key], (key,), before)
    if "inboundTrust" in body:
        value = body["inboundTrust"]
        changes["inbound_trust"] = (
            InboundTrust() if value is None else _trust(r, value, ("inboundTrust",))
        )
    r.raise_if_invalid()
    default = dataclasses.replace(current, **changes)  # type: ignore[arg-type]
    policy = dataclasses.replace(tenant.cross_tenant_access, default=default)
    new_tenant = dataclasses.replace(tenant, cross_tenant_access=policy)
    return with_tenant(world, tenant, new_tenant), default, r.warnings


def _partner_id(r: Reader, world: World, home: Tenant, value: object) -> tuple[str, Tenant | None]:
    if not isinstance(value, str) or not value:
        r.error("missing-field", ("tenantId",), "`tenantId` must be a tenant id or handle")
        return "", None
    if is_guid(value):
        tenant_id = value.lower()
        partner = world.tenant_by_id.get(tenant_id)
    else:
        partner = world.tenant_by_name.get(value)
        if partner is None:
            r.error(
                "unknown-reference",
                ("tenantId",),
                f"`{value}` is not a tenant; use a tenant handle of the world or a tenant id",
            )
            return "", None
        tenant_id = partner.id
    if tenant_id == home.id:
        r.error("invalid-reference", ("tenantId",), "a tenant cannot be its own partner")
    return tenant_id, partner


def _apply_partner(
    r: Reader,
    home: Tenant,
    partner: Tenant | None,
    current: CrossTenantAccessPartner,
    body: Mapping[str, object],
) -> CrossTenantAccessPartner:
    side = Side(home=home, partner=partner, is_default=False)
    default = home.cross_tenant_access.default
    changes: dict[str, object] = {}
    for key, (_direction, attr) in SECTIONS.items():
        if key not in body:
            continue
        if body[key] is None:
            changes[attr] = None
            continue
        before: B2BSetting | None = getattr(current, attr) or getattr(default, attr)
        changes[attr] = r.setting(side, key, body[key], (key,), before)
    for key, attr in (
        ("isServiceProvider", "is_service_provider"),
        ("isInMultiTenantOrganization", "is_in_multi_tenant_organization"),
    ):
        if key in body:
            changes[attr] = r.flag(body, key, (), False)
    if "inboundTrust" in body:
        value = body["inboundTrust"]
        changes["inbound_trust"] = None if value is None else _trust(r, value, ("inboundTrust",))
    if "automaticUserConsentSettings" in body:
        loc: Loc = ("automaticUserConsentSettings",)
        consent = r.mapping(
            body["automaticUserConsentSettings"] or {}, loc, ("inboundAllowed", "outboundAllowed")
        )
        changes["automatic_user_consent_settings"] = AutomaticUserConsentSettings(
            inbound_allowed=r.opt_flag(consent, "inboundAllowed", loc),
            outbound_allowed=r.opt_flag(consent, "outboundAllowed", loc),
        )
    if "identitySynchronization" in body:
        changes["identity_synchronization"] = _sync(r, body["identitySynchronization"])
    return dataclasses.replace(current, **changes)  # type: ignore[arg-type]


def _sync(r: Reader, value: object) -> IdentitySynchronization | None:
    if value is None:
        return None
    loc: Loc = ("identitySynchronization",)
    inbound = r.mapping(value, loc, ("userSyncInbound",)).get("userSyncInbound")
    if inbound is None:
        return IdentitySynchronization()
    loc = (*loc, "userSyncInbound")
    inner = r.mapping(inbound, loc, ("isSyncAllowed",))
    return IdentitySynchronization(is_sync_allowed=r.flag(inner, "isSyncAllowed", loc, False))


def _store_partner(
    world: World, home: Tenant, old: CrossTenantAccessPartner | None, new: CrossTenantAccessPartner
) -> World:
    policy = home.cross_tenant_access
    if old is None:
        partners = (*policy.partners, new)
    else:
        partners = tuple(new if p is old else p for p in policy.partners)
    new_home = dataclasses.replace(
        home, cross_tenant_access=dataclasses.replace(policy, partners=partners)
    )
    return with_tenant(world, home, new_home)


def create_partner(world: World, tenant_name: str, body: Mapping[str, object]) -> Result:
    """POST a partner configuration; `tenantId` is a tenant id or a tenant handle."""
    home = tenant_named(world, tenant_name)
    r = Reader(world)
    body = r.mapping(body, (), PARTNER_FIELDS)
    tenant_id, partner = _partner_id(r, world, home, body.get("tenantId"))
    if tenant_id and home.cross_tenant_access.partner(tenant_id) is not None:
        raise Conflict(
            f"`{home.name}` already has a partner configuration for `{body.get('tenantId')}`"
        )
    created = _apply_partner(
        r,
        home,
        partner,
        CrossTenantAccessPartner(tenant_id=tenant_id or "-"),
        {k: v for k, v in body.items() if k != "tenantId"},
    )
    r.raise_if_invalid()
    return _store_partner(world, home, None, created), created, r.warnings


def _existing(
    world: World, home: Tenant, partner: str
) -> tuple[CrossTenantAccessPartner, Tenant | None]:
    tenant_id = partner.lower() if is_guid(partner) else None
    if tenant_id is None and partner in world.tenant_by_name:
        tenant_id = world.tenant_by_name[partner].id
    found = home.cross_tenant_access.partner(tenant_id) if tenant_id else None
    if found is None:
        raise NodeNotFound(f"{home.name}/{partner}", kind="cross-tenant access partner")
    return found, world.tenant_by_id.get(found.tenant_id)


def update_partner(
    world: World, tenant_name: str, partner: str, body: Mapping[str, object]
) -> Result:
    """PATCH the partner configuration of `partner` (tenant id or handle) in `tenant_name`."""
    home = tenant_named(world, tenant_name)
    current, partner_tenant = _existing(world, home, partner)
    r = Reader(world)
    fields = tuple(f for f in PARTNER_FIELDS if f != "tenantId")
    body = r.mapping(body, (), fields)
    updated = _apply_partner(r, home, partner_tenant, current, body)
    r.raise_if_invalid()
    return _store_partner(world, home, current, updated), updated, r.warnings


def delete_partner(
    world: World, tenant_name: str, partner: str
) -> tuple[World, CrossTenantAccessPartner]:
    """DELETE the partner configuration; the default governs that tenant again (R3)."""
    home = tenant_named(world, tenant_name)
    current, _ = _existing(world, home, partner)
    policy = home.cross_tenant_access
    partners = tuple(p for p in policy.partners if p is not current)
    new_home = dataclasses.replace(
        home, cross_tenant_access=dataclasses.replace(policy, partners=partners)
    )
    return with_tenant(world, home, new_home), current
