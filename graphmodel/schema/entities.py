"""Directory objects: tenants, users, groups, apps (service principals), assignments, teams.

Every object lives in one tenant and has a handle `name` unique within it; `ref` is the
cross-tenant handle `tenant/name` (`tenant/team/channel` for channels). `id` is the Graph object
id (a GUID); apps also carry `app_id`, the application (client) id cross-tenant settings target.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from graphmodel.schema.enums import (
    AllowInvitesFrom,
    BuiltinApp,
    Cloud,
    CreationType,
    DirectoryRole,
    ExternalUserState,
    GuestUserAccess,
    IdentityProviderKind,
    LifecycleAction,
    MembershipType,
    SignInAudience,
    TenantType,
    UserType,
)
from graphmodel.schema.evidence import SignInUsage
from graphmodel.schema.xtap import CrossTenantAccessPolicy

__all__ = [
    "App",
    "AppRoleAssignment",
    "Channel",
    "EntitlementSettings",
    "ExternalCollaboration",
    "FederatedIdentityProvider",
    "Group",
    "SelfServiceSignUp",
    "Team",
    "TeamsPolicy",
    "Tenant",
    "User",
    "ref_of",
]


def ref_of(tenant: str, name: str) -> str:
    """The cross-tenant handle of an object: `tenant/name`."""
    return f"{tenant}/{name}"


@dataclass(frozen=True, slots=True, kw_only=True)
class SelfServiceSignUp:
    """authenticationFlowsPolicy.selfServiceSignUp plus the apps user flows are attached to."""

    enabled: bool = False
    apps: tuple[str, ...] = ()  # app refs


@dataclass(frozen=True, slots=True, kw_only=True)
class ExternalCollaboration:
    """authorizationPolicy + B2BManagementPolicy domain lists (`lifecycle.md` §1.3, §1.4).

    At most one of `blocked_domains` / `allowed_domains` is set; neither = allow all.
    `allow_invites_from` None = the cloud's default (`everyone`, `none` in US Government).
    `guest_user_access` None = unknown: the tenant's guestUserRoleId (`guest_user_role_id`) is
    none of the documented roles, so no level may be assumed (audits fail closed on it).
    """

    allow_invites_from: AllowInvitesFrom | None = None
    blocked_domains: tuple[str, ...] | None = None
    allowed_domains: tuple[str, ...] | None = None
    guest_user_access: GuestUserAccess | None = GuestUserAccess.LIMITED
    guest_user_role_id: str | None = None  # set only when the level is unknown
    self_service_sign_up: SelfServiceSignUp = field(default_factory=SelfServiceSignUp)


@dataclass(frozen=True, slots=True, kw_only=True)
class TeamsPolicy:
    """Tenant-wide Teams channels policy (CsTeamsChannelsPolicy Global); defaults true."""

    allow_user_to_participate_in_external_shared_channel: bool = True
    allow_channel_sharing_to_external_user: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class EntitlementSettings:
    external_user_lifecycle_action: LifecycleAction = LifecycleAction.BLOCK_SIGN_IN_AND_DELETE


@dataclass(frozen=True, slots=True, kw_only=True)
class FederatedIdentityProvider:
    """An identity provider a tenant offers (B2C user flows, B2B federation)."""

    kind: IdentityProviderKind
    tenant: str | None = None  # for kind `entra`: the federated workforce tenant handle


@dataclass(frozen=True, slots=True, kw_only=True)
class Tenant:
    name: str
    id: str
    domains: tuple[str, ...]
    cloud: Cloud = Cloud.GLOBAL
    type: TenantType = TenantType.WORKFORCE
    cross_tenant_access: CrossTenantAccessPolicy = field(default_factory=CrossTenantAccessPolicy)
    external_collaboration: ExternalCollaboration = field(default_factory=ExternalCollaboration)
    teams_policy: TeamsPolicy = field(default_factory=TeamsPolicy)
    entitlement_settings: EntitlementSettings = field(default_factory=EntitlementSettings)
    identity_providers: tuple[FederatedIdentityProvider, ...] = ()
    sign_ins: tuple[SignInUsage, ...] = ()  # evidence of use from this tenant's sign-in logs

    @property
    def primary_domain(self) -> str:
        return self.domains[0]

    @property
    def ref(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True, kw_only=True)
class User:
    """A Graph `user` object in `tenant`.

    A member of its own tenant has neither `guest_of` nor `synced_from`. A B2B collaboration
    user object points at its home identity with `guest_of` (invited) or `synced_from`
    (cross-tenant sync). A guest with a non-Entra identity has `identity_provider` != entra and
    no home identity in the world.
    """

    tenant: str
    name: str
    id: str
    user_principal_name: str
    mail: str | None = None
    user_type: UserType = UserType.MEMBER
    external_user_state: ExternalUserState | None = None
    creation_type: CreationType | None = None
    account_enabled: bool = True
    identity_provider: IdentityProviderKind = IdentityProviderKind.ENTRA
    roles: tuple[DirectoryRole, ...] = ()
    guest_of: str | None = None
    synced_from: str | None = None
    # Dates (Graph names; None = unknown, never "long ago"). `last_sign_in_date_time` is the
    # later of signInActivity's interactive and non-interactive sign-ins.
    created_date_time: datetime | None = None
    external_user_state_change_date_time: datetime | None = None
    last_sign_in_date_time: datetime | None = None

    @property
    def ref(self) -> str:
        return ref_of(self.tenant, self.name)

    @property
    def home_ref(self) -> str | None:
        """The home identity this object represents, if it represents another tenant's user."""
        return self.guest_of or self.synced_from


@dataclass(frozen=True, slots=True, kw_only=True)
class Group:
    tenant: str
    name: str
    id: str
    members: tuple[str, ...] = ()  # user refs and group refs (direct members)

    @property
    def ref(self) -> str:
        return ref_of(self.tenant, self.name)


@dataclass(frozen=True, slots=True, kw_only=True)
class App:
    """An enterprise app: the service principal of an application in `tenant`.

    `sign_in_audience` set and `instance_of` None = the app is registered here (the registration
    and its own service principal). `instance_of` = a service principal of another tenant's
    multitenant registration, created by consent.
    """

    tenant: str
    name: str
    id: str
    app_id: str
    builtin: BuiltinApp | None = None
    sign_in_audience: SignInAudience | None = None
    app_role_assignment_required: bool = False
    account_enabled: bool = True
    instance_of: str | None = None

    @property
    def ref(self) -> str:
        return ref_of(self.tenant, self.name)


@dataclass(frozen=True, slots=True, kw_only=True)
class AppRoleAssignment:
    """appRoleAssignment of a user or group (`principal`) to a service principal (`app`)."""

    principal: str
    app: str
    app_role_id: str = "00000000-0000-0000-0000-000000000000"


@dataclass(frozen=True, slots=True, kw_only=True)
class Team:
    tenant: str
    name: str
    id: str
    members: tuple[str, ...] = ()  # user refs

    @property
    def ref(self) -> str:
        return ref_of(self.tenant, self.name)


@dataclass(frozen=True, slots=True, kw_only=True)
class Channel:
    """A Teams channel. `members` may name users of other tenants (external participants)."""

    tenant: str
    team: str  # team name within the tenant
    name: str
    id: str
    membership_type: MembershipType = MembershipType.STANDARD
    members: tuple[str, ...] = ()
    shared_with_teams: tuple[str, ...] = ()  # team refs, any tenant

    @property
    def ref(self) -> str:
        return f"{self.tenant}/{self.team}/{self.name}"

    @property
    def team_ref(self) -> str:
        return ref_of(self.tenant, self.team)
