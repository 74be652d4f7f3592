"""The collector's delta mode against the fake Microsoft Graph over HTTPS (never the internet).

A first run reads every directory collection through its delta function and remembers the
deltaLinks; a second run asks only for changes and merges them into the folder. Every test
compares the folder's import with the import of a plain full collection of the same tenant: the
two must be the same World, whatever happened in between (deletions, membership changes, a
410 resync, objects sent twice).
"""

from __future__ import annotations

import json
import ssl
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from graphmodel.ingest.collector import (
    CollectResult,
    GraphClient,
    GraphUnavailable,
    MsalTokenProvider,
    RetryPolicy,
    Traffic,
    collect,
    collect_tenant,
)
from graphmodel.ingest.graph_export import import_export
from graphmodel.schema import World
from tests.ingest.fake_graph import FakeGraph, Fault
from tests.ingest.fake_tenant import MY_APP, make_certificate, routes
from tests.ingest.graph_folders import CONTOSO_ID

GROUP = "4d0ef681-e88f-42a3-a2db-e6bf1e249e10"  # assigned to MY_APP (fake_tenant)
ROOM = "6ea91a8d-e32e-41a1-b7bd-d2d185eed0e0"  # a member of GROUP
XTAP_PARTNERS = "/policies/crossTenantAccessPolicy/partners"


@pytest.fixture(scope="module")
def server_cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return make_certificate(tmp_path_factory.mktemp("server"), server=True)


@pytest.fixture
def fake(server_cert: tuple[Path, Path]) -> Iterator[FakeGraph]:
    cert, key = server_cert
    tenant = routes()
    tenant["/auditLogs/directoryAudits"] = []
    with FakeGraph(CONTOSO_ID, tenant, cert, key, page_size=2) as server:
        yield server


class Sync:
    """`collect_tenant` with delta against the fake, recording messages, waits and traffic."""

    def __init__(self, fake: FakeGraph, out: Path) -> None:
        self.fake, self.out = fake, out
        self.messages: list[str] = []
        self.sleeps: list[float] = []
        self.traffic = Traffic()

    def __call__(self, **kw: Any) -> CollectResult:
        self.messages.clear()
        start = len(self.fake.requests)
        try:
            return collect_tenant(
                tenant_id=CONTOSO_ID, client_id="app-id", credential="s3cret", out=self.out,
                graph_url=self.fake.base_url, authority_host=self.fake.base_url,
                verify=ssl.create_default_context(cafile=str(self.fake.cert)),
                notify=self.messages.append, sleep=self.sleeps.append,
                retry=RetryPolicy(max_attempts=3), traffic=self.traffic, **kw)
        finally:
            self.asked = [p for m, p, _ in self.fake.requests[start:]
                          if m == "GET" or "$batch" in p]


def full_world(fake: FakeGraph, folder: Path) -> World:
    """The World of a plain (no delta) full collection of the fake tenant as it is now."""
    verify = ssl.create_default_context(cafile=str(fake.cert))
    tokens = MsalTokenProvider(CONTOSO_ID, "app-id", "s3cret", authority_host=fake.base_url,
                               verify=verify)
    with httpx.Client(verify=verify) as http:
        client = GraphClient(tokens, base_url=fake.base_url, http=http, sleep=lambda _s: None)
        collect(client, folder, tenant_id=CONTOSO_ID)
    tokens.close()
    return imported(folder)


def imported(folder: Path) -> World:
    world, _ = import_export([folder])
    return replace(world, source=None)


def guest(oid: str, name: str) -> dict[str, Any]:
    return {"id": oid, "displayName": name, "userType": "Guest", "creationType": "Invitation",
            "userPrincipalName": f"{name}_fabrikam.com#EXT#@contoso.onmicrosoft.com",
            "mail": f"{name}@fabrikam.com", "externalUserState": "Accepted",
            "identities": [{"signInType": "federated", "issuer": "ExternalAzureAD"}]}


def test_a_delta_collection_imports_as_a_full_collection_does(
    fake: FakeGraph, tmp_path: Path
) -> None:
    sync = Sync(fake, tmp_path / "delta" / "contoso")
    result = sync()
    assert result.rounds == {"users": "full read", "groups": "full read",
                             "applications": "full read", "servicePrincipals": "full read"}
    plain = ("/v1.0/users?%24select=id%2CuserPrincipalName", "/v1.0/groups?")
    assert not [p for p in sync.asked if p.startswith(plain)]
    assert not any("/members" in p for p in sync.asked)  # members came in members@delta
    state = json.loads((sync.out / "deltaState.json").read_text())
    assert set(state["resources"]) == {"users", "groups", "applications", "servicePrincipals"}
    assert "$deltatoken=" in state["resources"]["users"]["deltaLink"]
    groups = [g for p in sync.out.glob("groups*.json") for g in json.loads(p.read_text())["value"]]
    assert groups and not any("members@delta" in g for g in groups)
    assert imported(sync.out) == full_world(fake, tmp_path / "full" / "contoso")


