"""Authentication, roles and tenant scoping, against live servers with real tokens."""

from __future__ import annotations

import json
import re
import sqlite3

import pytest

from api import NoAuth
from graphmodel.cli import main as cli_main
from tests.api.conftest import Fresh
from tests.api.support import LiveServer, Tokens

OTHER_TENANT_REF = re.compile(r"\b(fabrikam|litware|govco)/(?!<)[\w.@#-]+")
ACCESS = '{ access(principal: "fabrikam/bob", resource: "contoso/wiki") { decision } }'


def test_no_token_or_bad_token_is_401(shared: tuple[LiveServer, Tokens]) -> None:
    server, tokens = shared
    for client in (server.client(), server.client("tgk_not-a-real-token"), server.client("x")):
        response = client.post(ACCESS)
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert response.json()["errors"][0]["extensions"]["code"] == "unauthenticated"
    wrong_scheme = server.client().http.post(
        "/graphql", json={"query": ACCESS}, headers={"authorization": f"Basic {tokens.admin}"}
    )
    assert wrong_scheme.status_code == 401


def test_readers_query_and_only_admins_mutate(shared: tuple[LiveServer, Tokens]) -> None:
    server, tokens = shared
    mutation = (
        'mutation { addGroupMember(group: "contoso/project", member: "alice") { group { ref } } }'
    )
    for token in (tokens.reader, tokens.auditor, tokens.contoso_reader):
        client = server.client(token)
        assert client.data(ACCESS)["access"]["decision"] == "ALLOW"
        response = client.post(mutation)
        assert response.status_code == 403
        assert [e["extensions"]["code"] for e in response.json()["errors"]] == ["forbidden"]
    assert server.client(tokens.reader).data("{ viewer { role tenants } }")["viewer"] == {
        "role": "READER",
        "tenants": None,
    }


def test_history_needs_auditor(shared: tuple[LiveServer, Tokens]) -> None:
    server, tokens = shared
    q = (
        '{ access(principal: "fabrikam/bob", resource: "contoso/wiki", snapshot: 999) '
        "{ decision } }"
    )
    assert server.client(tokens.reader).codes(q) == ["forbidden"]
    assert server.client(tokens.auditor).codes(q) == ["snapshot-not-found"]
    current = server.client(tokens.reader).data("{ currentSnapshot { id } }")["currentSnapshot"][
        "id"
    ]
    pinned = q.replace("999", str(current))
    assert server.client(tokens.reader).data(pinned)["access"]["decision"] == "ALLOW"


# A principal of another tenant comes back as an ExternalObject: never its User fields.
PRINCIPAL = (
    "principal { ref ... on User { userPrincipalName mail } "
    "... on ExternalObject { tenant kind } } "
)
SCOPED_QUERIES = [
    "{ tenants { nodes { name domains } } }",
    "{ users(first: 1000) { totalCount nodes { ref guestOf homeRef home { __typename "
    "... on ExternalObject { ref kind } } } } }",
    "{ groups { nodes { ref memberRefs members { ... on User { ref } "
    "... on ExternalObject { ref } } } } }",
    "{ apps { nodes { ref } } teams { nodes { ref memberRefs } } }",
    "{ channels { nodes { ref memberRefs members { ... on User { ref } "
    "... on ExternalObject { ref kind } } } } }",
    "{ crossTenantAccessPartners { nodes { tenant tenantId partnerTenant } } }",
    "{ conditionalAccessPolicies { nodes { ref users { include } } } }",
    '{ access(principal: "fabrikam/bob", resource: "contoso/ledger") { '
    + PRINCIPAL
    + "decision paths { nodes hops { source target policy } } reasons { message policy } } }",
    '{ access(principal: "litware/lena", resource: "contoso/wiki") { '
    + PRINCIPAL
    + "reasons { message tenant policy } } }",
    '{ whoCanAccess(resource: "contoso/wiki", first: 100) { totalCount '
    "edges { cursor node { "
    + PRINCIPAL
    + "verdict { paths { nodes } } } } pageInfo { endCursor } } }",
    '{ reachableResources(principal: "fabrikam/bob") { totalCount nodes { '
    + PRINCIPAL
    + "resource { ref ... on App { appId } ... on ExternalObject { kind } } } } }",
    "{ trustGraph { nodes { name domains redacted } edges { source target policy } } }",
    '{ canInvite(invitee: "litware/lou", inviter: "contoso/uma") { decision '
    "reasons { message policy } } }",
]


@pytest.mark.parametrize("query", SCOPED_QUERIES)
def test_scoped_token_never_sees_another_tenants_objects(
    shared: tuple[LiveServer, Tokens], query: str
) -> None:
    server, tokens = shared
    response = server.client(tokens.contoso_reader).post(query)
    body = response.json()
    assert "errors" not in body, body
    text = json.dumps(body)
    assert not OTHER_TENANT_REF.search(text), OTHER_TENANT_REF.search(text)
    assert "fabrikam.com" not in text and "litware.com" not in text


