"""The audit against its reference oracle (`graphmodel.audit.reference`, the checks as they were
before findings were counted from decisions): same findings, severities, messages, exact
exposure counts and — streamed past the exemplars — the same exposures, on every audit test
world (with and without its zones), on the generated T world (1,500 users) and, marked slow, on
the generated S world (10,000 users, every exposure streamed; ~20 s on an idle machine)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.generate import generate
from graphmodel.audit import Zone
from graphmodel.engine import WorldIndex

from .differential import differences
from .support import WORLDS, load_audit_world

CASES = [
    pytest.param(path, zone, id=f"{path.stem}:{'+'.join(zone) or 'no-zone'}")
    for path in sorted(WORLDS.glob("*.yaml"))
    for zone in sorted({(), *(tuple(r.zone) for r in load_audit_world(path)[1])})
]


@pytest.mark.parametrize(("path", "zone"), CASES)
def test_audit_worlds_agree_with_the_reference(path: Path, zone: tuple[str, ...]) -> None:
    world, _ = load_audit_world(path)
    assert differences(WorldIndex(world), zone=Zone(name="z" if zone else "", tenants=zone)) == []


@pytest.mark.parametrize("exemplars", [0, 2, None])
def test_generated_t_world_agrees_with_the_reference(exemplars: int | None) -> None:
    ix = WorldIndex(generate("T", seed=3))
    assert differences(ix, exemplars=exemplars) == []


def test_generated_t_world_with_a_zone_agrees_with_the_reference() -> None:
    world = generate("T", seed=5)
    zone = Zone(name="partners", tenants=tuple(t.name for t in world.tenants[:3]))
    assert differences(WorldIndex(world), zone=zone) == []


@pytest.mark.slow
def test_generated_s_world_agrees_with_the_reference() -> None:
    ix = WorldIndex(generate("S", seed=7))
    assert differences(ix) == []