def test_a_second_run_asks_only_for_changes_and_ends_in_the_same_world(
    fake: FakeGraph, tmp_path: Path
) -> None:
    sync = Sync(fake, tmp_path / "delta" / "contoso")
    sync()
    first = sync.traffic.requests
    fake.remove("/users", ROOM)
    fake.upsert("/users", guest("11111111-2222-4333-8444-555555555555", "gwen"))
    fake.add_member(GROUP, {"@odata.type": "#microsoft.graph.user",
                            "id": "11111111-2222-4333-8444-555555555555"})
    partner = fake.routes[XTAP_PARTNERS][0]
    fake.routes[XTAP_PARTNERS] = [{**partner, "b2bCollaborationInbound": None}]
    result = sync()
    assert result.rounds == {"users": "changes", "groups": "changes",
                             "applications": "changes", "servicePrincipals": "changes"}
    deltas = [p for p in sync.asked if "/delta" in p]
    assert deltas and all("$deltatoken=" in p for p in deltas)
    assert "collected `/users/delta` (changes): 1 objects, 1 removed, 0 membership changes in " \
           "1 page(s), 5 in all" in sync.messages
    assert "collected `/groups/delta` (changes): 1 objects, 0 removed, 2 membership changes in " \
           "1 page(s), 3 in all" in sync.messages
    assert sync.traffic.requests < first
    members = json.loads((sync.out / "groupMembers" / f"{GROUP}.json").read_text())["value"]
    assert [m["id"] for m in members] == ["0c7a3d57-3b55-4f5e-8d66-2f0a1f5c9b11",
                                          "11111111-2222-4333-8444-555555555555"]
    after = imported(sync.out)
    assert "contoso/gwen" in after.user_by_ref
    assert after == full_world(fake, tmp_path / "full" / "contoso")


def test_a_run_without_changes_rewrites_no_collection(fake: FakeGraph, tmp_path: Path) -> None:
    sync = Sync(fake, tmp_path / "contoso")
    sync()
    pages = {p: p.stat().st_ino for p in sync.out.glob("users*.json")}
    sync()
    assert {p: p.stat().st_ino for p in sync.out.glob("users*.json")} == pages
    assert "collected `/users/delta` (changes): 0 objects, 0 removed, 0 membership changes in " \
           "1 page(s)" in sync.messages


def test_an_expired_token_falls_back_to_a_full_read_once(fake: FakeGraph, tmp_path: Path) -> None:
    sync = Sync(fake, tmp_path / "delta" / "contoso")
    sync()
    fake.remove("/users", ROOM)
    fake.delta.expired = {"/users/delta"}
    result = sync()
    assert result.rounds["users"] == "full read" and result.rounds["groups"] == "changes"
    said = [m for m in sync.messages if "no longer accepts the delta token" in m]
    assert said == ["microsoft graph no longer accepts the delta token of `/users/delta` (410 "
                    "`syncStateNotFound`): reading `/users` in full"]
    users = [p for p in sync.asked if p.startswith("/v1.0/users/delta")]
    assert "$deltatoken=" in users[0] and "%24select=" in users[1]
    assert imported(sync.out) == full_world(fake, tmp_path / "full" / "contoso")
    fake.delta.expired = set()
    assert sync().rounds["users"] == "changes"  # the new token is remembered


def test_full_ignores_the_state(fake: FakeGraph, tmp_path: Path) -> None:
    sync = Sync(fake, tmp_path / "contoso")
    sync()
    assert set(sync(full=True).rounds.values()) == {"full read"}
    assert not [p for p in sync.asked if "$deltatoken=" in p]


def test_throttled_delta_requests_wait_as_retry_after_asks(
    fake: FakeGraph, tmp_path: Path
) -> None:
    sync = Sync(fake, tmp_path / "contoso")
    sync()
    fake.faults["/groups/delta"] = [Fault(429, {"Retry-After": "9"}, "TooManyRequests")]
    sync()
    assert sync.sleeps[-1] == 9.0
    assert ("throttled by microsoft graph on `/groups/delta`: waiting 9s as `Retry-After` asks "
            "(attempt 1 of 3)") in sync.messages


