"""Reading entitlement management, multitenant organizations, tenant look-ups and invitations.

Entitlement objects are joined by id: an assignment policy and an assignment name their access
package through an expanded `accessPackage` (v1.0, `$expand=accessPackage`) or the beta
`accessPackageId`. The multitenant organization's member list and `tenantInformation` responses
do not become model objects; they name tenants that are referenced but not imported.
"""

from __future__ import annotations

from typing import Any

from graphmodel.ingest.graph_export import layout as L
from graphmodel.ingest.graph_export.files import iter_file
from graphmodel.ingest.graph_export.reader import Report
from graphmodel.ingest.graph_export.records import (
    ConnOrgRec,
    InvitationRec,
    PackageAssignmentRec,
    PackageRec,
    PolicyRec,
    TenantData,
)
from graphmodel.ingest.graph_export.values import At, odata_type
from graphmodel.schema.enums import (
    AccessPackageAssignmentState,
    AllowedTargetScope,
    ConnectedOrgState,
    InvitationStatus,
)

__all__ = ["read_governance"]

_TENANT_SOURCES = ("azureActiveDirectoryTenant", "crossCloudAzureActiveDirectoryTenant")
_DOMAIN_SOURCES = ("domainIdentitySource", "externalDomainFederation")


def read_governance(data: TenantData, report: Report) -> None:
    folder = data.folder
    for at, obj in iter_file(folder / L.CONNECTED_ORGANIZATIONS, report):
        _connected_org(data, at, obj)
    for at, obj in iter_file(folder / L.ACCESS_PACKAGES, report):
        _package(data, at, obj)
    for at, obj in iter_file(folder / L.ASSIGNMENT_POLICIES, report):
        _policy(data, at, obj, None)
    for at, obj in iter_file(folder / L.ACCESS_PACKAGE_ASSIGNMENTS, report):
        _assignment(data, at, obj)
    _tenants(data, report)
    for at, obj in iter_file(folder / L.INVITATIONS, report):
        _invitation(data, at, obj)


def _package_id(at: At, obj: dict[str, Any]) -> str | None:
    expanded = at.mapping(obj, "accessPackage")
    if expanded is not None:
        return at.sub("accessPackage").guid(expanded, "id", what="access package id")
    return at.guid(obj, "accessPackageId", what="access package id")


def _connected_org(data: TenantData, at: At, obj: dict[str, Any]) -> None:
    oid = at.required_id(obj, "connected organization")
    if oid is None:
        return
    state = at.choice(obj, "state", ConnectedOrgState) or ConnectedOrgState.CONFIGURED
    tenant_id = domain = None
    for i, source in at.objects(obj, "identitySources"):
        s = at.sub("identitySources", i)
        kind = odata_type(source)
        if kind in _TENANT_SOURCES and tenant_id is None:
            tenant_id = s.guid(source, "tenantId", what="tenant id")
            if tenant_id is None:
                s.warn("missing-property", "an azureActiveDirectoryTenant source has no `tenantId`")
        elif kind in _DOMAIN_SOURCES and domain is None:
            domain = (s.text(source, "domainName") or "").lower() or None
    if tenant_id is None and domain is None:
        at.warn("missing-property", f"connected organization `{obj.get('displayName', oid)}` "
                "names no tenant id or domain in `identitySources`, so it is left out")
        return
    data.connected_orgs.append(
        ConnOrgRec(at, oid, at.text(obj, "displayName"), state, tenant_id, domain)
    )


def _package(data: TenantData, at: At, obj: dict[str, Any]) -> None:
    pid = at.required_id(obj, "access package")
    if pid is None:
        return
    catalog = at.mapping(obj, "catalog") or {}
    rec = PackageRec(
        at=at,
        id=pid,
        display=at.text(obj, "displayName"),
        hidden=at.flag(obj, "isHidden") is True,
        externally_visible=at.sub("catalog").flag(catalog, "isExternallyVisible") is not False,
    )
    for i, scope in at.objects(obj, "resourceRoleScopes"):
        s = at.sub("resourceRoleScopes", i)
        role = s.mapping(scope, "role") or {}
        resource = s.sub("role").mapping(role, "resource") or s.mapping(scope, "scope") or {}
        system = resource.get("originSystem") or role.get("originSystem")
        origin = resource.get("originId")
        if isinstance(system, str) and isinstance(origin, str):
            rec.resources.append((s, system, origin.lower()))
        else:
            s.warn("missing-property", "a resource role scope without `originSystem` and "
                   "`originId` is left out")
    data.packages.append(rec)
    for i, policy in at.objects(obj, "assignmentPolicies"):
        _policy(data, at.sub("assignmentPolicies", i), policy, pid)


