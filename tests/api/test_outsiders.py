"""GraphQL: outsider filters of the reverse lookups, and what a tenant-scoped token sees of its
own tenant's objects.

The API test world (`tests/api/world.yaml`) has contoso members, B2B guests of fabrikam, litware
and govco, a pending guest, a Google guest (`contoso/gail`) and a direct-connect member of a
shared channel (`fabrikam/frank`). Expected rows are read from that world file, not from the
engine: a guest object's `guestOf` names who it stands for.

Scoped tokens: one test per query field that returns principals — `access`, `whoCanAccess`,
`reachableResources`, `findings` (exposures), `whatIf` (access changes) and
`exportWhoCanAccess` — asserts that a contoso token sees the guest's contoso object in full
(`tenantObject`, its `guestOf` redacted) while the home identity stays `fabrikam/<user>`.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from graphmodel.ingest import load_world_file
from tests.api.support import WORLD, Client, LiveServer, Tokens

GUEST_OBJECTS = {
    u.home_ref: u.ref for u in load_world_file(WORLD).users if u.home_ref and u.tenant == "contoso"
}
WHO = """
query($r: String!, $first: Int!, $after: String, $outsiders: Boolean!, $via: [Via!],
      $homes: [String!], $kinds: [PrincipalKind!]) {
  whoCanAccess(resource: $r, first: $first, after: $after, outsiders: $outsiders, via: $via,
               homeTenants: $homes, kinds: $kinds) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { principal { ref } decision via kind outsider homeTenant
            tenantObject { ref ... on User { guestOf } } }
  }
}
"""


def _who(client: Client, resource: str, first: int = 100, **filters: Any) -> dict[str, Any]:
    variables = {"r": resource, "first": first, "after": None, "outsiders": False, **filters}
    result: dict[str, Any] = client.data(WHO, variables)["whoCanAccess"]
    return result


def _all(client: Client, resource: str, first: int, **filters: Any) -> list[dict[str, Any]]:
    """Every node, page by page, checking each page's totalCount against the whole."""
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        variables = {"r": resource, "first": first, "after": after, "outsiders": False, **filters}
        page = client.data(WHO, variables)["whoCanAccess"]
        nodes.extend(page["nodes"])
        if not page["pageInfo"]["hasNextPage"]:
            assert page["totalCount"] == len(nodes)
            return nodes
        after = page["pageInfo"]["endCursor"]


@pytest.fixture
def admin(shared: tuple[LiveServer, Tokens]) -> Client:
    server, tokens = shared
    return server.client(tokens.admin)


@pytest.fixture
def scoped(shared: tuple[LiveServer, Tokens]) -> Client:
    server, tokens = shared
    return server.client(tokens.contoso_admin)


def test_outsiders_only_is_exactly_the_outsider_rows_with_their_count(admin: Client) -> None:
    everyone = _who(admin, "contoso/wiki")["nodes"]
    outsiders = _who(admin, "contoso/wiki", outsiders=True)
    assert (
        outsiders["totalCount"] == sum(n["outsider"] for n in everyone) == len(outsiders["nodes"])
    )
    assert outsiders["nodes"] == [n for n in everyone if n["outsider"]]
    refs = {n["principal"]["ref"] for n in outsiders["nodes"]}
    assert "contoso/gail" in refs and "contoso/alice" not in refs
    assert set(GUEST_OBJECTS) & refs  # the B2B guests
    assert _all(admin, "contoso/wiki", 2, outsiders=True) == outsiders["nodes"]  # pages of 2


def test_route_home_tenant_and_kind_filters(admin: Client) -> None:
    everyone = _who(admin, "contoso/launch/partners")["nodes"]
    direct = _who(admin, "contoso/launch/partners", via=["B2B_DIRECT_CONNECT"])["nodes"]
    assert [n["principal"]["ref"] for n in direct] == ["fabrikam/frank"]
    assert direct == [n for n in everyone if n["via"] == "B2B_DIRECT_CONNECT"]
    assert direct[0]["kind"] == "OTHER_TENANT" and direct[0]["tenantObject"] is None
    fab = _who(admin, "contoso/wiki", homes=["fabrikam"])["nodes"]
    assert fab and {n["homeTenant"] for n in fab} == {"fabrikam"}
    social = _who(admin, "contoso/wiki", kinds=["SOCIAL_GUEST"])
    assert [n["principal"]["ref"] for n in social["nodes"]] == ["contoso/gail"]
    assert social["nodes"][0]["homeTenant"] is None and social["totalCount"] == 1


def test_reachable_resources_filters(admin: Client) -> None:
    query = """query($p: String!, $o: Boolean!) {
      reachableResources(principal: $p, outsiders: $o) {
        totalCount nodes { resource { ref } outsider kind } } }"""
    everything = admin.data(query, {"p": "fabrikam/bob", "o": False})["reachableResources"]
    away = admin.data(query, {"p": "fabrikam/bob", "o": True})["reachableResources"]
    assert away["nodes"] == [n for n in everything["nodes"] if n["outsider"]]
    assert away["totalCount"] == len(away["nodes"]) > 0
    assert all(n["resource"]["ref"].startswith("contoso/") for n in away["nodes"])