def test_objects_sent_twice_or_removed_in_the_first_round_are_kept_once(
    fake: FakeGraph, tmp_path: Path
) -> None:
    users = fake.routes["/users"]
    first = next(u for u in users if u["id"] != ROOM)
    changed = {**first, "displayName": "renamed during the round"}
    fake.routes["/users"] = [*users, changed, {"id": ROOM, "@removed": {"reason": "changed"}}]
    sync = Sync(fake, tmp_path / "contoso")
    sync()
    got = [u for p in sorted(sync.out.glob("users*.json"))
           for u in json.loads(p.read_text())["value"]]
    ids = [u["id"] for u in got]
    assert len(ids) == len(set(ids)) == len(users) - 1
    assert next(u for u in got if u["id"] == first["id"])["displayName"] == \
        "renamed during the round"


def test_a_failed_run_leaves_the_export_and_its_state_as_they_were(
    fake: FakeGraph, tmp_path: Path
) -> None:
    sync = Sync(fake, tmp_path / "contoso")
    sync()
    before = {p.relative_to(sync.out): p.read_bytes() for p in sync.out.rglob("*") if p.is_file()}
    fake.remove("/users", ROOM)
    fake.faults["/servicePrincipals/delta"] = [Fault(503)] * 3
    with pytest.raises(GraphUnavailable):
        sync()
    after = {p.relative_to(sync.out): p.read_bytes() for p in sync.out.rglob("*") if p.is_file()}
    assert after == before
    assert [p.name for p in sync.out.parent.iterdir()] == ["contoso"]  # no working copy left
    sync()
    assert imported(sync.out) == full_world(fake, tmp_path / "full" / "contoso")


def test_a_b2c_tenant_is_always_read_in_full(fake: FakeGraph, tmp_path: Path) -> None:
    org = fake.routes["/organization"][0]
    fake.routes["/organization"] = [{**org, "tenantType": "AAD B2C"}]
    sync = Sync(fake, tmp_path / "contoso")
    sync()
    sync()
    assert not [p for p in sync.asked if "/delta" in p]
    assert any(p.startswith("/v1.0/users?") for p in sync.asked)
    assert ("tenant type `aadb2c` has no delta query in microsoft graph: reading the directory "
            "in full") in sync.messages


def test_assignments_are_re_read_for_audited_service_principals_only(
    fake: FakeGraph, tmp_path: Path
) -> None:
    sync = Sync(fake, tmp_path / "delta" / "contoso")
    sync()
    fake.routes[f"/servicePrincipals/{MY_APP}/appRoleAssignedTo"].append(
        {"id": "a2", "appRoleId": "00000000-0000-0000-0000-000000000000",
         "principalId": "0c7a3d57-3b55-4f5e-8d66-2f0a1f5c9b11", "principalType": "User",
         "resourceId": MY_APP})
    fake.routes["/auditLogs/directoryAudits"] = [{
        "activityDisplayName": "Add app role assignment grant to user",
        "targetResources": [{"id": MY_APP, "type": "ServicePrincipal"},
                            {"id": "0c7a3d57-3b55-4f5e-8d66-2f0a1f5c9b11", "type": "User"}]}]
    start = len(fake.batched)
    sync()
    asked = [p for p in fake.batched[start:] if "appRoleAssignedTo" in p]
    assert asked == [f"/v1.0/servicePrincipals/{MY_APP}/appRoleAssignedTo?$top=999"]
    held = json.loads((sync.out / "appRoleAssignedTo" / f"{MY_APP}.json").read_text())["value"]
    assert [a["id"] for a in held] == ["a1", "a2"]
    assert imported(sync.out) == full_world(fake, tmp_path / "full" / "contoso")


def test_a_round_that_fails_half_way_leaves_the_collection_as_it_was(
    fake: FakeGraph, tmp_path: Path
) -> None:
    fake.routes["/users"] += [guest(f"00000000-0000-4000-8000-{i:012d}", f"g{i}")
                              for i in range(1200)]
    fake.page_size = 1000  # the first page fills a page file of the merge (999 objects)
    sync = Sync(fake, tmp_path / "contoso")
    sync()
    pages = {p.name: p.read_bytes() for p in sync.out.glob("users*.json")}
    assert len(pages) == 2
    fake.faults["/users/delta"] = [None, Fault(400, code="BadRequest")]  # the second page
    result = sync(full=True)
    assert result.skipped == ["/users/delta"] and "users" not in result.rounds
    assert {p.name: p.read_bytes() for p in sync.out.glob("users*.json")} == pages
    assert not [p for p in sync.out.iterdir() if p.name.startswith(".")]  # no half pages left
    assert "users" not in json.loads((sync.out / "deltaState.json").read_text())["resources"]
    assert sync().rounds["users"] == "full read"  # no token: the next run reads it in full
