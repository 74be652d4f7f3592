"""The export layout: which Microsoft Graph response lives in which file of a tenant folder.

One folder per tenant holds the raw JSON bodies Microsoft Graph returned; the importer, the
exporter and the live collector all use the names defined here, so the three cannot drift apart.
A paged collection is `users.json`, `users.page2.json`, `users.page3.json`... (or one file whose
`value` list holds every page). The full description is `docs/export-layout.md`.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from graphmodel.schema.enums import Cloud, DirectoryRole

__all__ = [
    "ACCESS_PACKAGES",
    "ACCESS_PACKAGE_ASSIGNMENTS",
    "APPLICATIONS",
    "APP_ROLE_ASSIGNED_TO",
    "ASSIGNMENT_POLICIES",
    "AUTHENTICATION_EVENTS_FLOWS",
    "AUTHENTICATION_FLOWS_POLICY",
    "AUTHORIZATION_POLICY",
    "AUTH_STRENGTH_IDS",
    "B2B_MANAGEMENT_POLICY",
    "B2X_USER_FLOWS",
    "CONDITIONAL_ACCESS",
    "CONNECTED_ORGANIZATIONS",
    "CROSS_TENANT_DEFAULT",
    "CROSS_TENANT_PARTNERS",
    "CROSS_TENANT_POLICY",
    "DOMAINS",
    "ENTITLEMENT_SETTINGS",
    "GRAPH_HOSTS",
    "GROUPS",
    "GROUP_MEMBERS",
    "IDENTITY_PROVIDERS",
    "INVITATIONS",
    "MANIFEST",
    "MICROSOFT_TENANT_ID",
    "MTO",
    "MTO_TENANTS",
    "OAUTH2_GRANTS",
    "ORGANIZATION",
    "PARTNERS_DIR",
    "POLICY_FILES",
    "ROLE_ASSIGNMENTS",
    "ROLE_TEMPLATE_IDS",
    "SERVICE_PRINCIPALS",
    "SIGN_INS",
    "SIGN_IN_ACTIVITY",
    "SIGN_IN_USAGE",
    "TEAMS_CHANNELS_POLICY",
    "TEAMS_DIR",
    "TENANT_INFORMATION",
    "USERS",
    "channel_dir_name",
    "channel_id_from_dir",
    "cloud_of_url",
    "collection_files",
    "identity_sync_file",
    "is_policy_file",
    "page_file",
]

# --- single files (each a Graph response body) -------------------------------------------
MANIFEST = "manifest.json"  # written by tenantgraph: collection time, Graph base URL, asOf
ORGANIZATION = "organization.json"  # GET /organization
DOMAINS = "domains.json"  # GET /domains
ROLE_ASSIGNMENTS = "roleAssignments.json"  # GET /roleManagement/directory/roleAssignments
OAUTH2_GRANTS = "oauth2PermissionGrants.json"  # GET /oauth2PermissionGrants
CROSS_TENANT_POLICY = "crossTenantAccessPolicy.json"  # GET /policies/crossTenantAccessPolicy
CROSS_TENANT_DEFAULT = "crossTenantAccessPolicy.default.json"  # .../default
CROSS_TENANT_PARTNERS = "crossTenantAccessPolicy.partners.json"  # .../partners
AUTHORIZATION_POLICY = "authorizationPolicy.json"  # GET /policies/authorizationPolicy
B2B_MANAGEMENT_POLICY = "b2bManagementPolicy.json"  # beta GET /policies/b2bManagementPolicies
AUTHENTICATION_FLOWS_POLICY = (
    "authenticationFlowsPolicy.json"  # /policies/authenticationFlowsPolicy
)
AUTHENTICATION_EVENTS_FLOWS = (
    "authenticationEventsFlows.json"  # beta /identity/authenticationEventsFlows
)
CONDITIONAL_ACCESS = "conditionalAccessPolicies.json"  # /identity/conditionalAccess/policies
IDENTITY_PROVIDERS = "identityProviders.json"  # GET /identity/identityProviders
B2X_USER_FLOWS = "b2xUserFlows.json"  # GET /identity/b2xUserFlows
CONNECTED_ORGANIZATIONS = (
    "connectedOrganizations.json"  # .../entitlementManagement/connectedOrganizations
)
ACCESS_PACKAGES = (
    "accessPackages.json"  # .../accessPackages?$expand=catalog,resourceRoleScopes(...)
)
ASSIGNMENT_POLICIES = "assignmentPolicies.json"  # .../assignmentPolicies?$expand=accessPackage
ACCESS_PACKAGE_ASSIGNMENTS = "accessPackageAssignments.json"  # .../assignments?$expand=...
ENTITLEMENT_SETTINGS = "entitlementManagementSettings.json"  # .../entitlementManagement/settings
MTO = "multiTenantOrganization.json"  # GET /tenantRelationships/multiTenantOrganization
MTO_TENANTS = "multiTenantOrganization.tenants.json"  # .../multiTenantOrganization/tenants
INVITATIONS = "invitations.json"  # bodies of POST /invitations responses (optional)
TEAMS_CHANNELS_POLICY = "teamsChannelsPolicy.json"  # Get-CsTeamsChannelsPolicy Global (not Graph)
SIGN_IN_USAGE = "signInUsage.json"  # tenantgraph's aggregate of auditLogs/signIns (collector)

# Files whose loss would open access (a missing block, Conditional Access policy or setting
# reads as "not configured", often Microsoft's permissive default): an import never leaves them
# out, not even with `--allow-partial`.
POLICY_FILES = frozenset({
    CROSS_TENANT_POLICY, CROSS_TENANT_DEFAULT, CROSS_TENANT_PARTNERS, AUTHORIZATION_POLICY,
    B2B_MANAGEMENT_POLICY, AUTHENTICATION_FLOWS_POLICY, AUTHENTICATION_EVENTS_FLOWS,
    CONDITIONAL_ACCESS, TEAMS_CHANNELS_POLICY, ENTITLEMENT_SETTINGS, ASSIGNMENT_POLICIES,
    MTO, MTO_TENANTS, ORGANIZATION,
})

# --- paged collections (base names: `users` -> users.json, users.page2.json, ...) --------
USERS = "users"
GROUPS = "groups"
APPLICATIONS = "applications"
SERVICE_PRINCIPALS = "servicePrincipals"
SIGN_INS = "signIns"  # raw GET /auditLogs/signIns pages, if kept (aggregated on import)
SIGN_IN_ACTIVITY = "userSignInActivity"  # GET /users?$select=id,signInActivity (AuditLog)

# --- folders of per-object responses -----------------------------------------------------
GROUP_MEMBERS = "groupMembers"  # groupMembers/<groupId>.json: GET /groups/{id}/members
APP_ROLE_ASSIGNED_TO = "appRoleAssignedTo"  # appRoleAssignedTo/<spId>.json
PARTNERS_DIR = "partners"  # partners/<tenantId>.identitySynchronization.json
TENANT_INFORMATION = "tenantInformation"  # tenantInformation/<tenantId>.json
TEAMS_DIR = "teams"  # teams/<teamId>/{team,members,channels}.json, channels/<key>/...

MICROSOFT_TENANT_ID = "f8cdef31-a31e-4b4a-93e4-5f571e91255a"  # owner of first-party apps

GRAPH_HOSTS: dict[Cloud, str] = {
    Cloud.GLOBAL: "graph.microsoft.com",
    Cloud.USGOV: "graph.microsoft.us",
    Cloud.CHINA: "microsoftgraph.chinacloudapi.cn",
}
_HOST_CLOUDS = {
    "graph.microsoft.us": Cloud.USGOV,
    "dod-graph.microsoft.us": Cloud.USGOV,
    "microsoftgraph.chinacloudapi.cn": Cloud.CHINA,
}

# Directory role *template* ids (unifiedRoleAssignment.roleDefinitionId of built-in roles).
ROLE_TEMPLATE_IDS: dict[DirectoryRole, str] = {
    DirectoryRole.GLOBAL_ADMINISTRATOR: "62e90394-69f5-4237-9190-012177145e10",
    DirectoryRole.USER_ADMINISTRATOR: "fe930be7-5e62-47db-91af-98c3a49a38b1",
    DirectoryRole.GUEST_INVITER: "95e79109-95c0-4d8e-aee3-d01accf2d47b",
    DirectoryRole.HELPDESK_ADMINISTRATOR: "729827e3-9c14-49f7-bb1b-9608f156bbb8",
}

# Built-in authentication strength policies (grantControls.authenticationStrength.id).
AUTH_STRENGTH_IDS: dict[str, str] = {
    "authStrength:mfa": "00000000-0000-0000-0000-000000000002",
    "authStrength:passwordless": "00000000-0000-0000-0000-000000000003",
    "authStrength:phishingResistant": "00000000-0000-0000-0000-000000000004",
}

_PAGE = re.compile(r"^(?P<base>.+?)\.page(?P<n>[0-9]+)\.json$")


def page_file(base: str, page: int) -> str:
    """The file name of page `page` (1-based) of collection `base`.

    Examples
    --------
    >>> page_file("users", 1), page_file("users", 3)
    ('users.json', 'users.page3.json')
    """
    return f"{base}.json" if page == 1 else f"{base}.page{page}.json"


def collection_files(folder: Path, base: str) -> list[Path]:
    """Every page file of collection `base` in `folder`, in page order (first page first)."""
    found: list[tuple[int, Path]] = []
    first = folder / f"{base}.json"
    if first.is_file():
        found.append((1, first))
    if folder.is_dir():
        for path in folder.glob(f"{base}.page*.json"):
            m = _PAGE.match(path.name)
            if m is not None and m["base"] == base:
                found.append((int(m["n"]), path))
    return [p for _, p in sorted(found)]


def identity_sync_file(tenant_id: str) -> str:
    """`partners/<tenantId>.identitySynchronization.json`, relative to the tenant folder."""
    return f"{PARTNERS_DIR}/{tenant_id}.identitySynchronization.json"


def is_policy_file(inner: str) -> bool:
    """Whether `inner` (a path inside a tenant folder) holds policy or settings.

    Examples
    --------
    >>> is_policy_file("conditionalAccessPolicies.json"), is_policy_file("users.page2.json")
    (True, False)
    >>> is_policy_file("partners/1b2c.identitySynchronization.json")
    True
    """
    return inner in POLICY_FILES or inner.startswith(PARTNERS_DIR + "/")


def channel_dir_name(channel_id: str) -> str:
    """A channel id (`19:...@thread.tacv2`) as a portable folder name (percent-encoded).

    Examples
    --------
    >>> channel_dir_name("19:abc@thread.tacv2")
    '19%3Aabc@thread.tacv2'
    >>> channel_id_from_dir(channel_dir_name("19:abc@thread.tacv2"))
    '19:abc@thread.tacv2'
    """
    return quote(channel_id, safe="@._-")


def channel_id_from_dir(name: str) -> str:
    return unquote(name)


def cloud_of_url(url: str | None) -> Cloud | None:
    """The Microsoft cloud a Graph URL (base URL or `@odata.context`) belongs to, if it is one.

    Examples
    --------
    >>> cloud_of_url("https://graph.microsoft.us/v1.0/$metadata#organization")
    <Cloud.USGOV: 'usgov'>
    >>> cloud_of_url("https://graph.microsoft.com/v1.0/") is Cloud.GLOBAL
    True
    """
    if not url:
        return None
    host = (urlsplit(url).hostname or "").lower()
    if host in _HOST_CLOUDS:
        return _HOST_CLOUDS[host]
    return Cloud.GLOBAL if host == GRAPH_HOSTS[Cloud.GLOBAL] else None
