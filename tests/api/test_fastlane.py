"""The fast lane answers `access` and `whoCanAccess` with the bytes regular execution returns.

Two real servers per scenario world — one with the fast lane, one without — get the same
requests for every access and who-can-access check (pages of 2) of the corpus
(`../shared/scenarios`, `fixtures/`, `tests/rules/`), as an unscoped admin and as a token
scoped to one tenant (redacted paths and reasons), with the full explanation the viewer asks
for. Responses must be byte-identical (who-can-access pages up to their cursors, which each
server seals with its own key), and the fast server must have answered them in the fast lane
(so the comparison is not between two regular executions). Errors and unplanned documents must
fall back to regular execution.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api import Role, TokenStore
from api.fastlane import FastLane
from graphmodel.errors import WorldInvalid
from graphmodel.ingest.scenario import (
    AccessCheck,
    WhoCanAccessCheck,
    discover_scenario_files,
    load_scenario_file,
)
from graphmodel.service import GraphService
from graphmodel.stores import open_store
from tests.api.support import Client, LiveServer, token_auth

REPO = Path(__file__).resolve().parents[2]
ROOTS = [REPO.parent / "shared" / "scenarios", REPO / "fixtures", REPO / "tests" / "rules"]

FULL = """
query Access($p: String!, $r: String!, $via: Via) {
  access(principal: $p, resource: $r, via: $via) {
    principal { ref } resource { ref } decision mfa via partial codes
    paths { via nodes hops { source target kind rule policy sourceUrl } }
    reasons { code rule tenant policy message side inferred }
  }
}
"""
OPTIONAL = """
query($p: String!, $r: String!, $s: Int, $v: Via = ANY) {
  access(principal: $p, resource: $r, via: $v, snapshot: $s) { decision mfa via codes }
}
"""
WHO = """
query Who($r: String!, $first: Int!, $after: String, $outsiders: Boolean! = false) {
  whoCanAccess(resource: $r, first: $first, after: $after, outsiders: $outsiders) {
    partial pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { principal { ref } resource { ref } decision mfa via kind outsider } }
    nodes { principal { ref }
      verdict { decision mfa codes paths { nodes } reasons { code message } } }
  }
}
"""
# Aliases, __typename, a literal argument and two questions in one document.
ALIASED = """
query Two($p: String!, $r: String!) {
  a: access(principal: $p, resource: $r) { __typename d: decision codes
    paths { __typename hops { kind k: rule } } }
  b: access(principal: $p, resource: $r, via: ANY) { decision mfa }
}
"""


def _files() -> Iterator[object]:
    for path in discover_scenario_files([r for r in ROOTS if r.exists()]):
        try:
            _world, scenario = load_scenario_file(path)
        except WorldInvalid:
            # A corpus file written for features this build lacks has no verdicts to compare;
            # tests/scenarios reports it.
            continue
        if any(isinstance(c, AccessCheck | WhoCanAccessCheck) for c in scenario.checks):
            yield pytest.param(path, id=path.name)


def _sorted(response: httpx.Response) -> dict[str, Any]:
    """The body with its errors as a sorted list of (message, extensions): regular execution
    resolves the fields of a document concurrently, so when two non-null fields fail, which
    one reports (and its location) depends on timing."""
    body: dict[str, Any] = response.json()
    body["errors"] = sorted(
        {json.dumps([e["message"], e.get("extensions")]) for e in body.get("errors", ())}
    )
    return body


def _uncursored(response: httpx.Response) -> str:
    """The body as sent (key order kept) with every cursor replaced by a marker: cursors are
    sealed with a key of each server's own."""

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {
                k: ("<cursor>" if k.endswith(("cursor", "Cursor")) and v else strip(v))
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return json.dumps(strip(response.json()))


def _answered(server: LiveServer) -> int:
    lane = server.app.state.fast_lane
    assert isinstance(lane, FastLane)
    return lane.answered


@pytest.mark.parametrize("path", list(_files()))
def test_fast_lane_equals_graphql_for_every_corpus_verdict(path: Path, tmp_path: Path) -> None:
    world, scenario = load_scenario_file(path)
    db = tmp_path / "world.db"
    with open_store("memory", path=db) as store:
        GraphService(store).load_world(world, source=str(path))
    tokens = TokenStore(tmp_path / "tokens.sqlite")
    admin = tokens.create(Role.ADMIN, name="admin")[1]
    scoped = tokens.create(Role.READER, tenants=[world.tenants[0].ref], name="scoped")[1]
    auth = token_auth(tmp_path / "tokens.sqlite")
    fast = LiveServer(db, auth).start()
    regular = LiveServer(db, auth, fast_lane=False).start()
    try:
        asked = 0
        for token in (admin, scoped):
            f, r = Client(fast.url, token), Client(regular.url, token)
            for check in scenario.checks:
                if not isinstance(check, AccessCheck):
                    continue
                variables = {"p": check.principal, "r": check.resource, "via": check.via.name}
                for query, args in ((FULL, variables), (ALIASED, variables)):
                    got, want = f.post(query, args), r.post(query, args)
                    assert got.status_code == want.status_code
                    assert got.headers["content-type"] == want.headers["content-type"]
                    if "errors" in want.json():
                        assert _sorted(got) == _sorted(want), (check.principal, check.resource)
                    else:
                        assert got.content == want.content, (check.principal, check.resource)
                        asked += 1
            for check in scenario.checks:
                if not isinstance(check, WhoCanAccessCheck):
                    continue
                # Pages of 2, each server following its own cursors (sealed with its own key).
                after_fast = after_regular = None
                for _page in range(3):
                    ask = {"r": check.resource, "first": 2, "outsiders": check.outsiders}
                    got = f.post(WHO, {**ask, "after": after_fast})
                    want = r.post(WHO, {**ask, "after": after_regular})
                    if "errors" in want.json():
                        assert _sorted(got) == _sorted(want), check.resource
                        break
                    assert _uncursored(got) == _uncursored(want), check.resource
                    asked += 1
                    info = want.json()["data"]["whoCanAccess"]["pageInfo"]
                    if not info["hasNextPage"]:
                        break
                    after_regular = info["endCursor"]
                    after_fast = got.json()["data"]["whoCanAccess"]["pageInfo"]["endCursor"]
        assert _answered(fast) == asked > 0
        assert _answered(regular) == 0
    finally:
        fast.stop()
        regular.stop()


@pytest.fixture(scope="module")
def demo_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Client, Client]]:
    root = tmp_path_factory.mktemp("fastlane")
    world, _ = load_scenario_file(REPO / "fixtures" / "demo.yaml")
    with open_store("memory", path=root / "demo.db") as store:
        GraphService(store).load_world(world, source="demo")
    tokens = TokenStore(root / "tokens.sqlite")
    reader = tokens.create(Role.READER, tenants=["contoso"], name="contoso")[1]
    auth = token_auth(root / "tokens.sqlite")
    fast = LiveServer(root / "demo.db", auth).start()
    regular = LiveServer(root / "demo.db", auth, fast_lane=False).start()
    yield Client(fast.url, reader), Client(regular.url, reader)
    fast.stop()
    regular.stop()


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        # Another tenant's resource under a scoped token: `forbidden`.
        (FULL, {"p": "contoso/alice", "r": "fabrikam/hr"}),
        # An unknown principal: the engine's error, with its code.
        (FULL, {"p": "contoso/nobody", "r": "contoso/payroll"}),
        # Variables that do not coerce, a missing variable.
        (FULL, {"p": 3, "r": "contoso/payroll"}),
        (FULL, {"r": "contoso/payroll"}),
        # Nullable, defaulted and wrongly typed variables and literals.
        (OPTIONAL, {"p": "fabrikam/bob", "r": "contoso/payroll"}),
        (OPTIONAL, {"p": "fabrikam/bob", "r": "contoso/payroll", "s": None, "v": "MEMBER"}),
        (OPTIONAL, {"p": "fabrikam/bob", "r": "contoso/payroll", "s": 1, "v": "B2B_COLLABORATION"}),
        (OPTIONAL, {"p": "fabrikam/bob", "r": "contoso/payroll", "s": "1"}),
        (OPTIONAL, {"p": "fabrikam/bob", "r": "contoso/payroll", "v": "NOPE"}),
        (OPTIONAL, {"p": "fabrikam/bob", "r": "contoso/payroll", "v": None}),
        (
            'query { access(principal: "fabrikam/bob", resource: "contoso/payroll",'
            " via: B2B_COLLABORATION, snapshot: null) { decision via } }",
            {},
        ),
        # Invalid and unplanned documents.
        ("query { access(principal: 1) { decision } }", {}),
        ("query { access { nope } }", {}),
        (
            '{ viewer { role } access(principal: "contoso/alice", resource: "contoso/payroll")'
            " { decision } }",
            {},
        ),
        (
            'query Q($p: String!) { access(principal: $p, resource: "contoso/payroll")'
            " { ...V } } fragment V on Verdict { decision }",
            {"p": "contoso/alice"},
        ),
        (
            'query { access(principal: "contoso/alice", resource: "contoso/payroll")'
            " { decision @include(if: true) } }",
            {},
        ),
        (
            'query { access(principal: "contoso/alice", resource: "contoso/payroll",'
            " snapshot: 999) { decision } }",
            {},
        ),
    ],
)
def test_errors_and_unplanned_documents_match_regular_execution(
    demo_servers: tuple[Client, Client], query: str, variables: dict[str, object]
) -> None:
    fast, regular = demo_servers
    got, want = fast.post(query, variables), regular.post(query, variables)
    assert got.status_code == want.status_code
    assert _sorted(got) == _sorted(want)


def test_malformed_bodies_match_regular_execution(demo_servers: tuple[Client, Client]) -> None:
    fast, regular = demo_servers
    for body in (b"{", b"[]", b'{"query": 3}', b'{"query": "{ x }", "extensions": {}}'):
        headers = {"content-type": "application/json"}
        got = fast.http.post("/graphql", content=body, headers=headers)
        want = regular.http.post("/graphql", content=body, headers=headers)
        assert (got.status_code, got.content) == (want.status_code, want.content), body
