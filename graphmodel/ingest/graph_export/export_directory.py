"""World directory objects -> users, roles, groups, apps, assignments and Teams files.

Users carry what the importer needs to tell members, invited guests, synchronized users, social
and local accounts apart (`creationType`, `externalUserState`, federated `identities`), and a
guest's `otherMails` holds its home address, as Entra records the invited address there.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from graphmodel.ingest.graph_export import layout as L
from graphmodel.schema.builtin import BUILTIN_APP_IDS
from graphmodel.schema.entities import Channel, Tenant, User
from graphmodel.schema.enums import IdentityProviderKind, MembershipType
from graphmodel.schema.ids import derive_id
from graphmodel.schema.world import World

if TYPE_CHECKING:
    from graphmodel.ingest.graph_export.exporter import Writer

__all__ = ["directory_files"]

_ISSUERS = {
    IdentityProviderKind.MICROSOFT_ACCOUNT: "MicrosoftAccount",
    IdentityProviderKind.EMAIL_OTP: "mail",
    IdentityProviderKind.GOOGLE: "google.com",
    IdentityProviderKind.FACEBOOK: "facebook.com",
}


def directory_files(world: World, t: Tenant, w: Writer) -> None:
    users = [u for u in world.users if u.tenant == t.name]
    w.pages(L.USERS, [_user(world, t, u) for u in users], "users")
    w.collection(L.ROLE_ASSIGNMENTS, [
        {"id": derive_id("roleAssignment", u.id, role.value), "principalId": u.id,
         "roleDefinitionId": L.ROLE_TEMPLATE_IDS[role], "directoryScopeId": "/"}
        for u in users for role in u.roles], "roleManagement/directory/roleAssignments")
    groups = [g for g in world.groups if g.tenant == t.name]
    teams = [x for x in world.teams if x.tenant == t.name]
    w.pages(L.GROUPS, [
        *({"id": g.id, "displayName": g.name, "mailNickname": g.name, "groupTypes": [],
           "securityEnabled": True, "mailEnabled": False, "resourceProvisioningOptions": []}
          for g in groups),
        *({"id": x.id, "displayName": x.name, "mailNickname": x.name, "groupTypes": ["Unified"],
           "securityEnabled": False, "mailEnabled": True, "visibility": "Private",
           "resourceProvisioningOptions": ["Team"]} for x in teams),
    ], "groups")
    for g in groups:
        w.collection(f"{L.GROUP_MEMBERS}/{g.id}.json",
                     [_directory_object(world, ref) for ref in g.members], "directoryObjects")
    _apps(world, t, w)
    for x in teams:
        _team(world, t, x.id, x.name, x.members, w)


def _user(world: World, t: Tenant, u: User) -> dict[str, Any]:
    home = world.user_by_ref.get(u.home_ref) if u.home_ref else None
    if u.identity_provider is IdentityProviderKind.ENTRA and u.home_ref is not None:
        identities = [{"signInType": "federated", "issuer": "ExternalAzureAD",
                       "issuerAssignedId": None}]
    elif u.identity_provider is IdentityProviderKind.ENTRA:
        identities = [{"signInType": "userPrincipalName", "issuer": t.domains[0],
                       "issuerAssignedId": u.user_principal_name}]
    elif u.identity_provider is IdentityProviderKind.LOCAL:
        identities = [{"signInType": "emailAddress", "issuer": t.domains[0],
                       "issuerAssignedId": u.mail or u.user_principal_name}]
    else:
        domain = (u.mail or u.user_principal_name).rpartition("@")[2]
        issuer = _ISSUERS.get(u.identity_provider, f"urn:federation:{domain}")
        identities = [{"signInType": "federated", "issuer": issuer, "issuerAssignedId": None}]
    other = [home.mail or home.user_principal_name] if home is not None else []
    return {
        "id": u.id,
        "userPrincipalName": u.user_principal_name,
        "displayName": u.name,
        "mailNickname": u.name,
        "mail": u.mail,
        "otherMails": other,
        "userType": u.user_type.value,
        "creationType": u.creation_type.value if u.creation_type else None,
        "externalUserState": u.external_user_state.value if u.external_user_state else None,
        "accountEnabled": u.account_enabled,
        "identities": identities,
        "createdDateTime": _time(u.created_date_time),
        "externalUserStateChangeDateTime": _time(u.external_user_state_change_date_time),
        # The model keeps one date, the later of interactive and non-interactive sign-ins.
        "signInActivity": {
            "lastSignInDateTime": _time(u.last_sign_in_date_time),
            "lastNonInteractiveSignInDateTime": None,
            "lastSuccessfulSignInDateTime": None,
        },
    }


def _time(value: datetime | None) -> str | None:
    """Graph's timestamp form: UTC with `Z`."""
    return None if value is None else value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _directory_object(world: World, ref: str) -> dict[str, Any]:
    if ref in world.user_by_ref:
        return {"@odata.type": "#microsoft.graph.user", "id": world.user_by_ref[ref].id}
    return {"@odata.type": "#microsoft.graph.group", "id": world.group_by_ref[ref].id}


