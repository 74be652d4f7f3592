"""Tests for `crossTenantAccess` loading: default filling, partner entries and target resolution.

Target handles must resolve where Graph's id would live (xtap.md §1.2, R5): compare the loaded
`Target.target` with the id of the object the test expects — the partner's group, this tenant's
app id, and so on — never with the handle.
"""

from __future__ import annotations

from graphmodel.schema.enums import AccessType, TargetType
from graphmodel.schema.ids import derive_id
from graphmodel.schema.world import World
from graphmodel.schema.xtap import (
    SERVICE_DEFAULT,
    AutomaticUserConsentSettings,
    B2BSetting,
    CrossTenantAccessPartner,
    IdentitySynchronization,
    InboundTrust,
    Target,
)

from .conftest import IssueLoader, WorldLoader

# contoso holds the settings; fabrikam is the partner. Both have a `sales` group and an `hr` app,
# so a handle that resolves in the wrong tenant gives a different id.
TWO_TENANTS = """\
tenants:
  - name: contoso
    users: [carol]
    groups: [{name: sales, members: [carol]}]
    apps: [{name: hr}]
    crossTenantAccess:
      partners:
        fabrikam:
{sections}
  - name: fabrikam
    users: [fred]
    groups: [{name: sales, members: [fred]}]
    apps: [{name: hr}]
"""


def _section(key: str, users: str, apps: str) -> str:
    pad = " " * 10
    return (
        f"{pad}{key}:\n"
        f"{pad}  usersAndGroups: {{accessType: allowed, targets: [{users}]}}\n"
        f"{pad}  applications: {{accessType: allowed, targets: [{apps}]}}\n"
    )


def _partner(w: World) -> CrossTenantAccessPartner:
    (partner,) = w.tenant_by_name["contoso"].cross_tenant_access.partners
    assert partner.tenant_id == w.tenant_by_name["fabrikam"].id
    return partner


def _targets(setting: B2BSetting | None) -> tuple[list[str], list[str]]:
    assert setting is not None
    return (
        [t.target for t in setting.users_and_groups.targets],
        [t.target for t in setting.applications.targets],
    )


GROUP = "{target: sales, targetType: group}"
APP = "{target: hr, targetType: application}"


def test_inbound_targets_partner_users_and_own_apps(world: WorldLoader) -> None:
    text = TWO_TENANTS.replace("{sections}", _section("b2bCollaborationInbound", GROUP, APP))
    w = world(text)
    users, apps = _targets(_partner(w).b2b_collaboration_inbound)
    assert users == [derive_id("group", "fabrikam", "sales")]  # the partner's (home) group
    assert apps == [w.app_by_ref["contoso/hr"].app_id]  # this tenant's app, by app id


def test_outbound_targets_own_users_and_partner_apps(world: WorldLoader) -> None:
    text = TWO_TENANTS.replace("{sections}", _section("b2bDirectConnectOutbound", GROUP, APP))
    w = world(text)
    users, apps = _targets(_partner(w).b2b_direct_connect_outbound)
    assert users == [derive_id("group", "contoso", "sales")]
    assert apps == [w.app_by_ref["fabrikam/hr"].app_id]


def test_tenant_restrictions_target_the_partner(world: WorldLoader) -> None:
    text = TWO_TENANTS.replace("{sections}", _section("tenantRestrictions", GROUP, APP))
    w = world(text)
    users, apps = _targets(_partner(w).tenant_restrictions)
    assert users == [derive_id("group", "fabrikam", "sales")]
    assert apps == [w.app_by_ref["fabrikam/hr"].app_id]


def test_explicit_handles_keywords_and_raw_ids(world: WorldLoader) -> None:
    guid = "7D0D6C8E-0000-4000-8000-00000000ABCD"
    users = f"{{target: contoso/carol, targetType: user}}, {{target: {guid}, targetType: group}}"
    apps = (
        "{target: Office365, targetType: application}, "
        "{target: fabrikam/hr, targetType: application}"
    )
    w = world(TWO_TENANTS.replace("{sections}", _section("b2bCollaborationInbound", users, apps)))
    setting = _partner(w).b2b_collaboration_inbound
    assert setting is not None
    assert setting.users_and_groups.targets == (
        Target(target=derive_id("user", "contoso", "carol"), target_type=TargetType.USER),
        Target(target=guid.lower(), target_type=TargetType.GROUP),  # dangling ids are kept (R40)
    )
    assert [t.target for t in setting.applications.targets] == [
        "Office365",
        w.app_by_ref["fabrikam/hr"].app_id,
    ]


