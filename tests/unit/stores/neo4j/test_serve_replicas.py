"""Two `tenantgraph serve --store neo4j` processes over one Bolt server: one truth, two hosts.

How to write tests here: real processes on 127.0.0.1, the session's FalkorDB, the namespace
`serve` commands use (`default`, purged afterwards); poll for another host's write (each host
trusts its snapshot pointer for at most `refresh_interval`, 1 s) with a generous deadline.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from graphmodel.cli import main as cli_main
from tests.api.support import ACCESS
from tests.api.test_serve import _serve, _stop
from tests.support.bolt_server import BoltTargets, purge_namespace

WORLD = Path(__file__).parents[3] / "api" / "world.yaml"
BLOCK = """mutation { updateCrossTenantAccessPartner(tenant: "contoso", partner: "fabrikam",
  input: {b2bCollaborationInbound: {usersAndGroups: {accessType: BLOCKED, targets: [
    {target: "AllUsers", targetType: USER}]}, applications: {accessType: BLOCKED, targets: [
    {target: "AllApplications", targetType: APPLICATION}]}}}) { snapshot { id } } }"""
ALLOW = BLOCK.replace("BLOCKED", "ALLOWED")
PAIR = {"p": "fabrikam/bob", "r": "contoso/wiki"}


@pytest.fixture
def uri(falkordb: BoltTargets) -> Iterator[str]:
    falkordb.driver("neo4j")
    yield falkordb.servers["neo4j"].uri
    purge_namespace(falkordb, "neo4j", "default")


def _ask(url: str) -> dict[str, object]:
    body = httpx.post(f"{url}/graphql", json={"query": ACCESS, "variables": PAIR}, timeout=30)
    data: dict[str, object] = body.json()["data"]
    return {"snapshot": data["currentSnapshot"], "decision": data["access"]["decision"]}  # type: ignore[index]


def _write(url: str, mutation: str) -> int:
    body = httpx.post(f"{url}/graphql", json={"query": mutation}, timeout=60).json()
    made: int = body["data"]["updateCrossTenantAccessPartner"]["snapshot"]["id"]
    return made


def _until(url: str, snapshot: int) -> dict[str, object]:
    """The other host's answer once it serves `snapshot` (it must within a few intervals)."""
    deadline = time.monotonic() + 30
    while True:
        seen = _ask(url)
        if seen["snapshot"] == {"id": snapshot} or time.monotonic() > deadline:
            return seen
        time.sleep(0.2)


def test_two_hosts_answer_the_same_snapshot_and_see_each_others_writes(uri: str) -> None:
    assert cli_main(["load", str(WORLD), "--store", "neo4j", "--uri", uri]) == 0
    store = ("--store", "neo4j", "--uri", uri, "--no-auth")
    a, a_url = _serve(*store)
    try:
        b, b_url = _serve(*store)
        try:
            for url in (a_url, b_url):
                deadline = time.monotonic() + 60
                while httpx.get(f"{url}/readyz").status_code != 200:
                    assert time.monotonic() < deadline, "a host never became ready"
                    time.sleep(0.2)
            first = _ask(a_url)
            assert _ask(b_url) == first and first["decision"] == "ALLOW"

            blocked = _write(a_url, BLOCK)  # host A writes, host B sees it
            assert _until(b_url, blocked) == {"snapshot": {"id": blocked}, "decision": "DENY"}
            allowed = _write(b_url, ALLOW)  # and the other way round
            assert allowed > blocked
            assert _until(a_url, allowed) == {"snapshot": {"id": allowed}, "decision": "ALLOW"}
        finally:
            _stop(b)
    finally:
        _stop(a)
