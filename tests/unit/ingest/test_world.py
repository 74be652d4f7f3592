"""Tests for `graphmodel.ingest.world`: the file forms, defaults, users, groups, apps, teams and
the strictness that reports every problem with its line and path.

Use the `world` fixture for documents that must load and `errors` for documents that must not
(both dedent the text); assert exact lines, so a test reads like the file it loads.
"""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest

from graphmodel.errors import WorldInvalid
from graphmodel.ingest import load_world_file, load_world_text, parse_world, parse_yaml
from graphmodel.schema.builtin import BUILTIN_APP_IDS
from graphmodel.schema.enums import (
    BuiltinApp,
    Cloud,
    CreationType,
    ExternalUserState,
    IdentityProviderKind,
    MembershipType,
    TenantType,
    UserType,
)
from graphmodel.schema.ids import derive_id

from .conftest import IssueLoader, WorldLoader

FIVE_MISTAKES = """\
title: five different mistakes
world:
  tenants:
    - name: contoso
      users:
        - alice
        - {name: bob, guestOf: fabrikam/bobb}
        - alice
      cloud: usgovv
      externalCollaboration:
        blockedDomains: [adatum.com]
        allowedDomains: [fabrikam.com]
    - name: fabrikam
      usres: [bob]
checks: []
"""


def test_every_mistake_is_reported_with_its_line_and_path(tmp_path: Path) -> None:
    path = tmp_path / "five.yaml"
    path.write_text(FIVE_MISTAKES)
    with pytest.raises(WorldInvalid) as caught:
        load_world_file(path)
    got = [(i.code, i.path, i.line, i.file) for i in caught.value.issues]
    f = str(path)
    assert got == [
        ("unknown-reference", "world.tenants[0].users[1].guestOf", 7, f),
        ("duplicate-name", "world.tenants[0].users[2]", 8, f),
        ("invalid-value", "world.tenants[0].cloud", 9, f),
        ("conflicting-fields", "world.tenants[0].externalCollaboration.allowedDomains", 12, f),
        ("unknown-field", "world.tenants[1].usres", 14, f),
    ]
    messages = [i.msg for i in caught.value.issues]
    assert "`fabrikam/bobb`" in messages[0]
    assert "allowed: `global`, `usgov`, `china`" in messages[2]
    assert messages[4] == "unknown field `tenant.usres`; did you mean `users`?"
    assert caught.value.issues[0].loc == ("world", "tenants", 0, "users", 1, "guestOf")
    assert str(caught.value).startswith("5 problems in the input: ")


def test_messages_follow_the_style_guide() -> None:
    with pytest.raises(WorldInvalid) as caught:
        load_world_text(FIVE_MISTAKES)
    for issue in caught.value.issues:
        assert issue.msg[:1] in "`" or issue.msg[:1].islower(), issue.msg
        assert not issue.msg.endswith("."), issue.msg
        assert "\n" not in issue.msg


def test_bare_world_and_scenario_form_give_the_same_world(world: WorldLoader) -> None:
    bare = world("tenants:\n  - name: contoso\n    users: [alice]\n")
    wrapped = world("world:\n  tenants:\n    - name: contoso\n      users: [alice]\nchecks: []\n")
    assert bare == wrapped


def test_bare_world_locations_have_no_world_prefix(errors: IssueLoader) -> None:
    issues = errors("tenants:\n  - name: contoso\n    cloud: mars\n")
    assert [(i.path, i.line) for i in issues] == [("tenants[0].cloud", 3)]


def test_parse_world_returns_errors_or_warnings() -> None:
    doc = parse_yaml("tenants: [{name: contoso, type: b2b}]\n", file="f.yaml")
    world, issues = parse_world(doc.data, doc.lines, "f.yaml")
    assert world is None
    assert [(i.code, i.file, i.line) for i in issues] == [("invalid-value", "f.yaml", 1)]
    doc = parse_yaml("tenants: [{name: contoso}]\n")
    world, issues = parse_world(doc.data, doc.lines)
    assert world is not None and issues == []


def test_top_level_problems(errors: IssueLoader) -> None:
    assert [i.code for i in errors("")] == ["empty-document"]
    assert [i.code for i in errors("- a\n")] == ["invalid-type"]
    assert [i.code for i in errors("title: x\n")] == ["missing-field"]
    got = errors("world: {tenants: []}\nchecks: []\ntitel: x\n")
    assert [(i.code, i.path, i.msg) for i in got] == [
        ("unknown-field", "titel", "unknown field `scenario.titel`; did you mean `title`?")
    ]


