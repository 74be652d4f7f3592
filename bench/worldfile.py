"""Write a World in the world-file format (`scenarios.md` §World), so generated worlds can be
loaded with `tenantgraph load`, inspected, or checked against the loader.

Why only here: the world file is a hand-written format and the project has no general writer;
this one covers exactly what `bench.generate` produces (ids are written only for tenants —
every other id is derived from the handle the same way the loader derives it). Cross-tenant
targets are written as the raw Graph ids they hold, which the loader accepts as they are.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

from graphmodel.schema import (
    B2BSetting,
    Cloud,
    ConditionalAccessPolicy,
    CrossTenantAccessPartner,
    CrossTenantAccessPolicy,
    ExternalUserState,
    IdentityProviderKind,
    SignInUsage,
    TenantType,
    User,
    UserType,
    World,
)
from graphmodel.schema.xtap import Section

__all__ = ["world_to_yaml_data", "write_world_yaml"]

_SECTIONS = {
    "b2bCollaborationInbound": "b2b_collaboration_inbound",
    "b2bCollaborationOutbound": "b2b_collaboration_outbound",
    "b2bDirectConnectInbound": "b2b_direct_connect_inbound",
    "b2bDirectConnectOutbound": "b2b_direct_connect_outbound",
}
assert set(_SECTIONS) <= {s.value for s in Section}


def _setting(s: B2BSetting) -> dict[str, Any]:
    def config(c: Any) -> dict[str, Any]:
        targets = [{"target": str(t.target), "targetType": t.target_type.value} for t in c.targets]
        return {"accessType": c.access_type.value, "targets": targets}

    return {"usersAndGroups": config(s.users_and_groups), "applications": config(s.applications)}


def _sections(obj: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, attr in _SECTIONS.items():
        value = getattr(obj, attr)
        if value is not None:
            out[key] = _setting(value)
    trust = obj.inbound_trust
    if trust is not None:
        out["inboundTrust"] = {
            "isMfaAccepted": trust.is_mfa_accepted,
            "isCompliantDeviceAccepted": trust.is_compliant_device_accepted,
            "isHybridAzureADJoinedDeviceAccepted": trust.is_hybrid_azure_ad_joined_device_accepted,
        }
    return out


def _partner(p: CrossTenantAccessPartner) -> dict[str, Any]:
    out = _sections(p)
    consent = p.automatic_user_consent_settings
    if consent.inbound_allowed is not None or consent.outbound_allowed is not None:
        out["automaticUserConsentSettings"] = {
            k: v
            for k, v in (
                ("inboundAllowed", consent.inbound_allowed),
                ("outboundAllowed", consent.outbound_allowed),
            )
            if v is not None
        }
    if p.identity_synchronization is not None:
        sync = p.identity_synchronization.is_sync_allowed
        out["identitySynchronization"] = {"userSyncInbound": {"isSyncAllowed": sync}}
    return out


def _xtap(policy: CrossTenantAccessPolicy, names: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if not policy.default.is_service_default:
        out["default"] = _sections(policy.default)
    if policy.partners:
        out["partners"] = {
            names.get(p.tenant_id, p.tenant_id): _partner(p) for p in policy.partners
        }
    if policy.allowed_cloud_endpoints:
        out["allowedCloudEndpoints"] = list(policy.allowed_cloud_endpoints)
    return out


def _user(u: User, b2c: bool) -> str | dict[str, Any]:
    item: dict[str, Any] = {"name": u.name}
    if not u.account_enabled:
        item["accountEnabled"] = False
    if u.roles:
        item["roles"] = [r.value for r in u.roles]
    if u.guest_of is not None:
        item["guestOf"] = u.guest_of
    if u.synced_from is not None:
        item["syncedFrom"] = u.synced_from
    if u.identity_provider != IdentityProviderKind.ENTRA:
        item["identityProvider"] = u.identity_provider.value
        if not b2c:
            item["email"] = u.mail
    if u.external_user_state == ExternalUserState.PENDING_ACCEPTANCE:
        item["state"] = u.external_user_state.value
    if u.synced_from is not None and u.user_type != UserType.MEMBER:
        item["userType"] = u.user_type.value
    for key, when in (
        ("createdDateTime", u.created_date_time),
        ("externalUserStateChangeDateTime", u.external_user_state_change_date_time),
        ("lastSignInDateTime", u.last_sign_in_date_time),
    ):
        if when is not None:
            item[key] = when.isoformat()
    return u.name if len(item) == 1 else item


def _sign_in(s: SignInUsage) -> dict[str, Any]:
    item: dict[str, Any] = {
        "user": s.user,
        "app": s.resource,
        "crossTenantAccessType": s.cross_tenant_access_type.value,
        "last": s.last.isoformat(),
    }
    if s.first is not None:
        item["first"] = s.first.isoformat()
    if s.count is not None:
        item["count"] = s.count
    return item


def _ca(p: ConditionalAccessPolicy) -> dict[str, Any]:
    users: dict[str, Any] = {"include": list(p.users.include)}
    if p.users.exclude:
        users["exclude"] = list(p.users.exclude)
    if p.users.guest_or_external_user_types is not None:
        users["guestOrExternalUserTypes"] = [t.value for t in p.users.guest_or_external_user_types]
    if p.users.external_tenants is not None:
        users["externalTenants"] = list(p.users.external_tenants)
    if p.users.exclude_guest_or_external_user_types is not None:
        users["excludeGuestOrExternalUserTypes"] = [
            t.value for t in p.users.exclude_guest_or_external_user_types
        ]
    if p.users.exclude_external_tenants is not None:
        users["excludeExternalTenants"] = list(p.users.exclude_external_tenants)
    for key, roles in (
        ("includeRoles", p.users.include_roles),
        ("excludeRoles", p.users.exclude_roles),
    ):
        if roles:
            users[key] = [r.value for r in roles]
    apps: dict[str, Any] = {"include": list(p.applications.include)}
    if p.applications.exclude:
        apps["exclude"] = list(p.applications.exclude)
    return {
        "name": p.name,
        "state": p.state.value,
        "users": users,
        "applications": apps,
        "grant": list(p.grant),
        "grantOperator": p.grant_operator.value,
    }


def world_to_yaml_data(world: World) -> dict[str, Any]:
    """The world-file data (a `tenants:` document) of a generated World."""
    names = {t.id: t.name for t in world.tenants}
    by: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    groups = world.group_by_ref
    for u in world.users:
        by[u.tenant]["users"].append(
            _user(u, world.tenant_by_name[u.tenant].type == TenantType.B2C)
        )
    for g in world.groups:
        members = [f"group:{m}" if m in groups else m for m in g.members]
        by[g.tenant]["groups"].append({"name": g.name, "members": members})
    assigned: dict[str, list[str]] = defaultdict(list)
    for a in world.assignments:
        assigned[a.app].append(a.principal)
    for app in world.apps:
        item: dict[str, Any] = {"name": app.name}
        if app.builtin is not None:
            item["builtin"] = app.builtin.value
        if app.sign_in_audience is not None:
            item["signInAudience"] = app.sign_in_audience.value
        if app.instance_of is not None:
            item["instanceOf"] = app.instance_of
        if app.app_role_assignment_required:
            item["assignmentRequired"] = True
        if not app.account_enabled:
            item["accountEnabled"] = False
        if assigned.get(app.ref):
            item["assignedTo"] = assigned[app.ref]
        by[app.tenant]["apps"].append(item)
    channels: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for c in world.channels:
        ch: dict[str, Any] = {"name": c.name, "membershipType": c.membership_type.value}
        if c.members:
            ch["members"] = list(c.members)
        if c.shared_with_teams:
            ch["sharedWithTeams"] = list(c.shared_with_teams)
        channels[c.team_ref].append(ch)
    for team in world.teams:
        by[team.tenant]["teams"].append(
            {"name": team.name, "members": list(team.members), "channels": channels[team.ref]}
        )
    for p in world.conditional_access:
        by[p.tenant]["conditionalAccess"].append(_ca(p))
    for o in world.connected_organizations:
        by[o.tenant]["connectedOrganizations"].append(
            {"name": o.name, "tenant": o.identity_tenant, "state": o.state.value}
        )
    package_assignments: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for pa in world.access_package_assignments:
        entry: dict[str, Any] = {"target": pa.target, "state": pa.state.value}
        if pa.expires is not None:
            entry["expires"] = pa.expires.isoformat()
        package_assignments[pa.package].append(entry)
    for pkg in world.access_packages:
        resources = [f"group:{r}" if r in groups else f"app:{r}" for r in pkg.resources]
        policies = [
            {"allowedTargetScope": p.allowed_target_scope.value, "expiration": p.expiration}
            for p in pkg.policies
        ]
        by[pkg.tenant]["accessPackages"].append(
            {
                "name": pkg.name,
                "resources": resources,
                "policies": policies,
                "assignments": package_assignments[pkg.ref],
            }
        )
    tenants = []
    for t in world.tenants:
        item = {"name": t.name, "id": t.id, "domains": list(t.domains)}
        if t.cloud != Cloud.GLOBAL:
            item["cloud"] = t.cloud.value
        if t.type != TenantType.WORKFORCE:
            item["type"] = t.type.value
        item.update(by[t.name])
        xtap = _xtap(t.cross_tenant_access, names)
        if xtap:
            item["crossTenantAccess"] = xtap
        collab: dict[str, Any] = {}
        if t.external_collaboration.blocked_domains is not None:
            collab["blockedDomains"] = list(t.external_collaboration.blocked_domains)
        if t.external_collaboration.allowed_domains is not None:
            collab["allowedDomains"] = list(t.external_collaboration.allowed_domains)
        if collab:
            item["externalCollaboration"] = collab
        if not t.teams_policy.allow_user_to_participate_in_external_shared_channel:
            item["teamsPolicy"] = {"allowUserToParticipateInExternalSharedChannel": False}
        if t.identity_providers:
            item["identityProviders"] = [p.kind.value for p in t.identity_providers]
        if t.sign_ins:
            item["signIns"] = [_sign_in(s) for s in t.sign_ins]
        tenants.append(item)
    data: dict[str, Any] = {"title": world.title, "source": world.source}
    if world.as_of is not None:
        data["asOf"] = world.as_of.isoformat()
    data["tenants"] = tenants
    return data


def write_world_yaml(world: World, path: str | Path) -> None:
    """Write `world` as a bare world file (`tenants:` at the top level)."""
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    with Path(path).open("w", encoding="utf-8") as fh:
        yaml.dump(world_to_yaml_data(world), fh, Dumper=dumper, sort_keys=False, width=120)
