"""The benchmark generator is seeded and produces the same facts the world-file loader would.

Write tests here against the tiny scale `T` (1.5k users); never assert timings.
"""

from __future__ import annotations

from pathlib import Path

from bench.generate import SCALES, generate, widest_app
from bench.worldfile import write_world_yaml
from graphmodel.ingest import load_world_file
from graphmodel.schema import TenantType


def test_same_seed_same_world_other_seed_other_world() -> None:
    assert generate("T", seed=5) == generate("T", seed=5)
    assert generate("T", seed=5) != generate("T", seed=6)


def test_world_file_round_trip_is_exact(tmp_path: Path) -> None:
    world = generate("T", seed=2)
    path = tmp_path / "t.yaml"
    write_world_yaml(world, path)
    assert load_world_file(path) == world


def test_shape_of_a_generated_world() -> None:
    world = generate("T", seed=1)
    scale = SCALES["T"]
    assert len(world.users) == scale.users
    assert len(world.tenants) == scale.tenants
    guests = [u for u in world.users if u.guest_of is not None]
    synced = [u for u in world.users if u.synced_from is not None]
    assert 0.08 < len(guests) / len(world.users) < 0.12
    assert synced
    nested = [g for g in world.groups if any(m in world.group_by_ref for m in g.members)]
    assert nested
    assert any(c.membership_type.value == "shared" and c.shared_with_teams for c in world.channels)
    assert widest_app(world) in world.app_by_ref
    assert all(t.type == TenantType.WORKFORCE for t in world.tenants[:10])


def test_world_file_round_trip_keeps_sign_in_evidence(tmp_path: Path) -> None:
    from bench.probe_usage import with_sign_ins

    world = with_sign_ins(generate("T", seed=2), share=0.2)
    assert any(t.sign_ins for t in world.tenants)
    path = tmp_path / "t.yaml"
    write_world_yaml(world, path)
    assert load_world_file(path) == world
