"""The live collector against a fake Microsoft Graph on 127.0.0.1 (never the internet).

The fake server serves the shared samples as one tenant over HTTPS, with the sign-in service's
discovery and token endpoints next to it, so the real MSAL token provider is exercised. Paging,
429 with Retry-After, a 500 burst, an expired token and a missing permission are injected, and
each test asserts the message a person would see.
"""

from __future__ import annotations

import base64
import json
import ssl
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from graphmodel.ingest.collector import (
    AuthFailed,
    CollectResult,
    GraphClient,
    GraphUnavailable,
    MissingPermissions,
    MsalTokenProvider,
    collect,
    load_certificate,
)
from graphmodel.ingest.graph_export import import_export
from graphmodel.schema.verdict import Decision
from graphmodel.service import GraphService
from graphmodel.stores import open_store
from tests.ingest.fake_graph import FakeGraph, Fault
from tests.ingest.fake_tenant import MY_APP, TEAM, make_certificate, routes
from tests.ingest.graph_folders import CONTOSO_ID, FABRIKAM_ID, dangling_refs


@pytest.fixture(scope="module")
def server_cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return make_certificate(tmp_path_factory.mktemp("server"), server=True)


@pytest.fixture
def fake(server_cert: tuple[Path, Path]) -> Iterator[FakeGraph]:
    cert, key = server_cert
    with FakeGraph(CONTOSO_ID, routes(), cert, key, page_size=2) as server:
        yield server


class Run:
    """One collection against the fake server, recording messages and waits."""

    def __init__(self, fake: FakeGraph, credential: str | dict[str, str] = "s3cret") -> None:
        self.fake = fake
        self.messages: list[str] = []
        self.sleeps: list[float] = []
        verify = ssl.create_default_context(cafile=str(fake.cert))
        self.tokens = MsalTokenProvider(CONTOSO_ID, "app-id", credential,
                                        authority_host=fake.base_url, verify=verify)
        self.http = httpx.Client(verify=verify)
        self.client = GraphClient(self.tokens, base_url=fake.base_url, http=self.http,
                                  notify=self.messages.append, sleep=self.sleeps.append,
                                  jitter=lambda: 0.0)

    def __call__(self, out: Path) -> CollectResult:
        try:
            return collect(self.client, out, tenant_id=CONTOSO_ID)
        finally:
            self.http.close()
            self.tokens.close()


def test_a_collected_tenant_imports_and_answers(fake: FakeGraph, tmp_path: Path) -> None:
    run = Run(fake)
    result = run(tmp_path / "contoso")
    out = tmp_path / "contoso"
    assert sorted(p.name for p in out.glob("users*.json")) == [
        "users.json", "users.page2.json", "users.page3.json"]
    for rel in ("groupMembers/4d0ef681-e88f-42a3-a2db-e6bf1e249e10.json",
                "appRoleAssignedTo/00af5dfb-85da-4b41-a677-0c6b86dd34f8.json",
                f"partners/{FABRIKAM_ID}.identitySynchronization.json",
                f"tenantInformation/{FABRIKAM_ID}.json", f"teams/{TEAM}/channels.json",
                f"teams/{TEAM}/channels/19%3Ashared@thread.tacv2/members.json",
                f"teams/{TEAM}/channels/19%3Ashared@thread.tacv2/sharedWithTeams/"
                "2173de69-de69-2173-69de-732169de7321/allowedMembers.json"):
        assert (out / rel).is_file(), rel
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["complete"] is True and manifest["tenantId"] == CONTOSO_ID
    assert "/identity/authenticationEventsFlows" in result.absent
    assert ("skipped `/identity/authenticationEventsFlows` (not available in this tenant): "
            "microsoft graph answered 404 `Request_ResourceNotFound` for "
            "`/identity/authenticationEventsFlows`: /identity/authenticationEventsFlows does not "
            "exist") in run.messages
    world, _ = import_export([out])
    assert dangling_refs(world) == []
    bob = world.user_by_ref["contoso/bob"]
    assert bob.guest_of == "Fabrikam/bob"  # tenantInformation names the home tenant
    channel = world.channel_by_ref["contoso/hr-taskforce/Partners"]
    assert channel.members == ("contoso/mod-administrator", "Fabrikam/frank")
    assert world.tenants[0].external_collaboration.blocked_domains == ("adatum.com",)
    svc = GraphService(open_store("memory"))
    try:
        svc.load_world(world, source="collected")
        allowed = svc.check("Fabrikam/bob", "contoso/my-app-instance-in-tenant")
        assert allowed.decision is Decision.ALLOW  # a member of the assigned group Executives
        frank = svc.check("Fabrikam/frank", "contoso/hr-taskforce/Partners")
        assert frank.decision is Decision.DENY
    finally:
        svc.store.close()


