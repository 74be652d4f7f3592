"""Reading directory objects of one tenant folder: organization, users, roles, groups, apps.

Each Graph object becomes a small record as soon as it is read (the big users file is never held
as JSON). The rules for external users follow the Graph reference: `userType` alone does not say
who is external (B2B members and synchronized users are `Member`), so a user is external when its
UPN has `#EXT#`, a federated identity is `ExternalAzureAD`, or it was invited; the home identity
provider comes from the federated `identities[].issuer`.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from graphmodel.ingest.graph_export import layout as L
from graphmodel.ingest.graph_export.files import iter_collection, iter_file
from graphmodel.ingest.graph_export.reader import FileMeta, Report
from graphmodel.ingest.graph_export.records import (
    AssignmentRec,
    GroupRec,
    MemberRec,
    RegistrationRec,
    SpRec,
    TenantData,
    UserRec,
)
from graphmodel.ingest.graph_export.values import At, odata_type
from graphmodel.schema.enums import (
    CreationType,
    ExternalUserState,
    IdentityProviderKind,
    SignInAudience,
    TenantType,
    UserType,
)

__all__ = ["read_apps", "read_groups", "read_organization", "read_roles", "read_users"]

_ROLE_BY_TEMPLATE = {v: k for k, v in L.ROLE_TEMPLATE_IDS.items()}
_ISSUERS = {
    "externalazuread": IdentityProviderKind.ENTRA,
    "microsoftaccount": IdentityProviderKind.MICROSOFT_ACCOUNT,
    "mail": IdentityProviderKind.EMAIL_OTP,
    "google.com": IdentityProviderKind.GOOGLE,
    "facebook.com": IdentityProviderKind.FACEBOOK,
}
_LOCAL_SIGN_INS = ("emailaddress", "username", "phonenumber")
_SKIPPED_SP_TYPES = ("ManagedIdentity", "SocialIdp")


def read_organization(data: TenantData, report: Report) -> bool:
    """Tenant id, name, type, domains, cloud and the manifest; False when the id is unknown."""
    folder = data.folder
    manifest_cloud = None
    for at, obj in iter_file(folder / L.MANIFEST, report):
        data.as_of = at.timestamp(obj, "asOf")
        data.title, data.source = at.text(obj, "title"), at.text(obj, "source")
        manifest_cloud = L.cloud_of_url(at.text(obj, "graphBaseUrl"))
    meta = FileMeta()
    for at, obj in iter_file(folder / L.ORGANIZATION, report, meta):
        tenant_id = at.guid(obj, "id", what="tenant id")
        if tenant_id is None:
            continue
        if data.tenant_id and tenant_id != data.tenant_id:
            at.warn("not-modelled", f"a second organization `{tenant_id}` is ignored")
            continue
        data.tenant_id = tenant_id
        data.display = at.text(obj, "displayName")
        kind = (at.text(obj, "tenantType") or "").replace(" ", "").upper()
        data.type = TenantType.B2C if kind == "AADB2C" else TenantType.WORKFORCE
        context = obj.get("@odata.context")
        if isinstance(context, str):
            meta.context = context
        for i, dom in at.objects(obj, "verifiedDomains"):
            _add_domain(data, at.sub("verifiedDomains", i), dom, "name")
    data.cloud = manifest_cloud or L.cloud_of_url(meta.context) or data.cloud
    for at, obj in iter_file(folder / L.DOMAINS, report):
        if at.flag(obj, "isVerified") is not False:
            _add_domain(data, at, obj, "id")
    return bool(data.tenant_id)


def _add_domain(data: TenantData, at: At, obj: dict[str, Any], key: str) -> None:
    name = at.text(obj, key)
    if not name:
        return
    name = name.strip().lower()
    if name in data.domains:
        if obj.get("isDefault") is True:  # the default domain is the primary one
            data.domains.remove(name)
            data.domains.insert(0, name)
        return
    if obj.get("isDefault") is True:
        data.domains.insert(0, name)
    else:
        data.domains.append(name)


def read_users(data: TenantData, report: Report) -> None:
    for at, obj in iter_collection(data.folder, L.USERS, report):
        rec = user_record(at, obj)
        if rec is not None:
            data.users[rec.id] = rec  # a later copy (delta pages) replaces an earlier one
    # signInActivity collected on its own (it needs AuditLog.Read.All and a P1/P2 licence)
    for at, obj in iter_collection(data.folder, L.SIGN_IN_ACTIVITY, report):
        found = data.users.get(str(obj.get("id")))
        if found is not None and (when := last_sign_in(at, obj)) is not None:
            found.last_sign_in = when


def user_record(at: At, obj: dict[str, Any]) -> UserRec | None:
    kind = odata_type(obj)
    if kind is not None and kind != "user":
        at.warn("not-modelled", f"a `{kind}` object in a user list is left out")
        return None
    if "@removed" in obj:
        at.warn("removed-object", f"user `{obj.get('id')}` is marked `@removed` and is left out")
        return None
    uid = at.required_id(obj, "user")
    if uid is None:
        return None
    upn = at.text(obj, "userPrincipalName") or _upn_identity(at, obj)
    creation = at.choice(obj, "creationType", CreationType)
    state = at.choice(obj, "externalUserState", ExternalUserState)
    idp, federated_entra = _identity_provider(at, obj, creation)
    external = (
        (upn is not None and "#EXT#" in upn.upper())
        or federated_entra
        or creation is CreationType.INVITATION
        or state is not None
    )
    return UserRec(
        at=at,
        id=uid,
        upn=upn,
        display=at.text(obj, "displayName"),
        mail=(at.text(obj, "mail") or "").strip().strip("'") or None,
        other_mails=tuple(at.texts(obj, "otherMails")),
        user_type=at.choice(obj, "userType", UserType),
        creation=creation,
        state=state,
        enabled=at.flag(obj, "accountEnabled"),
        idp=idp,
        external=external,
        invited=creation is CreationType.INVITATION or state is not None
        or "creationType" not in obj,
        created=graph_time(at, obj, "createdDateTime"),
        state_changed=graph_time(at, obj, "externalUserStateChangeDateTime"),
        last_sign_in=last_sign_in(at, obj),
    )


def graph_time(at: At, obj: dict[str, Any], key: str) -> datetime | None:
    """A Graph timestamp; null, `""` and `0001-01-01T00:00:00Z` (Graph's "never") are None."""
    value = obj.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    found = at.timestamp(obj, key)
    return None if found is None or found.year <= 1 else found


def last_sign_in(at: At, obj: dict[str, Any]) -> datetime | None:
    """When the user last signed in, from `signInActivity` (AuditLog.Read.All, Entra ID P1).

    `lastSuccessfulSignInDateTime` (a successful interactive or non-interactive sign-in) when
    Graph has it; it exists since December 2023 and is not backfilled, so without it the later
    of `lastSignInDateTime` (interactive) and `lastNonInteractiveSignInDateTime` is used. Those
    two also count failed attempts, so they can only make an account look more active than it
    is: a guest is never reported stale because of them.
    """
    activity = obj.get("signInActivity")
    if not isinstance(activity, dict):
        return None
    sub = at.sub("signInActivity")
    success = graph_time(sub, activity, "lastSuccessfulSignInDateTime")
    if success is not None:
        return success
    attempts = [
        t
        for key in ("lastSignInDateTime", "lastNonInteractiveSignInDateTime")
        if (t := graph_time(sub, activity, key)) is not None
    ]
    return max(attempts) if attempts else None


def _upn_identity(at: At, obj: dict[str, Any]) -> str | None:
    """The UPN from a `userPrincipalName` identity, when `userPrincipalName` was not selected."""
    for _i, ident in at.objects(obj, "identities"):
        if str(ident.get("signInType", "")).lower() == "userprincipalname":
            found = ident.get("issuerAssignedId")
            if isinstance(found, str) and found:
                return found
    return None


def _identity_provider(
    at: At, obj: dict[str, Any], creation: CreationType | None
) -> tuple[IdentityProviderKind, bool]:
    """Who authenticates the account, from `identities`; and whether it is ExternalAzureAD."""
    local = creation is CreationType.LOCAL_ACCOUNT
    for i, ident in at.objects(obj, "identities"):
        sign_in = (at.sub("identities", i).text(ident, "signInType") or "").lower()
        issuer = (at.sub("identities", i).text(ident, "issuer") or "").strip()
        if sign_in == "federated":
            low = issuer.lower()
            if low in _ISSUERS:
                kind = _ISSUERS[low]
            elif "login.microsoftonline" in low or "sts.windows.net" in low:
                kind = IdentityProviderKind.ENTRA
            else:
                kind = IdentityProviderKind.SAML
            return kind, low == "externalazuread"
        if sign_in in _LOCAL_SIGN_INS:
            local = True
    return (IdentityProviderKind.LOCAL if local else IdentityProviderKind.ENTRA), False


def read_roles(data: TenantData, report: Report) -> None:
    """Directory roles from unifiedRoleAssignments; an expanded user `principal` is a user too."""
    for at, obj in iter_file(data.folder / L.ROLE_ASSIGNMENTS, report):
        principal = at.guid(obj, "principalId", what="principal id")
        role_id = (at.text(obj, "roleDefinitionId") or "").lower()
        expanded = at.mapping(obj, "principal")
        if expanded is not None and odata_type(expanded) in (None, "user"):
            rec = user_record(at.sub("principal"), expanded)
            if rec is not None and rec.id not in data.users:
                data.users[rec.id] = rec
        role = _ROLE_BY_TEMPLATE.get(role_id)
        if principal is None or role is None:
            continue  # roles that no rule depends on are not modelled
        scope = at.text(obj, "directoryScopeId")
        if scope not in (None, "/"):
            at.warn("not-modelled", f"role `{role}` is scoped to `{scope}`, not the whole "
                    "directory, and is left out", "directoryScopeId")
            continue
        roles = data.roles.setdefault(principal, [])
        if role not in roles:
            roles.append(role)


def read_groups(data: TenantData, report: Report) -> None:
    for at, obj in iter_collection(data.folder, L.GROUPS, report):
        kind = odata_type(obj)
        if kind is not None and kind != "group":
            at.warn("not-modelled", f"a `{kind}` object in a group list is left out")
            continue
        gid = at.required_id(obj, "group")
        if gid is None:
            continue
        options = at.texts(obj, "resourceProvisioningOptions")
        data.groups[gid] = GroupRec(at, gid, at.text(obj, "displayName"), "Team" in options)
        if "members@delta" in obj:
            data.members[gid] = _members(at, obj.get("members@delta"), "members@delta")
    members_dir = data.folder / L.GROUP_MEMBERS
    if members_dir.is_dir():
        for path in sorted(members_dir.glob("*.json")):
            gid = path.stem.lower()
            found: list[MemberRec] = []
            for at, obj in iter_file(path, report):
                found.extend(_members(at, [obj], None))
            data.members[gid] = found
            if gid not in data.groups:
                report.warn("unknown-reference", report.rel(path), (),
                            f"group `{gid}` is not in `groups.json`; its members are ignored")


def _members(at: At, value: object, key: str | None) -> list[MemberRec]:
    if not isinstance(value, list):
        return []
    out: list[MemberRec] = []
    for i, obj in enumerate(value):
        here = at.sub(key, i) if key is not None else at
        if not isinstance(obj, dict) or "@removed" in obj:
            continue
        mid = here.guid(obj, "id", what="member id")
        if mid is None:
            here.warn("missing-property", "a member without `id` is left out")
            continue
        out.append(MemberRec(here, mid, odata_type(obj)))
    return out


def read_apps(data: TenantData, report: Report) -> None:
    """App registrations, service principals, their app role assignments and delegated grants."""
    for at, obj in iter_collection(data.folder, L.APPLICATIONS, report):
        app_id = at.guid(obj, "appId", what="application (client) id")
        rid = at.required_id(obj, "application")
        if rid is None or app_id is None:
            continue
        audience = at.choice(obj, "signInAudience", SignInAudience)
        if "signInAudience" not in obj:
            at.warn("missing-property", "the registration has no `signInAudience` (not selected?), "
                    "so its audience is unknown")
        data.registrations.append(RegistrationRec(at, rid, app_id, at.text(obj, "displayName"),
                                                  audience))
    for at, obj in iter_collection(data.folder, L.SERVICE_PRINCIPALS, report):
        sp_type = at.text(obj, "servicePrincipalType")
        if sp_type in _SKIPPED_SP_TYPES:
            continue  # managed identities and social IdP stubs are not apps people sign in to
        sid = at.required_id(obj, "service principal")
        app_id = at.guid(obj, "appId", what="application (client) id")
        if sid is None or app_id is None:
            continue
        data.sps[sid] = SpRec(
            at=at,
            id=sid,
            app_id=app_id,
            display=at.text(obj, "displayName") or at.text(obj, "appDisplayName"),
            required=at.flag(obj, "appRoleAssignmentRequired") is True,
            enabled=at.flag(obj, "accountEnabled") is not False,
            owner=at.guid(obj, "appOwnerOrganizationId", what="owner tenant id"),
        )
    _read_assignments(data, report)
    for at, obj in iter_file(data.folder / L.OAUTH2_GRANTS, report):
        data.grants.append((at, at.guid(obj, "clientId"), at.guid(obj, "resourceId")))


def _read_assignments(data: TenantData, report: Report) -> None:
    folder: Path = data.folder / L.APP_ROLE_ASSIGNED_TO
    if not folder.is_dir():
        return
    for path in sorted(folder.glob("*.json")):
        for at, obj in iter_file(path, report):
            principal = at.guid(obj, "principalId", what="principal id")
            resource = at.guid(obj, "resourceId", what="resource id") or path.stem.lower()
            if principal is None:
                at.warn("missing-property", "an app role assignment without `principalId` is "
                        "left out")
                continue
            role = (at.text(obj, "appRoleId") or "00000000-0000-0000-0000-000000000000").lower()
            data.assignments.append(
                AssignmentRec(at, principal, at.text(obj, "principalType"), role, resource)
            )
