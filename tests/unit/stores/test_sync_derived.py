"""Unit tests of `graphmodel.stores.sync_derived`: trust-edge records, checks and the plan.

How to write tests here: pure functions only; build `TrustEdge`s inline and assert on the
returned records, `TrustPlan` fields or the `Conflict` raised. Store behaviour is tested in
`tests/conformance/test_derived.py`.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from graphmodel.errors import Conflict
from graphmodel.schema import EdgeKind, TrustEdge
from graphmodel.stores import DeriveStats
from graphmodel.stores.sync_derived import (
    check_trust_edges,
    plan_trust_sync,
    record_to_trust,
    trust_to_record,
)
from tests.conformance.worlds import three_tenants, trust_edges


def test_record_round_trip() -> None:
    for edge in trust_edges():
        record = trust_to_record(edge)
        assert record.source.startswith("Tenant:") and record.kind is edge.kind
        assert record_to_trust(record) == edge


def test_plan_is_a_noop_for_the_same_edges() -> None:
    plan = plan_trust_sync(trust_edges(), list(reversed(trust_edges())))
    assert plan.is_noop
    assert plan.stats == DeriveStats(unchanged=len(trust_edges()))
    assert list(plan.result) == sorted(trust_edges(), key=lambda e: e.key)


def test_plan_creates_updates_and_sweeps() -> None:
    old = trust_edges()
    new = [replace(old[0], rule="R8"), *old[2:]]
    plan = plan_trust_sync(old, new)
    assert plan.update == (new[0],)
    assert plan.delete == (old[1],)
    assert plan.create == ()
    assert plan.stats == DeriveStats(deleted=1, updated=1, unchanged=len(old) - 2)


def test_check_accepts_valid_edges() -> None:
    check_trust_edges(three_tenants(), trust_edges())


@pytest.mark.parametrize(
    ("edge", "message"),
    [
        (
            TrustEdge(
                kind=EdgeKind.GUEST_OF, source="contoso", target="fabrikam", rule="r", policy="p"
            ),
            "is not a derived trust kind",
        ),
        (
            TrustEdge(
                kind=EdgeKind.TRUSTS_MFA, source="mars", target="fabrikam", rule="r", policy="p"
            ),
            "tenant `mars` is not in the snapshot",
        ),
        (trust_edges()[0], "two edges share this key"),
    ],
)
def test_check_refuses_invalid_edges(edge: TrustEdge, message: str) -> None:
    with pytest.raises(Conflict, match=message):
        check_trust_edges(three_tenants(), [*trust_edges(), edge])
