"""What the collector reads: every Graph endpoint of the export layout, and which have delta.

`ENDPOINTS` is the full list in collection order, one per layout file (paged ones write one file
per page). `DELTA_RESOURCES` are the directory collections Microsoft Graph can report changes of
(`/users/delta`, `/groups/delta` with `members@delta`, `/applications/delta`,
`/servicePrincipals/delta`); each selects exactly what its plain endpoint selects, so a delta
round and a plain read write the same objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graphmodel.ingest.graph_export import layout as L

__all__ = ["DELTA_RESOURCES", "ENDPOINTS", "USER_SELECT", "DeltaResource", "Endpoint"]

USER_SELECT = ("id,userPrincipalName,displayName,mail,otherMails,userType,creationType,"
               "externalUserState,externalUserStateChangeDateTime,identities,accountEnabled,"
               "createdDateTime")
_EM = "/identityGovernance/entitlementManagement"


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One Graph read and the layout file it fills."""

    file: str  # a layout file, or a collection base name when `paged`
    path: str
    params: dict[str, str] = field(default_factory=dict)
    paged: bool = False  # one file per page (the big directory collections)
    version: str = "v1.0"
    optional: bool = False  # 400/404: the feature is not in this tenant; skipped with a note


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(L.ORGANIZATION, "/organization",
             {"$select": "id,displayName,tenantType,verifiedDomains"}),
    Endpoint(L.DOMAINS, "/domains", {"$select": "id,isDefault,isInitial,isVerified"}),
    Endpoint(L.USERS, "/users", {"$select": USER_SELECT, "$top": "999"}, paged=True),
    Endpoint(L.GROUPS, "/groups", {"$select": "id,displayName,mailNickname,groupTypes,"
                                   "securityEnabled,mailEnabled,resourceProvisioningOptions",
                                   "$top": "999"}, paged=True),
    Endpoint(L.ROLE_ASSIGNMENTS, "/roleManagement/directory/roleAssignments",
             {"$select": "id,principalId,roleDefinitionId,directoryScopeId"}),
    Endpoint(L.APPLICATIONS, "/applications",
             {"$select": "id,appId,displayName,signInAudience", "$top": "999"}, paged=True),
    Endpoint(L.SERVICE_PRINCIPALS, "/servicePrincipals",
             {"$select": "id,appId,displayName,appDisplayName,appOwnerOrganizationId,"
              "appRoleAssignmentRequired,accountEnabled,servicePrincipalType,signInAudience",
              "$top": "999"}, paged=True),
    Endpoint(L.OAUTH2_GRANTS, "/oauth2PermissionGrants"),
    Endpoint(L.CROSS_TENANT_POLICY, "/policies/crossTenantAccessPolicy"),
    Endpoint(L.CROSS_TENANT_DEFAULT, "/policies/crossTenantAccessPolicy/default"),
    Endpoint(L.CROSS_TENANT_PARTNERS, "/policies/crossTenantAccessPolicy/partners"),
    Endpoint(L.AUTHORIZATION_POLICY, "/policies/authorizationPolicy"),
    Endpoint(L.B2B_MANAGEMENT_POLICY, "/policies/b2bManagementPolicies", version="beta",
             optional=True),
    Endpoint(L.AUTHENTICATION_FLOWS_POLICY, "/policies/authenticationFlowsPolicy", optional=True),
    Endpoint(L.AUTHENTICATION_EVENTS_FLOWS, "/identity/authenticationEventsFlows",
             {"$expand": "conditions/applications/includeApplications"}, version="beta",
             optional=True),
    Endpoint(L.CONDITIONAL_ACCESS, "/identity/conditionalAccess/policies"),
    Endpoint(L.IDENTITY_PROVIDERS, "/identity/identityProviders", optional=True),
    Endpoint(L.B2X_USER_FLOWS, "/identity/b2xUserFlows", {"$expand": "identityProviders"},
             optional=True),
    Endpoint(L.CONNECTED_ORGANIZATIONS, f"{_EM}/connectedOrganizations", optional=True),
    Endpoint(L.ACCESS_PACKAGES, f"{_EM}/accessPackages",
             {"$expand": "catalog,resourceRoleScopes($expand=role,scope)"}, optional=True),
    Endpoint(L.ASSIGNMENT_POLICIES, f"{_EM}/assignmentPolicies", {"$expand": "accessPackage"},
             optional=True),
    Endpoint(L.ACCESS_PACKAGE_ASSIGNMENTS, f"{_EM}/assignments",
             {"$expand": "accessPackage,target"}, optional=True),
    Endpoint(L.ENTITLEMENT_SETTINGS, f"{_EM}/settings", optional=True),
    # AuditLog.Read.All and a P1/P2 licence; a 403 is reported, the rest is still collected
    Endpoint(L.SIGN_IN_ACTIVITY, "/users", {"$select": "id,signInActivity", "$top": "999"},
             paged=True, optional=True),
    Endpoint(L.MTO, "/tenantRelationships/multiTenantOrganization", optional=True),
    Endpoint(L.MTO_TENANTS, "/tenantRelationships/multiTenantOrganization/tenants",
             optional=True),
)


@dataclass(frozen=True, slots=True)
class DeltaResource:
    """A directory collection read through its delta function instead of `endpoint`."""

    name: str  # the resource in the delta state (`users`)
    endpoint: Endpoint  # the plain read it replaces (same file, same `$select`)
    members: bool = False  # groups: track membership (`members@delta`)

    @property
    def path(self) -> str:
        return f"{self.endpoint.path}/delta"

    @property
    def params(self) -> dict[str, str]:
        """The initial request's query: the plain `$select` (`$top` is not supported)."""
        select = self.endpoint.params["$select"]
        return {"$select": f"{select},members" if self.members else select}


def _endpoint(file: str) -> Endpoint:
    return next(ep for ep in ENDPOINTS if ep.file == file)


DELTA_RESOURCES: tuple[DeltaResource, ...] = (
    DeltaResource("users", _endpoint(L.USERS)),
    DeltaResource("groups", _endpoint(L.GROUPS), members=True),
    DeltaResource("applications", _endpoint(L.APPLICATIONS)),
    DeltaResource("servicePrincipals", _endpoint(L.SERVICE_PRINCIPALS)),
)
