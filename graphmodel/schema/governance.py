"""Conditional Access, entitlement management and invitations (Graph shapes, trimmed)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from graphmodel.schema.enums import (
    AccessPackageAssignmentState,
    AllowedTargetScope,
    CaState,
    ConnectedOrgState,
    DirectoryRole,
    ExternalUserType,
    GrantOperator,
    InvitationStatus,
)

__all__ = [
    "AccessPackage",
    "AccessPackageAssignment",
    "AccessPackagePolicy",
    "CaApplications",
    "CaUsers",
    "ConditionalAccessPolicy",
    "ConnectedOrganization",
    "Invitation",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class CaUsers:
    """conditionalAccessUsers, trimmed.

    `include` / `exclude` hold `All`, `GuestsOrExternalUsers`, or user/group refs of the tenant.
    `GuestsOrExternalUsers` in `include` is narrowed by `guest_or_external_user_types` and
    `external_tenants` (Graph `includeGuestsOrExternalUsers`); in `exclude`, by the `exclude_`
    pair (Graph `excludeGuestsOrExternalUsers`). The two sides are independent: excluding one
    type never exempts another. Types None = every external type; tenants None = all, else
    tenant handles. `include_roles` / `exclude_roles` (Graph `includeRoles` / `excludeRoles`)
    name directory roles: a user holding one of them in the tenant is included / excluded.
    """

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    guest_or_external_user_types: tuple[ExternalUserType, ...] | None = None
    external_tenants: tuple[str, ...] | None = None
    exclude_guest_or_external_user_types: tuple[ExternalUserType, ...] | None = None
    exclude_external_tenants: tuple[str, ...] | None = None
    include_roles: tuple[DirectoryRole, ...] = ()
    exclude_roles: tuple[DirectoryRole, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class CaApplications:
    """conditionalAccessApplications: `All`, `Office365`, or app refs of the tenant."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ConditionalAccessPolicy:
    tenant: str
    name: str
    id: str
    state: CaState = CaState.ENABLED
    users: CaUsers = field(default_factory=CaUsers)
    applications: CaApplications = field(default_factory=CaApplications)
    grant: tuple[str, ...] = ()  # GrantControl values
    grant_operator: GrantOperator = GrantOperator.OR

    @property
    def ref(self) -> str:
        return f"{self.tenant}/{self.name}"


@dataclass(frozen=True, slots=True, kw_only=True)
class ConnectedOrganization:
    tenant: str
    name: str
    id: str
    identity_tenant: str  # the tenant handle its azureActiveDirectoryTenant source names
    state: ConnectedOrgState = ConnectedOrgState.CONFIGURED

    @property
    def ref(self) -> str:
        return f"{self.tenant}/{self.name}"


@dataclass(frozen=True, slots=True, kw_only=True)
class AccessPackagePolicy:
    """accessPackageAssignmentPolicy, trimmed; `expiration` is an ISO 8601 duration or None."""

    allowed_target_scope: AllowedTargetScope
    specific_allowed_targets: tuple[str, ...] = ()  # connected organization refs
    expiration: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AccessPackage:
    tenant: str
    name: str
    id: str
    resources: tuple[str, ...] = ()  # group refs and app refs granted by the package
    policies: tuple[AccessPackagePolicy, ...] = ()
    is_hidden: bool = False
    catalog_externally_visible: bool = True

    @property
    def ref(self) -> str:
        return f"{self.tenant}/{self.name}"


@dataclass(frozen=True, slots=True, kw_only=True)
class AccessPackageAssignment:
    package: str  # access package ref
    target: str  # principal ref (home identity)
    state: AccessPackageAssignmentState = AccessPackageAssignmentState.DELIVERED
    expires: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Invitation:
    """A B2B invitation sent from `tenant` (Graph `invitation`); created by the API."""

    tenant: str
    id: str
    invited_user_email_address: str
    invited_user: str  # ref of the user object created in `tenant`
    invite_redeem_url: str
    invited_by: str | None = None
    status: InvitationStatus = InvitationStatus.PENDING_ACCEPTANCE