@pytest.mark.parametrize("filters", [{"via": []}, {"homes": []}, {"kinds": []}])
def test_an_empty_filter_list_is_invalid_input(admin: Client, filters: dict[str, Any]) -> None:
    variables = {"r": "contoso/wiki", "first": 10, "after": None, "outsiders": False, **filters}
    assert admin.codes(WHO, variables) == ["invalid-input"]


# --- scoped tokens: one test per query field that returns principals ------------------------
def _guest_row(nodes: list[dict[str, Any]], obj: str) -> dict[str, Any]:
    (row,) = [n for n in nodes if (n.get("tenantObject") or {}).get("ref") == obj]
    return row


def test_scoped_who_can_access_shows_contosos_guest_objects(scoped: Client) -> None:
    nodes = _who(scoped, "contoso/ledger")["nodes"]
    bob = _guest_row(nodes, GUEST_OBJECTS["fabrikam/bob"])
    assert bob["principal"] == {"ref": "fabrikam/<user>"}  # the home identity: redacted
    assert bob["tenantObject"] == {"ref": "contoso/bob", "guestOf": "fabrikam/<user>"}
    # each redacted row is told apart by its own object
    redacted = [n for n in nodes if n["principal"]["ref"].endswith("/<user>")]
    objects = [n["tenantObject"]["ref"] for n in redacted]
    assert len(set(objects)) == len(redacted) and all(o.startswith("contoso/") for o in objects)
    gail = _guest_row(_who(scoped, "contoso/wiki")["nodes"], "contoso/gail")
    assert gail["principal"] == {"ref": "contoso/gail"} and gail["outsider"] is True


def test_scoped_access_shows_the_guest_object(scoped: Client) -> None:
    verdict = scoped.data(
        """query { access(principal: "fabrikam/bob", resource: "contoso/ledger") {
          decision principal { ref } tenantObject { ref ... on User { guestOf } } } }"""
    )["access"]
    assert verdict["principal"] == {"ref": "fabrikam/<user>"}
    assert verdict["tenantObject"] == {"ref": "contoso/bob", "guestOf": "fabrikam/<user>"}


def test_scoped_reachable_resources_shows_the_guest_object(scoped: Client) -> None:
    nodes = scoped.data(
        """query { reachableResources(principal: "fabrikam/bob") {
          nodes { principal { ref } resource { ref } tenantObject { ref } } } }"""
    )["reachableResources"]["nodes"]
    assert nodes and all(n["resource"]["ref"].startswith("contoso/") for n in nodes)
    assert {n["tenantObject"]["ref"] for n in nodes} == {"contoso/bob"}
    assert {n["principal"]["ref"] for n in nodes} == {"fabrikam/<user>"}


def test_scoped_findings_exposures_show_the_guest_objects(scoped: Client) -> None:
    findings = scoped.data(
        """query { findings(first: 30) { nodes { tenant exposures(first: 30) { nodes {
          principal { ref } resource { ref } tenantObject { ref } } } } } }"""
    )["findings"]["nodes"]
    rows = [e for f in findings for e in f["exposures"]["nodes"] if e["resource"]]
    redacted = [e for e in rows if e["principal"]["ref"] == "fabrikam/<user>"]
    guests = [e for e in redacted if e["tenantObject"] is not None]
    assert guests, "the test world must expose a fabrikam guest in some finding"
    fabrikam_objects = {v for k, v in GUEST_OBJECTS.items() if k.startswith("fabrikam/")}
    assert {e["tenantObject"]["ref"] for e in guests} <= fabrikam_objects
    # without an object in contoso, a fabrikam user reaches only by direct connect (frank)
    assert all(
        e["resource"]["ref"] == "contoso/launch/partners" for e in redacted if e not in guests
    )


def test_scoped_what_if_access_changes_show_the_guest_object(scoped: Client) -> None:
    changes = "changes: [{removeGroupMember: {group: contoso/finance, member: contoso/bob}}]"
    diff = scoped.data(
        """query($c: String!) { whatIf(changes: $c) { access {
          change principal { ref } resource { ref } tenantObject { ref } } } }""",
        {"c": changes},
    )["whatIf"]["access"]
    lost = [c for c in diff if c["resource"]["ref"] == "contoso/ledger"]
    assert lost and lost[0]["change"] == "LOST"
    assert lost[0]["principal"] == {"ref": "fabrikam/<user>"}
    assert lost[0]["tenantObject"] == {"ref": "contoso/bob"}


def test_scoped_who_export_names_the_guest_objects(scoped: Client) -> None:
    content = scoped.data(
        'query { exportWhoCanAccess(format: CSV, resource: "contoso/ledger", outsiders: true)'
        " { content } }"
    )["exportWhoCanAccess"]["content"]
    rows = list(csv.DictReader(io.StringIO(content)))
    bob = [r for r in rows if r["object"] == "contoso/bob"]
    assert len(bob) == 1 and bob[0]["principal"] == "fabrikam/<user>"
    assert all(r["outsider"] == "True" for r in rows)
    assert "fabrikam/bob" not in content
