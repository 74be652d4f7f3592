"""Change sets: each operation's effect on a copy of the World, and located validation issues."""

from __future__ import annotations

import dataclasses

import pytest

from graphmodel.audit.changeset import OPS, apply_change_text
from graphmodel.errors import WorldInvalid
from graphmodel.ingest import load_world_text
from graphmodel.schema import AccessPackageAssignmentState, AccessType, World

WORLD = """
tenants:
  - name: contoso
    users:
      - alice
      - {name: bob, guestOf: fabrikam/bob}
      - {name: dora, guestOf: fabrikam/dora, accountEnabled: false}
    groups:
      - {name: finance, members: [alice, bob]}
    apps:
      - {name: payroll, assignmentRequired: true, assignedTo: [finance, alice]}
    teams:
      - {name: launch, members: [alice, bob], channels: [{name: general}]}
    conditionalAccess:
      - {name: mfa, users: {include: [bob]}, applications: {include: [All]}, grant: [mfa]}
    accessPackages:
      - name: pack
        resources: [app:payroll]
        policies: [{allowedTargetScope: allExternalUsers}]
        assignments: [{target: fabrikam/bob, state: delivered}]
    crossTenantAccess:
      allowedCloudEndpoints: [microsoftonline.us]
      partners:
        fabrikam: {}
        adatum: {isServiceProvider: true}
  - name: fabrikam
    users: [bob, dora]
    groups:
      - {name: sellers, members: [bob]}
  - name: adatum
    users: [ada]
"""


@pytest.fixture(scope="module")
def world() -> World:
    return load_world_text(WORLD)


def apply(world: World, changes: str) -> World:
    return apply_change_text(world, "changes:\n" + changes).world


def test_block_and_unblock_partner_and_default_sections(world: World) -> None:
    after = apply(
        world,
        "  - blockSection: {tenant: contoso, partner: fabrikam, section: b2bCollaborationInbound}\n"
        "  - unblockSection: {tenant: contoso, section: b2bDirectConnectInbound}\n",
    )
    policy = after.tenant_by_name["contoso"].cross_tenant_access
    fabrikam = policy.partner(after.tenant_by_name["fabrikam"].id)
    assert fabrikam is not None and fabrikam.b2b_collaboration_inbound is not None
    assert fabrikam.b2b_collaboration_inbound.users_and_groups.access_type == AccessType.BLOCKED
    assert policy.default.b2b_direct_connect_inbound.applications.access_type == AccessType.ALLOWED
    assert not policy.default.is_service_default
    assert world.tenant_by_name["contoso"].cross_tenant_access.default.is_service_default


def test_set_section_resolves_handles_to_the_worlds_real_ids(world: World) -> None:
    # a Graph export keeps Graph's ids: the handle must mean the stored object, not a derived id
    sellers = world.group_by_ref["fabrikam/sellers"]
    real = dataclasses.replace(sellers, id="11111111-2222-3333-4444-555555555555")
    stored = dataclasses.replace(
        world, groups=tuple(real if g is sellers else g for g in world.groups)
    )
    after = apply(
        stored,
        "  - setSection:\n"
        "      tenant: contoso\n"
        "      partner: fabrikam\n"
        "      section: b2bCollaborationInbound\n"
        "      value:\n"
        "        usersAndGroups:\n"
        "          {accessType: allowed, targets: [{target: sellers, targetType: group}]}\n"
        "        applications:\n"
        "          {accessType: allowed, targets: [{target: payroll, targetType: application}]}\n",
    )
    p = after.tenant_by_name["contoso"].cross_tenant_access.partner(
        after.tenant_by_name["fabrikam"].id
    )
    assert p is not None and p.b2b_collaboration_inbound is not None
    assert [t.target for t in p.b2b_collaboration_inbound.users_and_groups.targets] == [real.id]
    assert [t.target for t in p.b2b_collaboration_inbound.applications.targets] == [
        world.app_by_ref["contoso/payroll"].app_id
    ]
    inherit = apply(
        after,
        "  - setSection:\n"
        "      {tenant: contoso, partner: fabrikam, section: b2bCollaborationInbound,\n"
        "       value: null}\n",
    )
    q = inherit.tenant_by_name["contoso"].cross_tenant_access.partner(
        after.tenant_by_name["fabrikam"].id
    )
    assert q is not None and q.b2b_collaboration_inbound is None


