"""guestUserRoleId from Graph: the three documented roles map to levels; any other id stays
unknown through import, export and audit (MS.AAD.8.1 fails closed, like ScubaGear and Maester).

Built from Microsoft's beta authorizationPolicy sample (the one that carries the property).
"""

from __future__ import annotations

import json
from pathlib import Path

from graphmodel.audit import run_checks
from graphmodel.engine import WorldIndex
from graphmodel.ingest.graph_export import export_world, import_export
from graphmodel.schema import GuestUserAccess
from tests.ingest.graph_folders import SAMPLES, TenantFolder, different_fields
from tests.ingest.sample_registry import load

SAMPLE = "authorizationPolicy/get-authorizationPolicy-beta.json"
UNKNOWN = "62E90394-69F5-4237-9190-012177145E10"  # a directory role template, not a guest role


def _folder(root: Path, role_id: str) -> TenantFolder:
    body = json.loads((SAMPLES / SAMPLE).read_text(encoding="utf-8"))
    body["guestUserRoleId"] = role_id
    return TenantFolder(root).json("authorizationPolicy.json", body)


def test_an_unknown_guest_role_is_kept_and_fails_the_baseline_closed(tmp_path: Path) -> None:
    world, issues = load(_folder(tmp_path, UNKNOWN))
    settings = world.tenants[0].external_collaboration
    assert settings.guest_user_access is None
    assert settings.guest_user_role_id == UNKNOWN.lower()
    (issue,) = issues
    assert issue.code == "unknown-enum-value" and "unknown" in issue.msg
    (finding,) = run_checks(WorldIndex(world), checks=["scuba.8.1"])
    assert finding.subject == "contoso"
    assert UNKNOWN.lower() in finding.message and "unknown" in finding.message


def test_an_unknown_guest_role_survives_export_and_import(tmp_path: Path) -> None:
    world, _ = load(_folder(tmp_path / "in", UNKNOWN))
    again, issues = import_export(export_world(world, tmp_path / "out"))
    assert [i.code for i in issues] == ["unknown-enum-value"]
    assert different_fields(world, again) == []


def test_documented_guest_roles_map_to_their_levels(tmp_path: Path) -> None:
    roles = {
        "a0b1b346-4d3e-4e8b-98f8-753987be4970": GuestUserAccess.SAME_AS_MEMBERS,
        "10DAE51F-B6AF-4016-8D66-8C2A99B929B3": GuestUserAccess.LIMITED,
        "2af84b1e-32c8-42b7-82bc-daa82404023b": GuestUserAccess.RESTRICTED,
    }
    for i, (role_id, level) in enumerate(roles.items()):
        world, issues = load(_folder(tmp_path / str(i), role_id))
        settings = world.tenants[0].external_collaboration
        assert (settings.guest_user_access, settings.guest_user_role_id) == (level, None)
        assert issues == []
        findings = run_checks(WorldIndex(world), checks=["scuba.8.1"])
        assert bool(findings) is (level is GuestUserAccess.SAME_AS_MEMBERS)


# --- several policy objects where Graph has one ----------------------------------------------
RESTRICTED = "2af84b1e-32c8-42b7-82bc-daa82404023b"
MEMBERS = "a0b1b346-4d3e-4e8b-98f8-753987be4970"


def _several(root: Path, *policies: dict[str, str]) -> TenantFolder:
    """An authorizationPolicy export holding a `value` array of policy objects."""
    body = json.loads((SAMPLES / SAMPLE).read_text(encoding="utf-8"))
    objects = [{**body, "id": f"authorizationPolicy-{i}", **p} for i, p in enumerate(policies)]
    return TenantFolder(root).json("authorizationPolicy.json", {"value": objects})


def test_an_unknown_role_in_any_policy_object_fails_the_baseline_naming_it(tmp_path: Path) -> None:
    """ScubaGear's own test input: two policy objects, one with an unknown guestUserRoleId. The
    known one must not win, whichever comes last."""
    for i, order in enumerate(((UNKNOWN, RESTRICTED), (RESTRICTED, UNKNOWN))):
        folder = _several(tmp_path / str(i), *({"guestUserRoleId": r} for r in order))
        world, issues = load(folder)
        settings = world.tenants[0].external_collaboration
        assert (settings.guest_user_access, settings.guest_user_role_id) == (None, UNKNOWN.lower())
        assert [x.code for x in issues] == ["unknown-enum-value"]
        (finding,) = run_checks(WorldIndex(world), checks=["scuba.8.1"])
        assert UNKNOWN.lower() in finding.message


def test_every_policy_object_is_audited_the_most_open_one_decides(tmp_path: Path) -> None:
    folder = _several(
        tmp_path / "open",
        {"guestUserRoleId": RESTRICTED, "allowInvitesFrom": "none"},
        {"guestUserRoleId": MEMBERS, "allowInvitesFrom": "everyone"},
        {"guestUserRoleId": RESTRICTED, "allowInvitesFrom": "adminsAndGuestInviters"},
    )
    world, issues = load(folder)
    settings = world.tenants[0].external_collaboration
    assert settings.guest_user_access is GuestUserAccess.SAME_AS_MEMBERS and issues == []
    assert settings.allow_invites_from is not None
    assert settings.allow_invites_from.value == "everyone"
    checks = {f.check for f in run_checks(WorldIndex(world), checks=["scuba.8.1", "scuba.8.2"])}
    assert checks == {"scuba.8.1", "scuba.8.2"}
    # all objects restricted: the baseline passes
    strict = _several(
        tmp_path / "strict",
        {"guestUserRoleId": RESTRICTED, "allowInvitesFrom": "adminsAndGuestInviters"},
        {"guestUserRoleId": RESTRICTED, "allowInvitesFrom": "none"},
    )
    world, _ = load(strict)
    assert not run_checks(WorldIndex(world), checks=["scuba.8.1", "scuba.8.2"])


def test_an_unknown_allow_invites_from_fails_closed(tmp_path: Path) -> None:
    """Read as `everyone`, the widest, even where the cloud's default would be `none`."""
    folder = _several(
        tmp_path, {"guestUserRoleId": RESTRICTED, "allowInvitesFrom": "unknownFutureValue"}
    )
    world, issues = load(folder)
    settings = world.tenants[0].external_collaboration
    assert settings.allow_invites_from is not None
    assert settings.allow_invites_from.value == "everyone"
    (issue,) = issues
    assert issue.code == "unknown-enum-value" and "unknownFutureValue" in issue.msg
