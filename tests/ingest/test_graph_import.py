"""A multi-tenant export built from the Graph samples imports and answers questions; importer
behaviour that no single sample shows (streaming, progress, broken files, paging, linking)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from graphmodel.errors import ExportUnreadable, WorldInvalid
from graphmodel.ingest.graph_export import export_world, import_export
from graphmodel.schema import InvitationStatus, World
from graphmodel.schema.omissions import omitted
from graphmodel.schema.verdict import Decision
from graphmodel.service import GraphService
from graphmodel.stores import open_store
from tests.conformance.worlds import three_tenants
from tests.ingest.graph_folders import (
    FABRIKAM_ID,
    TenantFolder,
    dangling_refs,
    different_fields,
)

WIKI = "5c3b1b1e-8d0c-4b7a-9d55-2f6f3f2b9a01"


def sample_export(root: Path) -> list[Path]:
    """contoso (Microsoft's organization sample) hosting a fabrikam guest and an adatum guest."""
    contoso = (
        TenantFolder(root, "contoso", organization=False)
        .sample("organization.json", "organization/get-organization.json")
        .sample("users.json", "user/list-users-default.json")
        .sample("users.page3.json", "user/list-guest-users-by-ext-upn.json")
        .json("users.page2.json", {"value": [{
            "id": "0c7a3d57-3b55-4f5e-8d66-2f0a1f5c9b11", "displayName": "bob",
            "userPrincipalName": "bob_fabrikam.com#EXT#@contoso.onmicrosoft.com",
            "mail": "bob@fabrikam.com", "userType": "Guest", "creationType": "Invitation",
            "externalUserState": "Accepted",
            "identities": [{"signInType": "federated", "issuer": "ExternalAzureAD"}]}],
            "@odata.nextLink": "https://graph.microsoft.com/v1.0/users?$skiptoken=3"})
        .sample("servicePrincipals.json", "servicePrincipal/get-servicePrincipal.json")
        .json("servicePrincipals.page2.json", {"value": [
            {"id": WIKI, "appId": "9a7c1c3e-2b4d-4e6f-8a9b-0c1d2e3f4a5b", "displayName": "wiki"}]})
        .sample("crossTenantAccessPolicy.json", "crossTenantAccessPolicy/get-policy.json")
        .sample("crossTenantAccessPolicy.default.json",
                "crossTenantAccessPolicyConfigurationDefault/get-default-service-default.json")
        .sample("crossTenantAccessPolicy.partners.json",
                "crossTenantAccessPolicyConfigurationPartner/get-partner.json")
        .sample(f"partners/{FABRIKAM_ID}.identitySynchronization.json",
                "crossTenantIdentitySyncPolicyPartner/get-identitySynchronization.json")
        .sample("authorizationPolicy.json", "authorizationPolicy/get-authorizationPolicy.json")
        .sample("conditionalAccessPolicies.json", "conditionalAccessPolicy/get-policy.json")
    )
    fabrikam = TenantFolder(root, "fabrikam", FABRIKAM_ID, ("fabrikam.com",)).users(
        {"id": "e1b6f0f4-6f43-4d7c-9d0b-8c3c2b7f1a22", "displayName": "bob",
         "userPrincipalName": "bob@fabrikam.com", "mail": "bob@fabrikam.com",
         "userType": "Member"})
    return [contoso.path, fabrikam.path]


def test_a_multi_tenant_sample_export_answers_checks(tmp_path: Path) -> None:
    world, issues = import_export(sample_export(tmp_path))
    assert dangling_refs(world) == []
    assert {t.name for t in world.tenants} == {"contoso", "fabrikam", "adatum.com"}
    guest = world.user_by_ref["contoso/bob"]
    assert guest.guest_of == "fabrikam/bob"
    assert world.user_by_ref["contoso/adele-vance"].guest_of == "adatum.com/AdeleV"
    partner = world.tenant_by_name["contoso"].cross_tenant_access.partner(FABRIKAM_ID)
    assert partner is not None and partner.identity_synchronization is not None
    assert "placeholder-tenant" in {i.code for i in issues}
    svc = GraphService(open_store("memory"))
    try:
        svc.load_world(world, source="samples")
        assert svc.check("fabrikam/bob", "contoso/wiki").decision is Decision.ALLOW
        mod = svc.check("contoso/mod-administrator", "contoso/wiki")
        assert mod.decision is Decision.ALLOW
        denied = svc.check("fabrikam/bob", "contoso/my-app-instance-in-tenant")
        assert denied.decision is Decision.DENY and "not_assigned" in denied.codes
        assert svc.check("adatum.com/AdeleV", "contoso/wiki").decision is Decision.ALLOW
    finally:
        svc.store.close()


def test_the_export_folder_of_folders_is_accepted(tmp_path: Path) -> None:
    sample_export(tmp_path / "export")
    world, _ = import_export([tmp_path / "export"])
    assert {"contoso", "fabrikam"} <= {t.name for t in world.tenants}


def test_a_folder_that_is_not_an_export_fails_with_located_issues(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    broken = TenantFolder(tmp_path, "broken", organization=False)
    broken.json("organization.json", {"value": [{"displayName": "no id"}]})
    with pytest.raises(WorldInvalid) as err:
        import_export([tmp_path / "empty", broken.path, tmp_path / "missing"])
    rendered = [i.render() for i in err.value.issues]
    assert any("holds no `organization.json`" in r for r in rendered)
    assert any(r.startswith("broken/organization.json") for r in rendered)
    assert any("`" + str(tmp_path / "missing") + "` is not a folder" in r for r in rendered)


def test_broken_json_fails_the_import_and_a_partial_one_keeps_earlier_objects(
    tmp_path: Path,
) -> None:
    folder = TenantFolder(tmp_path)
    (folder.path / "users.json").write_text(
        '{"value": [{"id": "0c7a3d57-3b55-4f5e-8d66-2f0a1f5c9b11", "displayName": "ann"}, {"id": ')
    with pytest.raises(ExportUnreadable) as refused:
        import_export([folder.path])
    (issue,) = refused.value.issues
    assert (issue.code, issue.file, issue.loc) == ("json-syntax", "contoso/users.json",
                                                   ("value", 1))
    world, issues = import_export([folder.path], allow_partial=True)
    assert [u.ref for u in world.users] == ["contoso/ann"]
    assert issues == [issue]
    assert omitted(world.source) == ("the users of contoso from value[1] on",)


def test_users_are_streamed_not_loaded_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    users = [{"id": f"00000000-0000-4000-8000-{i:012d}", "displayName": f"u{i}",
              "userPrincipalName": f"u{i}@contoso.com"} for i in range(12000)]
    folder = TenantFolder(tmp_path).users(*users)

    def forbidden(*_a: object, **_k: object) -> object:
        raise AssertionError("a response file was loaded whole with json.load")

    monkeypatch.setattr(json, "load", forbidden)
    monkeypatch.setattr(json, "loads", forbidden)
    seen: list[tuple[str, int]] = []
    world, issues = import_export([folder.path], progress=lambda f, n: seen.append((f, n)))
    assert len(world.users) == 12000 and issues == []
    assert ("contoso/users.json", 5000) in seen and ("contoso/users.json", 12000) in seen


def test_handles_are_made_unique_within_a_tenant(tmp_path: Path) -> None:
    folder = TenantFolder(tmp_path).users(
        {"id": "0c7a3d57-3b55-4f5e-8d66-2f0a1f5c9b11", "displayName": "Ann Lee"},
        {"id": "1c7a3d57-3b55-4f5e-8d66-2f0a1f5c9b11", "displayName": "Ann Lee"},
    ).json("groups.json", {"value": [{"id": "2c7a3d57-3b55-4f5e-8d66-2f0a1f5c9b11",
                                       "displayName": "ann-lee"}]})
    world, _ = import_export([folder.path])
    assert [u.name for u in world.users] == ["ann-lee", "ann-lee-2"]
    assert [g.name for g in world.groups] == ["ann-lee-3"]


def test_channel_members_of_other_tenants_link_by_tenant_id(tmp_path: Path) -> None:
    world = _three()
    root = tmp_path / "x"
    export_world(world, root)
    imported, _ = import_export([root / "contoso", root / "fabrikam"])  # litware left out
    channel = imported.channel_by_ref["contoso/project/partners"]
    assert channel.members == ("contoso/alice", "fabrikam/frank")
    assert channel.shared_with_teams == ("fabrikam/engteam",)
    dave = imported.user_by_ref["contoso/dave"]
    assert dave.synced_from == "litware.com/dave"  # litware not imported: a placeholder home


def _three() -> World:
    """The conformance world, with its team renamed (its group has the same handle)."""
    w = three_tenants()
    teams = tuple(dataclasses.replace(t, name="engteam") if t.ref == "fabrikam/eng" else t
                  for t in w.teams)
    channels = tuple(
        dataclasses.replace(c, shared_with_teams=tuple(
            "fabrikam/engteam" if s == "fabrikam/eng" else s for s in c.shared_with_teams))
        for c in w.channels)
    return dataclasses.replace(w, teams=teams, channels=channels)


def test_a_world_built_in_code_round_trips_exactly(tmp_path: Path) -> None:
    world = _three()
    imported, issues = import_export(export_world(world, tmp_path))
    assert issues == []
    assert different_fields(world, imported) == []
    assert imported.as_of == world.as_of and imported.title == world.title
    assert imported.source == world.source


@pytest.mark.parametrize(
    ("status", "expected", "warned"),
    [
        ("Completed", InvitationStatus.COMPLETED, []),
        ("inProgress", InvitationStatus.IN_PROGRESS, []),  # Graph's casing varies
        ("Cancelled", InvitationStatus.PENDING_ACCEPTANCE, ["unknown-enum-value"]),
    ],
)
def test_invitation_status_is_one_of_graphs_values_or_a_located_warning(
    tmp_path: Path, status: str, expected: InvitationStatus, warned: list[str]
) -> None:
    folder = TenantFolder(tmp_path, "contoso").users(
        {"id": "cbb896f9-8306-49d0-b56b-b8e39cd28825", "displayName": "admin",
         "userPrincipalName": "admin_contoso.com#EXT#@contoso.onmicrosoft.com",
         "userType": "Guest", "creationType": "Invitation"})
    folder.json("invitations.json", {"value": [{
        "id": "7b92124c-9fa9-406f-8b8e-225df8376ba9", "status": status,
        "invitedUserEmailAddress": "admin@contoso.com", "inviteRedeemUrl": "https://x",
        "invitedUser": {"id": "cbb896f9-8306-49d0-b56b-b8e39cd28825"}}]})
    world, issues = import_export([folder.path])
    (invitation,) = world.invitations
    assert invitation.status is expected
    found = [i for i in issues if i.code == "unknown-enum-value"]
    assert [i.code for i in found] == warned
    assert all(i.loc == ("value", 0, "status") for i in found)
