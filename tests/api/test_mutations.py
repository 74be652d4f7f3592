"""Every mutation, its validation and its durability, each on a server of its own."""

from __future__ import annotations

from tests.api.conftest import Fresh
from tests.api.support import ACCESS, LiveServer

INVITE = """mutation($in: CreateInvitationInput!) { createInvitation(input: $in) {
  answer { decision codes } inviteRedeemUrl snapshot { id }
  invitation { id invitationId status invitedUserEmailAddress invitedBy
               invitedUser { ref userType externalUserState creationType guestOf } }
  invitedUser { ref } } }"""


def _invite(address: str, by: str = "contoso/alice", **extra: object) -> dict[str, object]:
    return {
        "in": {
            "invitedBy": by,
            "invitedUserEmailAddress": address,
            "inviteRedirectUrl": "https://myapps.microsoft.com",
            **extra,
        }
    }


def test_create_and_redeem_invitation(fresh: Fresh) -> None:
    server, tokens = fresh()
    admin = server.client(tokens.admin)
    made = admin.data(INVITE, _invite("erin@fabrikam.com"))["createInvitation"]
    assert made["answer"] == {"decision": "ALLOW", "codes": []}
    inv = made["invitation"]
    assert made["inviteRedeemUrl"].startswith("https://login.microsoftonline.com/redeem?rd=")
    assert inv["status"] == "PENDING_ACCEPTANCE" and inv["invitedBy"] == "contoso/alice"
    assert inv["invitedUser"] == {
        "ref": "contoso/erin",
        "userType": "GUEST",
        "externalUserState": "PENDING_ACCEPTANCE",
        "creationType": "INVITATION",
        "guestOf": "fabrikam/erin",
    }
    pending = admin.data(ACCESS, {"p": "fabrikam/erin", "r": "contoso/wiki"})
    assert pending["access"]["decision"] == "PENDING"
    assert pending["currentSnapshot"]["id"] == made["snapshot"]["id"]
    redeem = """mutation($id: String) { redeemInvitation(input: {invitationId: $id}) {
        answer { decision } invitation { status } user { externalUserState } } }"""
    done = admin.data(redeem, {"id": inv["invitationId"]})["redeemInvitation"]
    assert done == {
        "answer": {"decision": "ALLOW"},
        "invitation": {"status": "COMPLETED"},
        "user": {"externalUserState": "ACCEPTED"},
    }
    assert (
        admin.data(ACCESS, {"p": "fabrikam/erin", "r": "contoso/wiki"})["access"]["decision"]
        == "ALLOW"
    )
    listed = admin.data("{ invitations { totalCount nodes { invitedUserEmailAddress } } }")
    assert listed["invitations"]["totalCount"] == 1
    again = admin.codes(redeem, {"id": inv["invitationId"]})
    assert again == ["conflict"]


def test_invitation_refused_by_collaboration_and_xtap_settings(fresh: Fresh) -> None:
    server, tokens = fresh()
    admin = server.client(tokens.admin)
    before = admin.data("{ currentSnapshot { id } }")["currentSnapshot"]["id"]
    blocked = admin.data(INVITE, _invite("pat@adatum.com"))["createInvitation"]
    assert blocked["answer"] == {"decision": "DENY", "codes": ["domain_blocked"]}
    assert blocked["invitation"] is None and blocked["snapshot"] is None
    xtap = admin.data(INVITE, _invite("lou@litware.com", by="contoso/uma"))["createInvitation"]
    assert xtap["answer"]["codes"] == ["inbound_blocked"]
    guest = admin.data(INVITE, _invite("erin@fabrikam.com", by="contoso/bob"))["createInvitation"]
    assert guest["answer"]["codes"] == ["inviter_not_permitted"]
    assert admin.data("{ currentSnapshot { id } }")["currentSnapshot"]["id"] == before


