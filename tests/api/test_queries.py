"""Every query of the schema, against a live server over the test world (read-only)."""

from __future__ import annotations

import base64

from tests.api.support import Client, LiveServer, Tokens

VERDICT = """
query($p: String!, $r: String!, $via: Via) {
  access(principal: $p, resource: $r, via: $via) {
    principal { ref ... on User { tenantName userType } } resource { ref ... on App { appId } }
    via decision mfa partial codes
    paths { via nodes hops { source target kind rule policy sourceUrl } }
    reasons { code rule tenant policy message side inferred }
  }
}"""


def test_access_allow_with_path_and_reasons(admin: Client) -> None:
    v = admin.data(VERDICT, {"p": "fabrikam/bob", "r": "contoso/wiki"})["access"]
    assert (v["decision"], v["mfa"], v["via"], v["partial"]) == (
        "ALLOW",
        "HOME",
        "B2B_COLLABORATION",
        False,
    )
    assert v["principal"] == {"ref": "fabrikam/bob", "tenantName": "fabrikam", "userType": "MEMBER"}
    assert v["resource"]["ref"] == "contoso/wiki" and v["resource"]["appId"]
    assert v["paths"][0]["nodes"] == ["fabrikam/bob", "contoso/bob", "contoso/wiki"]
    hop = v["paths"][0]["hops"][0]
    assert (hop["source"], hop["target"]) == ("fabrikam/bob", "contoso/bob")
    assert hop["kind"] == "GUEST_OF" and hop["rule"] == "R12"
    assert hop["sourceUrl"].startswith("https://learn.microsoft.com/")
    reason = v["reasons"][0]
    assert reason == {
        "code": "mfa_trusted",
        "rule": "R29",
        "tenant": "contoso",
        "policy": "crossTenantAccess.partners[fabrikam].inboundTrust",
        "message": "`contoso` trusts MFA performed in `fabrikam`",
        "side": "RESOURCE",
        "inferred": False,
    }


def test_access_deny_names_the_gate_and_side(admin: Client) -> None:
    v = admin.data(VERDICT, {"p": "litware/lena", "r": "contoso/wiki"})["access"]
    assert v["decision"] == "DENY" and v["paths"] == []
    assert v["codes"] == ["inbound_blocked"]
    assert v["reasons"][0]["side"] == "RESOURCE"
    assert (
        v["reasons"][0]["policy"] == "crossTenantAccess.partners[litware].b2bCollaborationInbound"
    )


def test_a_shared_channel_denial_is_about_direct_connect_and_claims_no_mfa(
    admin: Client,
) -> None:
    v = admin.data(VERDICT, {"p": "litware/lena", "r": "contoso/launch/partners"})["access"]
    assert (v["decision"], v["via"], v["mfa"]) == ("DENY", "B2B_DIRECT_CONNECT", None)
    assert v["reasons"][0]["rule"] in ("R19", "R20", "R24")  # direct connect gates first
    assert "guest_in_shared_channel" in v["codes"]
    app = admin.data(VERDICT, {"p": "litware/lena", "r": "contoso/wiki"})["access"]
    assert (app["decision"], app["via"], app["mfa"]) == ("DENY", "B2B_COLLABORATION", None)


def test_access_via_and_pending(admin: Client) -> None:
    v = admin.data(
        VERDICT, {"p": "fabrikam/bob", "r": "contoso/launch/partners", "via": "B2B_COLLABORATION"}
    )["access"]
    assert v["codes"] == ["guest_in_shared_channel"]
    pending = admin.data(VERDICT, {"p": "fabrikam/dan", "r": "contoso/wiki"})["access"]
    assert pending["decision"] == "PENDING" and "invitation_pending" in pending["codes"]


def test_access_unknown_node_has_stable_code(admin: Client) -> None:
    assert admin.codes(VERDICT, {"p": "nobody/x", "r": "contoso/wiki"}) == ["node-not-found"]
    (error,) = admin.result(VERDICT, {"p": "fabrikam/bob", "r": "contoso/wikki"})["errors"]
    assert error["extensions"] == {"code": "node-not-found", "suggestion": "contoso/wiki"}
    assert error["message"] == "resource `contoso/wikki` not found; did you mean `contoso/wiki`?"


