"""Importer cases for the Graph samples: Teams, policies, users, groups, deltas, tenants."""

from __future__ import annotations

from pathlib import Path

from graphmodel.schema import (
    AccessType,
    CaState,
    CreationType,
    CrossTenantAccessDefault,
    DirectoryRole,
    MembershipType,
    UserType,
)
from tests.ingest.graph_folders import FABRIKAM_ID, TenantFolder
from tests.ingest.sample_registry import case, codes, load, only

__all__: list[str] = []

TEAM = "893075dd-2487-4122-925f-022c42e20265"
B3246_4627 = "b3246f44-b4gb-4627-96c6-25b18fa2c910"  # Microsoft's invalid GUID, kept as published


def _team(folder: TenantFolder, team_id: str = TEAM, name: str = "launch") -> TenantFolder:
    return folder.json(f"teams/{team_id}/team.json", {"id": team_id, "displayName": name})


# --- channels --------------------------------------------------------------------------------
@case("channel/get-channel-private-migration.json")
def _private_channel(tmp: Path) -> None:
    folder = _team(TenantFolder(tmp)).sample(f"teams/{TEAM}/channels.json",
                                             "channel/get-channel-private-migration.json")
    world, issues = load(folder)
    (c,) = world.channels
    assert (c.ref, c.membership_type) == ("contoso/launch/migration-channel",
                                          MembershipType.PRIVATE)
    (issue,) = issues
    assert issue.code == "missing-file" and "members are unknown" in issue.msg


@case("channel/get-channel-select-summary.json")
def _channel_summary_only(tmp: Path) -> None:
    folder = _team(TenantFolder(tmp)).sample(f"teams/{TEAM}/channels.json",
                                             "channel/get-channel-select-summary.json")
    world, issues = load(folder)
    assert world.channels == () and [t.ref for t in world.teams] == ["contoso/launch"]
    (issue,) = issues
    assert (issue.code, issue.file) == ("missing-property", f"contoso/teams/{TEAM}/channels.json")


@case("channel/get-channel-standard.json")
def _standard_channel(tmp: Path) -> None:
    folder = _team(TenantFolder(tmp)).sample(f"teams/{TEAM}/channels.json",
                                             "channel/get-channel-standard.json")
    world, issues = load(folder)
    (c,) = world.channels
    assert (c.ref, c.membership_type, c.members) == ("contoso/launch/General",
                                                     MembershipType.STANDARD, ())
    assert issues == []


@case("channel/team-allChannels-filter-shared.json", "channel/team-allChannels-incl-shared.json")
def _incoming_shared_channel(tmp: Path) -> None:
    for sample in ("channel/team-allChannels-filter-shared.json",
                   "channel/team-allChannels-incl-shared.json"):
        root = tmp / sample.replace("/", "_")
        folder = _team(TenantFolder(root, tenant_id=B3246_4627)).sample(
            f"teams/{TEAM}/channels.json", sample)
        world, issues = load(folder)
        shared = [c for c in world.channels if c.membership_type is MembershipType.SHARED]
        (c,) = shared
        host = next(t for t in world.tenants if t.name == c.tenant)
        assert host.id == "b3246f44-b4gb-5678-96c6-25b18fa2c910" and host.name != "contoso"
        assert c.shared_with_teams == ("contoso/launch",)
        assert c.team_ref in {t.ref for t in world.teams}
        own = [c.ref for c in world.channels if c.tenant == "contoso"]
        assert own == (["contoso/launch/General"] if "incl" in sample else [])
        assert "placeholder-tenant" in codes(issues)


