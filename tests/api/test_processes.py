"""One truth across processes: `serve` (1 and 2 workers), the CLI and other servers on one store.

How to write tests here: start servers with `processes.serve` and run CLI commands with
`processes.tenantgraph`, each a real process over one sqlite file. Ask `/readyz` or GraphQL on a
new connection per request so every worker gets requests; `readyz.worker` says which answered.
Assert what a user would see: the snapshot id each answer names, decisions, members.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from graphmodel.service import GraphService
from graphmodel.stores import open_store
from tests.api.processes import Served, serve, tenantgraph

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "fixtures" / "demo.yaml"
CURRENT = "{ currentSnapshot { id } }"
ADD = """mutation($g: String!, $m: String!) {
  addGroupMember(group: $g, member: $m) { snapshot { id } } }"""
MEMBERS = """query($g: String!) {
  group(ref: $g) { members { ... on User { ref } ... on Group { ref } } } }"""


def without_bob_in_finance(tmp_path: Path) -> Path:
    """The demo world where `contoso/bob` (fabrikam/bob's guest) is no longer in finance."""
    text = DEMO.read_text("utf-8")
    old = "members: [alice, bob, finn, dan, dora, nick, group:auditors]"
    assert old in text
    path = tmp_path / "no-bob.yaml"
    path.write_text(text.replace(old, "members: [alice, finn, dan, dora, nick, group:auditors]"))
    return path


def decision(db: Path, principal: str, resource: str) -> str:
    """The decision read from the store file by a newly opened service (not a server's)."""
    with GraphService(open_store("memory", path=db)) as svc:
        return svc.check(principal, resource).decision.value


def every_worker(server: Served, workers: int, attempts: int = 300) -> list[dict[str, Any]]:
    """`/readyz` answers until each of `workers` processes answered at least once."""
    answers: list[dict[str, Any]] = []
    seen: set[int] = set()
    for _ in range(attempts):
        answer = server.ready()
        answers.append(answer)
        seen.add(answer["worker"])
        if len(seen) == workers:
            return answers
    raise AssertionError(f"only workers {sorted(seen)} answered in {attempts} requests")


@pytest.fixture
def demo_db(tmp_path: Path) -> Path:
    db = tmp_path / "store.db"
    tenantgraph("load", str(DEMO), "--db", str(db))
    return db


@pytest.fixture(params=[1, 2], ids=["1-worker", "2-workers"])
def server(request: pytest.FixtureRequest, demo_db: Path) -> Iterator[tuple[Served, int]]:
    workers: int = request.param
    served = serve("--no-auth", "--db", str(demo_db), "--workers", str(workers))
    try:
        every_worker(served, workers)
        yield served, workers
    finally:
        served.stop()


def test_workers_answer_a_cli_load_next_and_never_revert_it(
    server: tuple[Served, int], demo_db: Path, tmp_path: Path
) -> None:
    """The issue's scenario: the CLI loads a world without bob in finance while `serve` runs,
    then an admin adds a member through the API."""
    served, workers = server
    assert {a["snapshot"] for a in every_worker(served, workers)} == {1}
    assert decision(demo_db, "fabrikam/bob", "contoso/payroll") == "allow"

    tenantgraph("load", str(without_bob_in_finance(tmp_path)), "--db", str(demo_db))
    after = every_worker(served, workers)
    assert all(a["snapshot"] == 2 and a["caughtUp"] for a in after), after
    for _ in range(2 * workers):
        body = served.graphql(CURRENT)
        assert body["data"]["currentSnapshot"]["id"] == 2
        assert body["extensions"]["snapshot"] == 2

    body = served.graphql(ADD, {"g": "contoso/finance", "m": "contoso/carol"})
    assert body["data"]["addGroupMember"]["snapshot"]["id"] == 3, body
    assert decision(demo_db, "fabrikam/bob", "contoso/payroll") == "deny"  # the load stands
    assert decision(demo_db, "contoso/carol", "contoso/payroll") == "allow"  # and so does the add
    assert {a["snapshot"] for a in every_worker(served, workers)} == {3}
    members = served.graphql(MEMBERS, {"g": "contoso/finance"})["data"]["group"]["members"]
    refs = {m["ref"] for m in members}
    assert "contoso/carol" in refs and "contoso/bob" not in refs


@pytest.mark.parametrize("layout", ["two-servers", "two-workers"])
def test_concurrent_writers_keep_every_change(demo_db: Path, layout: str) -> None:
    """Members added at once through two `serve` processes, or two workers of one, on one file.

    Two servers are two writers for sure; with two workers of one server, connections are
    spread by the kernel, so the test first makes sure that both workers answer.
    """
    if layout == "two-servers":
        servers = [serve("--no-auth", "--db", str(demo_db), "--workers", "1") for _ in range(2)]
    else:
        one = serve("--no-auth", "--db", str(demo_db), "--workers", "2")
        every_worker(one, 2)
        servers = [one, one]
    adds = [
        (servers[0], "contoso/finance", "contoso/carol"),
        (servers[1], "contoso/finance", "contoso/gabe"),
        (servers[0], "contoso/finance", "contoso/gina"),
        (servers[1], "contoso/finance", "contoso/uma"),
    ]
    try:
        with ThreadPoolExecutor(len(adds)) as pool:
            results = list(pool.map(lambda a: a[0].graphql(ADD, {"g": a[1], "m": a[2]}), adds))
        written = [r["data"]["addGroupMember"]["snapshot"]["id"] for r in results if r["data"]]
        refused = [e for r in results for e in r.get("errors", ())]
        assert all(e["extensions"]["code"] == "conflict" for e in refused), refused
        assert len(written) + len(refused) == len(adds)
        assert len(set(written)) == len(written)  # no two writes published the same snapshot
        newest = {"At-Least-Snapshot": str(max(written))}  # read every write (a token)
        for served in servers:
            current = served.graphql(CURRENT, headers=newest)["data"]["currentSnapshot"]
            assert current["id"] == 1 + len(written)
            members = served.graphql(MEMBERS, {"g": "contoso/finance"}, headers=newest)["data"]
            members = members["group"]
            refs = {m["ref"] for m in members["members"]}
            for (_, _, member), result in zip(adds, results, strict=True):
                assert (member in refs) == (result["data"] is not None), (member, result)
    finally:
        for served in {id(s): s for s in servers}.values():
            served.stop()


def test_tokens_and_zones_changed_at_the_cli_reach_every_worker(demo_db: Path) -> None:
    served = serve("--db", str(demo_db), "--workers", "2")  # authentication on
    try:
        every_worker(served, 2)
        created = tenantgraph("token", "--db", str(demo_db), "create", "--role", "admin")
        token = created.stdout.strip()
        token_id = created.stderr.split()[2]
        tenantgraph("zone", "set", "partners", "fabrikam", "--db", str(demo_db))
        query = '{ findings(zone: "partners", first: 1) { totalCount } }'
        for _ in range(8):
            body = served.graphql(query, token=token)
            assert "errors" not in body, body
        tenantgraph("token", "--db", str(demo_db), "revoke", token_id)
        for _ in range(8):
            assert served.post(query, token=token).status_code == 401
    finally:
        served.stop()