WHO = """
query($r: String!, $first: Int!, $after: String) {
  whoCanAccess(resource: $r, first: $first, after: $after) {
    totalCount partial
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { principal { ref } resource { ref } decision mfa verdict { decision } } }
    nodes { principal { ref } }
  }
}"""


def test_who_can_access_pages_with_opaque_cursors(admin: Client) -> None:
    seen: list[str] = []
    after = None
    while True:
        page = admin.data(WHO, {"r": "contoso/wiki", "first": 3, "after": after})["whoCanAccess"]
        assert page["totalCount"] == 7 and page["partial"] is False
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        seen += [e["node"]["principal"]["ref"] for e in page["edges"]]
        for e in page["edges"]:
            plain = base64.urlsafe_b64encode(e["node"]["principal"]["ref"].encode()).decode()
            assert plain.rstrip("=") not in e["cursor"] and "/" not in e["cursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [
        "contoso/alice",
        "contoso/carol",
        "contoso/gail",
        "contoso/uma",
        "fabrikam/bob",
        "fabrikam/dan",
        "govco/dave",
    ]
    forged = admin.codes(WHO, {"r": "contoso/wiki", "first": 3, "after": "Y29udG9zby9hbGljZQ"})
    assert forged == ["invalid-input"]


def test_reachable_resources(admin: Client) -> None:
    q = """{ reachableResources(principal: "fabrikam/bob", first: 100) {
        totalCount edges { node { resource { ref } decision } } } }"""
    page = admin.data(q)["reachableResources"]
    resources = [e["node"]["resource"]["ref"] for e in page["edges"]]
    assert "contoso/wiki" in resources and "fabrikam/tracker" in resources
    assert page["totalCount"] == len(resources)


def test_can_invite_sign_up_request(admin: Client) -> None:
    q = """{
      ok: canInvite(invitee: "fabrikam/erin", inviter: "contoso/alice") { decision codes }
      guest: canInvite(invitee: "fabrikam/erin", inviter: "contoso/bob") { decision codes }
      blocked: canInvite(invitee: "pat@adatum.com", inviter: "contoso/alice") {
        decision reasons { code rule tenant side } }
      signUp: canSignUp(email: "x@gmail.com", app: "contoso/portal", identityProvider: "google") {
        decision }
      noFlow: canSignUp(email: "x@gmail.com", app: "contoso/wiki", identityProvider: "google") {
        decision codes }
      request: canRequest(requester: "fabrikam/frank", accessPackage: "contoso/partner-pack") {
        decision }
      noRequest: canRequest(requester: "litware/lou", accessPackage: "contoso/partner-pack") {
        decision codes }
    }"""
    d = admin.data(q)
    assert d["ok"] == {"decision": "ALLOW", "codes": []}
    assert d["guest"]["codes"] == ["inviter_not_permitted"]
    assert d["blocked"]["reasons"] == [
        {"code": "domain_blocked", "rule": "L2", "tenant": "contoso", "side": "RESOURCE"}
    ]
    assert d["signUp"]["decision"] == "ALLOW"
    assert d["noFlow"]["codes"] == ["sign_up_disabled"]
    assert d["request"]["decision"] == "ALLOW"
    assert d["noRequest"]["codes"] == ["not_requestable"]


