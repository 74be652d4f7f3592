"""`export_world`: a World -> the export layout, one folder per tenant of Graph-shaped JSON.

This is what the live collector would have fetched if the world were real: the same files, the
same response shapes, paged collections with `@odata.nextLink`. Handles survive a round trip
because every object's `displayName` (and a user's or group's `mailNickname`) is its handle, and
guests carry their home address in `mail`/`otherMails` as real invited users do.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from graphmodel.ingest.graph_export import export_shapes as S
from graphmodel.ingest.graph_export import layout as L
from graphmodel.ingest.graph_export.export_directory import directory_files
from graphmodel.schema.entities import Tenant
from graphmodel.schema.enums import TenantType
from graphmodel.schema.governance import AccessPackage
from graphmodel.schema.ids import derive_id
from graphmodel.schema.world import World

__all__ = ["PAGE_SIZE", "Writer", "export_world"]

PAGE_SIZE = 999


class Writer:
    """Writes one tenant folder; `@odata.context` names the tenant's Graph host (its cloud)."""

    def __init__(self, folder: Path, tenant: Tenant, page_size: int = PAGE_SIZE) -> None:
        self.folder = folder
        self.base = f"https://{L.GRAPH_HOSTS[tenant.cloud]}/v1.0"
        self.page_size = page_size

    def context(self, what: str) -> str:
        return f"{self.base}/$metadata#{what}"

    def raw(self, name: str, body: dict[str, Any]) -> None:
        """A file that is not a Graph response (the manifest, the Teams channels policy)."""
        self._dump(self.folder / name, body)

    def entity(self, name: str, body: dict[str, Any], what: str) -> None:
        self._dump(self.folder / name, {"@odata.context": self.context(what), **body})

    def collection(self, name: str, items: Iterable[dict[str, Any]], what: str) -> None:
        """One response file with every item (`name` may contain folders)."""
        self._dump(self.folder / name, {"@odata.context": self.context(what),
                                        "value": list(items)})

    def pages(self, base: str, items: list[dict[str, Any]], what: str) -> None:
        """A paged collection: `base.json`, `base.page2.json`... linked by `@odata.nextLink`."""
        chunks = [items[i : i + self.page_size] for i in range(0, len(items), self.page_size)]
        for n, chunk in enumerate(chunks or [[]], start=1):
            body: dict[str, Any] = {"@odata.context": self.context(what), "value": chunk}
            if n < len(chunks):
                body["@odata.nextLink"] = f"{self.base}/{what}?$skiptoken=page{n + 1}"
            self._dump(self.folder / L.page_file(base, n), body)

    def _dump(self, path: Path, body: dict[str, Any]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8") as f:
            json.dump(body, f, indent=1, ensure_ascii=False)
            f.write("\n")


def export_world(world: World, root: Path, *, page_size: int = PAGE_SIZE) -> list[Path]:
    """Write `world` under `root` (one folder per tenant, named by handle); returns the folders."""
    root.mkdir(parents=True, exist_ok=True)
    folders: list[Path] = []
    for tenant in world.tenants:
        folder = root / tenant.name
        w = Writer(folder, tenant, page_size)
        _tenant(world, tenant, w)
        directory_files(world, tenant, w)
        _policies(world, tenant, w)
        _governance(world, tenant, w)
        _sign_ins(world, tenant, w)
        folders.append(folder)
    return folders


def _tenant(world: World, t: Tenant, w: Writer) -> None:
    manifest: dict[str, Any] = {"format": "tenantgraph-graph-export", "version": 1,
                                "tenantId": t.id, "graphBaseUrl": w.base, "exportedFrom": "world"}
    if world.as_of is not None:
        manifest["asOf"] = world.as_of.isoformat()
    if world.title:
        manifest["title"] = world.title
    if world.source:
        manifest["source"] = world.source
    w.raw(L.MANIFEST, manifest)
    domains = [
        {"name": d, "isDefault": i == 0, "isInitial": d.endswith(".onmicrosoft.com"),
         "type": "Managed", "capabilities": "Email"}
        for i, d in enumerate(t.domains)
    ]
    org = {"id": t.id, "displayName": t.name, "verifiedDomains": domains,
           "tenantType": "AAD B2C" if t.type is TenantType.B2C else "AAD"}
    w.collection(L.ORGANIZATION, [org], "organization")
    w.collection(L.DOMAINS, [{"id": d["name"], "isDefault": d["isDefault"], "isVerified": True,
                              "isInitial": d["isInitial"], "authenticationType": "Managed"}
                             for d in domains], "domains")


def _sign_ins(world: World, t: Tenant, w: Writer) -> None:
    """`signInUsage.json`: the tenant's sign-in aggregates, by Graph ids (none: no file)."""
    if not t.sign_ins:
        return
    items: list[dict[str, Any]] = []
    for s in t.sign_ins:
        user = world.user_by_ref[s.user]
        app = world.app_by_ref.get(s.resource)
        channel = world.channel_by_ref.get(s.resource)
        owner = app.tenant if app is not None else channel.tenant if channel is not None else ""
        items.append({
            "userId": user.id,
            "userPrincipalName": user.user_principal_name,
            "homeTenantId": world.tenant_by_name[user.tenant].id,
            "resourceTenantId": world.tenant_by_name[owner].id,
            "appId": app.app_id if app is not None else None,
            "channelId": channel.id if channel is not None else None,
            "crossTenantAccessType": s.cross_tenant_access_type.value,
            "firstSignInDateTime": _time(s.first),
            "lastSignInDateTime": _time(s.last),
            "signInCount": s.count,
        })
    w.collection(L.SIGN_IN_USAGE, items, "signInUsage")


def _time(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _policies(world: World, t: Tenant, w: Writer) -> None:
    xtap = t.cross_tenant_access
    w.entity(L.CROSS_TENANT_POLICY, {"displayName": "CrossTenantAccessPolicy",
                                     "allowedCloudEndpoints": list(xtap.allowed_cloud_endpoints)},
             "policies/crossTenantAccessPolicy/$entity")
    w.entity(L.CROSS_TENANT_DEFAULT, S.xtap_default(xtap.default),
             "policies/crossTenantAccessPolicy/default/$entity")
    w.collection(L.CROSS_TENANT_PARTNERS, [S.xtap_partner(p) for p in xtap.partners],
                 "policies/crossTenantAccessPolicy/partners")
    for p in xtap.partners:
        if p.identity_synchronization is not None:
            partner = world.tenant_by_id.get(p.tenant_id)
            w.entity(L.identity_sync_file(p.tenant_id), {
                "tenantId": p.tenant_id,
                "displayName": partner.name if partner else None,
                "userSyncInbound": {"isSyncAllowed": p.identity_synchronization.is_sync_allowed},
            }, "policies/crossTenantAccessPolicy/partners/identitySynchronization/$entity")
    w.entity(L.AUTHORIZATION_POLICY, S.authorization_policy(t), "policies/authorizationPolicy")
    b2b = S.b2b_management_policy(t)
    if b2b is not None:
        w.collection(L.B2B_MANAGEMENT_POLICY, [b2b], "policies/b2bManagementPolicies")
    sssu = t.external_collaboration.self_service_sign_up
    w.entity(L.AUTHENTICATION_FLOWS_POLICY, {"selfServiceSignUp": {"isEnabled": sssu.enabled}},
             "policies/authenticationFlowsPolicy/$entity")
    if sssu.apps:
        apps = [{"appId": world.app_by_ref[a].app_id} for a in sssu.apps if a in world.app_by_ref]
        flow = {"@odata.type": "#microsoft.graph.externalUsersSelfServiceSignUpEventsFlow",
                "id": derive_id("signUpFlow", t.id), "displayName": "Self-service sign-up",
                "conditions": {"applications": {"includeApplications": apps}}}
        w.collection(L.AUTHENTICATION_EVENTS_FLOWS, [flow], "identity/authenticationEventsFlows")
    policy = t.teams_policy
    w.raw(L.TEAMS_CHANNELS_POLICY, {
        "Identity": "Global",
        "AllowUserToParticipateInExternalSharedChannel":
            policy.allow_user_to_participate_in_external_shared_channel,
        "AllowChannelSharingToExternalUser": policy.allow_channel_sharing_to_external_user,
    })
    idps = [S.identity_provider(world, p) for p in t.identity_providers]
    w.collection(L.IDENTITY_PROVIDERS, [p for p in idps if p is not None],
                 "identity/identityProviders")
    w.collection(L.CONDITIONAL_ACCESS,
                 [S.ca_policy(world, p) for p in world.conditional_access if p.tenant == t.name],
                 "identity/conditionalAccess/policies")


def _governance(world: World, t: Tenant, w: Writer) -> None:
    w.entity(L.ENTITLEMENT_SETTINGS, {"externalUserLifecycleAction":
                                      t.entitlement_settings.external_user_lifecycle_action.value},
             "identityGovernance/entitlementManagement/settings/$entity")
    orgs = [o for o in world.connected_organizations if o.tenant == t.name]
    org_ids = {o.ref: o.id for o in orgs}
    w.collection(L.CONNECTED_ORGANIZATIONS, [
        {"id": o.id, "displayName": o.name, "state": o.state.value, "identitySources": [
            {"@odata.type": "#microsoft.graph.azureActiveDirectoryTenant",
             "tenantId": world.tenant_by_name[o.identity_tenant].id
             if o.identity_tenant in world.tenant_by_name else None,
             "displayName": o.identity_tenant}]}
        for o in orgs], "identityGovernance/entitlementManagement/connectedOrganizations")
    packages = [p for p in world.access_packages if p.tenant == t.name]
    w.collection(L.ACCESS_PACKAGES, [_package(world, p) for p in packages],
                 "identityGovernance/entitlementManagement/accessPackages")
    w.collection(L.ASSIGNMENT_POLICIES, [
        {"id": derive_id("assignmentPolicy", p.id, str(i)), "displayName": f"{p.name} policy {i}",
         "allowedTargetScope": pol.allowed_target_scope.value,
         "specificAllowedTargets": [
             {"@odata.type": "#microsoft.graph.connectedOrganizationMembers",
              "connectedOrganizationId": org_ids[o], "description": o}
             for o in pol.specific_allowed_targets if o in org_ids],
         "expiration": {"type": "afterDuration", "duration": pol.expiration}
         if pol.expiration else {"type": "noExpiration"},
         "accessPackage": {"id": p.id}}
        for p in packages for i, pol in enumerate(p.policies)],
        "identityGovernance/entitlementManagement/assignmentPolicies")
    refs = {p.ref for p in packages}
    found = [S.package_assignment(world, a) for a in world.access_package_assignments
             if a.package in refs]
    w.collection(L.ACCESS_PACKAGE_ASSIGNMENTS, [a for a in found if a is not None],
                 "identityGovernance/entitlementManagement/assignments")
    invitations = [
        {"id": i.id, "invitedUserEmailAddress": i.invited_user_email_address,
         "inviteRedeemUrl": i.invite_redeem_url, "status": i.status, "invitedUserType": "Guest",
         "invitedUser": {"id": world.user_by_ref[i.invited_user].id},
         "@tenantgraph.invitedBy": world.user_by_ref[i.invited_by].id
         if i.invited_by in world.user_by_ref else None}
        for i in world.invitations if i.tenant == t.name and i.invited_user in world.user_by_ref
    ]
    if invitations:
        w.collection(L.INVITATIONS, invitations, "invitations")


def _package(world: World, p: AccessPackage) -> dict[str, Any]:
    scopes = []
    for ref in p.resources:
        if ref in world.group_by_ref:
            origin, system = world.group_by_ref[ref].id, "AadGroup"
        elif ref in world.app_by_ref:
            origin, system = world.app_by_ref[ref].id, "AadApplication"
        else:
            continue
        resource = {"id": derive_id("resource", origin), "originId": origin,
                    "originSystem": system, "displayName": ref.split("/", 1)[1]}
        scopes.append({"id": derive_id("scope", p.id, origin),
                       "role": {"id": derive_id("role", origin), "displayName": "Member",
                                "originSystem": system, "originId": f"Member_{origin}",
                                "resource": resource},
                       "scope": {"id": derive_id("scope", origin), "originId": origin,
                                 "originSystem": system, "isRootScope": True}})
    return {"id": p.id, "displayName": p.name, "isHidden": p.is_hidden,
            "catalog": {"id": derive_id("catalog", p.tenant), "displayName": "General",
                        "isExternallyVisible": p.catalog_externally_visible},
            "resourceRoleScopes": scopes}
