"""Small Worlds for the store tests, built from the schema dataclasses directly.

`three_tenants()` is the workhorse: contoso hosts guests from fabrikam (invited) and litware
(synced), nested groups, app role assignments (two of them parallel: same principal and app,
different roles), a multitenant app instance, a team with a shared channel that has an external
member and is shared with a fabrikam team, a Conditional Access policy, a connected
organization, an access package with an assignment, an invitation and partner settings.
Change it freely: tests compare stores with `world_to_graph`, not with hard-coded counts.
"""

from __future__ import annotations

from datetime import UTC, datetime

from graphmodel.schema import (
    AccessPackage,
    AccessPackageAssignment,
    AccessPackagePolicy,
    AccessType,
    AllowedTargetScope,
    App,
    AppRoleAssignment,
    CaApplications,
    CaUsers,
    Channel,
    ConditionalAccessPolicy,
    ConnectedOrganization,
    CreationType,
    CrossTenantAccessPartner,
    CrossTenantAccessPolicy,
    EdgeKind,
    ExternalUserState,
    Group,
    IdentitySynchronization,
    InboundTrust,
    Invitation,
    MembershipType,
    SignInAudience,
    Team,
    Tenant,
    TrustEdge,
    User,
    UserType,
    World,
)
from graphmodel.schema.ids import derive_id
from graphmodel.schema.xtap import b2b_setting

__all__ = ["big_world", "three_tenants", "trust_edges", "user"]

ROLE_READER = "11111111-1111-1111-1111-111111111111"


def tenant(name: str, partners: tuple[CrossTenantAccessPartner, ...] = ()) -> Tenant:
    return Tenant(
        name=name,
        id=derive_id("tenant", name),
        domains=(f"{name}.com", f"{name}.onmicrosoft.com"),
        cross_tenant_access=CrossTenantAccessPolicy(partners=partners),
    )


def user(t: str, name: str, **kw: object) -> User:
    return User(
        tenant=t,
        name=name,
        id=derive_id("user", t, name),
        user_principal_name=f"{name}@{t}.com",
        **kw,  # type: ignore[arg-type]
    )


def guest(t: str, name: str, home: str) -> User:
    return user(
        t,
        name,
        user_type=UserType.GUEST,
        external_user_state=ExternalUserState.ACCEPTED,
        creation_type=CreationType.INVITATION,
        guest_of=home,
        mail=f"{name}@{home.split('/')[0]}.com",
    )