def test_trust_graph_is_ready_to_draw(admin: Client) -> None:
    q = """{ trustGraph { nodes { id name tenantId cloud type domains redacted }
                          edges { id kind source target rule policy scope sourceUrl } } }"""
    g = admin.data(q)["trustGraph"]
    names = {n["name"]: n for n in g["nodes"]}
    assert set(names) == {"contoso", "fabrikam", "litware", "govco"}
    assert names["govco"]["cloud"] == "USGOV" and names["contoso"]["domains"] == ["contoso.com"]
    kinds = {(e["kind"], e["source"], e["target"]) for e in g["edges"]}
    assert ("TRUSTS_MFA", "contoso", "fabrikam") in kinds
    assert all(e["id"] == f"{e['kind']}:{e['source']}:{e['target']}" for e in g["edges"])
    only = admin.data(
        '{ trustGraph(tenants: ["govco"]) { nodes { name } edges { source target } } }'
    )
    assert all("govco" in (e["source"], e["target"]) for e in only["trustGraph"]["edges"])
    assert {n["name"] for n in only["trustGraph"]["nodes"]} == {"govco", "contoso"}


def test_lookups_and_lists(admin: Client) -> None:
    q = """{
      tenant(name: "contoso") { name tenantId primaryDomain cloud type identityProviders
        externalCollaboration { allowInvitesFrom blockedDomains selfServiceSignUpEnabled }
        crossTenantAccess { default { isServiceDefault b2bCollaborationInbound {
          usersAndGroups { accessType targets { target targetType } } } }
          partners { tenantId partnerTenant inboundTrust { isMfaAccepted } } } }
      user(ref: "contoso/bob") { ref userType externalUserState creationType guestOf homeRef
        tenant { name } home { ... on User { ref } } }
      group(ref: "contoso/finance") { memberRefs members { __typename ... on User { ref }
        ... on Group { ref } } }
      app(ref: "contoso/ledger") { appId appRoleAssignmentRequired
        assignedTo { ... on Group { ref } } }
      team(ref: "contoso/launch") { channels { name membershipType }
        members { ... on User { ref } } }
      channel(ref: "contoso/launch/partners") { membershipType team { ref }
        members { __typename ... on User { ref } } }
      conditionalAccessPolicy(ref: "contoso/mfa-externals") { state grant users { include } }
      crossTenantAccessPartner(tenant: "contoso", partner: "litware") { partnerTenant
        b2bCollaborationInbound { usersAndGroups { accessType } }
        b2bCollaborationOutbound { applications { accessType } } }
      missing: user(ref: "contoso/nobody") { ref }
    }"""
    d = admin.data(q)
    t = d["tenant"]
    assert t["externalCollaboration"] == {
        "allowInvitesFrom": "ADMINS_GUEST_INVITERS_AND_ALL_MEMBERS",
        "blockedDomains": ["adatum.com"],
        "selfServiceSignUpEnabled": True,
    }
    assert {p["partnerTenant"] for p in t["crossTenantAccess"]["partners"]} == {
        "fabrikam",
        "litware",
        "govco",
    }
    assert d["user"]["homeRef"] == "fabrikam/bob" and d["user"]["home"] == {"ref": "fabrikam/bob"}
    assert d["user"]["tenant"] == {"name": "contoso"}
    assert d["group"]["members"] == [
        {"__typename": "User", "ref": "contoso/alice"},
        {"__typename": "User", "ref": "contoso/bob"},
        {"__typename": "Group", "ref": "contoso/auditors"},
    ]
    assert d["app"]["assignedTo"] == [{"ref": "contoso/finance"}]
    assert [c["name"] for c in d["team"]["channels"]] == ["general", "partners", "private"]
    assert d["channel"]["members"][1] == {"__typename": "User", "ref": "fabrikam/frank"}
    assert d["conditionalAccessPolicy"]["grant"] == ["MFA"]
    partner = d["crossTenantAccessPartner"]
    assert partner["b2bCollaborationInbound"]["usersAndGroups"]["accessType"] == "BLOCKED"
    assert partner["b2bCollaborationOutbound"] is None  # inherits the default (R3)
    assert d["missing"] is None