def test_trust_partners_and_clouds(world: World) -> None:
    after = apply(
        world,
        "  - setInboundTrust: {tenant: contoso, value: {isMfaAccepted: true}}\n"
        "  - removePartner: {tenant: contoso, partner: fabrikam}\n"
        "  - addPartner:\n"
        "      {tenant: contoso, partner: fabrikam, value: {inboundTrust: {isMfaAccepted: true}}}\n"
        "  - removeCloud: {tenant: contoso, endpoint: microsoftonline.us}\n"
        "  - addCloud: {tenant: contoso, endpoint: partner.microsoftonline.cn}\n",
    )
    policy = after.tenant_by_name["contoso"].cross_tenant_access
    assert policy.default.inbound_trust.is_mfa_accepted
    p = policy.partner(after.tenant_by_name["fabrikam"].id)
    assert p is not None and p.inbound_trust is not None and p.inbound_trust.is_mfa_accepted
    assert policy.allowed_cloud_endpoints == ("partner.microsoftonline.cn",)


def test_directory_changes(world: World) -> None:
    after = apply(
        world,
        "  - removeAssignment: {app: contoso/payroll, principal: group:finance}\n"
        "  - removeGroupMember: {group: contoso/finance, member: bob}\n"
        "  - disableUser: {user: contoso/alice}\n"
        "  - enableUser: {user: contoso/dora}\n"
        "  - expireAssignment: {accessPackage: contoso/pack, target: fabrikam/bob}\n"
        "  - removeUser: {user: contoso/bob}\n",
    )
    assert [(a.principal, a.app) for a in after.assignments] == [
        ("contoso/alice", "contoso/payroll")
    ]
    assert after.group_by_ref["contoso/finance"].members == ("contoso/alice",)
    assert not after.user_by_ref["contoso/alice"].account_enabled
    assert after.user_by_ref["contoso/dora"].account_enabled
    assert "contoso/bob" not in after.user_by_ref
    assert after.team_by_ref["contoso/launch"].members == ("contoso/alice",)
    assert after.conditional_access[0].users.include == ()
    (pa,) = after.access_package_assignments
    assert pa.state == AccessPackageAssignmentState.EXPIRED
    assert "contoso/bob" in world.user_by_ref  # the original World is untouched


def test_every_problem_is_reported_with_file_line_and_path(world: World) -> None:
    text = (
        "changes:\n"
        "  - blockSection: {tenant: contoso, partner: fabrikan, section: b2bCollabInbound}\n"
        "  - removePartner: {tenant: contoso, partner: adatum}\n"
        "  - addPartner: {tenant: contoso, partner: fabrikam}\n"
        "  - removeUser: {user: fabrikam/bob}\n"
        "  - removeGroupMember: {group: contoso/finance, member: carol}\n"
        "  - setSection:\n"
        "      tenant: contoso\n"
        "      section: b2bCollaborationInbound\n"
        "      value:\n"
        "        usersAndGroups: {accessType: allowed, targets: [{target: bob, targetType: user}]}"
        "\n"
        "  - disableUser: {user: contoso/alice, extra: 1}\n"
        "  - frobnicate: {}\n"
    )
    with pytest.raises(WorldInvalid) as exc:
        apply_change_text(world, text, file="changes.yaml")
    got = [(i.line, i.path, i.code) for i in exc.value.issues]
    assert got == [
        (2, "changes[0].blockSection.section", "invalid-value"),
        (2, "changes[0].blockSection.partner", "unknown-reference"),
        (3, "changes[1].removePartner.partner", "invalid-value"),
        (4, "changes[2].addPartner.partner", "duplicate-name"),
        (5, "changes[3].removeUser.user", "invalid-reference"),
        (6, "changes[4].removeGroupMember.member", "unknown-reference"),
        (
            11,
            "changes[5].setSection.value.usersAndGroups.targets[0].target",
            "inbound-default-scoped",
        ),
        (12, "changes[6].disableUser.extra", "unknown-field"),
        (13, "changes[7].frobnicate", "unknown-field"),
    ]
    for issue in exc.value.issues:
        assert issue.file == "changes.yaml"
        assert not issue.msg[0].isupper() and not issue.msg.endswith(".") and "\n" not in issue.msg
    assert (
        "`fabrikan`" in exc.value.issues[1].msg
        and "did you mean `fabrikam`" in exc.value.issues[1].msg
    )


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("changes: []", "invalid-value"),
        ("title: x", "missing-field"),
        ("changes: [{}]", "invalid-type"),
        ("changes: [{disableUser: {}}]", "missing-field"),
        ("changes: [[1]]", "invalid-type"),
        ("{", "yaml-syntax"),
    ],
)
def test_malformed_change_sets(world: World, text: str, code: str) -> None:
    with pytest.raises(WorldInvalid) as exc:
        apply_change_text(world, text)
    assert exc.value.issues[0].code == code


def test_the_documented_operations_exist() -> None:
    assert set(OPS) == {
        "blockSection",
        "unblockSection",
        "setSection",
        "setInboundTrust",
        "addPartner",
        "removePartner",
        "addCloud",
        "removeCloud",
        "removeAssignment",
        "removeGroupMember",
        "disableUser",
        "enableUser",
        "removeUser",
        "expireAssignment",
    }