def test_paging_follows_every_next_link_verbatim(fake: FakeGraph, tmp_path: Path) -> None:
    Run(fake)(tmp_path / "t")
    users = [p for p in fake.graph_paths() if p.startswith("/v1.0/users")]
    assert users[0].startswith("/v1.0/users?%24select=id")
    # the directory pass, then the signInActivity pass (AuditLog.Read.All) pages the same way
    assert users[1:3] == ["/v1.0/users?$skiptoken=2", "/v1.0/users?$skiptoken=4"]
    assert "signInActivity" in users[3] and users[4:] == users[1:3]
    pages = [json.loads((tmp_path / "t" / f).read_text())
             for f in ("users.json", "users.page2.json", "users.page3.json")]
    assert [len(p["value"]) for p in pages] == [2, 2, 1]
    assert [("@odata.nextLink" in p) for p in pages] == [True, True, False]


def test_429_waits_as_long_as_retry_after_asks(fake: FakeGraph, tmp_path: Path) -> None:
    fake.faults["/users"] = [Fault(429, {"Retry-After": "7"}, "TooManyRequests")]
    run = Run(fake)
    run(tmp_path / "t")
    assert run.sleeps == [7.0]
    assert run.messages[0] == ("throttled by microsoft graph on `/users`: waiting 7s as "
                               "`Retry-After` asks (attempt 1 of 6)")


def test_a_500_burst_backs_off_exponentially(fake: FakeGraph, tmp_path: Path) -> None:
    fake.faults["/groups"] = [Fault(500), Fault(500), Fault(502)]
    run = Run(fake)
    run(tmp_path / "t")
    assert run.sleeps == [1.0, 2.0, 4.0]
    assert run.messages[1:4] == [
        "microsoft graph returned 500 on `/groups`: retrying in 1s (attempt 1 of 6)",
        "microsoft graph returned 500 on `/groups`: retrying in 2s (attempt 2 of 6)",
        "microsoft graph returned 502 on `/groups`: retrying in 4s (attempt 3 of 6)",
    ]
    assert (tmp_path / "t" / "groups.json").is_file()


def test_a_500_burst_longer_than_the_retries_stops_with_a_clear_error(
    fake: FakeGraph, tmp_path: Path
) -> None:
    fake.faults["/organization"] = [Fault(500)] * 6
    run = Run(fake)
    with pytest.raises(GraphUnavailable) as err:
        run(tmp_path / "t")
    assert str(err.value) == ("microsoft graph kept failing on `/organization` (500 after 6 "
                              "attempts, request-id `req-1`); try again later")
    assert run.sleeps == [1.0, 2.0, 4.0, 8.0, 16.0]


def test_an_expired_token_is_replaced_once(fake: FakeGraph, tmp_path: Path) -> None:
    fake.reject_tokens = {"tok-1"}
    run = Run(fake)
    run(tmp_path / "t")
    assert run.messages[0] == ("the access token was rejected (401), probably expired: acquiring "
                               "a new token and retrying once")
    assert len(fake.token_requests) == 2
    assert {t for _, p, t in fake.requests if p.startswith("/v1.0/users")} == {"tok-2"}


def test_a_token_rejected_again_is_an_auth_error(fake: FakeGraph, tmp_path: Path) -> None:
    fake.reject_tokens = {"tok-1", "tok-2"}
    with pytest.raises(AuthFailed) as err:
        Run(fake)(tmp_path / "t")
    assert str(err.value) == (
        "microsoft graph rejected a freshly acquired token for `/organization` (401 "
        "`InvalidAuthenticationToken`); check the tenant id and that the app is consented in "
        "this tenant")


def test_missing_permissions_are_listed_once_at_the_end(fake: FakeGraph, tmp_path: Path) -> None:
    fake.forbidden = {"/identity/conditionalAccess", "/teams"}
    run = Run(fake)
    with pytest.raises(MissingPermissions) as err:
        run(tmp_path / "t")
    assert str(err.value) == (
        "microsoft graph refused access (403) because the app registration lacks the "
        "application permissions `Policy.Read.All` (for `/identity/conditionalAccess/policies`), "
        "`Team.ReadBasic.All` (for `/teams/{id}`), `TeamMember.Read.All` (for "
        "`/teams/{id}/members`), `Channel.ReadBasic.All` (for `/teams/{id}/allChannels`); grant "
        "them, give admin consent and run collect again")
    assert ("no permission for `/identity/conditionalAccess/policies` (needs `Policy.Read.All`); "
            "continuing") in run.messages
    manifest = json.loads((tmp_path / "t" / "manifest.json").read_text())
    assert manifest["complete"] is False
    assert manifest["missingPermissions"] == ["Channel.ReadBasic.All", "Policy.Read.All",
                                              "Team.ReadBasic.All", "TeamMember.Read.All"]
    assert (tmp_path / "t" / "users.json").is_file()  # everything else was still collected


