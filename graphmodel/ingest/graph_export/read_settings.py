"""Reading tenant-wide settings: who may invite, domain lists, sign-up, IdPs, Teams, lifecycle.

These come from several Graph singletons (authorizationPolicy, the beta b2bManagementPolicies
whose `definition` is a JSON *string*, authenticationFlowsPolicy, authenticationEventsFlows,
identityProviders, b2xUserFlows, entitlementManagement settings) plus one file that is not Graph
at all: the Teams channels policy, which only Teams PowerShell exposes.
"""

from __future__ import annotations

import json
from typing import Any

from graphmodel.ingest.graph_export import layout as L
from graphmodel.ingest.graph_export.files import iter_file
from graphmodel.ingest.graph_export.reader import Report
from graphmodel.ingest.graph_export.records import IdpRec, TenantData
from graphmodel.ingest.graph_export.values import At, odata_type
from graphmodel.schema.enums import (
    AllowInvitesFrom,
    GuestUserAccess,
    IdentityProviderKind,
    LifecycleAction,
)
from graphmodel.schema.guest_roles import guest_access_for_role_id

__all__ = ["read_settings"]

_SOCIAL = {
    "google": IdentityProviderKind.GOOGLE,
    "facebook": IdentityProviderKind.FACEBOOK,
    "microsoft": IdentityProviderKind.MICROSOFT_ACCOUNT,
    "microsoftaccount": IdentityProviderKind.MICROSOFT_ACCOUNT,
    "emailotp": IdentityProviderKind.EMAIL_OTP,
    "aadsignup": IdentityProviderKind.ENTRA,
    "emailpassword": IdentityProviderKind.LOCAL,
}
_SSSU_FLOW = "externalUsersSelfServiceSignUpEventsFlow"


def read_settings(data: TenantData, report: Report) -> None:
    folder = data.folder
    _authorization_policies(data, report)
    for at, obj in iter_file(folder / L.B2B_MANAGEMENT_POLICY, report):
        if at.flag(obj, "isOrganizationDefault") is not False:
            _domain_lists(data, at, obj)
    for at, obj in iter_file(folder / L.AUTHENTICATION_FLOWS_POLICY, report):
        sign_up = at.mapping(obj, "selfServiceSignUp") or {}
        data.sssu_enabled = at.sub("selfServiceSignUp").flag(sign_up, "isEnabled") is True
    for at, obj in iter_file(folder / L.AUTHENTICATION_EVENTS_FLOWS, report):
        if odata_type(obj) == _SSSU_FLOW:
            _flow_apps(data, at, obj)
    for _at, obj in iter_file(folder / L.TEAMS_CHANNELS_POLICY, report):
        low = {k.lower(): v for k, v in obj.items()}
        data.participate_external = low.get("allowusertoparticipateinexternalsharedchannel") \
            is not False
        data.share_external = low.get("allowchannelsharingtoexternaluser") is not False
    for at, obj in iter_file(folder / L.ENTITLEMENT_SETTINGS, report):
        action = at.choice(obj, "externalUserLifecycleAction", LifecycleAction)
        data.lifecycle = action or data.lifecycle
    for at, obj in iter_file(folder / L.IDENTITY_PROVIDERS, report):
        _idp(data, at, obj)
    for at, obj in iter_file(folder / L.B2X_USER_FLOWS, report):
        for key in ("identityProviders", "userFlowIdentityProviders"):
            for i, idp in at.objects(obj, key):
                _idp(data, at.sub(key, i), idp)


# Widest first: with several policy objects, the tenant is as open as its most open one.
_INVITES_WIDTH = (
    AllowInvitesFrom.EVERYONE,
    AllowInvitesFrom.ADMINS_GUEST_INVITERS_AND_ALL_MEMBERS,
    AllowInvitesFrom.ADMINS_AND_GUEST_INVITERS,
    AllowInvitesFrom.NONE,
)
_GUEST_WIDTH = (
    GuestUserAccess.SAME_AS_MEMBERS,
    GuestUserAccess.LIMITED,
    GuestUserAccess.RESTRICTED,
)


