"""Tests for `graphmodel.ingest.scenario`: check parsing, strictness and file discovery.

Scenario documents here share one small world (`WORLD`); each test appends its checks and
asserts on the typed checks or on the exact issues (code, path, line).
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from graphmodel.errors import Issue, WorldInvalid
from graphmodel.ingest import (
    REASON_CODES,
    AccessCheck,
    InviteCheck,
    RequestCheck,
    SignUpCheck,
    WhoCanAccessCheck,
    discover_scenario_files,
    load_scenario_file,
    load_scenario_text,
)
from graphmodel.schema.enums import Via

WORLD = """\
title: a small world
source: https://learn.microsoft.com/entra/external-id/
rules: [R7, L37]
world:
  tenants:
    - name: contoso
      users: [alice, {name: bob, guestOf: fabrikam/bob}]
      groups: [{name: sales, members: [bob]}]
      apps: [{name: lob}, {name: portal}]
      teams:
        - name: launch
          members: [alice]
          channels: [{name: general}]
      accessPackages: [{name: pack, policies: [{allowedTargetScope: allExternalUsers}]}]
    - name: fabrikam
      users: [bob, dan]
"""
# the first check starts on line 18


def _load(checks: str) -> list[object]:
    _, scenario = load_scenario_text(WORLD + textwrap.dedent(checks))
    return list(scenario.checks)


def _issues(checks: str) -> list[Issue]:
    with pytest.raises(WorldInvalid) as caught:
        load_scenario_text(WORLD + textwrap.dedent(checks))
    return list(caught.value.issues)


def test_every_check_kind_is_parsed() -> None:
    checks = _load(
        """\
        checks:
          - principal: fabrikam/bob
            resource: contoso/lob
            via: b2b_collaboration
            expect: allow
            mfa: none
            reasons: [mfa_trusted]
            path: [fabrikam/bob, contoso/bob, contoso/sales, contoso/lob]
          - {principal: fabrikam/dan, resource: contoso/launch/general, expect: deny}
          - {invite: fabrikam/dan, by: contoso/alice, expect: deny, reasons: [domain_blocked]}
          - {invite: pat@adatum.com, by: contoso/alice, expect: allow}
          - {signUp: a@gmail.com, app: contoso/portal, identityProvider: google, expect: allow}
          - {request: fabrikam/dan, accessPackage: contoso/pack, expect: allow}
          - whoCanAccess: contoso/lob
            expect: [contoso/alice, fabrikam/bob]
            pending: []
          - {whoCanAccess: contoso/launch/general, expect: []}
        """
    )
    assert checks == [
        AccessCheck(
            index=0,
            line=18,
            principal="fabrikam/bob",
            resource="contoso/lob",
            via=Via.B2B_COLLABORATION,
            expect="allow",
            mfa="none",
            reasons=("mfa_trusted",),
            path=("fabrikam/bob", "contoso/bob", "contoso/sales", "contoso/lob"),
        ),
        AccessCheck(
            index=1,
            line=25,
            principal="fabrikam/dan",
            resource="contoso/launch/general",
            expect="deny",
        ),
        InviteCheck(
            index=2,
            line=26,
            invitee="fabrikam/dan",
            inviter="contoso/alice",
            expect="deny",
            reasons=("domain_blocked",),
        ),
        InviteCheck(
            index=3, line=27, invitee="pat@adatum.com", inviter="contoso/alice", expect="allow"
        ),
        SignUpCheck(
            index=4,
            line=28,
            email="a@gmail.com",
            app="contoso/portal",
            identity_provider="google",
            expect="allow",
        ),
        RequestCheck(
            index=5,
            line=29,
            requester="fabrikam/dan",
            access_package="contoso/pack",
            expect="allow",
        ),
        WhoCanAccessCheck(
            index=6,
            line=30,
            resource="contoso/lob",
            expect=("contoso/alice", "fabrikam/bob"),
            pending=(),
        ),
        WhoCanAccessCheck(
            index=7, line=33, resource="contoso/launch/general", expect=(), pending=None
        ),
    ]


def test_scenario_metadata() -> None:
    world, scenario = load_scenario_text(WORLD + "checks: []\n", file="s.yaml")
    assert (scenario.file, scenario.title, scenario.rules) == (
        "s.yaml",
        "a small world",
        ("R7", "L37"),
    )
    assert scenario.source == world.source == "https://learn.microsoft.com/entra/external-id/"
    assert scenario.checks == ()


def test_unknown_check_key_is_an_error_not_a_no_op() -> None:
    got = _issues(
        """\
        checks:
          - principal: fabrikam/bob
            resource: contoso/lob
            expcet: deny
        """
    )
    assert [(i.code, i.path, i.line) for i in got] == [
        ("missing-field", "checks[0]", 18),
        ("unknown-field", "checks[0].expcet", 20),
    ]
    assert got[0].msg == "`check` needs `expect`"
    assert got[1].msg == "unknown field `check.expcet`; did you mean `expect`?"


def test_bad_reason_code_and_values() -> None:
    got = _issues(
        """\
        checks:
          - principal: fabrikam/bob
            resource: contoso/lob
            via: direct
            expect: allowed
            mfa: no
            reasons: [inbound_block]
        """
    )
    assert [(i.code, i.path) for i in got] == [
        ("invalid-value", "checks[0].via"),
        ("invalid-value", "checks[0].expect"),
        ("invalid-value", "checks[0].mfa"),
        ("invalid-value", "checks[0].reasons[0]"),
    ]
    by_path = {i.path: i.msg for i in got}
    assert "did you mean `inbound_blocked`?" in by_path["checks[0].reasons[0]"]
    assert "did you mean `allow`?" in by_path["checks[0].expect"]


def test_check_references_must_resolve() -> None:
    got = _issues(
        """\
        checks:
          - {principal: fabrikam/bobby, resource: contoso/launch/random, expect: deny,
             path: [fabrikam/bob, contoso/nothing]}
          - {principal: contoso/sales, resource: contoso/launch, expect: deny}
          - {invite: not-an-email@, by: fabrikam/nobody, expect: deny}
          - {signUp: x@y.com, app: contoso/alice, identityProvider: gmail, expect: allow}
          - {request: fabrikam/dan, accessPackage: contoso/pak, expect: allow}
          - {whoCanAccess: contoso/lob, expect: allow}
          - {whoCanAccess: contoso/lob, expect: [fabrikam/bob, nobody/x]}
        """
    )
    assert [(i.code, i.path) for i in got] == [
        ("unknown-reference", "checks[0].principal"),
        ("unknown-reference", "checks[0].resource"),
        ("unknown-reference", "checks[0].path[1]"),
        ("invalid-reference", "checks[1].principal"),
        ("invalid-reference", "checks[1].resource"),
        ("invalid-value", "checks[2].invite"),
        ("unknown-reference", "checks[2].by"),
        ("invalid-reference", "checks[3].app"),
        ("invalid-value", "checks[3].identityProvider"),
        ("unknown-reference", "checks[4].accessPackage"),
        ("invalid-type", "checks[5].expect"),
        ("unknown-reference", "checks[6].expect[1]"),
    ]
    assert "did you mean `bob`?" in got[0].msg
    assert "did you mean `pack`?" in got[9].msg


def test_check_kind_must_be_recognisable() -> None:
    got = _issues(
        """\
        checks:
          - {principle: fabrikam/bob, resource: contoso/lob, expect: deny}
          - {principal: fabrikam/bob, invite: fabrikam/dan, expect: deny}
          - just a string
        """
    )
    assert [(i.code, i.line) for i in got] == [
        ("unknown-check", 18),
        ("unknown-check", 19),
        ("invalid-type", 20),
    ]
    assert got[0].msg.endswith("did you mean `principal`?")


def test_world_and_check_issues_are_reported_together() -> None:
    text = WORLD.replace("users: [bob, dan]", "users: [bob, dan, dan]") + textwrap.dedent(
        """\
        checks:
          - {principal: fabrikam/bob, resource: contoso/lob, expect: maybe}
        """
    )
    with pytest.raises(WorldInvalid) as caught:
        load_scenario_text(text)
    assert [(i.code, i.line) for i in caught.value.issues] == [
        ("duplicate-name", 16),
        ("invalid-value", 18),
    ]


def test_a_scenario_needs_world_and_checks() -> None:
    with pytest.raises(WorldInvalid) as caught:
        load_scenario_text(WORLD)
    assert [i.msg for i in caught.value.issues] == ["a scenario file needs `checks`"]
    with pytest.raises(WorldInvalid) as caught:
        load_scenario_text("tenants: []\n")
    assert [i.code for i in caught.value.issues] == ["missing-field"]
    with pytest.raises(WorldInvalid) as caught:
        load_scenario_text("checks: [\n")
    assert [i.code for i in caught.value.issues] == ["yaml-syntax"]


def test_reason_codes_match_reasons_md() -> None:
    spec = Path(__file__).resolve().parents[3].parent / "shared" / "spec" / "reasons.md"
    if not spec.is_file():
        pytest.skip(f"no spec at {spec}")
    listed = set(re.findall(r"^\| `([a-z0-9_]+)`(?: / `([a-z0-9_]+)`)?", spec.read_text(), re.M))
    codes = {code for pair in listed for code in pair if code}
    assert codes == REASON_CODES


def test_discover_scenario_files(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "two.yml").write_text("")
    (tmp_path / "a.yaml").write_text("")
    (tmp_path / "notes.md").write_text("")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "x.yaml").write_text("")
    single = tmp_path / "single.txt"
    single.write_text("")
    found = discover_scenario_files([tmp_path, single, tmp_path / "a.yaml", tmp_path / "gone"])
    assert found == [
        tmp_path / "a.yaml",
        tmp_path / "b" / "two.yml",
        single,
        tmp_path / "gone",  # kept, so that loading reports it
    ]


def test_load_scenario_file(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        WORLD + "checks:\n  - {request: fabrikam/dan, accessPackage: contoso/pack, expect: allow}\n"
    )
    world, scenario = load_scenario_file(path)
    assert scenario.file == str(path) and len(scenario.checks) == 1
    assert world.title == "a small world"
    with pytest.raises(WorldInvalid) as caught:
        load_scenario_file(tmp_path / "gone.yaml")
    assert [i.code for i in caught.value.issues] == ["unreadable-file"]


def test_who_can_access_may_ask_for_outsiders_only() -> None:
    checks = _load(
        """\
        checks:
          - {whoCanAccess: contoso/lob, outsiders: true, expect: [fabrikam/bob]}
          - {whoCanAccess: contoso/lob, outsiders: false, expect: [contoso/alice, fabrikam/bob]}
        """
    )
    assert [c.outsiders for c in checks if isinstance(c, WhoCanAccessCheck)] == [True, False]


def test_outsiders_must_be_a_boolean() -> None:
    got = _issues(
        """\
        checks:
          - {whoCanAccess: contoso/lob, outsiders: yes please, expect: [fabrikam/bob]}
          - {principal: fabrikam/bob, resource: contoso/lob, outsiders: true, expect: allow}
        """
    )
    assert [(i.code, i.path) for i in got] == [
        ("invalid-type", "checks[0].outsiders"),
        ("unknown-field", "checks[1].outsiders"),
    ]
