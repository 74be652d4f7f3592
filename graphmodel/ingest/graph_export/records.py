"""What one tenant folder says, read into small records before anything is linked.

Reading and linking are separate passes: a guest's home user, a channel's external member or a
Conditional Access policy's external tenant may live in *another* folder of the same import, so
every folder is read first (into these records, keeping only the properties the model needs and
where each came from), and `link.py` then resolves ids across tenants and builds the World.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from graphmodel.ingest.graph_export.values import At
from graphmodel.schema.enums import (
    AccessPackageAssignmentState,
    AllowedTargetScope,
    AllowInvitesFrom,
    CaState,
    Cloud,
    ConnectedOrgState,
    CreationType,
    DirectoryRole,
    ExternalUserState,
    ExternalUserType,
    GrantOperator,
    GuestUserAccess,
    IdentityProviderKind,
    InvitationStatus,
    LifecycleAction,
    MembershipType,
    SignInAudience,
    TenantType,
    UserType,
)
from graphmodel.schema.xtap import CrossTenantAccessPolicy

__all__ = [
    "AssignmentRec",
    "CaGuestsRec",
    "CaRec",
    "ChannelRec",
    "ConnOrgRec",
    "ConvMember",
    "GroupRec",
    "IdpRec",
    "InvitationRec",
    "MemberRec",
    "PackageAssignmentRec",
    "PackageRec",
    "PolicyRec",
    "RegistrationRec",
    "SharedTeamRec",
    "SignInAgg",
    "SignInKey",
    "SpRec",
    "TeamRec",
    "TenantData",
    "UserRec",
]


@dataclass(slots=True)
class UserRec:
    at: At
    id: str
    upn: str | None
    display: str | None
    mail: str | None
    other_mails: tuple[str, ...]
    user_type: UserType | None
    creation: CreationType | None
    state: ExternalUserState | None
    enabled: bool | None
    idp: IdentityProviderKind
    external: bool  # represents someone else's identity (#EXT#, ExternalAzureAD, invited)
    invited: bool  # B2B invitation (else cross-tenant sync); unknown creationType = invited
    created: datetime | None = None  # createdDateTime
    state_changed: datetime | None = None  # externalUserStateChangeDateTime
    last_sign_in: datetime | None = None  # from signInActivity (see read_directory.last_sign_in)


@dataclass(slots=True)
class GroupRec:
    at: At
    id: str
    display: str | None
    team_backed: bool


@dataclass(slots=True)
class MemberRec:
    at: At
    id: str
    kind: str | None  # `user`, `group`, ... from @odata.type; None when not given


@dataclass(slots=True)
class RegistrationRec:
    at: At
    id: str
    app_id: str
    display: str | None
    audience: SignInAudience | None


@dataclass(slots=True)
class SpRec:
    at: At
    id: str
    app_id: str
    display: str | None
    required: bool
    enabled: bool
    owner: str | None  # appOwnerOrganizationId


@dataclass(slots=True)
class AssignmentRec:
    at: At
    principal_id: str
    principal_type: str | None
    role_id: str
    resource_id: str


@dataclass(slots=True)
class ConvMember:
    """A conversationMember: `user_id` is the object id in the user's home tenant."""

    at: At
    user_id: str
    tenant_id: str | None
    email: str | None
    display: str | None


@dataclass(slots=True)
class SharedTeamRec:
    at: At
    team_id: str
    tenant_id: str | None
    display: str | None
    is_host: bool
    allowed: list[ConvMember] | None = None


@dataclass(slots=True)
class ChannelRec:
    at: At
    id: str
    display: str | None
    kind: MembershipType | None
    tenant_id: str | None  # the hosting tenant
    host_team_id: str | None  # from `@odata.id` for incoming shared channels
    members: list[ConvMember] | None = None
    shared: list[SharedTeamRec] = field(default_factory=list)


@dataclass(slots=True)
class TeamRec:
    at: At
    id: str
    display: str | None
    members: list[ConvMember] | None = None
    channels: list[ChannelRec] = field(default_factory=list)


@dataclass(slots=True)
class CaGuestsRec:
    types: tuple[ExternalUserType, ...] | None
    tenants: tuple[str, ...] | None  # tenant ids; None = all


