"""Importer cases for the Graph samples: entitlement management, apps, tenant settings."""

from __future__ import annotations

import json
from pathlib import Path

from graphmodel.schema import (
    AllowedTargetScope,
    AllowInvitesFrom,
    BuiltinApp,
    GuestUserAccess,
    IdentityProviderKind,
    SignInAudience,
)
from tests.ingest.graph_folders import CONTOSO_ID, SAMPLES, TenantFolder
from tests.ingest.sample_registry import case, codes, load

__all__: list[str] = []


# --- entitlement management ----------------------------------------------------------------
@case("accessPackage/get-accessPackage.json")
def _access_package(tmp: Path) -> None:
    world, issues = load(TenantFolder(tmp).sample("accessPackages.json",
                                                  "accessPackage/get-accessPackage.json"))
    (pkg,) = world.access_packages
    assert (pkg.ref, pkg.id) == ("contoso/access-package-for-testing",
                                 "114d3459-3459-114d-5934-4d1159344d11")
    assert not pkg.is_hidden and pkg.catalog_externally_visible and pkg.resources == ()
    assert issues == []


@case("accessPackageAssignment/list-assignments.json")
def _assignment_without_package(tmp: Path) -> None:
    world, issues = load(TenantFolder(tmp).sample(
        "accessPackageAssignments.json", "accessPackageAssignment/list-assignments.json"))
    assert world.access_package_assignments == ()
    (issue,) = issues
    assert (issue.code, issue.file, issue.loc) == (
        "missing-property", "contoso/accessPackageAssignments.json", ("value", 0))
    assert "names no access package" in issue.msg


@case("accessPackageAssignmentPolicy/get-policy-allDirectoryUsers.json")
def _policy_expanded_on_package(tmp: Path) -> None:
    policy = json.loads((SAMPLES / "accessPackageAssignmentPolicy/"
                         "get-policy-allDirectoryUsers.json").read_text())
    folder = TenantFolder(tmp).json("accessPackages.json", {"value": [
        {"id": "114d3459-3459-114d-5934-4d1159344d11", "displayName": "pack",
         "assignmentPolicies": [policy]}]})
    world, issues = load(folder)
    (pkg,) = world.access_packages
    (p,) = pkg.policies
    assert (p.allowed_target_scope, p.expiration) == (AllowedTargetScope.ALL_DIRECTORY_USERS,
                                                      "P365D")
    assert issues == []


# --- app role assignments ------------------------------------------------------------------
RESOURCE_SP = "8e881353-1735-45af-af21-ee1344582a4d"


@case("appRoleAssignment/servicePrincipal-appRoleAssignedTo.json")
def _assigned_to(tmp: Path) -> None:
    folder = (
        TenantFolder(tmp)
        .users({"id": "cdb555e3-b33e-4fd5-a427-17fadacbdfa7", "displayName": "MOD Administrator",
                "userPrincipalName": "admin@contoso.com"})
        .sps({"id": RESOURCE_SP, "appId": "6ad6d7a7-7d06-4df0-bd70-5ff3a2b1c8c6",
              "displayName": "dxprovisioning-graphapi-client", "appRoleAssignmentRequired": True})
        .sample(f"appRoleAssignedTo/{RESOURCE_SP}.json",
                "appRoleAssignment/servicePrincipal-appRoleAssignedTo.json")
    )
    world, issues = load(folder)
    (a,) = world.assignments
    assert (a.principal, a.app) == ("contoso/mod-administrator",
                                    "contoso/dxprovisioning-graphapi-client")
    assert a.app_role_id == "00000000-0000-0000-0000-000000000000"
    assert issues == []


@case("appRoleAssignment/servicePrincipal-appRoleAssignments-app-permission.json")
def _application_permission(tmp: Path) -> None:
    graph_sp = "fea94d6d-b5bf-44d2-a887-4f72a8d74f44"
    folder = TenantFolder(tmp).sps(
        {"id": graph_sp, "appId": "00000003-0000-0000-c000-000000000000",
         "displayName": "Microsoft Graph"}
    ).sample(f"appRoleAssignedTo/{graph_sp}.json",
             "appRoleAssignment/servicePrincipal-appRoleAssignments-app-permission.json")
    world, issues = load(folder)
    assert world.assignments == ()
    (issue,) = issues
    assert issue.code == "not-modelled" and issue.loc == ("value", 0, "principalType")
    assert "application permission" in issue.msg


@case("appRoleAssignment/user-appRoleAssignments.json")
def _assignment_on_unknown_sp(tmp: Path) -> None:
    folder = TenantFolder(tmp).sample(f"appRoleAssignedTo/{RESOURCE_SP}.json",
                                      "appRoleAssignment/user-appRoleAssignments.json")
    world, issues = load(folder)
    assert world.assignments == ()
    (issue,) = issues
    assert issue.code == "unknown-reference" and issue.loc == ("value", 0, "resourceId")


# --- applications and service principals ---------------------------------------------------
@case("application/get-application-by-appId-select-requiredResourceAccess.json")
def _registration_without_sp(tmp: Path) -> None:
    world, issues = load(TenantFolder(tmp).sample(
        "applications.json",
        "application/get-application-by-appId-select-requiredResourceAccess.json"))
    (app,) = world.apps
    assert (app.ref, app.app_id, app.sign_in_audience) == (
        "contoso/PostmanWeb", "46e6adf4-a9cf-4b60-9390-0ba6fb00bf6b", None)
    assert codes(issues) == ["missing-property", "missing-object"]


