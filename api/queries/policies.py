"""Lookups and lists of policies: Conditional Access, cross-tenant partners, invitations.

As for directory objects, a scoped token sees only its tenants' policies.
"""

from __future__ import annotations

import strawberry

from api.queries._lists import Info, SnapshotArg, list_of, lookup, of_tenant
from api.types.connection import Connection
from api.types.enums import CaState
from api.types.fields import field
from api.types.invitation import Invitation
from api.types.policies import ConditionalAccessPolicy, CrossTenantAccessPartner
from graphmodel.schema import governance as dg
from graphmodel.schema import xtap as dx

__all__ = ["PolicyQueries"]


@strawberry.type
class PolicyQueries:
    @field()
    async def conditional_access_policy(
        self, info: Info, ref: str, snapshot: SnapshotArg = None
    ) -> ConditionalAccessPolicy | None:
        found, scope = await lookup(info, "policy", ref, snapshot)
        return None if found is None else ConditionalAccessPolicy.convert(found, scope)

    @field()
    async def conditional_access_policies(
        self,
        info: Info,
        tenant: str | None = None,
        state: CaState | None = None,
        first: int = 100,
        after: str | None = None,
        snapshot: SnapshotArg = None,
    ) -> Connection[ConditionalAccessPolicy]:
        def keep(p: dg.ConditionalAccessPolicy) -> bool:
            return of_tenant(tenant, p) and (state is None or p.state == state)

        return await list_of(
            info, snapshot, "policy", keep, ConditionalAccessPolicy.convert, first, after
        )

    @field(description="A partner configuration by tenant and partner (id or handle).")
    async def cross_tenant_access_partner(
        self, info: Info, tenant: str, partner: str, snapshot: SnapshotArg = None
    ) -> CrossTenantAccessPartner | None:
        scope = await info.context.scope(snapshot)
        home = scope.world.tenant_by_name.get(tenant)
        if home is None or not scope.sees_tenant(tenant):
            return None
        known = scope.world.tenant_by_name.get(partner)
        found = home.cross_tenant_access.partner(known.id if known else partner.lower())
        return None if found is None else CrossTenantAccessPartner.build(tenant, found, scope)

    @field(description="Partner configurations, optionally of one tenant.")
    async def cross_tenant_access_partners(
        self,
        info: Info,
        tenant: str | None = None,
        first: int = 100,
        after: str | None = None,
        snapshot: SnapshotArg = None,
    ) -> Connection[CrossTenantAccessPartner]:
        def keep(entry: tuple[str, dx.CrossTenantAccessPartner]) -> bool:
            return of_tenant(tenant, entry)

        return await list_of(
            info, snapshot, "partner", keep, CrossTenantAccessPartner.convert, first, after
        )

    @field(description="Invitations created through the API, optionally of a tenant.")
    async def invitations(
        self,
        info: Info,
        tenant: str | None = None,
        first: int = 100,
        after: str | None = None,
        snapshot: SnapshotArg = None,
    ) -> Connection[Invitation]:
        def keep(i: dg.Invitation) -> bool:
            return of_tenant(tenant, i)

        return await list_of(info, snapshot, "invitation", keep, Invitation.convert, first, after)