# --- conversation members ------------------------------------------------------------------
@case("conversationMember/channel-members.json")
def _channel_members(tmp: Path) -> None:
    cid = "19:20bc1df46b1148e9b22539b83bc66809@thread.skype"
    folder = (
        _team(TenantFolder(tmp))
        .users({"id": "eef9cb36-06de-469b-87cd-70f4cbe32d14", "displayName": "joe",
                "userPrincipalName": "jself@teamsip.onmicrosoft.com"})
        .json(f"teams/{TEAM}/channels.json",
              {"value": [{"id": cid, "displayName": "ops", "membershipType": "private"}]})
        .sample(f"teams/{TEAM}/channels/19%3A20bc1df46b1148e9b22539b83bc66809@thread.skype/"
                "members.json", "conversationMember/channel-members.json")
    )
    world, issues = load(folder)
    (c,) = world.channels
    assert c.members == ("contoso/joe",)
    (issue,) = issues
    assert issue.code == "unknown-reference" and "ankothur@teamsip.onmicrosoft.com" in issue.msg


@case("conversationMember/sharedWithTeam-allowedMembers.json")
def _allowed_members(tmp: Path) -> None:
    cid = "19:shared@thread.tacv2"
    other_team = "2173de69-de69-2173-69de-732169de7321"
    other_tenant = "df81db53-c7e2-418a-8803-0e68d4b88607"
    key = "19%3Ashared@thread.tacv2"
    folder = (
        _team(TenantFolder(tmp))
        .json(f"teams/{TEAM}/channels.json",
              {"value": [{"id": cid, "displayName": "joint", "membershipType": "shared"}]})
        .json(f"teams/{TEAM}/channels/{key}/members.json", {"value": []})
        .json(f"teams/{TEAM}/channels/{key}/sharedWithTeams.json", {"value": [
            {"id": other_team, "tenantId": other_tenant, "displayName": "Fabrikam team"}]})
        .sample(f"teams/{TEAM}/channels/{key}/sharedWithTeams/{other_team}/allowedMembers.json",
                "conversationMember/sharedWithTeam-allowedMembers.json")
    )
    world, issues = load(folder)
    (c,) = world.channels
    (team,) = [t for t in world.teams if t.ref in c.shared_with_teams]
    assert team.ref.endswith("/fabrikam-team") and team.id == other_team
    # both sample members share one userId, so they are one person
    (member,) = team.members
    assert member.endswith("/eric-solomon")
    assert codes(issues) == ["placeholder-tenant"]


@case("sharedWithChannelTeamInfo/get-sharedWithTeam.json")
def _shared_with_host_team(tmp: Path) -> None:
    host_team = "2173de69-de69-2173-69de-732169de7321"
    cid, key = "19:s@thread.tacv2", "19%3As@thread.tacv2"
    folder = (
        _team(TenantFolder(tmp, tenant_id=B3246_4627), host_team)
        .json(f"teams/{host_team}/channels.json",
              {"value": [{"id": cid, "displayName": "joint", "membershipType": "shared"}]})
        .json(f"teams/{host_team}/channels/{key}/members.json", {"value": []})
        .sample(f"teams/{host_team}/channels/{key}/sharedWithTeams.json",
                "sharedWithChannelTeamInfo/get-sharedWithTeam.json")
    )
    world, issues = load(folder)
    (c,) = world.channels
    assert c.membership_type is MembershipType.SHARED and c.shared_with_teams == ()
    assert codes(issues) == ["malformed-id"] * 2  # our tenant id, as in the sample


@case("team/get-team.json")
def _team_named_by_its_group(tmp: Path) -> None:
    folder = TenantFolder(tmp).json("groups.json", {"value": [
        {"id": TEAM, "displayName": "Sales Team", "resourceProvisioningOptions": ["Team"]}]})
    folder.sample(f"teams/{TEAM}/team.json", "team/get-team.json")
    world, issues = load(folder)
    (team,) = world.teams
    assert (team.ref, team.id) == ("contoso/sales-team", TEAM)
    assert world.groups == () and issues == []


