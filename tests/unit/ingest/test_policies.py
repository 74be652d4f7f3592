"""Tests for tenant policies: external collaboration, Teams policy, Conditional Access,
entitlement management and identity providers.

Each test loads a small world and compares the typed policy with the expected dataclass, or pins
the issues of a faulty one.
"""

from __future__ import annotations

from datetime import UTC, datetime

from graphmodel.schema.entities import (
    EntitlementSettings,
    ExternalCollaboration,
    FederatedIdentityProvider,
    SelfServiceSignUp,
    TeamsPolicy,
)
from graphmodel.schema.enums import (
    AccessPackageAssignmentState,
    AllowedTargetScope,
    AllowInvitesFrom,
    CaState,
    ConnectedOrgState,
    ExternalUserType,
    GrantOperator,
    GuestUserAccess,
    IdentityProviderKind,
    LifecycleAction,
)
from graphmodel.schema.governance import (
    AccessPackageAssignment,
    AccessPackagePolicy,
    CaApplications,
    CaUsers,
)
from graphmodel.schema.ids import derive_id

from .conftest import IssueLoader, WorldLoader


def test_defaults_when_policies_are_omitted(world: WorldLoader) -> None:
    (t,) = world("tenants: [{name: contoso}]\n").tenants
    assert t.external_collaboration == ExternalCollaboration()
    assert t.external_collaboration.allow_invites_from is None
    assert t.teams_policy == TeamsPolicy()
    assert t.entitlement_settings.external_user_lifecycle_action is (
        LifecycleAction.BLOCK_SIGN_IN_AND_DELETE
    )
    assert t.identity_providers == ()


def test_external_collaboration_and_teams_policy(world: WorldLoader) -> None:
    w = world(
        """\
        tenants:
          - name: contoso
            apps: [{name: portal}]
            externalCollaboration:
              allowInvitesFrom: adminsAndGuestInviters
              blockedDomains: [Adatum.COM, '*.example.org']
              guestUserAccess: restricted
              selfServiceSignUp: {enabled: true, apps: [portal]}
            teamsPolicy: {allowChannelSharingToExternalUser: false}
            entitlementSettings: {externalUserLifecycleAction: none}
            identityProviders: [google, {type: entra, tenant: fabrikam}, emailOtp]
          - name: fabrikam
            externalCollaboration: {allowedDomains: [contoso.com]}
        """
    )
    contoso, fabrikam = w.tenants
    assert contoso.external_collaboration == ExternalCollaboration(
        allow_invites_from=AllowInvitesFrom.ADMINS_AND_GUEST_INVITERS,
        blocked_domains=("adatum.com", "*.example.org"),
        allowed_domains=None,
        guest_user_access=GuestUserAccess.RESTRICTED,
        self_service_sign_up=SelfServiceSignUp(enabled=True, apps=("contoso/portal",)),
    )
    assert fabrikam.external_collaboration.allowed_domains == ("contoso.com",)
    assert fabrikam.external_collaboration.blocked_domains is None
    assert contoso.teams_policy == TeamsPolicy(allow_channel_sharing_to_external_user=False)
    assert contoso.entitlement_settings == EntitlementSettings(
        external_user_lifecycle_action=LifecycleAction.NONE
    )
    assert contoso.identity_providers == (
        FederatedIdentityProvider(kind=IdentityProviderKind.GOOGLE),
        FederatedIdentityProvider(kind=IdentityProviderKind.ENTRA, tenant="fabrikam"),
        FederatedIdentityProvider(kind=IdentityProviderKind.EMAIL_OTP),
    )


def test_collaboration_mistakes(errors: IssueLoader) -> None:
    got = errors(
        """\
        tenants:
          - name: contoso
            externalCollaboration:
              allowedDomains: [fabrikam.com]
              blockedDomains: [not a domain]
              allowInvitesFrom: everybody
              selfServiceSignUp: {enabled: true, apps: [portal]}
            teamsPolicy: {allowUserToParticipateInExternalSharedChannel: maybe}
            identityProviders: [gmail, {type: google, tenant: contoso}, google, google]
        """
    )
    assert [(i.code, i.path) for i in got] == [
        ("invalid-value", "tenants[0].externalCollaboration.blockedDomains[0]"),
        ("conflicting-fields", "tenants[0].externalCollaboration.blockedDomains"),
        ("invalid-value", "tenants[0].externalCollaboration.allowInvitesFrom"),
        ("unknown-reference", "tenants[0].externalCollaboration.selfServiceSignUp.apps[0]"),
        (
            "invalid-type",
            "tenants[0].teamsPolicy.allowUserToParticipateInExternalSharedChannel",
        ),
        ("invalid-value", "tenants[0].identityProviders[0]"),
        ("conflicting-fields", "tenants[0].identityProviders[1].tenant"),
        ("duplicate-value", "tenants[0].identityProviders[2]"),
        ("duplicate-value", "tenants[0].identityProviders[3]"),
    ]


