"""Changes written as versions on the FalkorDB test server: what they cost, what readers see.

How to write tests here: write with `store`, read back with `reader` (a second store on the
namespace, which holds no World and reads what the server holds, page by page) and count what
the server holds with `held(store)`. Expected Worlds come from `apply_changes`, so every read
is compared with the World the change makes, snapshot by snapshot.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest

from graphmodel.changes import ChangeSet, apply_changes, diff_worlds
from graphmodel.engine import derive_trust_edges
from graphmodel.errors import RequestReplayed
from graphmodel.schema import ExternalUserState, NodeKind, World
from graphmodel.service.mutations import add_group_member
from graphmodel.stores.base import NodeRecord
from graphmodel.stores.graphmap import HELD_PROPS, iter_edges, iter_nodes
from graphmodel.stores.lookups import WorldLookups
from graphmodel.stores.neighbourhood import check_world
from graphmodel.stores.neo4j import Neo4jStore, audit_queries, snapshots
from graphmodel.stores.neo4j.paging import PageProgress
from tests.conformance.worlds import three_tenants, trust_edges, user
from tests.unit.stores.neo4j.conftest import OpenStore
from tests.unit.stores.neo4j.test_audit import rows_of
from tests.unit.stores.neo4j.test_lookups import t_world
from tests.unit.stores.neo4j.test_store import raw

pytestmark = pytest.mark.neo4j

_LINES = """MATCH (s:TgSnapshot {namespace: $ns})
WITH collect(DISTINCT coalesce(s.line, s.id)) AS lines"""


def held(store: Neo4jStore) -> dict[str, int]:
    """How many node versions, edges and text parts the server holds for the namespace."""
    ns = store.namespace
    nodes = raw(
        store, f"{_LINES} MATCH (n:TgNode) WHERE n.snapshot IN lines RETURN count(n) AS n", ns=ns
    )
    edges = raw(
        store,
        f"{_LINES} MATCH (n:TgNode)-[r]->() WHERE n.snapshot IN lines RETURN count(r) AS n",
        ns=ns,
    )
    texts = raw(
        store, f"{_LINES} MATCH (t:TgText) WHERE t.snapshot IN lines RETURN count(t) AS n", ns=ns
    )
    return {"nodes": nodes[0]["n"], "edges": edges[0]["n"], "texts": texts[0]["n"]}


def _grown(after: dict[str, int], before: dict[str, int]) -> dict[str, int]:
    return {k: after[k] - before[k] for k in after}


def _unordered(node: NodeRecord) -> NodeRecord:
    return dataclasses.replace(node, props={k: v for k, v in node.props.items() if k != "ord"})


def _with_member(world: World, group: str, member: str) -> ChangeSet:
    return add_group_member(world, group, member)


def test_a_one_member_change_writes_a_handful_of_rows(store: Neo4jStore) -> None:
    world = three_tenants()
    a = store.write_snapshot(world, source="a", trust_edges=trust_edges())
    whole = held(store)
    changes = _with_member(world, "contoso/sales", "contoso/carol")
    b = store.write_changes(changes, source="b", base=a.id)
    grown = _grown(held(store), whole)
    # the group's new version; its live edges moved to it (3 members, HOMED_IN, ASSIGNED_TO,
    # nested in staff) plus the new member's edge; the change set's text
    sales = [e for e in iter_edges(world) if "Group:contoso/sales" in (e.source, e.target)]
    assert grown == {"nodes": 1, "edges": len(sales) + 1, "texts": 1}
    assert grown["nodes"] < whole["nodes"] // 10 and grown["edges"] < whole["edges"] // 5
    assert 0 < store.last_write_rows <= 2 * (len(sales) + 4)
    assert b.base == a.id


def test_readers_of_older_snapshots_see_them_exactly(store: Neo4jStore, reader: Neo4jStore) -> None:
    w1 = t_world()
    a = store.write_snapshot(w1, source="a", trust_edges=derive_trust_edges(w1))
    worlds, infos = [w1], [a]
    group = max(w1.groups, key=lambda g: len(g.members))
    outsider = next(u for u in w1.users if u.ref not in group.members and u.tenant == group.tenant)
    middle = len(w1.users) // 2
    newcomer = dataclasses.replace(w1.users[middle], name="newcomer", id="n-1")
    steps: list[Callable[[World], ChangeSet]] = [
        lambda w: _with_member(w, group.ref, outsider.ref),
        lambda w: diff_worlds(  # a user inserted mid-World, another removed
            w,
            dataclasses.replace(w, users=(*w.users[:middle], newcomer, *w.users[middle:-1])),
        ),
        lambda w: diff_worlds(w, dataclasses.replace(w, assignments=w.assignments[1:])),
        lambda w: diff_worlds(  # a partner section dropped: derived trust edges move
            w,
            dataclasses.replace(
                w,
                tenants=(
                    dataclasses.replace(
                        w.tenants[0],
                        cross_tenant_access=dataclasses.replace(
                            w.tenants[0].cross_tenant_access, partners=()
                        ),
                    ),
                    *w.tenants[1:],
                ),
            ),
        ),
    ]
    for make in steps:
        before, changes = worlds[-1], make(worlds[-1])
        after = apply_changes(before, changes)
        trust = derive_trust_edges(after)
        info = store.write_changes(changes, source="c", base=infos[-1].id, trust_edges=trust)
        assert info.base == infos[-1].id  # written as versions, not whole
        worlds.append(after)
        infos.append(info)
    for world, info in zip(worlds, infos, strict=True):
        assert reader.read_world(info.id) == world, info.id
        assert reader.trust_edges(info.id) == sorted(derive_trust_edges(world), key=lambda e: e.key)
    pairs = [(u.ref, app.ref) for u in w1.users[:40:10] for app in w1.apps[:30:6]]
    for world, info in zip(worlds, infos, strict=True):  # partial reads at every snapshot
        reference = WorldLookups(world)
        for principal, resource in pairs:
            got = check_world(reader, info.id, principal, resource)
            assert got == check_world(reference, 0, principal, resource), (info.id, principal)


def test_reads_of_the_current_snapshot_follow_the_ranges(
    store: Neo4jStore, reader: Neo4jStore
) -> None:
    world = three_tenants()
    a = store.write_snapshot(world, source="a", trust_edges=trust_edges())
    redeemed = dataclasses.replace(
        world,
        users=tuple(
            dataclasses.replace(u, external_user_state=ExternalUserState.ACCEPTED)
            if u.ref == "contoso/bob"
            else u
            for u in world.users
        ),
        groups=world.groups[1:],  # `sales` goes: its edges with it
    )
    store.write_changes(diff_worlds(world, redeemed), source="b", base=a.id)
    fresh = {n.key: n for n in iter_nodes(redeemed)}
    for kind in NodeKind:  # the mapping's records; `ord` keeps the gap `sales` left
        got = reader.nodes(kind)
        assert [_unordered(n) for n in got] == sorted(
            (_unordered(n) for n in fresh.values() if n.kind is kind), key=lambda n: n.key
        )
        by_ord = sorted(got, key=lambda n: int(n.props["ord"]))
        assert [n.key for n in by_ord] == [k for k, n in fresh.items() if n.kind is kind]
    assert reader.node("User:contoso/bob") == fresh["User:contoso/bob"]
    expected = sorted(
        (e.kind.value, e.target) for e in iter_edges(redeemed) if e.source == "User:contoso/bob"
    )
    kinds = frozenset(e.kind for e in iter_edges(world))
    out = reader.out_edges("User:contoso/bob", kinds=kinds)
    assert sorted((e.kind.value, e.target) for e in out) == expected
    assert not any(e.target == "Group:contoso/sales" for e in out)


def test_audit_queries_read_a_change_as_a_whole_write_of_its_world(
    store: Neo4jStore, open_store: Any
) -> None:
    world = three_tenants()
    a = store.write_snapshot(world, source="a", trust_edges=trust_edges())
    pending = dataclasses.replace(
        world,
        users=tuple(
            dataclasses.replace(u, external_user_state=ExternalUserState.PENDING_ACCEPTANCE)
            if u.ref in ("contoso/bob", "contoso/erin")
            else u
            for u in world.users
        ),
    )
    store.write_changes(diff_worlds(world, pending), source="b", base=a.id)
    versioned = {q.name: rows_of(store, q) for q in audit_queries()}
    store.purge()
    whole = open_store()
    whole.write_snapshot(pending, source="whole", trust_edges=trust_edges())
    assert versioned == {q.name: rows_of(whole, q) for q in audit_queries()}
    assert versioned["audit/list_pending_guests_with_assignments"]  # the change shows


def test_another_store_catches_up_by_replaying_the_change(
    store: Neo4jStore, reader: Neo4jStore
) -> None:
    world = three_tenants()
    a = store.write_snapshot(world, source="a", trust_edges=trust_edges())
    pages: list[PageProgress] = []
    reader.read_progress = pages.append
    assert reader.read_world(a.id) == world and pages  # the first read: the whole snapshot
    pages.clear()
    changes = _with_member(world, "contoso/sales", "contoso/carol")
    b = store.write_changes(changes, source="b", base=a.id)
    assert reader.changes_after(a.id, b.id) == changes
    assert reader.read_world(b.id) == apply_changes(world, changes)
    assert pages == []  # caught up from the change set: no page of nodes was read
    c = store.write_snapshot(world, source="whole", trust_edges=())
    assert reader.changes_after(b.id, c.id) is None and reader.changes_after(a.id, c.id) is None


def test_prune_removes_only_versions_no_kept_snapshot_sees(
    store: Neo4jStore, reader: Neo4jStore
) -> None:
    w1 = three_tenants()
    a = store.write_snapshot(w1, source="a", trust_edges=trust_edges())
    w2 = apply_changes(w1, c2 := _with_member(w1, "contoso/sales", "contoso/carol"))
    b = store.write_changes(c2, source="b", base=a.id)
    w3 = dataclasses.replace(w2, users=(*w2.users, user("contoso", "zed")))
    c = store.write_changes(diff_worlds(w2, w3), source="c", base=b.id)
    before = held(store)
    closed = raw(
        store,
        "MATCH (n:TgNode) WHERE n.snapshot = $line AND n.to <= $k "
        "OPTIONAL MATCH (n)-[r]-() RETURN count(DISTINCT n) AS n, count(r) AS r",
        line=a.id,
        k=b.id,
    )[0]
    assert closed["n"] == 1  # the first version of `sales`, closed by b, with its edges
    report = store.prune(keep=2)
    assert report.deleted == (a.id,) and report.oldest_kept == b.id
    after = held(store)
    assert after == {
        "nodes": before["nodes"] - closed["n"],
        "edges": before["edges"] - closed["r"],
        "texts": before["texts"],  # the change sets of b and c stay: both are kept
    }
    assert reader.read_world(b.id) == w2 and reader.read_world(c.id) == w3
    assert reader.trust_edges(b.id) == sorted(trust_edges(), key=lambda e: e.key)
    d = store.write_snapshot(w3, source="d", trust_edges=())  # a new line
    store.prune(keep=1)
    lines = raw(store, "MATCH (n:TgNode) WHERE n.snapshot = $line RETURN count(n) AS n", line=a.id)
    assert lines == [{"n": 0}]  # the old line went whole
    assert held(store)["nodes"] == len(list(iter_nodes(w3)))
    assert reader.read_world(d.id) == w3


def test_an_idempotency_key_is_checked_by_the_publish_itself(
    store: Neo4jStore, reader: Neo4jStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = three_tenants()
    a = store.write_snapshot(world, source="a", trust_edges=())
    first = _with_member(world, "contoso/sales", "contoso/carol")
    b = store.write_changes(first, source="b", base=a.id, request_key="k-1")
    rows = held(store)
    monkeypatch.setattr(snapshots, "by_request", lambda *a, **k: None)  # the early check misses
    second = _with_member(apply_changes(world, first), "contoso/staff", "contoso/erin")
    with pytest.raises(RequestReplayed) as caught:
        reader.write_changes(second, source="retry", base=b.id, request_key="k-1")
    assert caught.value.snapshot_id == b.id
    assert [s.id for s in store.snapshots()] == [b.id, a.id]
    assert held(store) == rows  # the refused versions were undone
    ns = raw(
        store, "MATCH (ns:TgNamespace {name: $n}) RETURN properties(ns) AS p", n=store.namespace
    )
    assert ns[0]["p"]["current"] == b.id and ns[0]["p"]["writer"] == 0  # lease let go


def test_a_dead_writer_is_undone_when_its_lease_runs_out(
    store: Neo4jStore, reader: Neo4jStore, open_store: OpenStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = three_tenants()
    a = store.write_snapshot(world, source="a", trust_edges=())
    rows = held(store)

    def die(*args: object, **kwargs: object) -> Any:
        raise SystemExit("killed between its writes and its publish")

    with monkeypatch.context() as m:
        m.setattr(snapshots, "publish", die)
        m.setattr("graphmodel.stores.neo4j.lease.abandon", lambda *a, **k: None)  # no clean-up
        with pytest.raises(SystemExit):
            store.write_changes(
                _with_member(world, "contoso/sales", "contoso/carol"), source="x", base=a.id
            )
    dead = raw(
        store,
        "MATCH (s:TgSnapshot {namespace: $ns}) WHERE s.complete = false RETURN s.id AS id",
        ns=store.namespace,
    )
    assert len(dead) == 1 and held(store) != rows  # its versions are there, closed ones too
    raw(store, "MATCH (ns:TgNamespace {name: $ns}) SET ns.writerUntil = 0", ns=store.namespace)
    changes = _with_member(world, "contoso/staff", "contoso/erin")
    b = reader.write_changes(changes, source="b", base=a.id)  # takes the lease over, undoes
    assert open_store().read_world(b.id) == apply_changes(world, changes)
    left = raw(
        store,
        "MATCH (n:TgNode) WHERE n.from = $d OR n.to = $d RETURN count(n) AS n",
        d=dead[0]["id"],
    )
    assert left == [{"n": 0}]
    assert open_store().read_world(a.id) == world


def test_a_schema_1_database_is_read_as_it_is_and_takes_changes(
    store: Neo4jStore, reader: Neo4jStore, open_store: OpenStore
) -> None:
    world = three_tenants()
    a = store.write_snapshot(world, source="a", trust_edges=trust_edges())
    # what schema 1 wrote: World positions, no line, scale or `seq` end, its counter node
    for name in ("gap", "seqEnd"):  # one at a time: FalkorDB removes the wrong ones otherwise
        raw(store, f"MATCH (x:TgSnapshot {{id: $sid}}) REMOVE x.{name}", sid=a.id)
    for node in iter_nodes(world):
        props = {k: v for k, v in node.props.items() if k in ("ord", *HELD_PROPS.values())}
        raw(
            store,
            "MATCH (n:TgNode {snapshot: $s, key: $k}) SET n += $p",
            s=a.id,
            k=node.key,
            p=props,
        )
    raw(store, "MATCH (m:TgMeta) SET m.schemaVersion = 1")
    upgraded = open_store()  # opening raises the counter's version: writers of 1 refuse it
    assert raw(upgraded, "MATCH (m:TgMeta) RETURN m.schemaVersion AS v") == [{"v": 2}]
    assert upgraded.read_world(a.id) == world
    assert upgraded.node("User:contoso/alice") == next(
        n for n in iter_nodes(world) if n.key == "User:contoso/alice"
    )
    patch = _with_member(world, "contoso/sales", "contoso/carol")  # in place: as versions
    b = upgraded.write_changes(patch, source="b", base=a.id)
    w2 = apply_changes(world, patch)
    assert b.base == a.id and reader.read_world(b.id) == w2
    squeezed = dataclasses.replace(w2, users=(w2.users[0], user("contoso", "new"), *w2.users[1:]))
    c = upgraded.write_changes(diff_worlds(w2, squeezed), source="c", base=b.id)
    assert c.base is None  # positions 0 and 1 leave no room between them: written whole
    assert reader.read_world(c.id) == squeezed and open_store().read_world(a.id) == world