def test_scoped_token_answers_are_redacted_not_empty(shared: tuple[LiveServer, Tokens]) -> None:
    server, tokens = shared
    client = server.client(tokens.contoso_reader)
    v = client.data(
        '{ access(principal: "fabrikam/bob", resource: "contoso/wiki") { '
        "principal { ref ... on ExternalObject { tenant kind } } decision paths { nodes } } }"
    )["access"]
    assert v == {
        "principal": {"ref": "fabrikam/<user>", "tenant": "fabrikam", "kind": "USER"},
        "decision": "ALLOW",
        "paths": [{"nodes": ["fabrikam/<user>", "contoso/bob", "contoso/wiki"]}],
    }
    members = client.data(
        '{ channel(ref: "contoso/launch/partners") { members { '
        "... on ExternalObject { ref tenant kind } } } }"
    )["channel"]["members"]
    assert {"ref": "fabrikam/<user>", "tenant": "fabrikam", "kind": "USER"} in members
    who = client.data('{ whoCanAccess(resource: "contoso/wiki") { totalCount } }')
    assert who["whoCanAccess"]["totalCount"] == 7
    lists = client.data(
        "{ tenants { nodes { name } } crossTenantAccessPartners { nodes { tenant } } "
        "conditionalAccessPolicies { nodes { tenant } } }"
    )
    assert lists["tenants"]["nodes"] == [{"name": "contoso"}]
    assert {p["tenant"] for p in lists["crossTenantAccessPartners"]["nodes"]} == {"contoso"}
    assert {p["tenant"] for p in lists["conditionalAccessPolicies"]["nodes"]} == {"contoso"}
    graph = client.data("{ trustGraph { nodes { name redacted } } }")["trustGraph"]["nodes"]
    assert {"name": "fabrikam", "redacted": True} in graph
    assert {"name": "contoso", "redacted": False} in graph


def test_scoped_token_lookups_and_questions_outside_scope(
    shared: tuple[LiveServer, Tokens],
) -> None:
    server, tokens = shared
    admin, scoped = server.client(tokens.admin), server.client(tokens.contoso_reader)
    gid = admin.data('{ user(ref: "fabrikam/frank") { id } }')["user"]["id"]
    assert scoped.data("query($id: ID!) { node(id: $id) { id } }", {"id": gid}) == {"node": None}
    assert scoped.data(
        '{ user(ref: "fabrikam/frank") { ref } tenant(name: "fabrikam") { name } }'
    ) == {"user": None, "tenant": None}
    for q in (
        '{ access(principal: "contoso/alice", resource: "fabrikam/tracker") { decision } }',
        '{ whoCanAccess(resource: "fabrikam/tracker") { totalCount } }',
        '{ canInvite(invitee: "x@y.com", inviter: "fabrikam/frank") { decision } }',
    ):
        assert scoped.codes(q) == ["forbidden"], q


def test_scoped_admin_changes_only_its_tenants(fresh: Fresh) -> None:
    server, tokens = fresh()
    scoped = server.client(tokens.contoso_admin)
    ok = scoped.data(
        'mutation { addGroupMember(group: "contoso/project", member: "carol") { group { ref } } }'
    )
    assert ok["addGroupMember"]["group"]["ref"] == "contoso/project"
    assert scoped.codes(
        'mutation { addGroupMember(group: "fabrikam/engineering", member: "fay") '
        "{ group { ref } } }"
    ) == ["forbidden"]
    assert scoped.codes(
        'mutation { deleteCrossTenantAccessPartner(tenant: "fabrikam", partner: '
        '"contoso") { deletedTenantId } }'
    ) == ["forbidden"]
    assert scoped.codes(
        'mutation { loadWorld(text: "world: {tenants: []}") { snapshot { id } } }'
    ) == ["forbidden"]


def test_token_cli_hashes_at_rest_and_revokes(
    fresh: Fresh, capsys: pytest.CaptureFixture[str]
) -> None:
    server, _ = fresh()
    tokens_file = server.auth.store.path  # type: ignore[attr-defined]
    assert (
        cli_main(
            [
                "token",
                "--tokens",
                str(tokens_file),
                "create",
                "--role",
                "reader",
                "--tenant",
                "contoso",
                "--name",
                "dash",
            ]
        )
        == 0
    )
    token = capsys.readouterr().out.strip()
    client = server.client(token)
    assert client.data("{ viewer { role tenants } }")["viewer"] == {
        "role": "READER",
        "tenants": ["contoso"],
    }
    assert token.encode() not in tokens_file.read_bytes()
    with sqlite3.connect(tokens_file) as conn:
        assert all(len(h) == 64 for (h,) in conn.execute("SELECT hash FROM tokens"))
    assert cli_main(["token", "--tokens", str(tokens_file), "list", "--json"]) == 0
    listed = {t["name"]: t for t in json.loads(capsys.readouterr().out)}
    assert listed["dash"]["tenants"] == ["contoso"] and listed["dash"]["revokedAt"] is None
    assert cli_main(["token", "--tokens", str(tokens_file), "revoke", listed["dash"]["id"]]) == 0
    assert client.post("{ viewer { role } }").status_code == 401
    assert cli_main(["token", "--tokens", str(tokens_file), "revoke", listed["dash"]["id"]]) == 2


def test_no_auth_is_an_unscoped_admin(tmp_path: pytest.TempPathFactory) -> None:
    from tests.api.support import seed

    db = tmp_path / "noauth.db"  # type: ignore[operator]
    seed(db)
    server = LiveServer(db, NoAuth()).start()
    try:
        client = server.client()
        assert client.data("{ viewer { role tenants authenticated } }")["viewer"] == {
            "role": "ADMIN",
            "tenants": None,
            "authenticated": False,
        }
        assert client.data(ACCESS)["access"]["decision"] == "ALLOW"
    finally:
        server.stop()
