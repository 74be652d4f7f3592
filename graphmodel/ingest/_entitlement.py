"""Pass 2 for entitlement management: connected organizations, access packages (with their
policies and assignments) and the external-user lifecycle setting.

Access-package assignments become `World.access_package_assignments`; targets and resources must
name objects of the world, and policy durations must be ISO 8601 (`P90D`).
"""

from __future__ import annotations

import re

from graphmodel.ingest._fields import Collector, suggest
from graphmodel.ingest._index import NameIndex, TenantEntry
from graphmodel.ingest.yamlsource import Loc
from graphmodel.schema.entities import (
    EntitlementSettings,
)
from graphmodel.schema.enums import (
    AccessPackageAssignmentState,
    AllowedTargetScope,
    ConnectedOrgState,
    LifecycleAction,
)
from graphmodel.schema.governance import (
    AccessPackage,
    AccessPackageAssignment,
    AccessPackagePolicy,
    ConnectedOrganization,
)
from graphmodel.schema.ids import derive_id

_DURATION = re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$")

__all__ = ["build_access_packages", "build_connected_organizations", "build_entitlement_settings"]


def build_connected_organizations(
    c: Collector, index: NameIndex, tenant: TenantEntry
) -> list[ConnectedOrganization]:
    """Connected organizations, each naming the tenant whose users it admits (L19)."""
    out: list[ConnectedOrganization] = []
    for named in tenant.connected_organizations.values():
        loc = named.loc
        m = c.mapping(
            named.raw,
            loc,
            what="connectedOrganization",
            fields=("name", "tenant", "state"),
            required=("tenant",),
        )
        if m is None or "tenant" not in m:
            continue
        handle = c.text(m["tenant"], (*loc, "tenant"), what="tenant")
        found = None if handle is None else index.tenant_for(handle)
        if handle is not None and found is None:
            index.unknown(c, (*loc, "tenant"), handle, "a tenant")
        if found is tenant:
            c.error(
                "invalid-reference",
                (*loc, "tenant"),
                "a connected organization names another tenant, not its own",
            )
            continue
        if found is None:
            continue
        out.append(
            ConnectedOrganization(
                tenant=tenant.name,
                name=named.name,
                id=derive_id("connectedOrganization", tenant.name, named.name),
                identity_tenant=found.name,
                state=c.field_choice(
                    m, "state", loc, ConnectedOrgState, default=ConnectedOrgState.CONFIGURED
                ),
            )
        )
    return out


def build_access_packages(
    c: Collector, index: NameIndex, tenant: TenantEntry
) -> tuple[list[AccessPackage], list[AccessPackageAssignment]]:
    """Access packages, and their assignments (kept apart, for the World's own tuple)."""
    packages: list[AccessPackage] = []
    assignments: list[AccessPackageAssignment] = []
    fields = (
        "name",
        "resources",
        "policies",
        "assignments",
        "isHidden",
        "catalogExternallyVisible",
    )
    for named in tenant.access_packages.values():
        loc = named.loc
        m = c.mapping(named.raw, loc, what="accessPackage", fields=fields)
        if m is None:  # pragma: no cover - pass 1 keeps mappings only
            continue
        ref = f"{tenant.name}/{named.name}"
        policies = [
            p
            for item_loc, item in c.items(m.get("policies"), (*loc, "policies"), what="policies")
            if (p := _package_policy(c, tenant, item, item_loc)) is not None
        ]
        for item_loc, item in c.items(
            m.get("assignments"), (*loc, "assignments"), what="assignments"
        ):
            found = _package_assignment(c, index, ref, item, item_loc)
            if found is not None:
                assignments.append(found)
        packages.append(
            AccessPackage(
                tenant=tenant.name,
                name=named.name,
                id=derive_id("accessPackage", tenant.name, named.name),
                resources=index.local_refs(
                    c,
                    tenant,
                    m.get("resources"),
                    (*loc, "resources"),
                    "resources",
                    ("group", "app"),
                ),
                policies=tuple(policies),
                is_hidden=c.flag(m, "isHidden", loc, default=False),
                catalog_externally_visible=c.flag(m, "catalogExternallyVisible", loc, default=True),
            )
        )
    return packages, assignments