def test_invitation_input_is_validated_with_located_issues(fresh: Fresh) -> None:
    server, tokens = fresh()
    admin = server.client(tokens.admin)
    body = admin.result(
        INVITE,
        {
            "in": {
                "invitedBy": "contoso/nobody",
                "invitedUserEmailAddress": "not-an-address",
                "inviteRedirectUrl": "ftp://x",
            }
        },
    )
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "invalid-input"
    assert [i["path"] for i in error["extensions"]["issues"]] == [
        "input.invitedBy",
        "input.invitedUserEmailAddress",
        "input.inviteRedirectUrl",
    ]
    social = admin.data(INVITE, _invite("sam@gmail.com"))["createInvitation"]
    user = social["invitation"]["invitedUser"]
    assert user["guestOf"] is None and user["ref"] == "contoso/sam"
    redeem = """mutation { redeemInvitation(input: {user: "contoso/sam",
        identityProvider: GOOGLE}) { user { identityProvider externalUserState } } }"""
    assert admin.data(redeem)["redeemInvitation"]["user"] == {
        "identityProvider": "GOOGLE",
        "externalUserState": "ACCEPTED",
    }


def test_redemption_rechecks_the_domain_list(fresh: Fresh) -> None:
    server, tokens = fresh()
    admin = server.client(tokens.admin)
    block = """mutation { updateCrossTenantAccessPartner(tenant: "contoso", partner: "fabrikam",
      input: {b2bCollaborationInbound: {usersAndGroups: {accessType: BLOCKED, targets: [
        {target: "AllUsers", targetType: USER}]}, applications: {accessType: BLOCKED, targets: [
        {target: "AllApplications", targetType: APPLICATION}]}}}) { snapshot { id } } }"""
    admin.data(block)
    refused = admin.data("""mutation { redeemInvitation(input: {user: "contoso/dan"}) {
        answer { decision codes } user { ref } } }""")["redeemInvitation"]
    assert refused == {"answer": {"decision": "DENY", "codes": ["inbound_blocked"]}, "user": None}


def test_group_channel_and_app_membership(fresh: Fresh) -> None:
    server, tokens = fresh()
    admin = server.client(tokens.admin)
    add = admin.data("""mutation { addGroupMember(group: "contoso/project", member: "carol") {
        group { memberRefs } snapshot { id } } }""")["addGroupMember"]
    assert add["group"]["memberRefs"] == ["contoso/carol"]
    assert admin.codes(
        'mutation { addGroupMember(group: "contoso/project", member: "carol") { snapshot { id } } }'
    ) == ["conflict"]
    assert admin.codes(
        'mutation { addGroupMember(group: "contoso/auditors", member: "finance") '
        "{ snapshot { id } } }"
    ) == ["invalid-input"]
    assert admin.codes(
        'mutation { addGroupMember(group: "contoso/project", member: '
        '"fabrikam/frank") { snapshot { id } } }'
    ) == ["invalid-input"]
    assert admin.codes(
        'mutation { addGroupMember(group: "contoso/none", member: "carol") { snapshot { id } } }'
    ) == ["node-not-found"]
    removed = admin.data("""mutation { removeGroupMember(group: "contoso/project",
        member: "contoso/carol") { group { memberRefs } } }""")
    assert removed["removeGroupMember"]["group"]["memberRefs"] == []

    assign = admin.data("""mutation { assignApp(app: "contoso/ledger", principal: "carol") {
        app { assignedTo { ... on User { ref } ... on Group { ref } } } } }""")
    assert {"ref": "contoso/carol"} in assign["assignApp"]["app"]["assignedTo"]
    assert (
        admin.data(ACCESS, {"p": "contoso/carol", "r": "contoso/ledger"})["access"]["decision"]
        == "ALLOW"
    )
    admin.data(
        'mutation { unassignApp(app: "contoso/ledger", principal: "carol") { app { ref } } }'
    )
    denied = admin.data(ACCESS, {"p": "contoso/carol", "r": "contoso/ledger"})["access"]
    assert denied["codes"] == ["not_assigned"]

    channel = admin.data("""mutation { addChannelMember(channel: "contoso/launch/partners",
        user: "fabrikam/erin") { channel { memberRefs } } }""")["addChannelMember"]
    assert channel["channel"]["memberRefs"][-1] == "fabrikam/erin"
    assert (
        admin.data(ACCESS, {"p": "fabrikam/erin", "r": "contoso/launch/partners"})["access"][
            "decision"
        ]
        == "ALLOW"
    )
    assert admin.codes(
        'mutation { addChannelMember(channel: "contoso/launch/general", '
        'user: "carol") { channel { ref } } }'
    ) == ["invalid-input"]
    assert admin.codes(
        'mutation { addChannelMember(channel: "contoso/launch/private", '
        'user: "fabrikam/erin") { channel { ref } } }'
    ) == ["invalid-input"]
    left = admin.data("""mutation { removeChannelMember(channel: "contoso/launch/partners",
        user: "fabrikam/erin") { channel { memberRefs } } }""")
    assert "fabrikam/erin" not in left["removeChannelMember"]["channel"]["memberRefs"]
    assert admin.codes(
        'mutation { removeChannelMember(channel: "contoso/launch/partners", '
        'user: "fabrikam/erin") { channel { ref } } }'
    ) == ["node-not-found"]