def test_relationships_go_through_batch_and_throttled_parts_are_retried(
    fake: FakeGraph, tmp_path: Path
) -> None:
    fake.faults["/groups/4d0ef681-e88f-42a3-a2db-e6bf1e249e10/members"] = [
        Fault(429, {"Retry-After": "3"}, "TooManyRequests")]
    run = Run(fake)
    run(tmp_path / "t")
    gets = [p for m, p, _ in fake.requests if m == "GET"]
    assert not any("/members" in p and p.startswith("/v1.0/groups/") for p in gets)
    assert any(m == "POST" and p == "/v1.0/$batch" for m, p, _ in fake.requests)
    assert ("1 of 3 batched requests were throttled or failed: retrying them in 3s (attempt 1 "
            "of 6)") in run.messages
    assert 3.0 in run.sleeps
    members = json.loads((tmp_path / "t" / "groupMembers" /
                          "4d0ef681-e88f-42a3-a2db-e6bf1e249e10.json").read_text())
    assert len(members["value"]) == 2


def test_a_certificate_signs_the_client_assertion(fake: FakeGraph, tmp_path: Path) -> None:
    cert, key = make_certificate(tmp_path / "app", server=False)
    pem = tmp_path / "app.pem"
    pem.write_text(key.read_text() + cert.read_text())
    Run(fake, load_certificate(pem))(tmp_path / "t")
    form = fake.token_requests[0]
    assert form["client_assertion_type"] == [
        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"]
    head = form["client_assertion"][0].split(".")[0]
    header = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    assert "x5t#S256" in header and "client_secret" not in form


def test_a_certificate_file_without_a_key_is_refused(tmp_path: Path) -> None:
    cert, _ = make_certificate(tmp_path, server=False)
    with pytest.raises(AuthFailed) as err:
        load_certificate(cert)
    assert str(err.value) == f"`{cert}` must hold both the private key and the certificate in PEM"




def _sign_in_log(fake: FakeGraph) -> None:
    """The fake tenant's sign-in log: Graph-documented entries of guest bob to the app."""
    page = json.loads((Path(__file__).parent / "evidence_samples" / "signIns-page1.json")
                      .read_text())
    sp = next(s for s in fake.routes["/servicePrincipals"] if s["id"] == MY_APP)
    guest = next(u for u in fake.routes["/users"] if u.get("displayName") == "bob")
    entries = []
    for e in page["value"]:
        e = {**e, "appId": sp["appId"], "resourceTenantId": CONTOSO_ID}
        if e["crossTenantAccessType"] != "none":
            e.update(userId=guest["id"], homeTenantId=FABRIKAM_ID)
        entries.append(e)
    fake.routes["/auditLogs/signIns"] = entries


def test_sign_in_logs_are_aggregated_and_raw_entries_not_kept(
    fake: FakeGraph, tmp_path: Path
) -> None:
    _sign_in_log(fake)
    out = tmp_path / "contoso"
    Run(fake)(out)
    asked = [p for p in fake.graph_paths() if p.startswith("/v1.0/auditLogs/signIns")]
    assert asked and "createdDateTime+ge+" in asked[0].replace("%20", "+")
    assert not list(out.glob("signIns*.json"))  # no raw log entry is written
    usage = json.loads((out / "signInUsage.json").read_text())["value"]
    assert [(u["crossTenantAccessType"], u["signInCount"]) for u in usage] == [
        ("b2bCollaboration", 1)]  # the failed attempt and the same-tenant sign-in do not count
    world, _ = import_export([out])
    (found,) = world.tenants[0].sign_ins
    assert (found.user, found.resource, found.count) == (
        "Fabrikam/bob", "contoso/my-app-instance-in-tenant", 1)


def test_sign_in_evidence_without_audit_permission_or_licence_is_reported(
    fake: FakeGraph, tmp_path: Path
) -> None:
    fake.forbidden = {"/auditLogs"}
    fake.unlicensed_selects = {"signInActivity"}
    run = Run(fake)
    with pytest.raises(MissingPermissions) as err:
        run(tmp_path / "t")
    assert err.value.permissions == ("AuditLog.Read.All",)
    assert {e for _, e in err.value.missing} == {"/users", "/auditLogs/signIns"}
    assert ("no permission for `/users` (needs `AuditLog.Read.All` and a Microsoft Entra ID P1 "
            "or P2 licence); continuing") in run.messages
    manifest = json.loads((tmp_path / "t" / "manifest.json").read_text())
    assert manifest["missingPermissions"] == ["AuditLog.Read.All"]
    world, _ = import_export([tmp_path / "t"])  # the directory itself was collected
    assert world.users and all(u.last_sign_in_date_time is None for u in world.users)