@case("group/get-group-m365-team.json")
def _team_backed_group(tmp: Path) -> None:
    gid = "02bd9fd6-8f93-4758-87c3-1fb73740a315"
    folder = TenantFolder(tmp).sample("groups.json", "group/get-group-m365-team.json")
    _team(folder, gid, "HR Taskforce")
    world, issues = load(folder)
    assert [t.ref for t in world.teams] == ["contoso/hr-taskforce"] and world.groups == ()
    plain, _ = load(TenantFolder(tmp / "plain").sample("groups.json",
                                                       "group/get-group-m365-team.json"))
    assert [g.ref for g in plain.groups] == ["contoso/hr-taskforce"]  # no team folder: a group
    assert issues == []


# --- Conditional Access ----------------------------------------------------------------------
@case("conditionalAccessPolicy/get-policy.json")
def _ca_legacy_keyword(tmp: Path) -> None:
    folder = TenantFolder(tmp).users({"id": "a702a13d-a437-4a07-8a7e-8c052de62dfd",
                                      "displayName": "ana", "userPrincipalName": "ana@contoso.com"})
    folder.sample("conditionalAccessPolicies.json", "conditionalAccessPolicy/get-policy.json")
    world, issues = load(folder)
    (p,) = world.conditional_access
    assert (p.ref, p.state) == ("contoso/demo-app-for-documentation", CaState.DISABLED)
    assert p.users.include == ("contoso/ana",) and p.users.exclude == ("GuestsOrExternalUsers",)
    assert p.applications.include == ("All",) and p.applications.exclude == ()
    assert p.grant == ("mfa", "compliantDevice", "domainJoinedDevice", "approvedApplication",
                       "compliantApplication", "termsOfUse")
    assert len(only(issues, "unknown-reference")) == 8  # one user, seven applications
    (conditions,) = [i for i in issues if i.msg.startswith("conditions ")]
    assert "`platforms`, `locations`, `signInRiskLevels`" in conditions.msg
    # the sample's roles are none of the roles the model knows: each one is reported
    roles = [i for i in only(issues, "not-modelled") if i.msg.startswith("directory role `")]
    assert [i.loc[-2] for i in roles] == ["includeRoles"] * 3 + ["excludeRoles"]
    assert p.users.include_roles == () and p.users.exclude_roles == ()


@case("conditionalAccessPolicy/list-policies-externalTenants-all-and-enumerated.json")
def _ca_external_tenants(tmp: Path) -> None:
    world, issues = load(TenantFolder(tmp).sample(
        "conditionalAccessPolicies.json",
        "conditionalAccessPolicy/list-policies-externalTenants-all-and-enumerated.json"))
    every, enumerated = world.conditional_access
    assert every.users.include == ("GuestsOrExternalUsers",)
    assert every.users.external_tenants is None
    (tenant,) = enumerated.users.external_tenants or ()
    assert tenant == "tenant-bd005e2a"
    assert any(t.id == "bd005e2a-876d-4bf0-92a1-ae9ff4276d54" for t in world.tenants)
    assert codes(issues).count("missing-property") == 2  # neither policy has a `state`
    assert every.state is CaState.ENABLED


# --- cross-tenant access ---------------------------------------------------------------------
@case("crossTenantAccessPolicy/get-policy.json")
def _xtap_policy(tmp: Path) -> None:
    world, issues = load(TenantFolder(tmp).sample("crossTenantAccessPolicy.json",
                                                  "crossTenantAccessPolicy/get-policy.json"))
    assert world.tenants[0].cross_tenant_access.allowed_cloud_endpoints == () and issues == []


@case("crossTenantAccessPolicyConfigurationDefault/get-default-service-default.json")
def _xtap_default(tmp: Path) -> None:
    world, issues = load(TenantFolder(tmp).sample(
        "crossTenantAccessPolicy.default.json",
        "crossTenantAccessPolicyConfigurationDefault/get-default-service-default.json"))
    assert world.tenants[0].cross_tenant_access.default == CrossTenantAccessDefault()
    assert issues == []


@case("crossTenantAccessPolicyConfigurationPartner/get-partner.json",
      "crossTenantAccessPolicyConfigurationPartner/list-partners.json")
