"""The one definition of outsider (`graphmodel.engine.outsiders`), kind by kind.

The world is the rule scenario `tests/rules/outsiders-of-every-kind.yaml` (its checks assert the
same definition through `whoCanAccess ... outsiders: true`); here each principal's kind and
home tenant are asserted directly, from the definition in scenarios.md ("Outsiders").
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from graphmodel.engine import (
    OUTSIDER_KINDS,
    WorldIndex,
    home_tenant,
    is_outsider,
    is_outsider_ref,
    principal_kind,
)
from graphmodel.ingest import load_scenario_file
from graphmodel.schema.enums import PrincipalKind

WORLD = Path(__file__).resolve().parents[2] / "rules" / "outsiders-of-every-kind.yaml"
K = PrincipalKind


@pytest.fixture(scope="module")
def ix() -> WorldIndex:
    world, _ = load_scenario_file(WORLD)
    return WorldIndex(world)


@pytest.mark.parametrize(
    ("principal", "tenant", "kind", "home"),
    [
        ("contoso/alice", "contoso", K.MEMBER, "contoso"),
        ("contoso/lars", "contoso", K.INTERNAL_GUEST, "contoso"),
        ("fabrikam/bob", "contoso", K.B2B_GUEST, "fabrikam"),
        ("fabrikam/erin", "contoso", K.B2B_MEMBER, "fabrikam"),
        ("fabrikam/frank", "contoso", K.OTHER_TENANT, "fabrikam"),
        ("contoso/gail", "contoso", K.SOCIAL_GUEST, None),
        ("contoso/olga", "contoso", K.SOCIAL_GUEST, None),
        ("contoso/sami", "contoso", K.SOCIAL_GUEST, None),
        ("contoso/mia", "contoso", K.SOCIAL_GUEST, None),
        ("shopb2c/hank", "shopb2c", K.CONSUMER, "shopb2c"),
        ("shopb2c/gus", "shopb2c", K.CONSUMER, "shopb2c"),  # social, but the B2C tenant's own
        ("fabrikam/bob", "fabrikam", K.MEMBER, "fabrikam"),
        ("contoso/alice", "fabrikam", K.OTHER_TENANT, "contoso"),
        ("shopb2c/hank", "contoso", K.OTHER_TENANT, "shopb2c"),
    ],
)
def test_kind_and_home_of_each_principal(
    ix: WorldIndex, principal: str, tenant: str, kind: PrincipalKind, home: str | None
) -> None:
    user = ix.users[principal]
    assert principal_kind(ix, user, tenant) is kind
    assert is_outsider(ix, user, tenant) is (kind in OUTSIDER_KINDS)
    assert home_tenant(ix, user) == home


def test_outsider_kinds_are_exactly_those_homed_elsewhere() -> None:
    assert {K.B2B_GUEST, K.B2B_MEMBER, K.OTHER_TENANT, K.SOCIAL_GUEST} == OUTSIDER_KINDS


def test_a_guest_object_whose_home_is_not_in_the_world_is_an_outsider(ix: WorldIndex) -> None:
    """Its principal is the object itself (there is no home identity to resolve to), yet its
    home is another tenant: an outsider, homed where `guestOf` says."""
    bob = ix.users["fabrikam/bob"]
    stray = dataclasses.replace(ix.users["contoso/bob"], guest_of="elsewhere/bob")
    assert principal_kind(ix, stray, "contoso") is K.B2B_GUEST
    assert is_outsider(ix, stray, "contoso")
    assert home_tenant(ix, stray) == "elsewhere"
    assert principal_kind(ix, bob, "contoso") is K.B2B_GUEST


def test_refs_of_an_answer(ix: WorldIndex) -> None:
    assert is_outsider_ref(ix, "contoso/gail", "contoso/wiki")
    assert not is_outsider_ref(ix, "contoso/lars", "contoso/wiki")
    assert is_outsider_ref(ix, "fabrikam/frank", "contoso/launch/partners")
    assert not is_outsider_ref(ix, "shopb2c/gus", "shopb2c/shop")
    # a ref that names no user counts by its tenant alone
    assert is_outsider_ref(ix, "nowhere/x", "contoso/wiki")
    assert not is_outsider_ref(ix, "contoso/ghost", "contoso/wiki")