@dataclass(slots=True)
class CaRec:
    at: At
    id: str
    display: str | None
    state: CaState
    include_users: list[str] = field(default_factory=list)
    exclude_users: list[str] = field(default_factory=list)
    include_groups: list[str] = field(default_factory=list)
    exclude_groups: list[str] = field(default_factory=list)
    include_guests: CaGuestsRec | None = None
    exclude_guests: CaGuestsRec | None = None
    include_roles: list[str] = field(default_factory=list)  # role template ids
    exclude_roles: list[str] = field(default_factory=list)
    include_apps: list[str] = field(default_factory=list)
    exclude_apps: list[str] = field(default_factory=list)
    grant: list[str] = field(default_factory=list)
    operator: GrantOperator = GrantOperator.OR


@dataclass(slots=True)
class IdpRec:
    at: At
    kind: IdentityProviderKind
    tenant_id: str | None = None  # for an Entra (OpenID Connect) federation


@dataclass(slots=True)
class ConnOrgRec:
    at: At
    id: str
    display: str | None
    state: ConnectedOrgState
    tenant_id: str | None
    domain: str | None


@dataclass(slots=True)
class PackageRec:
    at: At
    id: str
    display: str | None
    hidden: bool
    externally_visible: bool
    resources: list[tuple[At, str, str]] = field(default_factory=list)  # (at, system, origin id)


@dataclass(slots=True)
class PolicyRec:
    at: At
    package_id: str
    scope: AllowedTargetScope
    connected_orgs: list[str]
    expiration: str | None


@dataclass(slots=True)
class PackageAssignmentRec:
    at: At
    package_id: str
    object_id: str | None
    addresses: tuple[str, ...]
    state: AccessPackageAssignmentState
    expires: datetime | None


@dataclass(slots=True)
class InvitationRec:
    at: At
    id: str
    email: str
    user_id: str
    redeem_url: str
    status: InvitationStatus
    invited_by: str | None


@dataclass(frozen=True, slots=True)
class SignInKey:
    """What one sign-in aggregate is about, still in Graph ids."""

    user_id: str
    upn: str | None
    home_tenant_id: str
    resource_tenant_id: str
    app_id: str | None
    channel_id: str | None
    access_type: str  # b2bCollaboration | b2bDirectConnect


@dataclass(slots=True)
class SignInAgg:
    at: At
    last: datetime
    first: datetime | None
    count: int | None


@dataclass(slots=True)
class TenantData:
    """Everything read from one tenant folder (ids still Graph ids)."""

    folder: Path
    label: str  # the folder name, the tenant handle's first choice
    tenant_id: str = ""
    display: str | None = None
    type: TenantType = TenantType.WORKFORCE
    cloud: Cloud = Cloud.GLOBAL
    domains: list[str] = field(default_factory=list)
    as_of: datetime | None = None
    title: str | None = None
    source: str | None = None
    users: dict[str, UserRec] = field(default_factory=dict)
    roles: dict[str, list[DirectoryRole]] = field(default_factory=dict)
    groups: dict[str, GroupRec] = field(default_factory=dict)
    members: dict[str, list[MemberRec]] = field(default_factory=dict)
    registrations: list[RegistrationRec] = field(default_factory=list)
    sps: dict[str, SpRec] = field(default_factory=dict)
    assignments: list[AssignmentRec] = field(default_factory=list)
    grants: list[tuple[At, str | None, str | None]] = field(default_factory=list)
    xtap: CrossTenantAccessPolicy = field(default_factory=CrossTenantAccessPolicy)
    partner_names: dict[str, str] = field(default_factory=dict)  # tenant id -> display name
    allow_invites_from: AllowInvitesFrom | None = None
    guest_access: GuestUserAccess | None = GuestUserAccess.LIMITED  # None: unknown role id
    guest_role_id: str | None = None  # the guestUserRoleId when it names no known level
    blocked_domains: tuple[str, ...] | None = None
    allowed_domains: tuple[str, ...] | None = None
    sssu_enabled: bool = False
    sssu_apps: list[tuple[At, str]] = field(default_factory=list)  # (at, appId)
    participate_external: bool = True
    share_external: bool = True
    lifecycle: LifecycleAction = LifecycleAction.BLOCK_SIGN_IN_AND_DELETE
    idps: list[IdpRec] = field(default_factory=list)
    ca: list[CaRec] = field(default_factory=list)
    teams: list[TeamRec] = field(default_factory=list)
    connected_orgs: list[ConnOrgRec] = field(default_factory=list)
    packages: list[PackageRec] = field(default_factory=list)
    policies: list[PolicyRec] = field(default_factory=list)
    package_assignments: list[PackageAssignmentRec] = field(default_factory=list)
    invitations: list[InvitationRec] = field(default_factory=list)
    sign_ins: dict[SignInKey, SignInAgg] = field(default_factory=dict)
    known_tenants: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    # ^ tenant id -> (display name, default domain): tenantInformation, MTO members, partners