def _authorization_policies(data: TenantData, report: Report) -> None:
    """Every object of the authorizationPolicy file, read fail-closed.

    Graph has one authorizationPolicy per tenant, yet exports (and ScubaGear's own test input)
    may hold several as a `value` array; the last one must not silently win. Each object is
    read, and the tenant gets the widest setting any of them grants: the most open
    `allowInvitesFrom`, the most permissive guest level — and when any `guestUserRoleId` is
    none of the documented roles, the level is unknown (MS.AAD.8.1 fails naming that id). An
    `allowInvitesFrom` value outside the documented set is read as `everyone`, the widest.
    """
    invites: list[AllowInvitesFrom] = []
    levels: list[GuestUserAccess] = []
    unknown_roles: list[str] = []
    for at, obj in iter_file(data.folder / L.AUTHORIZATION_POLICY, report):
        raw = at.text(obj, "allowInvitesFrom")
        if raw is not None:
            found = next((m for m in _INVITES_WIDTH if m.value.lower() == raw.lower()), None)
            if found is None:
                at.warn("unknown-enum-value", f"`allowInvitesFrom` value `{raw}` is not a "
                        "documented one; read as `everyone`, the widest (audits fail closed)",
                        "allowInvitesFrom")
            invites.append(found or AllowInvitesFrom.EVERYONE)
        role = (at.text(obj, "guestUserRoleId") or "").strip().lower()
        if not role:
            continue
        level = guest_access_for_role_id(role)
        if level is None:
            unknown_roles.append(role)
            at.warn("unknown-enum-value", f"`guestUserRoleId` `{role}` is not a known guest "
                    "role; the guest access level is unknown (audits report it)",
                    "guestUserRoleId")
        else:
            levels.append(level)
    if invites:
        data.allow_invites_from = min(invites, key=_INVITES_WIDTH.index)
    if unknown_roles:
        data.guest_access, data.guest_role_id = None, unknown_roles[0]
    elif levels:
        data.guest_access, data.guest_role_id = min(levels, key=_GUEST_WIDTH.index), None


def _domain_lists(data: TenantData, at: At, obj: dict[str, Any]) -> None:
    """`definition` holds JSON strings: {"B2BManagementPolicy": {"InvitationsAllowed...": ...}}."""
    for i, text in enumerate(at.texts(obj, "definition")):
        try:
            parsed = json.loads(text)
        except ValueError:
            try:  # Microsoft's own sample writes the JSON with single quotes
                parsed = json.loads(text.replace("'", '"'))
            except ValueError:
                at.warn("json-syntax", "the policy `definition` is not valid json", "definition", i)
                continue
        root = _get(parsed, "B2BManagementPolicy")
        policy = _get(root, "InvitationsAllowedAndBlockedDomainsPolicy")
        if not isinstance(policy, dict):
            continue
        allowed, blocked = _get(policy, "AllowedDomains"), _get(policy, "BlockedDomains")
        if isinstance(allowed, list) and (allowed or not isinstance(blocked, list)):
            data.allowed_domains = tuple(str(d).strip().lower() for d in allowed)
            data.blocked_domains = None
        elif isinstance(blocked, list):
            data.blocked_domains = tuple(str(d).strip().lower() for d in blocked)
            data.allowed_domains = None


def _get(value: object, key: str) -> object:
    """A key of a PowerShell-style object, matched case-insensitively."""
    if not isinstance(value, dict):
        return None
    for k, v in value.items():
        if isinstance(k, str) and k.lower() == key.lower():
            return v
    return None


def _flow_apps(data: TenantData, at: At, obj: dict[str, Any]) -> None:
    conditions = at.mapping(obj, "conditions") or {}
    apps = at.sub("conditions").mapping(conditions, "applications") or {}
    here = at.sub("conditions", "applications")
    for i, app in here.objects(apps, "includeApplications"):
        app_id = here.sub("includeApplications", i).guid(app, "appId", what="app id")
        if app_id is not None:
            data.sssu_apps.append((here.sub("includeApplications", i), app_id))


def _idp(data: TenantData, at: At, obj: dict[str, Any]) -> None:
    kind_name = odata_type(obj) or ""
    raw = at.text(obj, "identityProviderType") or at.text(obj, "type") or ""
    found: IdpRec | None = None
    if kind_name == "openIdConnectIdentityProvider":
        tenant_id = _entra_tenant(at.text(obj, "metadataUrl"))
        if tenant_id is None:
            at.warn("not-modelled", "an OpenID Connect provider that is not a Microsoft Entra "
                    "tenant is not modelled and is left out")
            return
        found = IdpRec(at, IdentityProviderKind.ENTRA, tenant_id)
    elif kind_name in ("samlOrWsFedExternalDomainFederation", "samlOrWsFedProvider"):
        found = IdpRec(at, IdentityProviderKind.SAML)
    elif raw.lower() in _SOCIAL:
        found = IdpRec(at, _SOCIAL[raw.lower()])
    else:
        what = raw or kind_name or "unnamed"
        at.warn("not-modelled", f"identity provider `{what}` is not one tenantgraph models "
                "(google, facebook, microsoftAccount, emailOtp, saml, entra) and is left out")
        return
    if all((p.kind, p.tenant_id) != (found.kind, found.tenant_id) for p in data.idps):
        data.idps.append(found)


def _entra_tenant(url: str | None) -> str | None:
    """The tenant id in `https://login.microsoftonline.com/<tenant>/v2.0/.well-known/...`."""
    if not url or "login.microsoftonline" not in url.lower():
        return None
    parts = [p for p in url.split("/") if p]
    for p in parts:
        if len(p) == 36 and p.count("-") == 4:
            return p.lower()
    return None
