"""Lookups by ref and filtered lists (Relay connections) of directory objects.

A tenant-scoped token sees only its tenants' objects: lists are filtered and a lookup of an
object outside the scope answers null, as for an object that does not exist.
"""

from __future__ import annotations

import strawberry

from api.queries._lists import Info, SnapshotArg, list_of, lookup, matches, of_tenant
from api.types.connection import Connection
from api.types.directory import Group, Tenant, User
from api.types.enums import MembershipType, UserType
from api.types.fields import field
from api.types.resources import App, Channel, Team
from graphmodel.schema import entities as de

__all__ = ["DirectoryQueries"]


@strawberry.type
class DirectoryQueries:
    @field()
    async def tenant(self, info: Info, name: str, snapshot: SnapshotArg = None) -> Tenant | None:
        found, scope = await lookup(info, "tenant", name, snapshot)
        return Tenant.from_domain(found, scope) if isinstance(found, de.Tenant) else None

    @field()
    async def tenants(
        self,
        info: Info,
        first: int = 100,
        after: str | None = None,
        snapshot: SnapshotArg = None,
    ) -> Connection[Tenant]:
        return await list_of(
            info, snapshot, "tenant", lambda t: True, Tenant.from_domain, first, after
        )

    @field()
    async def user(self, info: Info, ref: str, snapshot: SnapshotArg = None) -> User | None:
        found, scope = await lookup(info, "user", ref, snapshot)
        return User.from_domain(found, scope) if isinstance(found, de.User) else None

    @field(description="Users, optionally of one tenant, type, or matching `search`.")
    async def users(
        self,
        info: Info,
        tenant: str | None = None,
        user_type: UserType | None = None,
        search: str | None = None,
        first: int = 100,
        after: str | None = None,
        snapshot: SnapshotArg = None,
    ) -> Connection[User]:
        def keep(u: de.User) -> bool:
            return (
                of_tenant(tenant, u)
                and (user_type is None or u.user_type == user_type)
                and matches(search, u.ref, u.mail, u.user_principal_name)
            )

        return await list_of(info, snapshot, "user", keep, User.from_domain, first, after)

    @field()
    async def group(self, info: Info, ref: str, snapshot: SnapshotArg = None) -> Group | None:
        found, scope = await lookup(info, "group", ref, snapshot)
        return Group.from_domain(found, scope) if isinstance(found, de.Group) else None

    @field()
    async def groups(
        self,
        info: Info,
        tenant: str | None = None,
        search: str | None = None,
        first: int = 100,
        after: str | None = None,
        snapshot: SnapshotArg = None,
    ) -> Connection[Group]:
        def keep(g: de.Group) -> bool:
            return of_tenant(tenant, g) and matches(search, g.ref)

        return await list_of(info, snapshot, "group", keep, Group.from_domain, first, after)

    @field()
    async def app(self, info: Info, ref: str, snapshot: SnapshotArg = None) -> App | None:
        found, scope = await lookup(info, "app", ref, snapshot)
        return App.from_domain(found, scope) if isinstance(found, de.App) else None

    @field()
    async def apps(
        self,
        info: Info,
        tenant: str | None = None,
        search: str | None = None,
        first: int = 100,
        after: str | None = None,
        snapshot: SnapshotArg = None,
    ) -> Connection[App]:
        def keep(a: de.App) -> bool:
            return of_tenant(tenant, a) and matches(search, a.ref, a.app_id)

        return await list_of(info, snapshot, "app", keep, App.from_domain, first, after)

    @field()
    async def team(self, info: Info, ref: str, snapshot: SnapshotArg = None) -> Team | None:
        found, scope = await lookup(info, "team", ref, snapshot)
        return Team.from_domain(found, scope) if isinstance(found, de.Team) else None

    @field()
    async def teams(
        self,
        info: Info,
        tenant: str | None = None,
        first: int = 100,
        after: str | None = None,
        snapshot: SnapshotArg = None,
    ) -> Connection[Team]:
        def keep(t: de.Team) -> bool:
            return of_tenant(tenant, t)

        return await list_of(info, snapshot, "team", keep, Team.from_domain, first, after)

    @field()
    async def channel(self, info: Info, ref: str, snapshot: SnapshotArg = None) -> Channel | None:
        found, scope = await lookup(info, "channel", ref, snapshot)
        return Channel.from_domain(found, scope) if isinstance(found, de.Channel) else None

    @field()
    async def channels(
        self,
        info: Info,
        tenant: str | None = None,
        team: str | None = None,
        membership_type: MembershipType | None = None,
        first: int = 100,
        after: str | None = None,
        snapshot: SnapshotArg = None,
    ) -> Connection[Channel]:
        def keep(c: de.Channel) -> bool:
            return (
                of_tenant(tenant, c)
                and (team is None or c.team_ref == team)
                and (membership_type is None or c.membership_type == membership_type)
            )

        return await list_of(info, snapshot, "channel", keep, Channel.from_domain, first, after)