def test_yaml_errors_are_raised_as_world_invalid(errors: IssueLoader) -> None:
    assert [(i.code, i.line) for i in errors("tenants:\n  - name: a\n  name: b\n")] == [
        ("yaml-syntax", 3)
    ]
    dup = errors("tenants:\n  - name: a\n    cloud: global\n    cloud: china\n")
    assert [(i.code, i.path, i.line) for i in dup] == [("duplicate-key", "tenants[0].cloud", 4)]


def test_unreadable_files_are_issues(tmp_path: Path) -> None:
    with pytest.raises(WorldInvalid) as caught:
        load_world_file(tmp_path / "missing.yaml")
    assert [i.code for i in caught.value.issues] == ["unreadable-file"]
    latin = tmp_path / "latin.yaml"
    latin.write_bytes(b"title: caf\xe9\n")
    with pytest.raises(WorldInvalid) as caught:
        load_world_file(latin)
    assert [i.code for i in caught.value.issues] == ["unreadable-file"]


def test_tenant_defaults(world: WorldLoader) -> None:
    w = world("tenants:\n  - name: contoso\n")
    (t,) = w.tenants
    assert t.id == derive_id("tenant", "contoso")
    assert t.domains == ("contoso.com",)
    assert (t.cloud, t.type) == (Cloud.GLOBAL, TenantType.WORKFORCE)
    assert w.as_of is None and w.title is None


def test_tenant_scalars(world: WorldLoader, errors: IssueLoader) -> None:
    tid = "0B5C6C0E-8F43-4D0B-9A55-7C1B8C2F6A10"
    w = world(
        f"""\
        tenants:
          - {{name: govco, id: {tid}, domains: [GovCo.us, govco.onmicrosoft.us], cloud: usgov}}
          - {{name: shopb2c, type: b2c}}
        """
    )
    assert w.tenants[0].id == tid.lower()
    assert w.tenants[0].domains == ("govco.us", "govco.onmicrosoft.us")
    assert w.tenants[0].primary_domain == "govco.us"
    assert w.tenants[1].type is TenantType.B2C
    got = errors(
        """\
        tenants:
          - {name: a, id: not-a-guid}
          - {name: b, domains: []}
          - {name: c, domains: [a.com]}
          - {name: a}
        """
    )
    assert [(i.code, i.line) for i in got] == [
        ("invalid-value", 2),
        ("invalid-value", 3),
        ("duplicate-value", 4),
        ("duplicate-name", 5),
    ]


def test_scalar_read_as_boolean_gets_a_quoting_hint(errors: IssueLoader) -> None:
    (issue,) = errors("tenants:\n  - name: no\n")
    assert (issue.code, issue.path, issue.line) == ("invalid-type", "tenants[0].name", 2)
    assert "the boolean `false`" in issue.msg and "quote it" in issue.msg


def test_as_of_accepts_a_timestamp_or_an_iso_string(world: WorldLoader) -> None:
    expected = datetime(2026, 3, 1, tzinfo=UTC)
    assert world("asOf: 2026-03-01T00:00:00Z\ntenants: []\n").as_of == expected
    assert world("asOf: '2026-03-01T01:00:00+01:00'\ntenants: []\n").as_of == expected
    assert world("asOf: 2026-03-01\ntenants: []\n").as_of == expected


def test_bad_as_of_is_located(errors: IssueLoader) -> None:
    assert [(i.code, i.path) for i in errors("asOf: soon\ntenants: []\n")] == [
        ("invalid-value", "asOf")
    ]


MEMBERS_AND_GUESTS = """\
tenants:
  - name: contoso
    domains: [contoso.com, contoso.onmicrosoft.com]
    users:
      - alice
      - {name: gary, roles: [GuestInviter], accountEnabled: false}
      - {name: bob, guestOf: fabrikam/bob}
      - {name: dan, guestOf: fabrikam/dan, state: PendingAcceptance}
      - {name: erin, syncedFrom: fabrikam/erin}
      - {name: ivy, syncedFrom: fabrikam/erin, userType: Guest}
      - {name: gail, email: gail@gmail.com, identityProvider: google}
      - {name: otto, email: otto@example.org, identityProvider: emailOtp, userType: Member}
  - name: fabrikam
    users: [bob, dan, erin]
  - name: shopb2c
    type: b2c
    domains: [shopb2c.onmicrosoft.com]
    users:
      - {name: hank, identityProvider: local}
      - {name: gus, email: gus@gmail.com, identityProvider: google}
      - admin
"""


