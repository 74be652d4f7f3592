"""Paging while another process publishes: a cursor keeps the snapshot it was issued for.

How to write tests here: read a first page through a `fresh()` server, publish a new snapshot
from a separate service on the same store file (as the CLI or another worker would), then
continue with the cursor and compare with what the new snapshot would have said.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from graphmodel.ingest import load_world_file, load_world_text
from graphmodel.service import GraphService
from graphmodel.stores import open_store
from tests.api.conftest import Fresh
from tests.api.support import WORLD, LiveServer

USERS = """query($a: String, $s: Int) {
  users(tenant: "contoso", first: 3, after: $a, snapshot: $s) {
    nodes { ref } pageInfo { endCursor hasNextPage } } }"""
WHO = """query($a: String) { whoCanAccess(resource: "contoso/wiki", first: 2, after: $a) {
    nodes { principal { ref } } pageInfo { endCursor hasNextPage } } }"""


def publish_elsewhere(server: LiveServer) -> int:
    """Another writer of the same file: contoso gains users `dora` and `zoe`, who read `wiki`."""
    text = WORLD.read_text("utf-8")
    assert "        - carol\n" in text
    changed = load_world_text(
        text.replace("        - carol\n", "        - carol\n        - dora\n        - zoe\n", 1)
    )
    with GraphService(open_store("memory", path=server.db)) as other:
        return other.load_world(changed, source="elsewhere").id


def serving(client: Any, snapshot: int) -> int:
    """The snapshot the server serves once it serves `snapshot` or newer: a request without
    `At-Least-Snapshot` reads the snapshot held while a newer one is applied in the
    background, so a test that must see another writer's snapshot says so."""
    response = client.http.post(
        "/graphql",
        json={"query": "{ currentSnapshot { id } }"},
        headers={"At-Least-Snapshot": str(snapshot)},
    )
    found: int = response.json()["data"]["currentSnapshot"]["id"]
    return found


def pages(client: Any, query: str, key: str, after: str | None) -> tuple[list[str], Any]:
    body = client.result(query, {"a": after})
    assert "errors" not in body, body["errors"]
    conn = body["data"][key]
    refs = [n["ref"] if "ref" in n else n["principal"]["ref"] for n in conn["nodes"]]
    return refs, (conn["pageInfo"]["endCursor"], body["extensions"]["snapshot"])


def test_a_cursor_pages_its_own_snapshot_after_a_newer_one_is_published(
    fresh: Fresh, tmp_path: Path
) -> None:
    server, tokens = fresh()
    reader = server.client(tokens.reader)  # no history role: continuing is still allowed
    whole, after, snapshots = [], None, []
    first, (after, sid) = pages(reader, USERS, "users", None)
    whole += first
    snapshots.append(sid)
    newer = publish_elsewhere(server)
    assert serving(reader, newer) == newer
    while after is not None:
        page, (end, sid) = pages(reader, USERS, "users", after)
        snapshots.append(sid)
        whole += page
        after = end if page else None
    before = sorted(u.ref for u in load_world_file(WORLD).users if u.tenant == "contoso")
    assert whole == before and set(snapshots) == {1}
    assert newer == 2

    # the same cursor with another snapshot named is refused, never silently mixed
    _, (cursor, _) = pages(reader, USERS, "users", None)  # issued for snapshot 2 now
    auditor = server.client(tokens.auditor)
    body = auditor.result(USERS, {"a": cursor, "s": 1})
    assert [e["extensions"]["code"] for e in body["errors"]] == ["invalid-input"]


def test_a_who_can_access_stream_keeps_its_snapshot(fresh: Fresh) -> None:
    server, tokens = fresh()
    admin = server.client(tokens.admin)
    everyone, (after, _) = pages(admin, WHO, "whoCanAccess", None)
    newer = publish_elsewhere(server)
    assert serving(admin, newer) == newer
    while after is not None:
        page, (end, sid) = pages(admin, WHO, "whoCanAccess", after)
        assert sid == 1
        everyone += page
        after = end if page else None
    at_one = admin.data(
        """{ whoCanAccess(resource: "contoso/wiki", first: 100, snapshot: 1) {
            nodes { principal { ref } } } }"""
    )["whoCanAccess"]["nodes"]
    assert everyone == [n["principal"]["ref"] for n in at_one]
    assert len(everyone) > 2
    assert not {"contoso/dora", "contoso/zoe"} & set(everyone)
    now = admin.data(
        """{ whoCanAccess(resource: "contoso/wiki", first: 100) { nodes { principal { ref } } } }"""
    )["whoCanAccess"]["nodes"]
    assert {"contoso/dora", "contoso/zoe"} <= {n["principal"]["ref"] for n in now}
