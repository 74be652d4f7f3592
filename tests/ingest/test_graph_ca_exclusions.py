"""Conditional Access guest/external settings from Graph: include and exclude stay separate.

Built from Microsoft's `list-policies-externalTenants-all-and-enumerated.json` sample (the only
stored response with `externalTenants`): the same settings are read on the exclude side
(`excludeGuestsOrExternalUsers`), which must keep its own types and tenants, and an import of
an exclusion answers like the world it came from.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from graphmodel.ingest.graph_export import export_world, import_export
from graphmodel.schema import DirectoryRole, ExternalUserType
from tests.ingest.graph_folders import SAMPLES, TenantFolder, different_fields
from tests.ingest.sample_registry import codes, load

SAMPLE = "conditionalAccessPolicy/list-policies-externalTenants-all-and-enumerated.json"
GUEST = "b2bCollaborationGuest"
MEMBER = "b2bCollaborationMember"
GUEST_INVITER = "95e79109-95c0-4d8e-aee3-d01accf2d47b"  # directory role template ids
USER_ADMIN = "fe930be7-5e62-47db-91af-98c3a49a38b1"


def _sample_policies() -> list[dict[str, Any]]:
    body = json.loads((SAMPLES / SAMPLE).read_text(encoding="utf-8"))
    policies: list[dict[str, Any]] = body["values"]
    return policies


def _as_exclusion(policy: dict[str, Any], types: str | None) -> dict[str, Any]:
    """The sample policy with its guest setting moved to the exclude side, for everyone."""
    p = copy.deepcopy(policy)
    users = p["conditions"]["users"]
    setting = users.pop("includeGuestsOrExternalUsers")
    if types is not None:
        setting["guestOrExternalUserTypes"] = types
    users["excludeGuestsOrExternalUsers"] = setting
    users["includeUsers"] = ["All"]
    p["state"] = "enabled"
    return p


def test_an_exclusion_keeps_its_own_types_and_tenants(tmp_path: Path) -> None:
    every, enumerated = _sample_policies()
    folder = TenantFolder(tmp_path).json(
        "conditionalAccessPolicies.json",
        {"value": [_as_exclusion(every, GUEST), _as_exclusion(enumerated, None)]},
    )
    world, issues = load(folder)
    first, second = world.conditional_access
    assert first.users.include == ("All",)
    assert first.users.exclude == ("GuestsOrExternalUsers",)
    assert first.users.exclude_guest_or_external_user_types == (
        ExternalUserType.B2B_COLLABORATION_GUEST,
    )
    assert first.users.exclude_external_tenants is None
    assert second.users.exclude_guest_or_external_user_types is None
    assert second.users.exclude_external_tenants == ("tenant-bd005e2a",)
    # the include side borrows nothing from the exclusion
    for p in (first, second):
        assert p.users.guest_or_external_user_types is None
        assert p.users.external_tenants is None
    assert "not-modelled" not in codes(issues)


def test_include_and_exclude_settings_on_one_policy_stay_apart(tmp_path: Path) -> None:
    every, enumerated = _sample_policies()
    policy = copy.deepcopy(every)
    users = policy["conditions"]["users"]
    users["includeGuestsOrExternalUsers"]["guestOrExternalUserTypes"] = f"{GUEST},{MEMBER}"
    users["excludeGuestsOrExternalUsers"] = copy.deepcopy(
        enumerated["conditions"]["users"]["includeGuestsOrExternalUsers"]
    )
    users["excludeGuestsOrExternalUsers"]["guestOrExternalUserTypes"] = GUEST
    world, _ = load(
        TenantFolder(tmp_path).json("conditionalAccessPolicies.json", {"value": [policy]})
    )
    (p,) = world.conditional_access
    assert p.users.guest_or_external_user_types == (
        ExternalUserType.B2B_COLLABORATION_GUEST,
        ExternalUserType.B2B_COLLABORATION_MEMBER,
    )
    assert p.users.external_tenants is None
    assert p.users.exclude_guest_or_external_user_types == (
        ExternalUserType.B2B_COLLABORATION_GUEST,
    )
    assert p.users.exclude_external_tenants == ("tenant-bd005e2a",)


def test_the_legacy_keyword_beside_a_setting_still_names_every_external_user(
    tmp_path: Path,
) -> None:
    every, _ = _sample_policies()
    policy = _as_exclusion(every, GUEST)
    policy["conditions"]["users"]["excludeUsers"] = ["GuestsOrExternalUsers"]
    world, _ = load(
        TenantFolder(tmp_path).json("conditionalAccessPolicies.json", {"value": [policy]})
    )
    (p,) = world.conditional_access
    assert p.users.exclude == ("GuestsOrExternalUsers",)
    assert p.users.exclude_guest_or_external_user_types is None
    assert p.users.exclude_external_tenants is None


def test_an_imported_exclusion_exports_and_imports_unchanged(tmp_path: Path) -> None:
    every, enumerated = _sample_policies()
    folder = TenantFolder(tmp_path / "in").json(
        "conditionalAccessPolicies.json",
        {"value": [_as_exclusion(every, f"{GUEST},{MEMBER}"), _as_exclusion(enumerated, MEMBER)]},
    )
    world, _ = load(folder)
    again, issues = import_export(export_world(world, tmp_path / "out"))
    assert issues == []
    assert different_fields(world, again) == []


def test_a_policy_without_id_is_kept_under_a_stable_generated_id(tmp_path: Path) -> None:
    every, _ = _sample_policies()
    policy = _as_exclusion(every, GUEST)
    del policy["id"]
    policy["displayName"] = "MFA for everyone but guests"
    policy["grantControls"] = {"operator": "OR", "builtInControls": ["mfa"]}
    ids = []
    for run in ("first", "second"):
        folder = TenantFolder(tmp_path / run).json(
            "conditionalAccessPolicies.json", {"value": [policy]}
        )
        world, issues = load(folder)
        (p,) = world.conditional_access
        assert p.name == "mfa-for-everyone-but-guests" and p.grant == ("mfa",)
        (issue,) = [i for i in issues if i.code == "missing-property"]
        assert "has no `id`" in issue.msg and p.id in issue.msg
        ids.append(p.id)
    assert ids[0] == ids[1]


def test_role_targets_are_read_per_side_and_round_trip(tmp_path: Path) -> None:
    every, _ = _sample_policies()
    policy = _as_exclusion(every, GUEST)
    users = policy["conditions"]["users"]
    users["includeUsers"] = []
    users["includeRoles"] = [GUEST_INVITER.upper()]
    users["excludeRoles"] = [USER_ADMIN]
    world, issues = load(
        TenantFolder(tmp_path / "in").json("conditionalAccessPolicies.json", {"value": [policy]})
    )
    (p,) = world.conditional_access
    assert p.users.include == () and p.users.include_roles == (DirectoryRole.GUEST_INVITER,)
    assert p.users.exclude_roles == (DirectoryRole.USER_ADMINISTRATOR,)
    assert "not-modelled" not in codes(issues)
    again, issues = import_export(export_world(world, tmp_path / "out"))
    assert issues == [] and different_fields(world, again) == []