@case("application/get-application.json")
def _registration_with_sp(tmp: Path) -> None:
    folder = TenantFolder(tmp).sample("applications.json", "application/get-application.json")
    folder.sps({"id": "f2b8c8a4-3e5e-4a57-9d9b-5e3b1f7c1d11",
                "appId": "631a96bc-a705-4eda-9f99-fdaf9f54f6a2", "displayName": "display-app"})
    world, issues = load(folder)
    (app,) = world.apps
    assert app.sign_in_audience is SignInAudience.AZURE_AD_AND_PERSONAL_MICROSOFT_ACCOUNT
    assert app.id == "f2b8c8a4-3e5e-4a57-9d9b-5e3b1f7c1d11" and app.instance_of is None
    assert issues == []


@case("application/list-applications-search-select.json")
def _registration_without_id(tmp: Path) -> None:
    world, issues = load(TenantFolder(tmp).sample(
        "applications.json", "application/list-applications-search-select.json"))
    assert world.apps == ()
    (issue,) = issues
    assert issue.code == "missing-property" and "has no `id`" in issue.msg
    assert issue.loc == ("value", 0)


@case("servicePrincipal/get-servicePrincipal-select-appRoles-scopes.json")
def _graph_sp(tmp: Path) -> None:
    world, issues = load(TenantFolder(tmp).sample(
        "servicePrincipals.json",
        "servicePrincipal/get-servicePrincipal-select-appRoles-scopes.json"))
    (app,) = world.apps
    assert (app.ref, app.builtin) == ("contoso/microsoft-graph", BuiltinApp.MICROSOFT_GRAPH)
    assert issues == []


@case("servicePrincipal/get-servicePrincipal.json")
def _sp_placeholder_app_id(tmp: Path) -> None:
    world, issues = load(TenantFolder(tmp).sample("servicePrincipals.json",
                                                  "servicePrincipal/get-servicePrincipal.json"))
    (app,) = world.apps
    assert app.app_role_assignment_required and app.app_id == "appId-value"
    assert app.ref == "contoso/my-app-instance-in-tenant"
    (issue,) = issues
    assert (issue.code, issue.loc) == ("malformed-id", ("appId",))


# --- tenant settings -----------------------------------------------------------------------
@case("authorizationPolicy/get-authorizationPolicy-beta.json")
def _authorization_beta(tmp: Path) -> None:
    world, issues = load(TenantFolder(tmp).sample(
        "authorizationPolicy.json", "authorizationPolicy/get-authorizationPolicy-beta.json"))
    ec = world.tenants[0].external_collaboration
    assert (ec.guest_user_access, ec.allow_invites_from) == (GuestUserAccess.LIMITED, None)
    assert issues == []


@case("authorizationPolicy/get-authorizationPolicy.json")
def _authorization(tmp: Path) -> None:
    world, issues = load(TenantFolder(tmp).sample(
        "authorizationPolicy.json", "authorizationPolicy/get-authorizationPolicy.json"))
    assert world.tenants[0].external_collaboration.allow_invites_from is AllowInvitesFrom.EVERYONE
    assert issues == []


@case("b2xIdentityUserFlow/list-b2xUserFlows-expand-identityProviders.json")
def _user_flow_idps(tmp: Path) -> None:
    world, issues = load(TenantFolder(tmp).sample(
        "b2xUserFlows.json", "b2xIdentityUserFlow/list-b2xUserFlows-expand-identityProviders.json"))
    assert [p.kind for p in world.tenants[0].identity_providers] == [IdentityProviderKind.FACEBOOK]
    assert issues == []


@case("b2xIdentityUserFlow/list-b2xUserFlows.json")
def _user_flows(tmp: Path) -> None:
    world, issues = load(TenantFolder(tmp).sample("b2xUserFlows.json",
                                                  "b2xIdentityUserFlow/list-b2xUserFlows.json"))
    assert world.tenants[0].identity_providers == () and issues == []


@case("identityProvider/list-identityProviders-b2c-tenant.json")
def _b2c_idps(tmp: Path) -> None:
    world, issues = load(TenantFolder(tmp).sample(
        "identityProviders.json", "identityProvider/list-identityProviders-b2c-tenant.json"))
    assert world.tenants[0].identity_providers == ()
    assert [(i.code, i.loc) for i in issues] == [("not-modelled", ("value", 0)),
                                                 ("not-modelled", ("value", 1))]
    assert "`LinkedIn`" in issues[0].msg


@case("identityProvider/list-identityProviders-entra-tenant.json")
def _entra_idps(tmp: Path) -> None:
    world, issues = load(TenantFolder(tmp).sample(
        "identityProviders.json", "identityProvider/list-identityProviders-entra-tenant.json"))
    kinds = [p.kind for p in world.tenants[0].identity_providers]
    assert kinds == [IdentityProviderKind.MICROSOFT_ACCOUNT, IdentityProviderKind.FACEBOOK]
    assert issues == []


@case("domain/get-domain.json")
def _domain(tmp: Path) -> None:
    world, issues = load(TenantFolder(tmp).sample("domains.json", "domain/get-domain.json"))
    assert world.tenants[0].domains == ("m365x214355.onmicrosoft.com", "contoso.com")
    assert issues == []


@case("organization/get-organization.json")
def _organization(tmp: Path) -> None:
    folder = TenantFolder(tmp, "hub", organization=False).sample(
        "organization.json", "organization/get-organization.json")
    world, issues = load(folder)
    (t,) = world.tenants
    assert (t.name, t.id, t.domains, t.cloud.value, t.type.value) == (
        "hub", CONTOSO_ID, ("contoso.com",), "global", "workforce")
    assert issues == []