def test_member_user(world: WorldLoader) -> None:
    users = world(MEMBERS_AND_GUESTS).user_by_ref
    alice = users["contoso/alice"]
    assert alice.id == derive_id("user", "contoso", "alice")
    assert (alice.user_principal_name, alice.mail) == ("alice@contoso.com", "alice@contoso.com")
    assert (alice.user_type, alice.external_user_state, alice.creation_type) == (
        UserType.MEMBER,
        None,
        None,
    )
    gary = users["contoso/gary"]
    assert [r.value for r in gary.roles] == ["GuestInviter"] and not gary.account_enabled


def test_invited_guest(world: WorldLoader) -> None:
    users = world(MEMBERS_AND_GUESTS).user_by_ref
    bob = users["contoso/bob"]
    assert bob.guest_of == "fabrikam/bob" and bob.synced_from is None
    assert bob.user_principal_name == "bob_fabrikam.com#EXT#@contoso.onmicrosoft.com"
    assert bob.mail == "bob@fabrikam.com"
    assert (bob.user_type, bob.external_user_state, bob.creation_type) == (
        UserType.GUEST,
        ExternalUserState.ACCEPTED,
        CreationType.INVITATION,
    )
    dan = users["contoso/dan"]
    assert dan.external_user_state is ExternalUserState.PENDING_ACCEPTANCE


def test_synced_user(world: WorldLoader) -> None:
    users = world(MEMBERS_AND_GUESTS).user_by_ref
    erin = users["contoso/erin"]
    assert erin.synced_from == "fabrikam/erin" and erin.guest_of is None
    assert erin.user_principal_name == "erin_fabrikam.com#EXT#@contoso.onmicrosoft.com"
    assert (erin.user_type, erin.external_user_state, erin.creation_type) == (
        UserType.MEMBER,
        None,
        None,
    )
    assert users["contoso/ivy"].user_type is UserType.GUEST


def test_non_entra_guests_in_a_workforce_tenant(world: WorldLoader) -> None:
    users = world(MEMBERS_AND_GUESTS).user_by_ref
    gail = users["contoso/gail"]
    assert gail.identity_provider is IdentityProviderKind.GOOGLE
    assert gail.user_principal_name == "gail_gmail.com#EXT#@contoso.onmicrosoft.com"
    assert gail.mail == "gail@gmail.com"
    assert (gail.user_type, gail.external_user_state, gail.creation_type) == (
        UserType.GUEST,
        ExternalUserState.ACCEPTED,
        CreationType.INVITATION,
    )
    assert users["contoso/otto"].user_type is UserType.MEMBER


def test_b2c_consumer_accounts(world: WorldLoader) -> None:
    users = world(MEMBERS_AND_GUESTS).user_by_ref
    for ref in ("shopb2c/hank", "shopb2c/gus"):
        user = users[ref]
        assert (user.user_type, user.external_user_state, user.creation_type) == (
            UserType.MEMBER,
            None,
            CreationType.LOCAL_ACCOUNT,
        )
    assert users["shopb2c/hank"].user_principal_name == "hank@shopb2c.onmicrosoft.com"
    assert users["shopb2c/gus"].mail == "gus@gmail.com"
    assert users["shopb2c/admin"].creation_type is None


def test_users_keep_file_order(world: WorldLoader) -> None:
    w = world(MEMBERS_AND_GUESTS)
    assert [u.ref for u in w.users][:3] == ["contoso/alice", "contoso/gary", "contoso/bob"]
    assert [t.name for t in w.tenants] == ["contoso", "fabrikam", "shopb2c"]


def test_user_mistakes(errors: IssueLoader) -> None:
    got = errors(
        """\
        tenants:
          - name: contoso
            users:
              - {name: a, state: Accepted}
              - {name: b, guestOf: contoso/c}
              - c
              - {name: d, guestOf: fabrikam/x, syncedFrom: fabrikam/x}
              - {name: e, guestOf: fabrikam/g}
              - {name: f, identityProvider: local}
              - {name: h, roles: [Owner], userType: guest, email: not-an-email}
          - name: fabrikam
            users:
              - x
              - {name: g, guestOf: contoso/c}
        """
    )
    assert [(i.code, i.path) for i in got] == [
        ("invalid-value", "tenants[0].users[0].state"),
        ("invalid-reference", "tenants[0].users[1].guestOf"),
        ("conflicting-fields", "tenants[0].users[3].syncedFrom"),
        ("invalid-reference", "tenants[0].users[4].guestOf"),
        ("invalid-value", "tenants[0].users[5].identityProvider"),
        # issues on one line come in the order they are found
        ("invalid-value", "tenants[0].users[6].email"),
        ("invalid-value", "tenants[0].users[6].userType"),
        ("invalid-value", "tenants[0].users[6].roles[0]"),
    ]
    assert "did you mean `Guest`?" in got[6].msg