def three_tenants(title: str = "three tenants") -> World:
    fabrikam_id = derive_id("tenant", "fabrikam")
    partner = CrossTenantAccessPartner(
        tenant_id=fabrikam_id,
        inbound_trust=InboundTrust(is_mfa_accepted=True),
        b2b_direct_connect_inbound=b2b_setting(AccessType.ALLOWED),
        b2b_direct_connect_outbound=b2b_setting(AccessType.ALLOWED),
    )
    sync = CrossTenantAccessPartner(
        tenant_id=derive_id("tenant", "litware"),
        identity_synchronization=IdentitySynchronization(is_sync_allowed=True),
    )
    return World(
        tenants=(tenant("contoso", (partner, sync)), tenant("fabrikam"), tenant("litware")),
        users=(
            user("contoso", "alice", roles=()),
            user("contoso", "carol", account_enabled=False),
            guest("contoso", "bob", "fabrikam/bob"),
            user("contoso", "dave", synced_from="litware/dave"),
            guest("contoso", "erin", "fabrikam/erin"),
            user("fabrikam", "bob"),
            user("fabrikam", "erin"),
            user("fabrikam", "frank"),
            user("litware", "dave"),
        ),
        groups=(
            Group(
                tenant="contoso",
                name="sales",
                id=derive_id("g", "sales"),
                members=("contoso/alice", "contoso/bob", "contoso/staff"),
            ),
            Group(
                tenant="contoso",
                name="staff",
                id=derive_id("g", "staff"),
                members=("contoso/carol", "contoso/dave"),
            ),
            Group(
                tenant="fabrikam",
                name="eng",
                id=derive_id("g", "eng"),
                members=("fabrikam/bob", "fabrikam/frank"),
            ),
        ),
        apps=(
            App(
                tenant="contoso",
                name="portal",
                id=derive_id("a", "portal"),
                app_id=derive_id("app", "portal"),
                app_role_assignment_required=True,
            ),
            App(
                tenant="contoso",
                name="wiki",
                id=derive_id("a", "wiki"),
                app_id=derive_id("app", "wiki"),
            ),
            App(
                tenant="fabrikam",
                name="crm",
                id=derive_id("a", "crm"),
                app_id=derive_id("app", "crm"),
                sign_in_audience=SignInAudience.AZURE_AD_MULTIPLE_ORGS,
            ),
            App(
                tenant="contoso",
                name="crm",
                id=derive_id("a", "crm-sp"),
                app_id=derive_id("app", "crm"),
                instance_of="fabrikam/crm",
            ),
        ),
        assignments=(
            AppRoleAssignment(principal="contoso/sales", app="contoso/portal"),
            AppRoleAssignment(principal="contoso/alice", app="contoso/portal"),
            AppRoleAssignment(
                principal="contoso/alice", app="contoso/portal", app_role_id=ROLE_READER
            ),
            AppRoleAssignment(principal="contoso/bob", app="contoso/crm"),
        ),
        teams=(
            Team(
                tenant="contoso",
                name="project",
                id=derive_id("t", "project"),
                members=("contoso/alice", "contoso/carol"),
            ),
            Team(
                tenant="fabrikam", name="eng", id=derive_id("t", "eng"), members=("fabrikam/bob",)
            ),
        ),
        channels=(
            Channel(tenant="contoso", team="project", name="general", id=derive_id("c", "g")),
            Channel(
                tenant="contoso",
                team="project",
                name="partners",
                id=derive_id("c", "partners"),
                membership_type=MembershipType.SHARED,
                members=("contoso/alice", "fabrikam/frank"),
                shared_with_teams=("fabrikam/eng",),
            ),
        ),
        conditional_access=(
            ConditionalAccessPolicy(
                tenant="contoso",
                name="guest-mfa",
                id=derive_id("ca", "guest-mfa"),
                users=CaUsers(include=("GuestsOrExternalUsers",), external_tenants=("fabrikam",)),
                applications=CaApplications(include=("All",), exclude=("contoso/wiki",)),
                grant=("mfa",),
            ),
        ),
        connected_organizations=(
            ConnectedOrganization(
                tenant="contoso",
                name="fabrikam-org",
                id=derive_id("co", "f"),
                identity_tenant="fabrikam",
            ),
        ),
        access_packages=(
            AccessPackage(
                tenant="contoso",
                name="partner-pack",
                id=derive_id("ap", "partner-pack"),
                resources=("contoso/portal", "contoso/sales"),
                policies=(
                    AccessPackagePolicy(
                        allowed_target_scope=AllowedTargetScope.ALL_CONFIGURED_CONNECTED_ORGANIZATION_USERS,
                        expiration="P180D",
                    ),
                ),
            ),
        ),
        access_package_assignments=(
            AccessPackageAssignment(
                package="contoso/partner-pack",
                target="fabrikam/erin",
                expires=datetime(2031, 1, 2, 3, 4, 5, tzinfo=UTC),
            ),
        ),
        invitations=(
            Invitation(
                tenant="contoso",
                id=derive_id("inv", "erin"),
                invited_user_email_address="erin@fabrikam.com",
                invited_user="contoso/erin",
                invite_redeem_url="https://invitations.microsoft.com/redeem/x",
                invited_by="contoso/alice",
            ),
        ),
        as_of=datetime(2030, 5, 6, 7, 8, 9, 123456, tzinfo=UTC),
        title=title,
        source="tests/conformance/worlds.py",
    )


def trust_edges(rule: str = "R7") -> list[TrustEdge]:
    """Plausible derived edges for `three_tenants()` (the store does not judge them)."""

    def edge(kind: EdgeKind, source: str, target: str) -> TrustEdge:
        return TrustEdge(
            kind=kind, source=source, target=target, rule=rule, policy=f"{source}/xtap"
        )

    return [
        edge(EdgeKind.B2B_COLLAB_OUT, "fabrikam", "contoso"),
        edge(EdgeKind.B2B_COLLAB_IN, "contoso", "fabrikam"),
        edge(EdgeKind.DIRECT_CONNECT_IN, "contoso", "fabrikam"),
        edge(EdgeKind.TRUSTS_MFA, "contoso", "fabrikam"),
        edge(EdgeKind.SYNCS_USERS_TO, "litware", "contoso"),
    ]


def big_world(users: int, *, title: str = "big") -> World:
    """A generated one-tenant World with `users` users in groups of 100 (for load tests)."""
    t = "bigco"
    members = tuple(user(t, f"u{i}") for i in range(users))
    groups = tuple(
        Group(
            tenant=t,
            name=f"g{g}",
            id=derive_id("group", t, str(g)),
            members=tuple(u.ref for u in members[g * 100 : (g + 1) * 100]),
        )
        for g in range((users + 99) // 100)
    )
    return World(tenants=(tenant(t),), users=members, groups=groups, title=title, source="gen")