def _apps(world: World, t: Tenant, w: Writer) -> None:
    apps = [a for a in world.apps if a.tenant == t.name]
    registrations = [
        {"id": derive_id("application", a.id), "appId": a.app_id, "displayName": a.name,
         "signInAudience": a.sign_in_audience.value}
        for a in apps if a.sign_in_audience is not None and a.instance_of is None
    ]
    w.pages(L.APPLICATIONS, registrations, "applications")
    sps = []
    for a in apps:
        owner = t.id
        if a.builtin is not None or a.app_id in BUILTIN_APP_IDS.values():
            owner = L.MICROSOFT_TENANT_ID
        elif a.instance_of is not None and a.instance_of in world.app_by_ref:
            owner_tenant = world.tenant_by_name.get(world.app_by_ref[a.instance_of].tenant)
            owner = owner_tenant.id if owner_tenant is not None else owner
        sps.append({"id": a.id, "appId": a.app_id, "displayName": a.name,
                    "appOwnerOrganizationId": owner,
                    "appRoleAssignmentRequired": a.app_role_assignment_required,
                    "accountEnabled": a.account_enabled, "servicePrincipalType": "Application"})
    w.pages(L.SERVICE_PRINCIPALS, sps, "servicePrincipals")
    for a in apps:
        rows = []
        for x in world.assignments:
            if x.app != a.ref:
                continue
            is_user = x.principal in world.user_by_ref
            principal = (world.user_by_ref[x.principal] if is_user
                         else world.group_by_ref.get(x.principal))
            if principal is None:
                continue
            rows.append({"id": derive_id("appRoleAssignment", a.id, principal.id, x.app_role_id),
                         "appRoleId": x.app_role_id, "principalId": principal.id,
                         "principalType": "User" if is_user else "Group",
                         "principalDisplayName": principal.name, "resourceId": a.id,
                         "resourceDisplayName": a.name})
        if rows:
            w.collection(f"{L.APP_ROLE_ASSIGNED_TO}/{a.id}.json", rows,
                         f"servicePrincipals('{a.id}')/appRoleAssignedTo")


def _member(world: World, ref: str) -> dict[str, Any] | None:
    user = world.user_by_ref.get(ref)
    if user is None:
        return None
    tenant = world.tenant_by_name.get(user.tenant)
    return {"@odata.type": "#microsoft.graph.aadUserConversationMember",
            "id": derive_id("conversationMember", user.id), "roles": [],
            "displayName": user.name, "userId": user.id, "email": user.mail,
            "tenantId": tenant.id if tenant is not None else None}


def _team(world: World, t: Tenant, team_id: str, name: str, members: tuple[str, ...],
          w: Writer) -> None:
    base = f"{L.TEAMS_DIR}/{team_id}"
    w.entity(f"{base}/team.json", {"id": team_id, "displayName": name, "tenantId": t.id},
             "teams/$entity")
    w.collection(f"{base}/members.json",
                 [m for m in (_member(world, r) for r in members) if m is not None],
                 f"teams('{team_id}')/members")
    channels = [c for c in world.channels if c.tenant == t.name and c.team == name]
    w.collection(f"{base}/channels.json", [
        {"id": c.id, "displayName": c.name, "membershipType": c.membership_type.value,
         "tenantId": t.id} for c in channels], f"teams('{team_id}')/allChannels")
    for c in channels:
        _channel(world, t, team_id, name, c, w)


def _channel(world: World, t: Tenant, team_id: str, team: str, c: Channel, w: Writer) -> None:
    base = f"{L.TEAMS_DIR}/{team_id}/channels/{L.channel_dir_name(c.id)}"
    what = f"teams('{team_id}')/channels('{c.id}')"
    if c.membership_type is not MembershipType.STANDARD:
        w.collection(f"{base}/members.json",
                     [m for m in (_member(world, r) for r in c.members) if m is not None],
                     f"{what}/allMembers")
    if c.membership_type is MembershipType.SHARED:
        shared = [{"id": team_id, "tenantId": t.id, "displayName": team, "isHostTeam": True}]
        for ref in c.shared_with_teams:
            other = world.team_by_ref.get(ref)
            owner = world.tenant_by_name.get(other.tenant) if other is not None else None
            if other is not None and owner is not None:
                shared.append({"id": other.id, "tenantId": owner.id, "displayName": other.name,
                               "isHostTeam": False})
        w.collection(f"{base}/sharedWithTeams.json", shared, f"{what}/sharedWithTeams")