def test_names_are_unique_across_users_groups_apps_and_teams(errors: IssueLoader) -> None:
    got = errors(
        """\
        tenants:
          - name: contoso
            users: [sales]
            groups: [{name: sales}]
            apps: [{name: hr}, {name: hr}]
            teams: [{name: sales}]
        """
    )
    assert [(i.code, i.line) for i in got] == [
        ("duplicate-name", 4),
        ("duplicate-name", 5),
        ("duplicate-name", 6),
    ]
    assert "a user" in got[0].msg


def test_group_members_keep_order_and_resolve_in_the_tenant(world: WorldLoader) -> None:
    w = world(
        """\
        tenants:
          - name: contoso
            users: [zed, alice]
            groups:
              - {name: sales, members: [zed, group:emea, contoso/alice]}
              - {name: emea, members: []}
        """
    )
    sales = w.group_by_ref["contoso/sales"]
    assert sales.members == ("contoso/zed", "contoso/emea", "contoso/alice")
    assert sales.id == derive_id("group", "contoso", "sales")
    assert w.group_by_ref["contoso/emea"].members == ()


def test_group_member_mistakes(errors: IssueLoader) -> None:
    got = errors(
        """\
        tenants:
          - name: contoso
            users: [alice]
            groups:
              - name: sales
                members: [alicee, group:alice, fabrikam/bob, group:sales, alice, alice]
            apps: [{name: hr, assignedTo: [hr]}]
          - name: fabrikam
            users: [bob]
        """
    )
    assert sorted((i.code, i.path) for i in got) == [
        ("duplicate-value", "tenants[0].groups[0].members[5]"),
        ("invalid-reference", "tenants[0].apps[0].assignedTo[0]"),
        ("invalid-reference", "tenants[0].groups[0].members[1]"),
        ("invalid-reference", "tenants[0].groups[0].members[2]"),
        ("invalid-reference", "tenants[0].groups[0].members[3]"),
        ("unknown-reference", "tenants[0].groups[0].members[0]"),
    ]
    assert {i.line for i in got} == {6, 7}
    by_path = {i.path: i.msg for i in got}
    assert "did you mean `alice`?" in by_path["tenants[0].groups[0].members[0]"]
    assert by_path["tenants[0].groups[0].members[1]"] == (
        "`alice` is a user of tenant `contoso`, not a group"
    )
    assert by_path["tenants[0].groups[0].members[3]"] == "a group cannot be a member of itself"


APPS = """\
tenants:
  - name: contoso
    users: [alice]
    groups: [{name: sales, members: [alice]}]
    apps:
      - {name: payroll, assignmentRequired: true, assignedTo: [sales, alice]}
      - {name: teams, builtin: Teams}
      - {name: saas, signInAudience: AzureADMultipleOrgs}
      - {name: legacy, accountEnabled: false}
  - name: fabrikam
    apps:
      - {name: saas-sp, instanceOf: contoso/saas}
"""


def test_apps_ids_and_assignments(world: WorldLoader) -> None:
    w = world(APPS)
    apps = w.app_by_ref
    payroll = apps["contoso/payroll"]
    assert payroll.id == derive_id("app", "contoso", "payroll")
    assert payroll.app_id == derive_id("appId", "contoso", "payroll")
    assert payroll.app_role_assignment_required
    assert apps["contoso/teams"].app_id == BUILTIN_APP_IDS[BuiltinApp.TEAMS]
    assert apps["contoso/teams"].builtin is BuiltinApp.TEAMS
    assert not apps["contoso/legacy"].account_enabled
    assert not apps["contoso/saas"].app_role_assignment_required
    # a service principal shares its application's appId
    sp = apps["fabrikam/saas-sp"]
    assert (sp.instance_of, sp.app_id) == ("contoso/saas", apps["contoso/saas"].app_id)
    assert [(a.principal, a.app) for a in w.assignments] == [
        ("contoso/sales", "contoso/payroll"),
        ("contoso/alice", "contoso/payroll"),
    ]