def _package_policy(
    c: Collector, tenant: TenantEntry, value: object, loc: Loc
) -> AccessPackagePolicy | None:
    fields = ("allowedTargetScope", "specificAllowedTargets", "expiration")
    m = c.mapping(value, loc, what="policy", fields=fields, required=("allowedTargetScope",))
    if m is None or "allowedTargetScope" not in m:
        return None
    scope = c.choice(
        m["allowedTargetScope"],
        (*loc, "allowedTargetScope"),
        AllowedTargetScope,
        what="allowedTargetScope",
    )
    specific = scope is AllowedTargetScope.SPECIFIC_CONNECTED_ORGANIZATION_USERS
    targets: list[str] = []
    tloc = (*loc, "specificAllowedTargets")
    if m.get("specificAllowedTargets") is not None and scope is not None and not specific:
        c.error(
            "conflicting-fields",
            tloc,
            "`specificAllowedTargets` needs `allowedTargetScope: "
            "specificConnectedOrganizationUsers`",
        )
    for item_loc, text in c.texts(
        m.get("specificAllowedTargets"), tloc, what="specificAllowedTargets"
    ):
        name = text.removeprefix(f"{tenant.name}/")
        if name in tenant.connected_organizations:
            targets.append(f"{tenant.name}/{name}")
        else:
            hint = suggest(name, tenant.connected_organizations)
            c.error(
                "unknown-reference",
                item_loc,
                f"`{text}` is not a connected organization of tenant `{tenant.name}`{hint}",
            )
    if specific and m.get("specificAllowedTargets") is None:
        c.error(
            "missing-field",
            loc,
            "`specificConnectedOrganizationUsers` needs `specificAllowedTargets`",
        )
    expiration = None
    if m.get("expiration") is not None:
        expiration = c.text(m["expiration"], (*loc, "expiration"), what="expiration")
        if expiration is not None and not _DURATION.match(expiration):
            c.error(
                "invalid-value",
                (*loc, "expiration"),
                f"`{expiration}` is not an ISO 8601 duration such as `P90D`",
            )
            expiration = None
    if scope is None:
        return None
    return AccessPackagePolicy(
        allowed_target_scope=scope, specific_allowed_targets=tuple(targets), expiration=expiration
    )


def _package_assignment(
    c: Collector, index: NameIndex, package: str, value: object, loc: Loc
) -> AccessPackageAssignment | None:
    m = c.mapping(
        value, loc, what="assignment", fields=("target", "state", "expires"), required=("target",)
    )
    if m is None or "target" not in m:
        return None
    text = c.text(m["target"], (*loc, "target"), what="target")
    target = None if text is None else index.user_ref(c, (*loc, "target"), text)
    expires = None
    if m.get("expires") is not None:
        expires = c.timestamp(m["expires"], (*loc, "expires"), what="expires")
    state = c.field_choice(
        m,
        "state",
        loc,
        AccessPackageAssignmentState,
        default=AccessPackageAssignmentState.DELIVERED,
    )
    if target is None:
        return None
    return AccessPackageAssignment(package=package, target=target, state=state, expires=expires)


def build_entitlement_settings(c: Collector, tenant: TenantEntry) -> EntitlementSettings:
    """What happens to an external user whose last assignment ends (L21, L22)."""
    loc = (*tenant.loc, "entitlementSettings")
    raw = tenant.raw.get("entitlementSettings")
    fields = ("externalUserLifecycleAction",)
    m = None if raw is None else c.mapping(raw, loc, what="entitlementSettings", fields=fields)
    if m is None:
        return EntitlementSettings()
    return EntitlementSettings(
        external_user_lifecycle_action=c.field_choice(
            m,
            "externalUserLifecycleAction",
            loc,
            LifecycleAction,
            default=LifecycleAction.BLOCK_SIGN_IN_AND_DELETE,
        )
    )
