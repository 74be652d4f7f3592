"""Which Microsoft Graph application permission each endpoint the collector calls needs.

Used to turn a bare `403 Authorization_RequestDenied` into the list of permissions to grant.
The least-privileged read permission documented for each API is named; the first pattern that
matches a path wins, so more specific paths come first.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

__all__ = ["ALL_PERMISSIONS", "AUDIT_LOG", "endpoint_of", "required_permission"]

AUDIT_LOG = "AuditLog.Read.All"
"""Sign-in logs and users' `signInActivity`; both also need a Microsoft Entra ID P1/P2 licence."""

_ID = r"[^/]+"
_RULES: tuple[tuple[str, str], ...] = (
    (rf"^/teams/{_ID}/channels/{_ID}/(allMembers|members)$", "ChannelMember.Read.All"),
    (rf"^/teams/{_ID}/channels/{_ID}/sharedWithTeams/{_ID}/allowedMembers$",
     "ChannelMember.Read.All"),
    (rf"^/teams/{_ID}/(allChannels|channels|incomingChannels)", "Channel.ReadBasic.All"),
    (rf"^/teams/{_ID}/members$", "TeamMember.Read.All"),
    (r"^/teams", "Team.ReadBasic.All"),
    (rf"^/groups/{_ID}/(members|transitiveMembers)", "GroupMember.Read.All"),
    (r"^/groups", "Group.Read.All"),
    (r"^/auditLogs", AUDIT_LOG),
    (r"^/users", "User.Read.All"),
    (r"^/organization", "Organization.Read.All"),
    (r"^/domains", "Domain.Read.All"),
    (r"^/roleManagement/directory", "RoleManagement.Read.Directory"),
    (r"^/(applications|servicePrincipals)", "Application.Read.All"),
    (r"^/oauth2PermissionGrants", "Directory.Read.All"),
    (r"^/policies", "Policy.Read.All"),
    (r"^/identity/conditionalAccess", "Policy.Read.All"),
    (r"^/identity/identityProviders", "IdentityProvider.Read.All"),
    (r"^/identity/b2xUserFlows", "IdentityUserFlow.Read.All"),
    (r"^/identity/authenticationEventsFlows", "EventListener.Read.All"),
    (r"^/identityGovernance/entitlementManagement", "EntitlementManagement.Read.All"),
    (r"^/tenantRelationships/multiTenantOrganization", "MultiTenantOrganization.Read.All"),
    (r"^/tenantRelationships/findTenantInformation", "CrossTenantInformation.ReadBasic.All"),
)
_COMPILED = tuple((re.compile(p, re.IGNORECASE), perm) for p, perm in _RULES)

ALL_PERMISSIONS: tuple[str, ...] = tuple(dict.fromkeys(perm for _, perm in _RULES))
"""Every permission a full collection needs (for documentation and the CLI's help)."""


_OBJECT_ID = re.compile(r"^(?=.*\d)[0-9A-Za-z:@._%-]{16,}$")
_QUOTED = re.compile(r"='[^']*'")


def endpoint_of(url: str, *, generic: bool = False) -> str:
    """The Graph path of `url` without host, version and query (`/users`).

    `generic` replaces object ids by `{id}`, so one message covers every group or team.

    Examples
    --------
    >>> endpoint_of("https://graph.microsoft.com/v1.0/users?$top=999")
    '/users'
    >>> endpoint_of("/beta/policies/b2bManagementPolicies")
    '/policies/b2bManagementPolicies'
    >>> endpoint_of("/v1.0/teams/893075dd-2487-4122-925f-022c42e20265/members", generic=True)
    '/teams/{id}/members'
    """
    path = urlsplit(url).path
    for version in ("/v1.0", "/beta"):
        if path.startswith(version + "/"):
            path = path[len(version):]
            break
    if generic:
        path = "/".join("{id}" if _OBJECT_ID.match(p) else _QUOTED.sub("='{id}'", p)
                        for p in path.split("/"))
    return path


def required_permission(url: str) -> str:
    """The application permission Graph wants for `url` (`Directory.Read.All` if unknown).

    Examples
    --------
    >>> required_permission("https://graph.microsoft.com/v1.0/identity/conditionalAccess/policies")
    'Policy.Read.All'
    >>> required_permission("/v1.0/teams/1/channels/19:x@thread.tacv2/allMembers")
    'ChannelMember.Read.All'
    >>> required_permission("/v1.0/users?$select=id,signInActivity")
    'AuditLog.Read.All'
    """
    if "signinactivity" in urlsplit(url).query.lower():
        return AUDIT_LOG  # `$select=signInActivity` on /users
    path = endpoint_of(url)
    for pattern, permission in _COMPILED:
        if pattern.search(path):
            return permission
    return "Directory.Read.All"
