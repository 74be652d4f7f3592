"""Generated change sets: every single change a World admits, as change-set entries.

`candidate_changes(world)` lists changes in the change-set format (`graphmodel/audit/changeset.py`)
that are valid on `world` on their own; the property test draws a few and keeps those that stay
valid in sequence (`valid_sequence`).
"""

from __future__ import annotations

from typing import Any

import yaml

from graphmodel.audit.changeset import apply_change_text
from graphmodel.errors import WorldInvalid
from graphmodel.schema import TenantType, World

SECTIONS = (
    "b2bCollaborationInbound",
    "b2bCollaborationOutbound",
    "b2bDirectConnectInbound",
    "b2bDirectConnectOutbound",
)
ENDPOINTS = ("microsoftonline.com", "microsoftonline.us", "partner.microsoftonline.cn")
ALL_APPS = {
    "accessType": "allowed",
    "targets": [{"target": "AllApplications", "targetType": "application"}],
}


def _scoped_value(world: World, home: str, partner: str, section: str) -> dict[str, Any] | None:
    """A partner section allowing one user or group (a handle of the tenant R5 says) on all apps."""
    owner = partner if section.endswith("Inbound") else home
    groups = [g for g in world.groups if g.tenant == owner]
    users = [u for u in world.users if u.tenant == owner]
    if groups:
        target = {"target": groups[0].name, "targetType": "group"}
    elif users:
        target = {"target": users[0].name, "targetType": "user"}
    else:
        return None
    return {
        "usersAndGroups": {"accessType": "allowed", "targets": [target]},
        "applications": ALL_APPS,
    }


def candidate_changes(world: World) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    names = {t.id: t.name for t in world.tenants}
    for t in world.tenants:
        if t.type != TenantType.WORKFORCE:
            continue
        policy = t.cross_tenant_access
        partners = [names.get(p.tenant_id, p.tenant_id) for p in policy.partners]
        for partner in [None, *partners]:
            where = {"tenant": t.name} | ({"partner": partner} if partner else {})
            for section in SECTIONS:
                out.append({"blockSection": where | {"section": section}})
                out.append({"unblockSection": where | {"section": section}})
            out.append({"setInboundTrust": where | {"value": {"isMfaAccepted": True}}})
            out.append({"setInboundTrust": where | {"value": {"isCompliantDeviceAccepted": True}}})
            out.append({"setInboundTrust": where | {"value": None if partner else {}}})
            if partner and partner in world.tenant_by_name:
                for section in SECTIONS:
                    value = _scoped_value(world, t.name, partner, section)
                    if value is not None:
                        out.append({"setSection": where | {"section": section, "value": value}})
                out.append({"setSection": where | {"section": SECTIONS[0], "value": None}})
        for p in policy.partners:
            if not p.is_service_provider:
                out.append(
                    {
                        "removePartner": {
                            "tenant": t.name,
                            "partner": names.get(p.tenant_id, p.tenant_id),
                        }
                    }
                )
        for other in world.tenants:
            if other.name != t.name and policy.partner(other.id) is None:
                out.append({"addPartner": {"tenant": t.name, "partner": other.name}})
                out.append(
                    {
                        "addPartner": {
                            "tenant": t.name,
                            "partner": other.name,
                            "value": {"inboundTrust": {"isMfaAccepted": True}},
                        }
                    }
                )
        for endpoint in ENDPOINTS:
            op = "removeCloud" if endpoint in policy.allowed_cloud_endpoints else "addCloud"
            out.append({op: {"tenant": t.name, "endpoint": endpoint}})
    for a in world.assignments:
        out.append({"removeAssignment": {"app": a.app, "principal": a.principal}})
    for g in world.groups:
        for m in g.members:
            out.append({"removeGroupMember": {"group": g.ref, "member": m}})
    homes = {u.home_ref for u in world.users if u.home_ref}
    for u in world.users:
        out.append({("disableUser" if u.account_enabled else "enableUser"): {"user": u.ref}})
        if u.ref not in homes:
            out.append({"removeUser": {"user": u.ref}})
    for pa in world.access_package_assignments:
        out.append({"expireAssignment": {"accessPackage": pa.package, "target": pa.target}})
    return out


def text_of(changes: list[dict[str, Any]]) -> str:
    return yaml.safe_dump({"title": "generated", "changes": changes}, sort_keys=False)


def valid_sequence(world: World, drawn: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The drawn changes that stay valid when applied in order (the others are dropped)."""
    kept: list[dict[str, Any]] = []
    current = world
    for change in drawn:
        try:
            current = apply_change_text(current, text_of([change])).world
        except WorldInvalid:
            continue
        kept.append(change)
    return kept
