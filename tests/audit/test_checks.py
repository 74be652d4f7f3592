"""Each finding check over small scenario-style worlds, with the exact exposures it must report.

Add a world to `tests/audit/worlds/` (format in `support.py`); every check of the catalogue must
be pinned down by at least one run.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from graphmodel.audit import CATALOGUE, Zone, run_checks
from graphmodel.engine import WorldIndex, check
from graphmodel.schema import GuestUserAccess

from .support import WORLDS, access_checks, load_audit_world, summary

FILES = sorted(WORLDS.glob("*.yaml"))
RUNS = [
    pytest.param(path, i, id=f"{path.stem}#{i}")
    for path in FILES
    for i in range(len(load_audit_world(path)[1]))
]


@pytest.mark.parametrize(("path", "run"), RUNS)
def test_check_reports_exact_exposures(path: Path, run: int) -> None:
    world, runs = load_audit_world(path)
    spec = runs[run]
    zone = Zone(name="test" if spec.zone else "", tenants=spec.zone)
    got = run_checks(WorldIndex(world), zone=zone, checks=spec.checks)
    expected = sorted(
        (
            {
                "check": e["check"],
                "subject": e["subject"],
                "exposures": sorted(e["exposures"], key=repr),
            }
            for e in spec.expect
        ),
        key=lambda r: (r["check"], r["subject"]),
    )
    assert summary(got) == expected


def test_every_check_is_pinned_by_a_world() -> None:
    covered = {c for path in FILES for run in load_audit_world(path)[1] for c in run.checks}
    assert {c.info.id for c in CATALOGUE} <= covered


def test_catalogue_entries_are_complete() -> None:
    ids = [c.info.id for c in CATALOGUE]
    assert len(ids) == len(set(ids))
    for c in CATALOGUE:
        assert c.info.rules and c.info.title and c.info.description
        assert all(re.fullmatch(r"[RL]\d+", r) for r in c.info.rules), c.info.rules


def test_findings_are_deterministic_and_fingerprints_stable() -> None:
    world, _ = load_audit_world(WORLDS / "zone.yaml")
    first = run_checks(WorldIndex(world))
    again = run_checks(WorldIndex(world))
    assert first == again
    zoned = run_checks(WorldIndex(world), zone=Zone(name="z", tenants=("fabrikam",)))
    key = {(f.check, f.subject): f.fingerprint for f in first}
    for f in zoned:  # the zone changes exposures, never a finding's identity
        assert key.get((f.check, f.subject), f.fingerprint) == f.fingerprint
    assert len(key) == len(set(key.values()))


def test_zone_matches_tenant_ids_too() -> None:
    world, _ = load_audit_world(WORLDS / "zone.yaml")
    adatum = world.tenant_by_name["adatum"]
    by_id = run_checks(
        WorldIndex(world),
        zone=Zone(name="z", tenants=(adatum.id.upper(),)),
        checks=["zone.access-from-outside"],
    )
    assert [f.subject for f in by_id] == ["contoso<-fabrikam"]


@pytest.mark.parametrize("path", [p for p in FILES if access_checks(p)], ids=lambda p: p.stem)
def test_worlds_behave_as_their_story_says(path: Path) -> None:
    world, _ = load_audit_world(path)
    ix = WorldIndex(world)
    for c in access_checks(path):
        v = check(ix, c["principal"], c["resource"])
        assert v.decision.value == c["expect"], (c, v.codes)
        assert set(c.get("reasons", ())) <= set(v.codes), (c, v.codes)


def test_an_unknown_guest_role_is_reported_with_its_id() -> None:
    world, _ = load_audit_world(WORLDS / "unknown-guest-role.yaml")
    contoso = world.tenant_by_name["contoso"].external_collaboration
    assert contoso.guest_user_access is None
    assert contoso.guest_user_role_id == "62e90394-69f5-4237-9190-012177145e10"
    (finding,) = run_checks(WorldIndex(world), checks=["scuba.8.1"])
    assert "unknown" in finding.message
    assert "62e90394-69f5-4237-9190-012177145e10" in finding.message
    fabrikam = world.tenant_by_name["fabrikam"].external_collaboration
    assert fabrikam.guest_user_access is GuestUserAccess.RESTRICTED
    assert fabrikam.guest_user_role_id is None
