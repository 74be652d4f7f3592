"""The World: every typed fact of one snapshot, as flat tuples with lookups by ref."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from graphmodel.schema.entities import (
    App,
    AppRoleAssignment,
    Channel,
    Group,
    Team,
    Tenant,
    User,
)
from graphmodel.schema.governance import (
    AccessPackage,
    AccessPackageAssignment,
    ConditionalAccessPolicy,
    ConnectedOrganization,
    Invitation,
)

__all__ = ["World", "WorldCounts"]


@dataclass(frozen=True, slots=True, kw_only=True)
class WorldCounts:
    tenants: int
    users: int
    groups: int
    apps: int
    teams: int
    channels: int
    policies: int

    def as_dict(self) -> dict[str, int]:
        return {
            "tenants": self.tenants,
            "users": self.users,
            "groups": self.groups,
            "apps": self.apps,
            "teams": self.teams,
            "channels": self.channels,
            "policies": self.policies,
        }


@dataclass(frozen=True, kw_only=True)
class World:
    """One snapshot's facts. Immutable; indexes are built by the engine, not stored here."""

    tenants: tuple[Tenant, ...] = ()
    users: tuple[User, ...] = ()
    groups: tuple[Group, ...] = ()
    apps: tuple[App, ...] = ()
    assignments: tuple[AppRoleAssignment, ...] = ()
    teams: tuple[Team, ...] = ()
    channels: tuple[Channel, ...] = ()
    conditional_access: tuple[ConditionalAccessPolicy, ...] = ()
    connected_organizations: tuple[ConnectedOrganization, ...] = ()
    access_packages: tuple[AccessPackage, ...] = ()
    access_package_assignments: tuple[AccessPackageAssignment, ...] = ()
    invitations: tuple[Invitation, ...] = ()
    as_of: datetime | None = None
    title: str | None = None
    source: str | None = None

    @cached_property
    def tenant_by_name(self) -> dict[str, Tenant]:
        return {t.name: t for t in self.tenants}

    @cached_property
    def tenant_by_id(self) -> dict[str, Tenant]:
        return {t.id: t for t in self.tenants}

    @cached_property
    def user_by_ref(self) -> dict[str, User]:
        return {f"{u.tenant}/{u.name}": u for u in self.users}  # `u.ref`, without a call each

    @cached_property
    def group_by_ref(self) -> dict[str, Group]:
        return {g.ref: g for g in self.groups}

    @cached_property
    def app_by_ref(self) -> dict[str, App]:
        return {a.ref: a for a in self.apps}

    @cached_property
    def team_by_ref(self) -> dict[str, Team]:
        return {t.ref: t for t in self.teams}

    @cached_property
    def channel_by_ref(self) -> dict[str, Channel]:
        return {c.ref: c for c in self.channels}

    @cached_property
    def access_package_by_ref(self) -> dict[str, AccessPackage]:
        return {p.ref: p for p in self.access_packages}

    def counts(self) -> WorldCounts:
        return WorldCounts(
            tenants=len(self.tenants),
            users=len(self.users),
            groups=len(self.groups),
            apps=len(self.apps),
            teams=len(self.teams),
            channels=len(self.channels),
            policies=len(self.conditional_access)
            + sum(len(t.cross_tenant_access.partners) + 1 for t in self.tenants),
        )