CA = """\
tenants:
  - name: contoso
    users: [alice]
    groups: [{name: admins, members: [alice]}]
    apps: [{name: lob}]
    conditionalAccess:
      - name: mfa-guests
        users:
          include: [GuestsOrExternalUsers]
          guestOrExternalUserTypes: [b2bCollaborationGuest, b2bDirectConnectUser]
          externalTenants: [fabrikam]
          exclude: [admins]
        applications: {include: [All], exclude: [lob]}
        grant: [mfa, "authStrength:phishingResistant"]
        grantOperator: AND
      - name: block-all
        state: enabledForReportingButNotEnforced
        users: {include: [All], externalTenants: all}
        applications: {include: [Office365]}
        grant: [block]
  - name: fabrikam
"""


def test_conditional_access(world: WorldLoader) -> None:
    w = world(CA)
    first, second = w.conditional_access
    assert first.id == derive_id("ca", "contoso", "mfa-guests")
    assert first.ref == "contoso/mfa-guests"
    assert first.state is CaState.ENABLED
    assert first.users == CaUsers(
        include=("GuestsOrExternalUsers",),
        exclude=("contoso/admins",),
        guest_or_external_user_types=(
            ExternalUserType.B2B_COLLABORATION_GUEST,
            ExternalUserType.B2B_DIRECT_CONNECT_USER,
        ),
        external_tenants=("fabrikam",),
    )
    assert first.applications == CaApplications(include=("All",), exclude=("contoso/lob",))
    assert first.grant == ("mfa", "authStrength:phishingResistant")
    assert first.grant_operator is GrantOperator.AND
    assert second.state is CaState.REPORT_ONLY
    assert second.users.external_tenants is None
    assert second.users.guest_or_external_user_types is None
    assert second.grant_operator is GrantOperator.OR


def test_conditional_access_mistakes(errors: IssueLoader) -> None:
    got = errors(
        """\
        tenants:
          - name: contoso
            users: [alice]
            conditionalAccess:
              - name: p1
                users: {include: [Guests], externalTenants: [fabrikan]}
                applications: {include: [All]}
                grant: [mfa, authStrength:phishingresistant]
              - {name: p1, users: {include: [All]}, applications: {include: [All]}}
              - {name: p2, state: on, grant: [block]}
        """
    )
    assert [(i.code, i.line) for i in got] == [
        ("unknown-reference", 6),
        ("unknown-reference", 6),
        ("invalid-value", 8),
        ("duplicate-name", 9),
        ("missing-field", 10),
        ("missing-field", 10),
        ("invalid-value", 10),
    ]
    assert "did you mean `authStrength:phishingResistant`?" in got[2].msg


ENTITLEMENT = """\
tenants:
  - name: contoso
    users: [carol]
    groups: [{name: sales}]
    apps: [{name: payroll}]
    connectedOrganizations:
      - {name: fabrikam-org, tenant: fabrikam}
      - {name: litware-org, tenant: litware, state: proposed}
    accessPackages:
      - name: partner-pack
        resources: [group:sales, app:payroll]
        isHidden: true
        policies:
          - {allowedTargetScope: allConfiguredConnectedOrganizationUsers, expiration: P90D}
          - allowedTargetScope: specificConnectedOrganizationUsers
            specificAllowedTargets: [fabrikam-org]
        assignments:
          - {target: fabrikam/bob, state: delivered, expires: 2026-03-01T00:00:00Z}
          - {target: fabrikam/dan, state: expired}
          - {target: fabrikam/bob, expires: '2026-04-01'}
  - name: fabrikam
    users: [bob, dan]
  - name: litware
"""