def test_mutations_survive_a_restart(fresh: Fresh) -> None:
    server, tokens = fresh()
    admin = server.client(tokens.admin)
    admin.data(
        'mutation { addGroupMember(group: "contoso/project", member: "alice") { group { ref } } }'
    )
    invited = admin.data(INVITE, _invite("fay@fabrikam.com"))["createInvitation"]["invitation"]
    admin.data("""mutation { deleteCrossTenantAccessPartner(tenant: "contoso", partner: "litware") {
        deletedTenantId } }""")
    server.stop()
    again: LiveServer
    again, _ = fresh()
    client = again.client(tokens.reader)
    d = client.data("""{ group(ref: "contoso/project") { memberRefs }
        invitations { nodes { invitationId } } user(ref: "contoso/fay") { externalUserState }
        crossTenantAccessPartner(tenant: "contoso", partner: "litware") { tenantId } }""")
    assert d["group"]["memberRefs"] == ["contoso/alice"]
    assert d["invitations"]["nodes"] == [{"invitationId": invited["invitationId"]}]
    assert d["user"] == {"externalUserState": "PENDING_ACCEPTANCE"}
    assert d["crossTenantAccessPartner"] is None
    assert (
        client.data(ACCESS, {"p": "litware/lena", "r": "contoso/wiki"})["access"]["decision"]
        == "ALLOW"
    )


def test_load_world_uploads_a_world_file(fresh: Fresh) -> None:
    server, tokens = fresh()
    admin = server.client(tokens.admin)
    text = "world:\n  tenants:\n    - name: solo\n      users: [ann]\n      apps: [{name: notes}]\n"
    loaded = admin.data(
        'mutation($t: String!) { loadWorld(text: $t, fileName: "solo.yaml") { '
        "snapshot { id source counts { tenants users } } warnings { code } } }",
        {"t": text},
    )["loadWorld"]
    assert loaded["snapshot"]["counts"] == {"tenants": 1, "users": 1}
    assert loaded["snapshot"]["source"] == "solo.yaml"
    assert admin.data(ACCESS, {"p": "solo/ann", "r": "solo/notes"})["access"]["decision"] == "ALLOW"
    broken = admin.result(
        'mutation { loadWorld(text: "world:\\n  tenants:\\n    - {name: x, bogus: 1}\\n") '
        "{ snapshot { id } } }"
    )
    (error,) = broken["errors"]
    assert error["extensions"]["code"] == "world-invalid"
    assert error["extensions"]["issues"][0]["line"] == 3