def _xtap_partner(tmp: Path) -> None:
    for sample, tid in (
        ("crossTenantAccessPolicyConfigurationPartner/get-partner.json", FABRIKAM_ID),
        ("crossTenantAccessPolicyConfigurationPartner/list-partners.json",
         "123f4846-ba00-4fd7-ba43-dac1f8f63013"),
    ):
        folder = TenantFolder(tmp / tid).sample("crossTenantAccessPolicy.partners.json", sample)
        world, issues = load(folder)
        (p,) = world.tenants[0].cross_tenant_access.partners
        assert p.tenant_id == tid and p.inbound_trust is None
        assert p.b2b_collaboration_inbound is None
        dc = p.b2b_direct_connect_inbound
        assert dc is not None and dc.users_and_groups.access_type is AccessType.ALLOWED
        assert [t.target for t in dc.applications.targets] == ["Office365"]
        assert issues == []


@case("crossTenantIdentitySyncPolicyPartner/get-identitySynchronization.json",
      "crossTenantIdentitySyncPolicyPartner/list-partners-expand-identitySynchronization.json")
def _identity_sync(tmp: Path) -> None:
    a = TenantFolder(tmp / "a").sample(
        f"partners/{FABRIKAM_ID}.identitySynchronization.json",
        "crossTenantIdentitySyncPolicyPartner/get-identitySynchronization.json")
    b = TenantFolder(tmp / "b").sample(
        "crossTenantAccessPolicy.partners.json",
        "crossTenantIdentitySyncPolicyPartner/list-partners-expand-identitySynchronization.json")
    for folder in (a, b):
        world, issues = load(folder)
        (p,) = world.tenants[0].cross_tenant_access.partners
        assert p.tenant_id == FABRIKAM_ID and p.identity_synchronization is not None
        assert p.identity_synchronization.is_sync_allowed and issues == []


# --- users, deltas and directory roles -------------------------------------------------------
@case("user/get-user-member-default.json")
def _member(tmp: Path) -> None:
    world, issues = load(TenantFolder(tmp).sample("users.json",
                                                  "user/get-user-member-default.json"))
    (u,) = world.users
    assert (u.ref, u.user_principal_name, u.user_type, u.guest_of) == (
        "contoso/adele-vance", "AdeleV@contoso.com", UserType.MEMBER, None)
    assert issues == []


@case("user/get-user-select-identities.json", "user/list-users-count-guest-ext-upn.json",
      "user/list-users-search-member-and-guest.json")
def _users_without_id(tmp: Path) -> None:
    for sample, n in (("user/get-user-select-identities.json", 1),
                      ("user/list-users-count-guest-ext-upn.json", 1),
                      ("user/list-users-search-member-and-guest.json", 2)):
        world, issues = load(TenantFolder(tmp / sample.replace("/", "_")).sample("users.json",
                                                                                 sample))
        assert world.users == () and codes(issues) == ["missing-property"] * n
        assert all("has no `id`" in i.msg for i in issues)


@case("user/list-guest-users-by-ext-upn.json")
def _guest_by_ext_upn(tmp: Path) -> None:
    world, issues = load(TenantFolder(tmp).sample("users.json",
                                                  "user/list-guest-users-by-ext-upn.json"))
    guest = next(u for u in world.users if u.tenant == "contoso")
    # no `userPrincipalName` selected: the #EXT# UPN comes from the identity; adatum is not imported
    assert guest.user_principal_name == "AdeleV_adatum.com#EXT#@cntoso.com"
    # `creationType` was not selected either: an external user is then taken to be invited
    assert guest.guest_of == "adatum.com/AdeleV" and guest.synced_from is None
    assert codes(issues) == ["placeholder-tenant"]