def test_entitlement_management(world: WorldLoader) -> None:
    w = world(ENTITLEMENT)
    org, proposed = w.connected_organizations
    assert (org.identity_tenant, org.state) == ("fabrikam", ConnectedOrgState.CONFIGURED)
    assert org.id == derive_id("connectedOrganization", "contoso", "fabrikam-org")
    assert proposed.state is ConnectedOrgState.PROPOSED
    (package,) = w.access_packages
    assert w.access_package_by_ref["contoso/partner-pack"] is package
    assert package.resources == ("contoso/sales", "contoso/payroll")
    assert package.is_hidden and package.catalog_externally_visible
    assert package.policies == (
        AccessPackagePolicy(
            allowed_target_scope=AllowedTargetScope.ALL_CONFIGURED_CONNECTED_ORGANIZATION_USERS,
            expiration="P90D",
        ),
        AccessPackagePolicy(
            allowed_target_scope=AllowedTargetScope.SPECIFIC_CONNECTED_ORGANIZATION_USERS,
            specific_allowed_targets=("contoso/fabrikam-org",),
        ),
    )
    assert w.access_package_assignments == (
        AccessPackageAssignment(
            package="contoso/partner-pack",
            target="fabrikam/bob",
            state=AccessPackageAssignmentState.DELIVERED,
            expires=datetime(2026, 3, 1, tzinfo=UTC),
        ),
        AccessPackageAssignment(
            package="contoso/partner-pack",
            target="fabrikam/dan",
            state=AccessPackageAssignmentState.EXPIRED,
        ),
        AccessPackageAssignment(
            package="contoso/partner-pack",
            target="fabrikam/bob",
            expires=datetime(2026, 4, 1, tzinfo=UTC),
        ),
    )


def test_entitlement_mistakes(errors: IssueLoader) -> None:
    got = errors(
        """\
        tenants:
          - name: contoso
            groups: [{name: sales}]
            connectedOrganizations:
              - {name: self, tenant: contoso}
              - {name: ghost, tenant: nowhere}
            accessPackages:
              - name: pack
                resources: [app:sales, group:missing]
                policies:
                  - {allowedTargetScope: allExternalUsers, specificAllowedTargets: [self]}
                  - {allowedTargetScope: specificConnectedOrganizationUsers}
                  - {allowedTargetScope: allExternalUsers, expiration: 90 days}
                assignments:
                  - {target: fabrikam/nobody, expires: next week}
          - name: fabrikam
        """
    )
    assert [(i.code, i.line) for i in got] == [
        ("invalid-reference", 5),
        ("unknown-reference", 6),
        ("invalid-reference", 9),
        ("unknown-reference", 9),
        ("conflicting-fields", 11),
        ("missing-field", 12),
        ("invalid-value", 13),
        ("unknown-reference", 15),
        ("invalid-value", 15),
    ]


def test_guest_role_ids_and_their_mistakes(world: WorldLoader, errors: IssueLoader) -> None:
    w = world(
        """\
        tenants:
          - name: contoso
            externalCollaboration: {guestUserRoleId: 62E90394-69F5-4237-9190-012177145E10}
          - name: fabrikam
            externalCollaboration: {guestUserAccess: a0b1b346-4d3e-4e8b-98f8-753987be4970}
        """
    )
    contoso, fabrikam = (t.external_collaboration for t in w.tenants)
    assert (contoso.guest_user_access, contoso.guest_user_role_id) == (
        None,
        "62e90394-69f5-4237-9190-012177145e10",
    )
    assert (fabrikam.guest_user_access, fabrikam.guest_user_role_id) == (
        GuestUserAccess.SAME_AS_MEMBERS,
        None,
    )
    got = errors(
        """\
        tenants:
          - name: contoso
            externalCollaboration:
              guestUserAccess: limited
              guestUserRoleId: 62e90394-69f5-4237-9190-012177145e10
          - name: fabrikam
            externalCollaboration: {guestUserRoleId: restricted}
          - name: adatum
            externalCollaboration: {guestUserAccess: open}
        """
    )
    assert [(i.code, i.line) for i in got] == [
        ("conflicting-fields", 5),
        ("invalid-value", 7),
        ("invalid-value", 9),
    ]
