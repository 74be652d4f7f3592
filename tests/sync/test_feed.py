"""The access-change feed over real stores and a real feed file.

A policy that opens a tenant to every outsider is one event naming the policy and counting the
principals; a guest joining a group is the paths it gained. Each snapshot is computed once,
even with two feed users on the same file (one holds the lease, the other waits for its
result); a recreated graph store (snapshot ids reused) is not mistaken for the old one.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from graphmodel.audit.feed import GROUP_OVER
from graphmodel.audit.feed_store import FeedStore
from graphmodel.engine import WorldIndex, is_outsider_ref
from graphmodel.ingest import load_world_text
from graphmodel.schema import World
from graphmodel.service import GraphService
from graphmodel.service.changes import ChangeFeed
from graphmodel.stores import open_store

GUESTS = GROUP_OVER + 5


def world(*, inbound: str = "blocked", staff: str = "alice") -> World:
    """Contoso with GUESTS guests of Fabrikam, its default inbound B2B setting `inbound`."""
    names = [f"g{i:02d}" for i in range(GUESTS)]
    guests = ", ".join(f"{{name: {n}, guestOf: fabrikam/{n}}}" for n in names)
    return load_world_text(f"""
tenants:
  - name: contoso
    users: [alice, gail-local, {guests}]
    groups: [{{name: staff, members: [{staff}]}}]
    apps: [{{name: wiki}}, {{name: intranet}},
           {{name: payroll, assignmentRequired: true, assignedTo: [staff]}}]
    crossTenantAccess:
      default:
        b2bCollaborationInbound:
          usersAndGroups:
            accessType: {inbound}
            targets: [{{target: AllUsers, targetType: user}}]
          applications:
            accessType: {inbound}
            targets: [{{target: AllApplications, targetType: application}}]
  - name: fabrikam
    users: [{", ".join(names)}]
""")


@pytest.fixture
def graph(tmp_path: Path) -> GraphService:
    return GraphService(open_store("memory", path=tmp_path / "tg.db"))


def test_a_policy_opening_a_tenant_to_all_outsiders_is_one_event(
    graph: GraphService, tmp_path: Path
) -> None:
    feed = ChangeFeed.open(graph, str(tmp_path / "feed.sqlite"))
    graph.load_world(world(inbound="blocked"), source="v1")
    assert feed.catch_up().events == 0  # the baseline
    graph.load_world(world(inbound="allowed"), source="v2")
    caught = feed.catch_up()
    (record,) = feed.page().items
    e = record.event
    assert caught.events == 1 and e.grouped and e.change.value == "gained"
    assert (e.principals, e.resources, e.tenant) == (GUESTS, 2, "contoso")  # not payroll
    assert e.policy == ("crossTenantAccess contoso default.b2bCollaborationInbound (changed)")
    assert e.sample == tuple(f"fabrikam/g{i:02d}" for i in range(5))
    assert {t.policy for t in e.trust} >= {"crossTenantAccess.default.b2bCollaborationInbound"}


def test_a_guest_joining_a_group_is_the_path_it_gained(
    graph: GraphService, tmp_path: Path
) -> None:
    feed = ChangeFeed.open(graph, str(tmp_path / "feed.sqlite"))
    graph.load_world(world(inbound="allowed"), source="v1")
    feed.catch_up()
    graph.load_world(world(inbound="allowed", staff="alice, g03"), source="v2")
    feed.catch_up()
    (record,) = feed.page().items
    e = record.event
    assert e.access is not None and not e.grouped
    assert (e.change.value, e.access.principal, e.access.resource) == (
        "gained", "fabrikam/g03", "contoso/payroll")
    assert [(c.kind, c.after) for c in e.causes] == [("groupMember", "contoso/g03")]
    assert e.policy == "apps[payroll].appRoleAssignmentRequired"  # the gate that opened
    assert (record.snapshot, record.previous) == (2, 1)


def test_members_and_local_accounts_are_not_outsiders() -> None:
    ix = WorldIndex(load_world_text("""
