"""GraphQL `auditChecks`, `findings`, `whatIf`, `accessDiff`: the service's answers, scoped.

The app is served by the API suite's `LiveServer` (uvicorn in a thread) over a memory store with
two snapshots; a tiny authenticator maps `Bearer <role>[:tenant]` to a viewer, so scoping can
be checked without a token file.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api import Role, Viewer
from graphmodel.audit import run_checks
from graphmodel.schema import World
from graphmodel.service import GraphService
from graphmodel.stores import open_store
from tests.api.support import LiveServer

from .support import WORLDS, load_audit_world

pytestmark = pytest.mark.memory
DB: list[Path] = []


class HeaderAuth:
    enabled = True

    def authenticate(self, authorization: str | None) -> Viewer | None:
        if not authorization:
            return None
        role, _, tenant = authorization.removeprefix("Bearer ").partition(":")
        return Viewer(role=Role(role), tenants=frozenset({tenant}) if tenant else None)


def _disable_abe(w: World) -> World:
    users = tuple(
        dataclasses.replace(u, account_enabled=False) if u.ref == "contoso/abe" else u
        for u in w.users
    )
    return dataclasses.replace(w, users=users)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = tmp_path_factory.mktemp("api") / "audit.db"
    DB[:] = [db]
    world, _ = load_audit_world(WORLDS / "zone.yaml")
    with open_store("memory", path=str(db)) as store:
        graph = GraphService(store)
        graph.load_world(world, source="zone.yaml")
        graph.update_world(_disable_abe, source="disable abe")
    server = LiveServer(db, HeaderAuth()).start()  # type: ignore[arg-type]
    yield server.url
    server.stop()


def gql(url: str, query: str, token: str = "admin", **variables: Any) -> dict[str, Any]:
    answer = httpx.post(
        f"{url}/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
        timeout=120,
    ).json()
    return answer  # type: ignore[no-any-return]


FINDINGS = """
query($snapshot: Int, $check: String, $first: Int!, $after: String) {
  findings(snapshot: $snapshot, check: $check, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      fingerprint check severity tenant subject status firstSeen
      counts { exposures principals paths }
      exposures(first: 1) {
        totalCount
        nodes {
          principal { ref } resource { ref } decision via path { nodes }
          trust { kind source target policy }
        }
      }
    }
  }
}
"""


def test_findings_are_the_service_findings_paged(client: str) -> None:
    data = gql(client, FINDINGS, snapshot=1, first=3)["data"]["findings"]
    world, _ = load_audit_world(WORLDS / "zone.yaml")
    from graphmodel.engine import WorldIndex

    expected = run_checks(WorldIndex(world))
    assert data["totalCount"] == len(expected)
    assert [n["fingerprint"] for n in data["nodes"]] == [f.fingerprint for f in expected[:3]]
    rest = gql(client, FINDINGS, snapshot=1, first=100, after=data["pageInfo"]["endCursor"])
    fps = [n["fingerprint"] for n in rest["data"]["findings"]["nodes"]]
    assert fps == [f.fingerprint for f in expected[3:]]


def test_finding_exposures_carry_paths_and_trust(client: str) -> None:
    data = gql(client, FINDINGS, snapshot=1, check="zone.access-from-outside", first=10)
    nodes = data["data"]["findings"]["nodes"]
    adatum = next(n for n in nodes if n["subject"] == "contoso<-adatum")
    assert adatum["status"] == "OPEN" and adatum["firstSeen"] == 1
    (e,) = adatum["exposures"]["nodes"]
    assert e["principal"] == {"ref": "adatum/abe"} and e["decision"] == "ALLOW"
    assert e["path"]["nodes"] == ["adatum/abe", "contoso/abe", "contoso/wiki"]
    assert [t["kind"] for t in e["trust"]] == ["B2B_COLLAB_OUT", "B2B_COLLAB_IN"]
    # snapshot 2 disabled abe: the finding is gone there
    later = gql(client, FINDINGS, check="zone.access-from-outside", first=10)
    assert "contoso<-adatum" not in [n["subject"] for n in later["data"]["findings"]["nodes"]]


def test_scoped_tokens_see_their_tenants_only(client: str) -> None:
    data = gql(client, FINDINGS, token="reader:fabrikam", first=100)
    assert {n["tenant"] for n in data["data"]["findings"]["nodes"]} == {"fabrikam"}
    data = gql(client, FINDINGS, token="reader:contoso", first=100)
    subjects = {n["subject"] for n in data["data"]["findings"]["nodes"]}
    assert "contoso<-fabrikam" in subjects
    nodes = data["data"]["findings"]["nodes"]
    fab = next(
        n
        for n in nodes
        if n["subject"] == "contoso<-fabrikam" and n["check"] == "zone.access-from-outside"
    )
    (e,) = fab["exposures"]["nodes"]
    assert e["principal"] == {"ref": "fabrikam/<user>"}  # another tenant's person is redacted
    history = gql(client, FINDINGS, token="reader:contoso", snapshot=1, first=1)
    assert history["errors"][0]["extensions"]["code"] == "forbidden"


WHATIF = """
query($changes: String!) {
  whatIf(changes: $changes) {
    title
    entities { kind ref op field before after }
    access {
      principal { ref } resource { ref } change before after via explainedBy reasons { code }
    }
    findingsDisappeared { check subject }
  }
}
"""


def test_what_if_answers_and_reports_located_problems(client: str) -> None:
    changes = "title: drop bob\nchanges:\n  - disableUser: {user: contoso/bob}\n"
    data = gql(client, WHATIF, changes=changes)["data"]["whatIf"]
    assert data["title"] == "drop bob"
    assert data["entities"] == [
        {
            "kind": "user",
            "ref": "contoso/bob",
            "op": "CHANGED",
            "field": "accountEnabled",
            "before": "true",
            "after": "false",
        }
    ]
    assert [(a["principal"]["ref"], a["resource"]["ref"], a["change"]) for a in data["access"]] == [
        ("fabrikam/bob", "contoso/wiki", "LOST")
    ]
    assert data["access"][0]["reasons"] == [{"code": "account_disabled"}]
    bad = gql(client, WHATIF, changes="changes:\n  - disableUser: {user: contoso/nobody}\n")
    (error,) = bad["errors"]
    assert error["extensions"]["code"] == "invalid-input"
    (issue,) = error["extensions"]["issues"]
    assert (issue["line"], issue["path"]) == (2, "changes[0].disableUser.user")


def test_access_diff_between_snapshots(client: str) -> None:
    query = """
    query { accessDiff(from: 1, to: 2) {
      entities { kind ref field after }
      access { principal { ref } resource { ref } change explainedBy trust { kind } }
      findingsDisappeared { check subject }
    } }
    """
    data = gql(client, query)["data"]["accessDiff"]
    assert data["entities"] == [
        {"kind": "user", "ref": "contoso/abe", "field": "accountEnabled", "after": "false"}
    ]
    assert data["access"] == [
        {
            "principal": {"ref": "adatum/abe"},
            "resource": {"ref": "contoso/wiki"},
            "change": "LOST",
            "explainedBy": [0],
            "trust": [{"kind": "B2B_COLLAB_OUT"}, {"kind": "B2B_COLLAB_IN"}],
        }
    ]
    assert {"check": "zone.access-from-outside", "subject": "contoso<-adatum"} in data[
        "findingsDisappeared"
    ]
    assert gql(client, query, token="reader")["errors"][0]["extensions"]["code"] == "forbidden"


def test_audit_checks_list_the_catalogue(client: str) -> None:
    data = gql(client, "{ auditChecks { id severity rules } }")["data"]["auditChecks"]
    assert {"id": "scuba.8.1", "severity": "MEDIUM", "rules": ["L16", "L17"]} in data
    assert len(data) == 19


def test_the_audit_file_sits_next_to_the_store(client: str) -> None:
    gql(client, FINDINGS, first=1)
    assert Path(f"{DB[0]}.audit.sqlite").exists()
