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