tenants:
  - name: contoso
    users: [alice, {name: gail, userType: Guest, identityProvider: google},
            {name: otp, userType: Guest, identityProvider: emailOtp}]
  - name: shop
    type: b2c
    users: [{name: cora, identityProvider: google},
            {name: lou, userType: Guest, identityProvider: local}]
"""))
    assert [p for p in ("contoso/alice", "contoso/gail", "contoso/otp")
            if is_outsider_ref(ix, p, "contoso/wiki")] == ["contoso/gail", "contoso/otp"]
    assert not is_outsider_ref(ix, "shop/cora", "shop/storefront")  # a B2C tenant's own consumer
    assert not is_outsider_ref(ix, "shop/lou", "shop/storefront")  # a local account of the tenant
    assert is_outsider_ref(ix, "shop/cora", "contoso/wiki")
    assert is_outsider_ref(ix, "nobody/x", "contoso/wiki")  # an unknown ref: by its tenant prefix


def test_each_snapshot_is_computed_once_by_whoever_holds_the_lease(
    graph: GraphService, tmp_path: Path
) -> None:
    path = str(tmp_path / "feed.sqlite")
    graph.load_world(world(inbound="blocked"), source="v1")
    sync = ChangeFeed.open(graph, path)
    sync.catch_up()
    graph.load_world(world(inbound="allowed"), source="v2")
    other = GraphService(open_store("memory", path=tmp_path / "tg.db"))  # an API worker
    api = ChangeFeed.open(other, path)
    assert sync.store.claim(2, sync.owner, datetime.now(UTC), timedelta(minutes=10))
    waiting = api.catch_up()
    assert waiting.pending == (2,) and waiting.snapshots == () and api.page().items == ()
    done = sync.catch_up()
    assert done.snapshots == (2,) and done.events == 1
    assert api.catch_up().snapshots == ()  # nothing left to compute
    assert [r.seq for r in api.page().items] == [r.seq for r in sync.page().items] == [1]
    assert FeedStore(path).record(2, graph.snapshots()[-1].created_at, 1, [],
                                  datetime.now(UTC)) is False  # never stored twice


def test_a_recreated_store_is_not_taken_for_the_old_one(tmp_path: Path) -> None:
    path = str(tmp_path / "feed.sqlite")
    first = GraphService(open_store("memory", path=tmp_path / "a.db"))
    first.load_world(world(inbound="blocked"), source="v1")
    feed = ChangeFeed.open(first, path)
    feed.catch_up()
    first.load_world(world(inbound="allowed"), source="v2")
    feed.catch_up()
    assert len(feed.page().items) == 1
    second = GraphService(open_store("memory", path=tmp_path / "b.db"))  # ids 1, 2 again
    second.load_world(world(inbound="allowed"), source="v1")
    second.load_world(world(inbound="allowed", staff="alice, g01"), source="v2")
    again = ChangeFeed.open(second, path)
    assert again.catch_up().snapshots == (2,)  # a new baseline at the newest snapshot
    assert again.page().items == ()


def test_the_feed_pages_by_cursor_and_filters_by_snapshot_time_and_tenant(
    graph: GraphService, tmp_path: Path
) -> None:
    feed = ChangeFeed.open(graph, str(tmp_path / "feed.sqlite"))
    graph.load_world(world(inbound="allowed"), source="v1")
    feed.catch_up()
    graph.load_world(world(inbound="allowed", staff="alice, g01, g02"), source="v2")
    feed.catch_up()
    graph.load_world(world(inbound="allowed", staff="alice, g01, g02, g03"), source="v3")
    feed.catch_up()
    first = feed.page(first=2)
    assert [r.seq for r in first.items] == [1, 2] and first.has_next and first.total_count == 3
    rest = feed.page(first=2, after=int(first.end_cursor or 0))
    assert [r.seq for r in rest.items] == [3] and not rest.has_next
    assert [r.snapshot for r in feed.page(since_snapshot=2).items] == [3]
    created = {s.id: s.created_at for s in graph.snapshots()}
    assert [r.snapshot for r in feed.page(since_time=created[2]).items] == [3]
    assert feed.page(tenants=["fabrikam"]).items == ()
