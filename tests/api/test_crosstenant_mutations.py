"""Cross-tenant access mutations: Graph-shaped input, validation, and immediate effect."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tests.api.conftest import Fresh
from tests.api.support import ACCESS

PARTNER = """mutation($in: CreateCrossTenantAccessPartnerInput!) {
  createCrossTenantAccessPartner(tenant: "fabrikam", input: $in) {
    partner { tenant tenantId partnerTenant b2bCollaborationInbound {
      usersAndGroups { accessType targets { target targetType } } applications { accessType } } }
    warnings { code path } snapshot { id } } }"""


def test_cross_tenant_partner_lifecycle(fresh: Fresh) -> None:
    server, tokens = fresh()
    admin = server.client(tokens.admin)
    body = {
        "tenantId": "litware",
        "b2bCollaborationInbound": {
            "usersAndGroups": {
                "accessType": "BLOCKED",
                "targets": [{"target": "lou", "targetType": "USER"}],
            }
        },
    }
    made = admin.data(PARTNER, {"in": body})["createCrossTenantAccessPartner"]
    inbound = made["partner"]["b2bCollaborationInbound"]
    lou_id = admin.data('{ user(ref: "litware/lou") { objectId } }')["user"]["objectId"]
    assert made["partner"]["partnerTenant"] == "litware"
    assert inbound["usersAndGroups"]["targets"] == [{"target": lou_id, "targetType": "USER"}]
    assert inbound["applications"]["accessType"] == "ALLOWED"  # taken from the default
    assert made["warnings"] == [
        {"code": "b2b-setting-half-inherited", "path": "input.b2bCollaborationInbound"}
    ]
    assert admin.codes(PARTNER, {"in": {"tenantId": "litware"}}) == ["conflict"]
    update = """mutation { updateCrossTenantAccessPartner(tenant: "fabrikam", partner: "litware",
        input: {isServiceProvider: true, b2bCollaborationInbound: null,
                inboundTrust: {isMfaAccepted: true}}) {
        partner { isServiceProvider b2bCollaborationInbound { applications { accessType } }
                  inboundTrust { isMfaAccepted isHybridAzureADJoinedDeviceAccepted } } } }"""
    assert admin.data(update)["updateCrossTenantAccessPartner"]["partner"] == {
        "isServiceProvider": True,
        "b2bCollaborationInbound": None,
        "inboundTrust": {"isMfaAccepted": True, "isHybridAzureADJoinedDeviceAccepted": False},
    }
    gone = admin.data("""mutation { deleteCrossTenantAccessPartner(tenant: "fabrikam",
        partner: "litware") { deletedTenantId } }""")["deleteCrossTenantAccessPartner"]
    assert gone["deletedTenantId"] == made["partner"]["tenantId"]
    assert admin.codes("""mutation { deleteCrossTenantAccessPartner(tenant: "fabrikam",
        partner: "litware") { deletedTenantId } }""") == ["node-not-found"]


def test_cross_tenant_input_is_validated_like_a_world_file(fresh: Fresh) -> None:
    server, tokens = fresh()
    admin = server.client(tokens.admin)
    bad = """mutation { updateCrossTenantAccessDefault(tenant: "contoso", input: {
        b2bCollaborationInbound: {
          usersAndGroups: {accessType: ALLOWED, targets: [{target: "finance", targetType: GROUP}]},
          applications: {accessType: ALLOWED, targets: [
            {target: "AllUsers", targetType: APPLICATION},
            {target: "nope", targetType: APPLICATION}]}}}) {
        snapshot { id } } }"""
    (error,) = admin.result(bad)["errors"]
    assert error["extensions"]["code"] == "invalid-input"
    issues = {(i["code"], i["path"]) for i in error["extensions"]["issues"]}
    assert issues == {
        (
            "inbound-default-scoped",
            "input.b2bCollaborationInbound.usersAndGroups.targets[0].target",
        ),
        ("invalid-value", "input.b2bCollaborationInbound.applications.targets[0].target"),
        ("unknown-reference", "input.b2bCollaborationInbound.applications.targets[1].target"),
    }
    ok = admin.data("""mutation { updateCrossTenantAccessDefault(tenant: "contoso", input: {
        b2bDirectConnectInbound: {usersAndGroups: {accessType: ALLOWED, targets: [
          {target: "AllUsers", targetType: USER}]}, applications: {accessType: ALLOWED, targets: [
          {target: "wiki", targetType: APPLICATION}]}}}) {
        default { isServiceDefault b2bDirectConnectInbound { applications { targets { target } } }
                  b2bCollaborationInbound { usersAndGroups { accessType } } } } }""")
    default = ok["updateCrossTenantAccessDefault"]["default"]
    wiki = admin.data('{ app(ref: "contoso/wiki") { appId } }')["app"]["appId"]
    assert default["isServiceDefault"] is False
    assert default["b2bDirectConnectInbound"]["applications"]["targets"] == [{"target": wiki}]
    assert default["b2bCollaborationInbound"]["usersAndGroups"]["accessType"] == "ALLOWED"


def test_cross_tenant_change_is_seen_at_once_and_consistently(fresh: Fresh) -> None:
    server, tokens = fresh()
    admin, auditor = server.client(tokens.admin), server.client(tokens.auditor)
    before = admin.data(ACCESS, {"p": "litware/lena", "r": "contoso/wiki"})
    assert before["access"]["codes"] == ["inbound_blocked"]
    old = before["currentSnapshot"]["id"]
    who = '{ whoCanAccess(resource: "contoso/wiki", first: 100) { nodes { principal { ref } } } }'
    assert {"principal": {"ref": "litware/lena"}} not in admin.data(who)["whoCanAccess"]["nodes"]
    admin.data("""mutation { updateCrossTenantAccessPartner(tenant: "contoso", partner: "litware",
        input: {b2bCollaborationInbound: null}) { snapshot { id } } }""")
    after = admin.data(ACCESS, {"p": "litware/lena", "r": "contoso/wiki"})
    assert after["access"]["decision"] == "ALLOW" and after["currentSnapshot"]["id"] > old
    assert {"principal": {"ref": "litware/lena"}} in admin.data(who)["whoCanAccess"]["nodes"]
    past = auditor.data(
        """query($s: Int) { access(principal: "litware/lena",
        resource: "contoso/wiki", snapshot: $s) { decision } }""",
        {"s": old},
    )
    assert past["access"]["decision"] == "DENY"


def test_answers_stay_consistent_with_their_snapshot_during_writes(fresh: Fresh) -> None:
    """Readers racing a writer see, per request, one snapshot and the answer that goes with it."""
    server, tokens = fresh()
    admin = server.client(tokens.admin)
    first = admin.data("{ currentSnapshot { id } }")["currentSnapshot"]["id"]
    flips = [
        """mutation { updateCrossTenantAccessPartner(tenant: "contoso", partner: "litware",
        input: {b2bCollaborationInbound: null}) { snapshot { id } } }""",
        """mutation { updateCrossTenantAccessPartner(tenant: "contoso", partner: "litware",
        input: {b2bCollaborationInbound: {usersAndGroups: {accessType: BLOCKED, targets: [
          {target: "AllUsers", targetType: USER}]}, applications: {accessType: BLOCKED, targets: [
          {target: "AllApplications", targetType: APPLICATION}]}}}) { snapshot { id } } }""",
    ]

    def read(_: int) -> tuple[int, str]:
        client = server.client(tokens.reader)
        d = client.data(ACCESS, {"p": "litware/lena", "r": "contoso/wiki"})
        return d["currentSnapshot"]["id"], d["access"]["decision"]

    with ThreadPoolExecutor(max_workers=6) as pool:
        reads = [pool.submit(read, i) for i in range(24)]
        for i in range(4):
            admin.data(flips[i % 2])
        seen = [r.result() for r in reads]
    for snapshot, decision in seen:
        # even snapshots (after an "allow" flip, counted from the first) allow, odd ones deny
        expected = "DENY" if (snapshot - first) % 2 == 0 else "ALLOW"
        assert decision == expected, (snapshot, decision)
