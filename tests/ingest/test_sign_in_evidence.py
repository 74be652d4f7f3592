"""Sign-in evidence through the Graph export path, from bodies shaped like Graph's own examples.

Why: "used" is decided by dates Microsoft documents precisely (`signInActivity` and sign-in log
entries), including Graph's ways of saying "never" (`""`, `0001-01-01T00:00:00Z`). The fixtures
in `evidence_samples/` follow the documented example responses (see its README).
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

from graphmodel.audit import AuditOptions, run_checks
from graphmodel.engine import WorldIndex
from graphmodel.ingest import load_world_file
from graphmodel.ingest.graph_export import export_world, import_export
from graphmodel.schema import CrossTenantAccessType, SignInUsage
from tests.ingest.graph_folders import (
    CONTOSO_ID,
    FABRIKAM_ID,
    SHARED,
    TenantFolder,
    different_fields,
)

SAMPLES = Path(__file__).parent / "evidence_samples"
DEMO = Path(__file__).resolve().parents[2] / "fixtures" / "demo.yaml"
BOB_HOME = "b0b00000-0000-4000-8000-000000000001"
BOB_GUEST = "b0b00000-0000-4000-8000-0000000000c1"
ALICE = "a11ce000-0000-4000-8000-000000000001"
PAYROLL_SP = "5e000000-0000-4000-8000-000000000001"
PAYROLL_APP = "a9900000-0000-4000-8000-000000000001"


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def test_sign_in_activity_of_the_documented_example(tmp_path: Path) -> None:
    TenantFolder(tmp_path).sample("users.json", str(SAMPLES / "users-signInActivity.json"))
    world, _ = import_export([tmp_path / "contoso"])
    last = {u.user_principal_name: u.last_sign_in_date_time for u in world.users}
    # Adele: no successful date ("") and a non-interactive "never" (year 1): the interactive one.
    assert last["AdeleV@contoso.com"] == utc(2021, 6, 17, 16, 41, 33)
    # Alex: no successful date; the later of interactive and non-interactive.
    assert last["AlexW@contoso.com"] == utc(2021, 7, 29, 17, 53, 42)


def test_successful_sign_in_wins_over_later_failed_attempts(tmp_path: Path) -> None:
    TenantFolder(tmp_path).users(
        {
            "id": ALICE,
            "userPrincipalName": "alice@contoso.com",
            "createdDateTime": "2024-02-01T10:00:00Z",
            "signInActivity": {
                "lastSignInDateTime": "2026-11-30T08:00:00Z",  # a failed attempt, say
                "lastNonInteractiveSignInDateTime": None,
                "lastSuccessfulSignInDateTime": "2026-01-10T08:00:00Z",
            },
        }
    )
    world, issues = import_export([tmp_path / "contoso"])
    (alice,) = world.users
    assert alice.last_sign_in_date_time == utc(2026, 1, 10, 8)
    assert alice.created_date_time == utc(2024, 2, 1, 10)
    assert not [i for i in issues if "signInActivity" in str(i.loc)]


def _two_tenants(root: Path) -> Path:
    TenantFolder(root, "fabrikam", FABRIKAM_ID).users(
        {
            "id": BOB_HOME,
            "userPrincipalName": "bob@fabrikam.com",
            "mail": "bob@fabrikam.com",
            "userType": "Member",
        }
    )
    contoso = (
        TenantFolder(root, "contoso", CONTOSO_ID)
        .users(
            {"id": ALICE, "userPrincipalName": "alice@contoso.com", "userType": "Member"},
            {
                "id": BOB_GUEST,
                "userPrincipalName": "bob_fabrikam.com#EXT#@contoso.onmicrosoft.com",
                "mail": "bob@fabrikam.com",
                "userType": "Guest",
                "creationType": "Invitation",
                "externalUserState": "Accepted",
                "externalUserStateChangeDateTime": "2025-03-01T12:00:00Z",
            },
        )
        .sps(
            {
                "id": PAYROLL_SP,
                "appId": PAYROLL_APP,
                "displayName": "payroll",
                "appOwnerOrganizationId": CONTOSO_ID,
                "appRoleAssignmentRequired": True,
                "accountEnabled": True,
                "servicePrincipalType": "Application",
            }
        )
    )
    contoso.json(
        "appRoleAssignedTo/" + PAYROLL_SP + ".json",
        {
            "value": [
                {
                    "id": "x1",
                    "principalId": BOB_GUEST,
                    "principalType": "User",
                    "resourceId": PAYROLL_SP,
                    "appRoleId": "00000000-0000-0000-0000-000000000000",
                }
            ]
        },
    )
    shutil.copyfile(SAMPLES / "signIns-page1.json", contoso.path / "signIns.json")
    shutil.copyfile(SAMPLES / "signIns-page2.json", contoso.path / "signIns.page2.json")
    return root


def test_sign_in_log_pages_are_aggregated_per_user_and_app(tmp_path: Path) -> None:
    world, _ = import_export([_two_tenants(tmp_path)])
    contoso = world.tenant_by_name["contoso"]
    # Two successful b2bCollaboration sign-ins of the guest count; the failed attempt and the
    # member's same-tenant sign-in do not. The guest object's id maps to its home identity.
    assert contoso.sign_ins == (
        SignInUsage(
            user="fabrikam/bob",
            resource="contoso/payroll",
            cross_tenant_access_type=CrossTenantAccessType.B2B_COLLABORATION,
            first=datetime(2026, 10, 1, 8, 0, 0, 123456, tzinfo=UTC),
            last=datetime(2026, 11, 15, 7, 45, 12, 500000, tzinfo=UTC),
            count=2,
        ),
    )
    guest = world.user_by_ref["contoso/bob"]
    assert guest.external_user_state_change_date_time == utc(2025, 3, 1, 12)
    ix = WorldIndex(world, now=utc(2026, 12, 1))
    assert ix.usage.last_used("fabrikam/bob", "contoso/payroll") == contoso.sign_ins[0].last
    (inbound,) = ix.usage.partners("contoso")
    assert (inbound.partner, inbound.direction.value, inbound.count) == ("fabrikam", "inbound", 2)


def test_findings_follow_the_imported_evidence(tmp_path: Path) -> None:
    world, _ = import_export([_two_tenants(tmp_path)])

    def unused(days: int) -> list[str]:
        ix = WorldIndex(world, now=utc(2026, 12, 1))
        found = run_checks(ix, options=AuditOptions(unused_days=days), checks=["assignment.unused"])
        return [f.subject for f in found]

    assert unused(90) == []  # last successful sign-in 16 days before
    assert unused(10) == ["fabrikam/bob -> contoso/payroll"]


def test_round_trip_keeps_every_date_and_sign_in(tmp_path: Path) -> None:
    evidence = SHARED / "scenarios" / "evidence"
    dated = sign_ins = 0
    for path in (*sorted(evidence.glob("*.yaml")), DEMO):
        world = load_world_file(path)
        back, _ = import_export(export_world(world, tmp_path / path.stem))
        assert different_fields(world, back) == []
        for u in world.users:
            if u.last_sign_in_date_time or u.created_date_time:
                dated += 1
            assert back.user_by_ref[u.ref] == u
        for t in world.tenants:
            assert back.tenant_by_name[t.name].sign_ins == t.sign_ins
            sign_ins += len(t.sign_ins)
    assert dated >= 6 and sign_ins >= 3  # the files do carry evidence