@case("user/list-users-default.json", "user/list-users-filter-identities-select.json")
def _users(tmp: Path) -> None:
    a, _ = load(TenantFolder(tmp / "a").sample("users.json", "user/list-users-default.json"))
    assert [u.ref for u in a.users] == ["contoso/conf-room-adams", "contoso/mod-administrator"]
    b, issues = load(TenantFolder(tmp / "b").sample("users.json",
                                                    "user/list-users-filter-identities-select.json"))
    assert [u.ref for u in b.users] == ["contoso/john-smith"] and issues == []


@case("delta/users-delta-select-nextLink.json", "delta/users-delta-final-deltaLink.json")
def _delta_pages(tmp: Path) -> None:
    folder = TenantFolder(tmp).sample("users.json", "delta/users-delta-select-nextLink.json")
    folder.sample("users.page2.json", "delta/users-delta-final-deltaLink.json")
    world, issues = load(folder)
    assert [u.name for u in world.users] == ["lidia-holloway", "patti-fernandez"]
    assert codes(issues) == ["missing-property"]  # page 1 is a minimal object without id


@case("delta/users-delta-initial-with-removed.json", "delta/users-delta-minimal.json")
def _delta_incomplete(tmp: Path) -> None:
    world, issues = load(TenantFolder(tmp).sample("users.json",
                                                  "delta/users-delta-initial-with-removed.json"))
    assert [u.name for u in world.users] == ["cameron-white", "delia-dennis", "conf-room-adams"]
    assert codes(issues) == ["removed-object", "incomplete-collection"]
    assert issues[1].loc == ("@odata.nextLink",) and "not absent" in issues[1].msg
    _, minimal = load(TenantFolder(tmp / "m").sample("users.json",
                                                     "delta/users-delta-minimal.json"))
    assert codes(minimal) == ["missing-property", "incomplete-collection"]


@case("delta/users-delta-no-changes.json")
def _delta_empty(tmp: Path) -> None:
    world, issues = load(TenantFolder(tmp).sample("users.json",
                                                  "delta/users-delta-no-changes.json"))
    assert world.users == () and issues == []


@case("delta/groups-delta-members-delta.json")
def _groups_delta(tmp: Path) -> None:
    world, issues = load(TenantFolder(tmp).sample("groups.json",
                                                  "delta/groups-delta-members-delta.json"))
    assert world.groups == ()
    assert codes(issues) == ["missing-property", "incomplete-collection"]


@case("unifiedRoleAssignment/list-roleassignments-expand-principal-guests-beta.json")
def _roles(tmp: Path) -> None:
    world, issues = load(TenantFolder(tmp).sample(
        "roleAssignments.json",
        "unifiedRoleAssignment/list-roleassignments-expand-principal-guests-beta.json"))
    by_name = {u.name: u for u in world.users}
    assert set(by_name) == {"joey-cruz", "kalyan-krishna", "markie-downing"}
    assert all(u.roles == (DirectoryRole.GLOBAL_ADMINISTRATOR,) for u in world.users)
    kalyan = by_name["kalyan-krishna"]
    assert (kalyan.user_type, kalyan.creation_type) == (UserType.GUEST, CreationType.INVITATION)
    assert codes(issues) == ["home-unknown", "home-unknown"]


@case("invitation/post-invitation.json")
def _invitation(tmp: Path) -> None:
    folder = TenantFolder(tmp).users({
        "id": "cbb896f9-8306-49d0-b56b-b8e39cd28825", "displayName": "admin",
        "userPrincipalName": "admin_fabrikam.com#EXT#@contoso.onmicrosoft.com",
        "mail": "admin@fabrikam.com", "userType": "Guest", "creationType": "Invitation",
        "externalUserState": "PendingAcceptance"})
    world, issues = load(folder.sample("invitations.json", "invitation/post-invitation.json"))
    (inv,) = world.invitations
    assert (inv.invited_user, inv.invited_user_email_address, inv.status) == (
        "contoso/admin", "admin@fabrikam.com", "PendingAcceptance")
    assert codes(issues) == ["placeholder-tenant"]  # the guest's home, fabrikam.com

