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
from tests.api.processes import serve
from tests.api.support import ACCESS
from tests.support.bolt_server import BoltTargets, purge_namespace
from tests.support.processes import answers, patience, wait_until

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
    body = httpx.post(f"{url}/graphql", json={"query": ACCESS, "variables": PAIR}, timeout=120)
    data: dict[str, object] = body.json()["data"]
    return {"snapshot": data["currentSnapshot"], "decision": data["access"]["decision"]}  # type: ignore[index]


def _write(url: str, mutation: str) -> int:
    body = httpx.post(f"{url}/graphql", json={"query": mutation}, timeout=120).json()
    made: int = body["data"]["updateCrossTenantAccessPartner"]["snapshot"]["id"]
    return made


def _until(url: str, snapshot: int) -> dict[str, object]:
    """The other host's answer once it serves `snapshot` (it must within a few intervals; the
    deadline is generous and load-scaled, the machine may be busy)."""
    deadline = time.monotonic() + patience(30)
    while True:
        seen = _ask(url)
        if seen["snapshot"] == {"id": snapshot} or time.monotonic() > deadline:
            return seen
        time.sleep(0.2)


def test_two_hosts_answer_the_same_snapshot_and_see_each_others_writes(uri: str) -> None:
    assert cli_main(["load", str(WORLD), "--store", "neo4j", "--uri", uri]) == 0
    store = ("--store", "neo4j", "--uri", uri, "--no-auth")
    a = serve(*store)
    try:
        b = serve(*store)
        try:
            for host in (a, b):
                wait_until(answers(f"{host.url}/readyz"), what="a host never became ready")
            first = _ask(a.url)
            assert _ask(b.url) == first and first["decision"] == "ALLOW"

            blocked = _write(a.url, BLOCK)  # host A writes, host B sees it
            assert _until(b.url, blocked) == {"snapshot": {"id": blocked}, "decision": "DENY"}
            allowed = _write(b.url, ALLOW)  # and the other way round
            assert allowed > blocked
            assert _until(a.url, allowed) == {"snapshot": {"id": allowed}, "decision": "ALLOW"}
        finally:
            b.stop()
    finally:
        a.stop()
