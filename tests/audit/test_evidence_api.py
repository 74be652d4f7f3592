"""Evidence of use over GraphQL: `lastUsed` and the `usage` filter, `asOf`, `findings(days:)`.

The evidence scenario world (stale guests, old invitations) is served by the API suite's
`LiveServer` over a memory store; each answer is compared with what the world file says.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from graphmodel.ingest import load_world_file
from graphmodel.service import GraphService
from graphmodel.stores import open_store
from tests.api.support import LiveServer
from tests.audit.test_api import HeaderAuth
from tests.ingest.graph_folders import SHARED

pytestmark = pytest.mark.memory
WORLD = SHARED / "scenarios" / "evidence" / "unused-partner-trust-and-assignments.yaml"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = tmp_path_factory.mktemp("api") / "evidence.db"
    with open_store("memory", path=str(db)) as store:
        GraphService(store).load_world(load_world_file(WORLD), source=WORLD.name)
    server = LiveServer(db, HeaderAuth()).start()  # type: ignore[arg-type]
    yield server.url
    server.stop()


def gql(url: str, query: str, **variables: Any) -> dict[str, Any]:
    answer = httpx.post(
        f"{url}/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": "Bearer admin"},
        timeout=30,
    ).json()
    return answer  # type: ignore[no-any-return]


WHO = """
query($usage: Usage!, $days: Int!, $asOf: DateTime) {
  whoCanAccess(resource: "contoso/payroll", usage: $usage, usageDays: $days, asOf: $asOf) {
    nodes { principal { ref } lastUsed decision }
  }
}
"""


def who(url: str, usage: str, days: int = 90, as_of: str | None = None) -> list[tuple[str, Any]]:
    data = gql(url, WHO, usage=usage, days=days, asOf=as_of)
    assert "errors" not in data, data
    return [(n["principal"]["ref"], n["lastUsed"]) for n in data["data"]["whoCanAccess"]["nodes"]]


def test_who_can_access_says_when_each_principal_last_used_it(client: str) -> None:
    assert who(client, "ANY") == [
        ("contoso/alice", None),
        ("fabrikam/bob", "2026-11-01T08:00:00+00:00"),
        ("fabrikam/eve", None),
    ]
    assert who(client, "USED") == [("fabrikam/bob", "2026-11-01T08:00:00+00:00")]
    # a member's use is not covered by cross-tenant evidence: neither used nor unused
    assert [p for p, _ in who(client, "UNUSED")] == ["fabrikam/eve"]
    # 30 days before the world's asOf: unused with a 20-day look-back, used again a month earlier
    assert [p for p, _ in who(client, "USED", days=20)] == []
    assert [p for p, _ in who(client, "USED", days=20, as_of="2026-11-15T00:00:00Z")] == [
        "fabrikam/bob"
    ]


def test_reachable_is_filtered_the_same_way(client: str) -> None:
    query = """query($usage: Usage!) { reachableResources(principal: "fabrikam/bob",
      usage: $usage) { nodes { resource { ref } lastUsed } } }"""
    used = gql(client, query, usage="USED")["data"]["reachableResources"]["nodes"]
    assert used == [
        {"resource": {"ref": "contoso/payroll"}, "lastUsed": "2026-11-01T08:00:00+00:00"}
    ]


def test_findings_take_days_and_the_clock(client: str) -> None:
    query = """query($days: Int!, $asOf: DateTime) {
      findings(check: "assignment.unused", days: $days, asOf: $asOf) { nodes { subject } } }"""

    def subjects(days: int, as_of: str | None = None) -> list[str]:
        data = gql(client, query, days=days, asOf=as_of)
        assert "errors" not in data, data
        return sorted(n["subject"] for n in data["data"]["findings"]["nodes"])

    eve = "fabrikam/eve -> contoso/payroll"
    assert subjects(90) == [eve]
    assert subjects(20) == ["fabrikam/bob -> contoso/payroll", eve]
    assert subjects(20, "2026-11-10T00:00:00Z") == [eve]


def test_negative_days_are_a_clear_input_error(client: str) -> None:
    data = gql(client, "query { findings(days: -1) { totalCount } }")
    assert data["errors"][0]["extensions"]["code"] == "invalid-input"
    data = gql(
        client, 'query { whoCanAccess(resource: "contoso/payroll", usageDays: -5) { totalCount } }'
    )
    assert data["errors"][0]["extensions"]["code"] == "invalid-input"


def test_remove_unused_access_proposes_and_proves(client: str) -> None:
    query = """query($days: Int!) { removeUnusedAccess(days: $days, tenant: "contoso") {
      changes count skipped usedAccessLost { principal { ref } }
      removed { principal { ref } resource { ref } change }
      diff { access { principal { ref } resource { ref } } } } }"""
    data = gql(client, query, days=20)
    assert "errors" not in data, data
    p = data["data"]["removeUnusedAccess"]
    assert p["usedAccessLost"] == [] and p["skipped"] == []
    assert "blockSection" in p["changes"] and "litware" in p["changes"]
    # eve's and (30 days unused) bob's payroll access go; alice's, a member's, stays
    removed = {(r["principal"]["ref"], r["resource"]["ref"]) for r in p["removed"]}
    assert ("fabrikam/eve", "contoso/payroll") in removed
    assert ("fabrikam/bob", "contoso/payroll") in removed
    assert not any(principal.startswith("contoso/") for principal, _ in removed)
    access = p["diff"]["access"]
    assert {(a["principal"]["ref"], a["resource"]["ref"]) for a in access} == removed


def test_tenant_and_user_carry_the_evidence(client: str) -> None:
    query = """{ tenant(name: "contoso") {
        signIns { userRef resourceRef crossTenantAccessType last first count }
        partnerUsage { partner direction last count users } }
      user(ref: "contoso/bob") { lastSignInDateTime createdDateTime } }"""
    data = gql(client, query)
    assert "errors" not in data, data
    tenant = data["data"]["tenant"]
    assert tenant["signIns"] == [
        {
            "userRef": "fabrikam/bob",
            "resourceRef": "contoso/payroll",
            "crossTenantAccessType": "B2B_COLLABORATION",
            "last": "2026-11-01T08:00:00+00:00",
            "first": None,
            "count": None,
        }
    ]
    assert tenant["partnerUsage"] == [
        {
            "partner": "fabrikam",
            "direction": "INBOUND",
            "last": "2026-11-01T08:00:00+00:00",
            "count": None,
            "users": 1,
        }
    ]
    assert data["data"]["user"] == {"lastSignInDateTime": None, "createdDateTime": None}


def test_what_if_and_request_questions_take_the_clock(client: str) -> None:
    query = """query($asOf: DateTime) {
      whatIf(changes: "changes: [{disableUser: {user: contoso/eve}}]", asOf: $asOf) {
        access { principal { ref } resource { ref } change }
        findingsDisappeared { check subject } }
      canInvite(invitee: "fabrikam/bob", inviter: "contoso/alice", asOf: $asOf) { decision } }"""
    data = gql(client, query, asOf="2026-11-10T00:00:00Z")
    assert "errors" not in data, data
    diff = data["data"]["whatIf"]
    eve = {"principal": {"ref": "fabrikam/eve"}, "resource": {"ref": "contoso/payroll"}}
    assert {**eve, "change": "LOST"} in diff["access"]
    assert {"check": "assignment.unused", "subject": "fabrikam/eve -> contoso/payroll"} in diff[
        "findingsDisappeared"
    ]
