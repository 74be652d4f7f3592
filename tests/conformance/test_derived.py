"""Derived-edge contracts: `replace_trust_edges` is an idempotent ensure-then-sweep.

How to write tests here: write a snapshot, replace its trust edges, and check the returned
`DeriveStats` and what `trust_edges()` / `out_edges()` show afterwards. Refused calls must
change nothing. No backend names; skip gaps with `requires(...)`.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from graphmodel.errors import Conflict, SnapshotNotFound
from graphmodel.schema import TRUST_EDGES, EdgeKind, TrustEdge, World
from graphmodel.stores import Capability, DeriveStats, GraphStore
from tests.conformance.support import MakeStore, requires
from tests.conformance.worlds import three_tenants, trust_edges


def by_key(edges: list[TrustEdge]) -> list[TrustEdge]:
    return sorted(edges, key=lambda e: e.key)


@pytest.fixture
def snapshot_id(store: GraphStore) -> int:
    return store.write_snapshot(three_tenants(), source="derived", trust_edges=()).id


def test_replace_creates_then_is_idempotent(store: GraphStore, snapshot_id: int) -> None:
    edges = trust_edges()
    assert store.replace_trust_edges(edges) == DeriveStats(created=len(edges))
    again = store.replace_trust_edges(edges)
    assert again == DeriveStats(unchanged=len(edges))
    assert (again.created, again.deleted, again.updated) == (0, 0, 0)
    assert store.trust_edges() == by_key(edges)


def test_replace_sweeps_edges_not_reasserted(store: GraphStore, snapshot_id: int) -> None:
    store.replace_trust_edges(trust_edges())
    kept = trust_edges()[:2]
    new = TrustEdge(
        kind=EdgeKind.TRUSTS_MFA, source="fabrikam", target="contoso", rule="R9", policy="p"
    )
    stats = store.replace_trust_edges([*kept, new])
    assert stats == DeriveStats(created=1, deleted=len(trust_edges()) - 2, unchanged=2)
    assert store.trust_edges() == by_key([*kept, new])
    out = store.out_edges("Tenant:litware", kinds=TRUST_EDGES)
    assert out == []  # SYNCS_USERS_TO was swept


def test_replace_updates_edges_whose_props_changed(store: GraphStore, snapshot_id: int) -> None:
    store.replace_trust_edges(trust_edges())
    changed = [replace(e, rule="R8") if e.kind is EdgeKind.TRUSTS_MFA else e for e in trust_edges()]
    stats = store.replace_trust_edges(changed)
    assert stats == DeriveStats(unchanged=len(changed) - 1, updated=1)
    (mfa,) = store.out_edges("Tenant:contoso", kinds=frozenset({EdgeKind.TRUSTS_MFA}))
    assert mfa.props["rule"] == "R8"


def test_replace_with_nothing_deletes_everything(store: GraphStore, snapshot_id: int) -> None:
    store.replace_trust_edges(trust_edges())
    assert store.replace_trust_edges([]) == DeriveStats(deleted=len(trust_edges()))
    assert store.trust_edges() == []
    assert store.replace_trust_edges([]) == DeriveStats()


def test_replace_accepts_the_current_snapshot_id(store: GraphStore, snapshot_id: int) -> None:
    stats = store.replace_trust_edges(trust_edges(), snapshot_id)
    assert stats.created == len(trust_edges())
    assert store.trust_edges(snapshot_id) == by_key(trust_edges())


def test_replace_for_an_older_snapshot_conflicts(store: GraphStore, snapshot_id: int) -> None:
    requires(store, Capability.SNAPSHOT_HISTORY)
    store.write_snapshot(three_tenants(title="newer"), source="2", trust_edges=())
    with pytest.raises(Conflict):
        store.replace_trust_edges(trust_edges(), snapshot_id)
    assert store.trust_edges() == []
    assert store.trust_edges(snapshot_id) == []


def test_replace_keeps_older_snapshots_unchanged(store: GraphStore, snapshot_id: int) -> None:
    requires(store, Capability.SNAPSHOT_HISTORY)
    store.replace_trust_edges(trust_edges("R1"))
    store.write_snapshot(three_tenants(title="newer"), source="2", trust_edges=trust_edges("R1"))
    store.replace_trust_edges(trust_edges("R2"))
    assert store.trust_edges(snapshot_id) == by_key(trust_edges("R1"))
    assert store.trust_edges() == by_key(trust_edges("R2"))


def test_replace_for_an_unknown_snapshot_raises(store: GraphStore, snapshot_id: int) -> None:
    with pytest.raises(SnapshotNotFound):
        store.replace_trust_edges(trust_edges(), snapshot_id + 100)


def test_replace_on_an_empty_store_raises(store: GraphStore) -> None:
    with pytest.raises(SnapshotNotFound):
        store.replace_trust_edges([])


@pytest.mark.parametrize(
    ("edge", "why"),
    [
        (
            TrustEdge(
                kind=EdgeKind.MEMBER_OF, source="contoso", target="fabrikam", rule="r", policy="p"
            ),
            "kind",
        ),
        (
            TrustEdge(
                kind=EdgeKind.TRUSTS_MFA, source="contoso", target="nowhere", rule="r", policy="p"
            ),
            "tenant",
        ),
        (trust_edges()[0], "duplicate"),
    ],
)
def test_invalid_edges_conflict_and_change_nothing(
    store: GraphStore, snapshot_id: int, edge: TrustEdge, why: str
) -> None:
    store.replace_trust_edges(trust_edges())
    with pytest.raises(Conflict):
        store.replace_trust_edges([*trust_edges(), edge])
    assert store.trust_edges() == by_key(trust_edges())


def test_write_snapshot_refuses_invalid_trust_edges(store: GraphStore) -> None:
    bad = TrustEdge(
        kind=EdgeKind.TRUSTS_MFA, source="contoso", target="nowhere", rule="r", policy="p"
    )
    with pytest.raises(Conflict):
        store.write_snapshot(three_tenants(), source="x", trust_edges=[bad])
    assert store.current_snapshot() is None
    assert store.read_world() == World()


def test_replaced_edges_survive_reopening(make_store: MakeStore) -> None:
    store = make_store()
    requires(store, Capability.DURABLE)
    store.write_snapshot(three_tenants(), source="x", trust_edges=trust_edges("R1"))
    store.replace_trust_edges(trust_edges("R2")[1:])
    store.close()
    again = make_store()
    assert again.trust_edges() == by_key(trust_edges("R2")[1:])
    assert again.replace_trust_edges(trust_edges("R2")[1:]) == DeriveStats(
        unchanged=len(trust_edges()) - 1
    )