def test_default_outbound_and_inbound_apps_resolve_in_the_tenant(world: WorldLoader) -> None:
    w = world(
        """\
        tenants:
          - name: contoso
            users: [carol]
            apps: [{name: hr}]
            crossTenantAccess:
              default:
                b2bCollaborationOutbound:
                  usersAndGroups:
                    accessType: blocked
                    targets: [{target: carol, targetType: user}]
                  applications:
                    accessType: blocked
                    targets: [{target: fabrikam/crm, targetType: application}]
                b2bCollaborationInbound:
                  usersAndGroups:
                    accessType: allowed
                    targets: [{target: AllUsers, targetType: user}]
                  applications:
                    accessType: allowed
                    targets: [{target: hr, targetType: application}]
          - name: fabrikam
            apps: [{name: crm}]
        """
    )
    default = w.tenant_by_name["contoso"].cross_tenant_access.default
    assert not default.is_service_default
    assert _targets(default.b2b_collaboration_outbound) == (
        [derive_id("user", "contoso", "carol")],
        [w.app_by_ref["fabrikam/crm"].app_id],
    )
    assert _targets(default.b2b_collaboration_inbound)[1] == [w.app_by_ref["contoso/hr"].app_id]
    assert default.b2b_collaboration_outbound.users_and_groups.access_type is AccessType.BLOCKED


def test_omitted_default_sections_are_the_shipped_default(world: WorldLoader) -> None:
    w = world(
        """\
        tenants:
          - name: contoso
            crossTenantAccess:
              default:
                inboundTrust: {isMfaAccepted: true}
          - name: fabrikam
        """
    )
    default = w.tenant_by_name["contoso"].cross_tenant_access.default
    assert not default.is_service_default
    assert default.inbound_trust == InboundTrust(is_mfa_accepted=True)
    assert default.b2b_collaboration_inbound == SERVICE_DEFAULT.b2b_collaboration_inbound
    assert default.b2b_collaboration_outbound == SERVICE_DEFAULT.b2b_collaboration_outbound
    assert default.b2b_direct_connect_inbound == SERVICE_DEFAULT.b2b_direct_connect_inbound
    assert default.b2b_direct_connect_outbound == SERVICE_DEFAULT.b2b_direct_connect_outbound
    assert default.tenant_restrictions is None
    assert w.tenant_by_name["fabrikam"].cross_tenant_access.default == SERVICE_DEFAULT


def test_omitted_partner_sections_stay_null(world: WorldLoader) -> None:
    w = world(
        """\
        tenants:
          - name: contoso
            crossTenantAccess:
              partners:
                fabrikam: {}
                litware: ~
                00000000-0000-4000-8000-000000000001:
                  isServiceProvider: true
                  automaticUserConsentSettings: {inboundAllowed: true}
                  identitySynchronization: {userSyncInbound: {isSyncAllowed: true}}
                  inboundTrust: {isCompliantDeviceAccepted: true}
          - name: fabrikam
          - name: litware
        """
    )
    fabrikam, litware, raw = w.tenant_by_name["contoso"].cross_tenant_access.partners
    for partner in (fabrikam, litware):
        assert partner == CrossTenantAccessPartner(tenant_id=partner.tenant_id)
        assert partner.b2b_collaboration_inbound is None and partner.inbound_trust is None
        assert partner.automatic_user_consent_settings == AutomaticUserConsentSettings()
    assert litware.tenant_id == w.tenant_by_name["litware"].id
    assert raw.tenant_id == "00000000-0000-4000-8000-000000000001"
    assert raw.is_service_provider and not raw.is_in_multi_tenant_organization
    assert raw.automatic_user_consent_settings == AutomaticUserConsentSettings(
        inbound_allowed=True, outbound_allowed=None
    )
    assert raw.identity_synchronization == IdentitySynchronization(is_sync_allowed=True)
    assert raw.inbound_trust == InboundTrust(is_compliant_device_accepted=True)


def test_allowed_cloud_endpoints(world: WorldLoader, errors: IssueLoader) -> None:
    w = world(
        "tenants:\n  - name: c\n    crossTenantAccess:\n"
        "      allowedCloudEndpoints: [microsoftonline.us, partner.microsoftonline.cn]\n"
    )
    assert w.tenants[0].cross_tenant_access.allowed_cloud_endpoints == (
        "microsoftonline.us",
        "partner.microsoftonline.cn",
    )
    got = errors(
        "tenants:\n  - name: c\n    crossTenantAccess:\n"
        "      allowedCloudEndpoints: [microsoftonline.uss]\n"
    )
    assert [(i.code, i.line) for i in got] == [("invalid-value", 4)]
    assert "did you mean `microsoftonline.us`?" in got[0].msg


