"""World-file evidence of use: user dates, a tenant's `signIns`, and `finding` checks.

Each malformed value is a located issue with a stable code, never a silent default.
"""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime

import pytest

from graphmodel.errors import Issue, WorldInvalid
from graphmodel.ingest import load_world_text
from graphmodel.ingest.checks import FindingCheck
from graphmodel.ingest.scenario import load_scenario_text
from graphmodel.schema import CrossTenantAccessType, SignInUsage
from graphmodel.service import GraphService
from graphmodel.service.scenarios import run_check
from graphmodel.stores import open_store

WORLD = """
asOf: 2026-12-01T00:00:00Z
world:
  tenants:
    - name: fabrikam
      users: [bob, dan]
      teams: [{name: eng, members: [bob]}]
    - name: contoso
      users:
        - alice
        - {name: bob, guestOf: fabrikam/bob, createdDateTime: 2025-01-02,
           lastSignInDateTime: "2026-11-20T09:00:00+02:00"}
        - {name: dan, guestOf: fabrikam/dan, state: PendingAcceptance,
           externalUserStateChangeDateTime: 2026-06-01T00:00:00Z}
      apps: [{name: payroll}]
      teams:
        - name: launch
          members: [alice]
          channels: [{name: partners, membershipType: shared, members: [alice, fabrikam/bob]}]
      signIns:
{sign_ins}
checks:
{checks}
"""
GOOD_SIGN_INS = """\
        - {user: fabrikam/bob, app: payroll, last: 2026-11-20T00:00:00Z,
           first: 2026-01-01, count: 4}
        - {user: fabrikam/bob, app: contoso/launch/partners, last: 2026-11-21T00:00:00Z}
"""


def scenario(sign_ins: str = GOOD_SIGN_INS, checks: str = "  []") -> str:
    return WORLD.replace("{sign_ins}", sign_ins.rstrip("\n") or "        []").replace(
        "{checks}", checks
    )


def issues(text: str) -> list[Issue]:
    with pytest.raises(WorldInvalid) as err:
        load_scenario_text(text)
    return list(err.value.issues)


def test_dates_and_sign_ins_are_read() -> None:
    world, _ = load_scenario_text(scenario(checks="  []").replace("checks:\n  []", "checks: []"))
    bob = world.user_by_ref["contoso/bob"]
    assert bob.created_date_time == datetime(2025, 1, 2, tzinfo=UTC)
    assert bob.last_sign_in_date_time == datetime(2026, 11, 20, 7, tzinfo=UTC)  # to UTC
    dan = world.user_by_ref["contoso/dan"]
    assert dan.external_user_state_change_date_time == datetime(2026, 6, 1, tzinfo=UTC)
    assert world.tenant_by_name["contoso"].sign_ins == (
        SignInUsage(
            user="fabrikam/bob",
            resource="contoso/payroll",
            cross_tenant_access_type=CrossTenantAccessType.B2B_COLLABORATION,
            last=datetime(2026, 11, 20, tzinfo=UTC),
            first=datetime(2026, 1, 1, tzinfo=UTC),
            count=4,
        ),
        SignInUsage(  # a channel is reached by direct connect
            user="fabrikam/bob",
            resource="contoso/launch/partners",
            cross_tenant_access_type=CrossTenantAccessType.B2B_DIRECT_CONNECT,
            last=datetime(2026, 11, 21, tzinfo=UTC),
        ),
    )


@pytest.mark.parametrize(
    ("entry", "code", "where"),
    [
        ("{user: fabrikam/bob, app: payroll}", "missing-field", "signIns"),
        ("{user: fabrikam/bob, app: payroll, last: soon}", "invalid-value", "last"),
        ("{user: fabrikam/bob, app: payrol, last: 2026-01-01}", "unknown-reference", "app"),
        ("{user: fabrikam/eve, app: payroll, last: 2026-01-01}", "unknown-reference", "user"),
        ("{user: contoso/alice, app: payroll, last: 2026-01-01}", "invalid-reference", "signIns"),
        ("{user: fabrikam/bob, app: payroll, last: 2026-01-01, when: x}", "unknown-field", "when"),
        ("{user: fabrikam/bob, app: payroll, last: 2026-01-01, count: 0}", "invalid-type", "count"),
        (
            "{user: fabrikam/bob, app: payroll, last: 2026-01-01, first: 2026-02-01}",
            "invalid-value",
            "first",
        ),
        (
            "{user: fabrikam/bob, app: payroll, last: 2026-01-01, crossTenantAccessType: b2b}",
            "invalid-value",
            "crossTenantAccessType",
        ),
    ],
)
def test_bad_sign_ins_are_located_issues(entry: str, code: str, where: str) -> None:
    found = issues(scenario(sign_ins=f"        - {entry}\n", checks="  []"))
    assert [(i.code, where in [str(x) for x in i.loc]) for i in found] == [(code, True)], found


def test_state_change_date_only_on_invited_users() -> None:
    text = """
tenants:
  - name: contoso
    users: [{name: alice, externalUserStateChangeDateTime: 2026-01-01}]
"""
    with pytest.raises(WorldInvalid) as err:
        load_world_text(textwrap.dedent(text))
    assert [i.code for i in err.value.issues] == ["invalid-value"]


def test_finding_checks_are_parsed_and_validated() -> None:
    checks = """
  - {finding: guest.stale-with-paths, tenant: contoso, expect: [contoso/bob]}
  - {finding: assignment.unused, tenant: contoso, days: 20, expect: []}
"""
    _, sc = load_scenario_text(scenario(checks=checks))
    assert sc.checks == (
        FindingCheck(
            index=0,
            line=sc.checks[0].line,
            check="guest.stale-with-paths",
            tenant="contoso",
            days=None,
            expect=("contoso/bob",),
        ),
        FindingCheck(
            index=1,
            line=sc.checks[1].line,
            check="assignment.unused",
            tenant="contoso",
            days=20,
            expect=(),
        ),
    )
    bad = """
  - {finding: guest.stale-with-paths, tenant: contosso, expect: []}
  - {finding: guest.stale-with-paths, tenant: contoso, days: -1, expect: []}
  - {finding: guest.stale-with-paths, tenant: contoso, expect: contoso/bob}
  - {finding: guest.stale-with-paths, tenant: contoso}
  - {finding: guest.stale-with-paths, tenant: contoso, expect: [], subject: x}
"""
    assert [i.code for i in issues(scenario(checks=bad))] == [
        "unknown-reference",
        "invalid-type",
        "invalid-type",
        "missing-field",
        "unknown-field",
    ]


def test_an_unknown_check_id_fails_the_check_with_a_clear_message() -> None:
    checks = "  - {finding: guest.stale, tenant: contoso, expect: []}\n"
    world, sc = load_scenario_text(scenario(checks=checks))
    with open_store("memory") as store:
        svc = GraphService(store)
        svc.load_world(world, source="t")
        result = run_check(svc, "t.yaml", sc.checks[0])
    assert not result.passed
    assert result.got == "error: `guest.stale` is not an audit check id"
