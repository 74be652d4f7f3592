"""GraphQL `accessChanges`: the feed a served API computes and reads from the shared feed file.

Another process (here: the test) writes a new snapshot into the server's store; the next query
catches the feed up and shows the outsider's gained path with its cause, through the existing
`AccessChange` and `EntityChange` types. The feed needs the auditor or admin role; a token
scoped to other tenants sees none of it; `since` takes a snapshot or a time, never both.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from api import Role, TokenStore
from graphmodel.ingest import load_world_file
from graphmodel.service import GraphService
from graphmodel.stores import open_store
from tests.api.conftest import Fresh
from tests.api.support import WORLD

FEED = """query($since: AccessChangesSince, $first: Int! = 100, $after: String) {
  accessChanges(since: $since, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      id snapshot previousSnapshot change tenant grouped principalCount policy
      access { principal { ref } resource { ref } via before after }
      causes { kind ref op after }
    }
  }
}"""


def _publish_gail_in_finance(db: Path) -> None:
    """Snapshot 2: the Google guest `gail` joins `finance`, which is assigned to `ledger`."""
    world = load_world_file(WORLD)
    finance = world.group_by_ref["contoso/finance"]
    groups = tuple(replace(g, members=(*g.members, "contoso/gail")) if g is finance else g
                   for g in world.groups)
    with open_store("memory", path=db) as store:
        GraphService(store).load_world(replace(world, groups=groups), source="v2")


def test_the_feed_shows_the_outsiders_new_path_and_why(fresh: Fresh, tmp_path: Path) -> None:
    server, tokens = fresh()
    auditor = server.client(tokens.auditor)
    assert auditor.data(FEED)["accessChanges"]["nodes"] == []  # the baseline: snapshot 1
    _publish_gail_in_finance(server.db)
    found = auditor.data(FEED)["accessChanges"]
    assert found["totalCount"] == 1
    (event,) = found["nodes"]
    assert event == {
        "id": 1, "snapshot": 2, "previousSnapshot": 1, "change": "GAINED",
        "tenant": "contoso", "grouped": False, "principalCount": 1,
        "policy": "apps[ledger].appRoleAssignmentRequired",
        "access": {"principal": {"ref": "contoso/gail"}, "resource": {"ref": "contoso/ledger"},
                   "via": "B2B_COLLABORATION", "before": "DENY", "after": "ALLOW"},
        "causes": [{"kind": "groupMember", "ref": "contoso/finance", "op": "ADDED",
                    "after": "contoso/gail"}],
    }
    later = auditor.data(FEED, {"since": {"snapshot": 2}})["accessChanges"]
    assert later["nodes"] == [] and later["totalCount"] == 0
    since = auditor.data(FEED, {"since": {"time": "2000-01-01T00:00:00Z"}})["accessChanges"]
    assert [n["id"] for n in since["nodes"]] == [1]
    paged = auditor.data(FEED, {"first": 0})["accessChanges"]
    assert paged["pageInfo"]["hasNextPage"] is True
    rest = auditor.data(FEED, {"after": auditor.data(FEED)["accessChanges"]["pageInfo"]
                               ["endCursor"]})["accessChanges"]
    assert rest["nodes"] == []


def test_the_feed_needs_history_rights_and_respects_tenant_scope(
    fresh: Fresh, tmp_path: Path
) -> None:
    server, tokens = fresh()
    other = TokenStore(tmp_path / "tokens.sqlite").create(Role.AUDITOR, tenants=["fabrikam"])[1]
    server.client(tokens.admin).data(FEED)
    _publish_gail_in_finance(server.db)
    assert server.client(tokens.reader).codes(FEED) == ["forbidden"]
    assert server.client(other).data(FEED)["accessChanges"]["nodes"] == []
    assert server.client(tokens.admin).data(FEED)["accessChanges"]["totalCount"] == 1
    both = {"since": {"snapshot": 1, "time": "2000-01-01T00:00:00Z"}}
    assert server.client(tokens.admin).codes(FEED, both) == ["query-invalid"]
