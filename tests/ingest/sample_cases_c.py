"""Importer cases for the Graph samples: group lists and members, tenants, grants, governance."""

from __future__ import annotations

from pathlib import Path

from tests.ingest.graph_folders import TenantFolder
from tests.ingest.sample_registry import case, codes, load

__all__: list[str] = []

GROUP = "c11b732b-0e16-46c1-b0fa-bd32c8a42455"


@case("directoryObject/user-memberOf-groups-with-approleassignments.json",
      "directoryObject/user-transitiveMemberOf-cast-group-search.json",
      "group/list-transitiveMembers-cast-group.json")
def _group_lists(tmp: Path) -> None:
    expected = {
        "directoryObject/user-memberOf-groups-with-approleassignments.json":
            ["contoso/all-users", "contoso/aad-contoso-users"],
        "directoryObject/user-transitiveMemberOf-cast-group-search.json":
            ["contoso/contoso-tier-query-notification"],
        "group/list-transitiveMembers-cast-group.json": ["contoso/Executives",
                                                         "contoso/project-falcon"],
    }
    for sample, refs in expected.items():
        world, issues = load(TenantFolder(tmp / sample.replace("/", "_")).sample("groups.json",
                                                                                 sample))
        assert [g.ref for g in world.groups] == refs and issues == []


@case("directoryObject/user-memberOf.json", "directoryObject/user-transitiveMemberOf.json")
def _groups_without_id(tmp: Path) -> None:
    for sample in ("directoryObject/user-memberOf.json",
                   "directoryObject/user-transitiveMemberOf.json"):
        world, issues = load(TenantFolder(tmp / sample.replace("/", "_")).sample("groups.json",
                                                                                 sample))
        assert world.groups == ()
        (issue,) = issues
        assert issue.code == "missing-property" and "group `All" in issue.msg


@case("group/list-members-minimal.json")
def _placeholder_member_id(tmp: Path) -> None:
    folder = TenantFolder(tmp).json("groups.json", {"value": [{"id": GROUP, "displayName": "g"}]})
    folder.sample(f"groupMembers/{GROUP}.json", "group/list-members-minimal.json")
    world, issues = load(folder)
    assert world.groups[0].members == ()
    assert codes(issues) == ["malformed-id", "unknown-reference"]
    assert issues[0].file == f"contoso/groupMembers/{GROUP}.json"


@case("group/list-transitiveMembers.json")
def _group_member(tmp: Path) -> None:
    folder = TenantFolder(tmp).json("groups.json", {"value": [{"id": GROUP, "displayName": "g"}]})
    folder.users({"id": "11111111-2222-3333-4444-555555555555", "displayName": "ann",
                  "userPrincipalName": "group1@contoso.com"})
    folder.sample(f"groupMembers/{GROUP}.json", "group/list-transitiveMembers.json")
    world, issues = load(folder)
    assert world.groups[0].members == ("contoso/ann",) and issues == []


@case("connectedOrganization/get-connectedOrganization.json")
def _connected_org_without_tenant(tmp: Path) -> None:
    world, issues = load(TenantFolder(tmp).sample(
        "connectedOrganizations.json", "connectedOrganization/get-connectedOrganization.json"))
    assert world.connected_organizations == ()
    assert codes(issues) == ["missing-property", "missing-property"]
    assert "`Wingtip Toys` names no tenant id" in issues[1].msg


@case("tenantInformation/findTenantInformationByTenantId.json")
def _tenant_information_names_placeholders(tmp: Path) -> None:
    tid = "6babcaad-604b-40ac-a9d7-9fd97c0b779f"
    folder = TenantFolder(tmp).sample(f"tenantInformation/{tid}.json",
                                      "tenantInformation/findTenantInformationByTenantId.json")
    folder.json("connectedOrganizations.json", {"value": [{
        "id": "04e7fa5f-fa5f-04e7-5ffa-e7045ffae704", "displayName": "partner", "state": "proposed",
        "identitySources": [{"@odata.type": "#microsoft.graph.azureActiveDirectoryTenant",
                             "tenantId": tid}]}]})
    world, issues = load(folder)
    (org,) = world.connected_organizations
    placeholder = world.tenant_by_name[org.identity_tenant]
    assert (placeholder.name, placeholder.id, placeholder.domains) == (
        "contoso-ltd", tid, ("contoso18839.onmicrosoft.com",))
    assert org.state.value == "proposed" and codes(issues) == ["placeholder-tenant"]


@case("multiTenantOrganization/get-multiTenantOrganization-inactive.json")
def _mto_inactive(tmp: Path) -> None:
    world, issues = load(TenantFolder(tmp).sample(
        "multiTenantOrganization.json",
        "multiTenantOrganization/get-multiTenantOrganization-inactive.json"))
    assert [t.name for t in world.tenants] == ["contoso"] and issues == []


@case("multiTenantOrganization/get-multiTenantOrganization.json")
def _mto_without_members(tmp: Path) -> None:
    _, issues = load(TenantFolder(tmp).sample(
        "multiTenantOrganization.json", "multiTenantOrganization/get-multiTenantOrganization.json"))
    (issue,) = issues
    assert issue.code == "missing-file" and "`Contoso organization`" in issue.msg


@case("multiTenantOrganization/list-tenants.json")
def _mto_names_placeholders(tmp: Path) -> None:
    fabrikam = "4a12efe6-aa14-4d03-8dff-88fc89e2e2ad"
    folder = TenantFolder(tmp).sample("multiTenantOrganization.tenants.json",
                                      "multiTenantOrganization/list-tenants.json")
    folder.json("conditionalAccessPolicies.json", {"value": [{
        "id": "66d36273-fe4c-d478-dc22-e0179d856ce7", "displayName": "mto", "state": "enabled",
        "conditions": {"users": {"includeGuestsOrExternalUsers": {
            "guestOrExternalUserTypes": "b2bCollaborationGuest,b2bDirectConnectUser",
            "externalTenants": {"@odata.type": "#microsoft.graph.conditionalAccessEnumerated"
                                "ExternalTenants", "membershipKind": "enumerated",
                                "members": [fabrikam]}}}}}]})
    world, issues = load(folder)
    (policy,) = world.conditional_access
    assert policy.users.external_tenants == ("Fabrikam",)
    assert [t.value for t in policy.users.guest_or_external_user_types or ()] == [
        "b2bCollaborationGuest", "b2bDirectConnectUser"]
    assert world.tenant_by_name["Fabrikam"].id == fabrikam
    assert codes(issues) == ["placeholder-tenant"]


@case("oAuth2PermissionGrant/list-oauth2PermissionGrants.json")
def _grants(tmp: Path) -> None:
    folder = TenantFolder(tmp).sps({"id": "263a5b01-03e5-408e-8557-bab681df104c",
                                    "appId": "2a8b2d1c-1f8e-4d7e-9f4a-1f2e3d4c5b6a",
                                    "displayName": "client"})
    world, issues = load(folder.sample("oauth2PermissionGrants.json",
                                       "oAuth2PermissionGrant/list-oauth2PermissionGrants.json"))
    assert [a.ref for a in world.apps] == ["contoso/client"]
    assert [(i.code, i.loc) for i in issues] == [("unknown-reference", ("value", 0, "resourceId")),
                                                 ("unknown-reference", ("value", 1, "resourceId"))]