def _policy(data: TenantData, at: At, obj: dict[str, Any], package_id: str | None) -> None:
    package_id = package_id or _package_id(at, obj)
    if package_id is None:
        at.warn("missing-property", "the assignment policy names no access package "
                "(`accessPackage` or `accessPackageId`), so it is left out")
        return
    scope = at.choice(obj, "allowedTargetScope", AllowedTargetScope)
    if scope is None:
        at.warn("not-modelled", "an assignment policy without a known `allowedTargetScope` is "
                "left out")
        return
    orgs: list[str] = []
    for i, target in at.objects(obj, "specificAllowedTargets"):
        t = at.sub("specificAllowedTargets", i)
        if odata_type(target) == "connectedOrganizationMembers":
            org = t.guid(target, "connectedOrganizationId", what="connected organization id")
            if org is not None:
                orgs.append(org)
        else:
            t.warn("not-modelled", f"allowed target `{odata_type(target)}` is not modelled")
    expiration = at.mapping(obj, "expiration") or {}
    duration = None
    if (expiration.get("type") or "afterDuration") == "afterDuration":
        duration = at.sub("expiration").text(expiration, "duration")
    data.policies.append(PolicyRec(at, package_id, scope, orgs, duration))


def _assignment(data: TenantData, at: At, obj: dict[str, Any]) -> None:
    package_id = _package_id(at, obj)
    if package_id is None:
        at.warn("missing-property", "the assignment names no access package (`accessPackage` or "
                "`accessPackageId`), so it is left out")
        return
    state = at.choice(obj, "state", AccessPackageAssignmentState)
    if state is None:
        at.warn("not-modelled", "an assignment without a known `state` is left out")
        return
    target = at.mapping(obj, "target") or {}
    t = at.sub("target")
    addresses = tuple(a for a in (t.text(target, "email"), t.text(target, "principalName")) if a)
    object_id = t.guid(target, "objectId", what="target object id") or at.guid(
        obj, "targetId", what="target id"
    )
    if object_id is None and not addresses:
        at.warn("missing-property", "the assignment has no `target` to identify who holds it, so "
                "it is left out")
        return
    schedule = at.mapping(obj, "schedule") or {}
    expiration = at.sub("schedule").mapping(schedule, "expiration") or {}
    expires = at.sub("schedule", "expiration").timestamp(expiration, "endDateTime")
    expires = expires or at.timestamp(obj, "expiredDateTime")
    data.package_assignments.append(
        PackageAssignmentRec(at, package_id, object_id, addresses, state, expires)
    )


def _tenants(data: TenantData, report: Report) -> None:
    folder = data.folder
    active = None
    for at, obj in iter_file(folder / L.MTO, report):
        active = (at.text(obj, "state") or "").lower() == "active"
        name = at.text(obj, "displayName")
        if active and not (folder / L.MTO_TENANTS).is_file():
            at.warn("missing-file", f"the tenant is in multitenant organization `{name}` but "
                    f"`{L.MTO_TENANTS}` is missing, so its member tenants are unknown")
    for at, obj in iter_file(folder / L.MTO_TENANTS, report):
        tid = at.guid(obj, "tenantId", what="tenant id")
        if tid is not None:
            data.known_tenants.setdefault(tid, (at.text(obj, "displayName"), None))
    info = folder / L.TENANT_INFORMATION
    if info.is_dir():
        for path in sorted(info.glob("*.json")):
            for at, obj in iter_file(path, report):
                tid = at.guid(obj, "tenantId", what="tenant id")
                domain = at.text(obj, "defaultDomainName")
                if tid is not None:
                    name = at.text(obj, "displayName")
                    data.known_tenants[tid] = (name, domain.lower() if domain else None)


def _invitation(data: TenantData, at: At, obj: dict[str, Any]) -> None:
    iid = at.required_id(obj, "invitation")
    invited = at.mapping(obj, "invitedUser") or {}
    user_id = at.sub("invitedUser").guid(invited, "id", what="invited user id")
    email = at.text(obj, "invitedUserEmailAddress")
    if iid is None or user_id is None or not email:
        if iid is not None:
            at.warn("missing-property", "an invitation without `invitedUser.id` and "
                    "`invitedUserEmailAddress` is left out")
        return
    data.invitations.append(
        InvitationRec(
            at=at,
            id=iid,
            email=email,
            user_id=user_id,
            redeem_url=at.text(obj, "inviteRedeemUrl") or "",
            status=at.choice(obj, "status", InvitationStatus)
            or InvitationStatus.PENDING_ACCEPTANCE,
            invited_by=at.guid(obj, "@tenantgraph.invitedBy", what="inviter id"),
        )
    )