def test_one_half_setting_inherits_the_other_half_with_a_warning(
    world: WorldLoader, warnings: IssueLoader
) -> None:
    text = """\
    tenants:
      - name: contoso
        crossTenantAccess:
          default:
            b2bDirectConnectInbound:
              usersAndGroups: {accessType: allowed, targets: [{target: AllUsers, targetType: user}]}
              applications:
                accessType: allowed
                targets: [{target: Office365, targetType: application}]
          partners:
            fabrikam:
              b2bDirectConnectInbound:
                usersAndGroups:
                  accessType: blocked
                  targets: [{target: AllUsers, targetType: user}]
      - name: fabrikam
    """
    w = world(text)
    cta = w.tenant_by_name["contoso"].cross_tenant_access
    (partner,) = cta.partners
    setting = partner.b2b_direct_connect_inbound
    assert setting is not None
    assert setting.users_and_groups.access_type is AccessType.BLOCKED
    # the missing half is the tenant's effective default's, not Microsoft's shipped one
    assert setting.applications == cta.default.b2b_direct_connect_inbound.applications
    assert setting.applications.access_type is AccessType.ALLOWED
    (warning,) = warnings(text)
    assert (warning.code, warning.path, warning.line) == (
        "b2b-setting-half-inherited",
        "tenants[0].crossTenantAccess.partners.fabrikam.b2bDirectConnectInbound",
        12,
    )
    assert warning.ctx == {"half": "applications"}


def test_target_mistakes(errors: IssueLoader) -> None:
    got = errors(
        """\
        tenants:
          - name: contoso
            users: [carol]
            apps: [{name: hr}]
            crossTenantAccess:
              default:
                b2bCollaborationInbound:
                  usersAndGroups:
                    accessType: blocked
                    targets: [{target: carol, targetType: user}]
                  applications:
                    accessType: blocked
                    targets: [{target: AllUsers, targetType: user}]
                b2bCollaborationOutbound:
                  usersAndGroups:
                    accessType: allowed
                    targets: [{target: AllApplications, targetType: application}]
                  applications:
                    accessType: allowed
                    targets: [{target: crm, targetType: application}]
              partners:
                fabrikam:
                  b2bCollaborationInbound:
                    usersAndGroups:
                      accessType: allowd
                      targets: [{target: sales, targetType: user}]
                    applications:
                      accessType: allowed
                      targets: [{target: allApplications, targetType: application}]
                  b2bCollaborationOutbound:
                    usersAndGroups: {accessType: allowed, targets: [{target: hr, targetType: user}]}
                    applications:
                      accessType: allowed
                      targets: [{target: AllApplications, targetType: group}]
                nowhere: {}
                contoso: {}
          - name: fabrikam
            groups: [{name: sales}]
        """
    )
    assert [(i.code, i.line) for i in got] == [
        ("inbound-default-scoped", 10),
        ("target-type-mismatch", 13),
        ("target-type-mismatch", 17),
        ("unknown-reference", 20),
        ("invalid-value", 25),
        ("target-type-mismatch", 26),
        ("unknown-reference", 29),
        ("invalid-reference", 31),
        ("target-type-mismatch", 34),
        ("unknown-reference", 35),
        ("invalid-reference", 36),
    ]
    msgs = [i.msg for i in got]
    assert "(R6)" in msgs[0]
    assert msgs[1] == "`applications` targets have `targetType` `application`, not `user`"
    assert "did you mean `allowed`?" in msgs[4]
    assert msgs[5] == "`sales` is a group; set `targetType: group`"  # fabrikam's group (inbound)
    assert "did you mean `AllApplications`?" in msgs[6]
    assert msgs[7] == "`hr` is an app of tenant `contoso`, not a user or group"
    assert msgs[9].startswith("partner `nowhere` is not a tenant of this file")
    assert msgs[10] == "a tenant cannot be its own partner"


def test_partner_sections_need_both_halves_when_there_is_nothing_to_inherit(
    errors: IssueLoader,
) -> None:
    got = errors(
        """\
        tenants:
          - name: contoso
            crossTenantAccess:
              partners:
                fabrikam:
                  tenantRestrictions:
                    usersAndGroups:
                      accessType: allowed
                      targets: [{target: AllUsers, targetType: user}]
          - name: fabrikam
        """
    )
    assert [(i.code, i.path) for i in got] == [
        ("missing-field", "tenants[0].crossTenantAccess.partners.fabrikam.tenantRestrictions")
    ]


def test_automatic_consent_is_partner_only(errors: IssueLoader) -> None:
    got = errors(
        """\
        tenants:
          - name: contoso
            crossTenantAccess:
              default:
                automaticUserConsentSettings: {inboundAllowed: true}
        """
    )
    assert [(i.code, i.line) for i in got] == [("unknown-field", 5)]
    assert "partner entry" in got[0].msg