def test_instance_of_needs_a_multitenant_registration_elsewhere(errors: IssueLoader) -> None:
    got = errors(
        """\
        tenants:
          - name: contoso
            apps:
              - {name: hr}
              - {name: mine, signInAudience: AzureADMyOrg}
              - {name: multi, signInAudience: AzureADMultipleOrgs}
              - {name: own-sp, instanceOf: contoso/multi}
          - name: fabrikam
            apps:
              - {name: a, instanceOf: contoso/hr}
              - {name: b, instanceOf: contoso/mine}
              - {name: c, instanceOf: contoso/nope}
              - {name: d, instanceOf: contoso/multi, builtin: Teams}
              - {name: e, instanceOf: contoso/multi}
              - {name: f, instanceOf: contoso/multi}
        """
    )
    assert [(i.code, i.path) for i in got] == [
        ("invalid-reference", "tenants[0].apps[3].instanceOf"),
        ("instance-of-single-tenant-app", "tenants[1].apps[0].instanceOf"),
        ("instance-of-single-tenant-app", "tenants[1].apps[1].instanceOf"),
        ("unknown-reference", "tenants[1].apps[2].instanceOf"),
        ("conflicting-fields", "tenants[1].apps[3].builtin"),
        ("duplicate-id", "tenants[1].apps[5]"),
    ]


def test_teams_and_channels(world: WorldLoader) -> None:
    w = world(
        """\
        tenants:
          - name: contoso
            users: [alice, olivia]
            teams:
              - name: launch
                members: [alice]
                channels:
                  - {name: general}
                  - {name: inner, membershipType: private, members: [alice]}
                  - name: partners
                    membershipType: shared
                    members: [olivia, fabrikam/frank]
                    sharedWithTeams: [fabrikam/eng, launch]
          - name: fabrikam
            users: [frank]
            teams: [{name: eng, members: [frank]}]
        """
    )
    assert w.team_by_ref["contoso/launch"].members == ("contoso/alice",)
    general, inner, partners = (c for c in w.channels if c.tenant == "contoso")
    assert general.membership_type is MembershipType.STANDARD and general.members == ()
    assert inner.members == ("contoso/alice",)
    assert partners.members == ("contoso/olivia", "fabrikam/frank")
    assert partners.shared_with_teams == ("fabrikam/eng", "contoso/launch")
    assert partners.id == derive_id("channel", "contoso", "launch", "partners")
    assert partners.ref == "contoso/launch/partners"


def test_channel_mistakes(errors: IssueLoader) -> None:
    got = errors(
        """\
        tenants:
          - name: contoso
            users: [alice]
            teams:
              - name: launch
                members: [alice, bob]
                channels:
                  - {name: general, members: [alice]}
                  - {name: inner, membershipType: private, members: [fabrikam/frank]}
                  - {name: open, sharedWithTeams: [fabrikam/eng]}
                  - {name: open, membershipType: shared}
                  - {name: x, membershipType: shared, members: [fabrikam/fred],
                     sharedWithTeams: [ops]}
          - name: fabrikam
            users: [frank]
            teams: [{name: eng}]
        """
    )
    assert [(i.code, i.path, i.line) for i in got] == [
        ("unknown-reference", "tenants[0].teams[0].members[1]", 6),
        ("invalid-value", "tenants[0].teams[0].channels[1].members[0]", 9),
        ("invalid-value", "tenants[0].teams[0].channels[2].sharedWithTeams", 10),
        ("duplicate-name", "tenants[0].teams[0].channels[3].name", 11),
        ("unknown-reference", "tenants[0].teams[0].channels[4].members[0]", 12),
        ("unknown-reference", "tenants[0].teams[0].channels[4].sharedWithTeams[0]", 13),
    ]


def test_wrong_shapes_are_invalid_type(errors: IssueLoader) -> None:
    got = errors(
        """\
        tenants:
          - name: contoso
            users: alice
            groups: [[x]]
            apps: [{name: hr, assignmentRequired: yes please}]
        """
    )
    assert [(i.code, i.path) for i in got] == [
        ("invalid-type", "tenants[0].users"),
        ("invalid-type", "tenants[0].groups[0]"),
        ("invalid-type", "tenants[0].apps[0].assignmentRequired"),
    ]


def test_load_world_text_reports_the_given_file_name() -> None:
    with pytest.raises(WorldInvalid) as caught:
        load_world_text(textwrap.dedent("tenants: [{name: a, cloud: x}]\n"), file="mine.yaml")
    assert caught.value.issues[0].render().startswith("mine.yaml:1: tenants[0].cloud: ")


def test_members_on_a_standard_channel_are_a_warning_not_an_error() -> None:
    from graphmodel.ingest.world import load_world_text_with_warnings

    world, warnings = load_world_text_with_warnings(
        "tenants:\n"
        "  - name: contoso\n"
        "    users: [alice]\n"
        "    teams:\n"
        "      - {name: t, members: [alice], channels: [{name: general, members: [alice]}]}\n"
    )
    assert [(w.code, w.line) for w in warnings] == [("standard-channel-members", 5)]
    assert world.channels[0].membership_type.value == "standard"