def test_filtered_lists_are_connections(admin: Client) -> None:
    q = """{
      tenants { totalCount nodes { name } }
      guests: users(tenant: "contoso", userType: GUEST) { totalCount nodes { ref } }
      search: users(search: "frank") { nodes { ref } }
      page: users(first: 2) { totalCount pageInfo { hasNextPage endCursor } nodes { ref } }
      groups(tenant: "fabrikam") { nodes { ref } }
      apps(search: "led") { nodes { ref } }
      teams { nodes { ref } }
      channels(membershipType: SHARED) { nodes { ref } }
      conditionalAccessPolicies(state: ENABLED) { nodes { ref } }
      crossTenantAccessPartners(tenant: "contoso") { totalCount nodes { tenantId } }
      invitations { totalCount }
    }"""
    d = admin.data(q)
    assert d["tenants"]["totalCount"] == 4
    assert d["guests"]["totalCount"] == 5
    assert d["search"]["nodes"] == [{"ref": "fabrikam/frank"}]
    assert d["page"]["totalCount"] == 16 and len(d["page"]["nodes"]) == 2
    after = d["page"]["pageInfo"]["endCursor"]
    nxt = admin.data(
        "query($a: String) { users(first: 2, after: $a) { nodes { ref } } }", {"a": after}
    )
    assert nxt["users"]["nodes"][0]["ref"] > d["page"]["nodes"][1]["ref"]
    assert d["groups"]["nodes"] == [{"ref": "fabrikam/engineering"}]
    assert d["apps"]["nodes"] == [{"ref": "contoso/ledger"}]
    assert d["channels"]["nodes"] == [{"ref": "contoso/launch/partners"}]
    assert d["crossTenantAccessPartners"]["totalCount"] == 3
    assert d["invitations"]["totalCount"] == 0


def test_node_by_global_id(admin: Client) -> None:
    user_id = admin.data('{ user(ref: "contoso/alice") { id } }')["user"]["id"]
    node = admin.data(
        "query($id: ID!) { node(id: $id) { __typename id ... on User { ref } } }", {"id": user_id}
    )["node"]
    assert node == {"__typename": "User", "id": user_id, "ref": "contoso/alice"}
    ids = admin.data("""{ tenant(name: "fabrikam") { id }
        channel(ref: "contoso/launch/general") { id }
        crossTenantAccessPartners(tenant: "contoso", first: 1) { nodes { id } } }""")
    for gid in (
        ids["tenant"]["id"],
        ids["channel"]["id"],
        ids["crossTenantAccessPartners"]["nodes"][0]["id"],
    ):
        found = admin.data("query($id: ID!) { node(id: $id) { id } }", {"id": gid})["node"]
        assert found == {"id": gid}
    wrong_type = base64.b64encode(b"Nope:contoso/alice").decode()
    for bad in ("garbage", wrong_type):
        assert admin.codes("query($id: ID!) { node(id: $id) { id } }", {"id": bad}) == [
            "invalid-input"
        ]
    missing = base64.b64encode(b"User:contoso/nobody").decode()
    assert admin.data("query($id: ID!) { node(id: $id) { id } }", {"id": missing}) == {"node": None}


def test_snapshots_and_viewer(admin: Client) -> None:
    d = admin.data("""{ snapshots { id source title counts { tenants users } createdAt }
                       currentSnapshot { id } viewer { role tenants authenticated } }""")
    assert d["snapshots"][0]["counts"] == {"tenants": 4, "users": 16}
    assert d["currentSnapshot"]["id"] == d["snapshots"][0]["id"]
    assert d["viewer"] == {"role": "ADMIN", "tenants": None, "authenticated": True}


def test_health_readiness_and_graphiql(shared: tuple[LiveServer, Tokens]) -> None:
    server, _ = shared
    http = server.client().http
    health = http.get("/healthz").json()
    assert health["status"] == "ok" and isinstance(health["worker"], int)
    assert health["snapshot"] == http.get("/readyz").json()["snapshot"]
    ready = http.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"
    page = http.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()


def test_full_introspection_fits_the_limits(admin: Client) -> None:
    """GraphiQL's own introspection query must pass every limit."""
    from graphql import get_introspection_query

    schema = admin.data(get_introspection_query(descriptions=True))["__schema"]
    names = {t["name"] for t in schema["types"]}
    assert {"Verdict", "ReachConnection", "Mutation"} <= names
