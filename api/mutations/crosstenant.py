"""Mutations on cross-tenant access settings (Graph: crossTenantAccessPolicy default/partners).

The input objects are passed to the service as Graph JSON (`to_graph`), where they are
validated like a world file's `crossTenantAccess`. The new settings take effect for the very
next question: the write creates a new snapshot, and the service's indexes are per snapshot.
"""

from __future__ import annotations

import strawberry

from api.context import Context
from api.errors import input_errors
from api.mutations.inputs import (
    CreateCrossTenantAccessPartnerInput,
    CrossTenantAccessDefaultInput,
    CrossTenantAccessPartnerInput,
    to_graph,
)
from api.mutations.payloads import (
    CrossTenantAccessDefaultPayload,
    CrossTenantAccessPartnerPayload,
    DeleteCrossTenantAccessPartnerPayload,
)
from api.types.fields import admin_mutation
from api.types.graph import Issue, Snapshot
from api.types.policies import CrossTenantAccessDefault, CrossTenantAccessPartner
from graphmodel.schema.xtap import CrossTenantAccessPartner as DomainPartner
from graphmodel.service.management import Outcome

__all__ = ["CrossTenantMutations"]

Info = strawberry.Info[Context, None]


def _body(value: object) -> dict[str, object]:
    body = to_graph(value)
    assert isinstance(body, dict)
    return body


async def _partner_payload(
    ctx: Context, tenant: str, outcome: Outcome[DomainPartner]
) -> CrossTenantAccessPartnerPayload:
    ctx.pin(outcome.snapshot.id)
    scope = await ctx.scope()
    return CrossTenantAccessPartnerPayload(
        partner=CrossTenantAccessPartner.build(tenant, outcome.value, scope),
        warnings=[Issue.from_domain(w) for w in outcome.warnings],
        snapshot=Snapshot.from_domain(outcome.snapshot, scope),
    )


@strawberry.type
class CrossTenantMutations:
    @admin_mutation(description="PATCH the tenant's default cross-tenant access settings.")
    async def update_cross_tenant_access_default(
        self, info: Info, tenant: str, input: CrossTenantAccessDefaultInput
    ) -> CrossTenantAccessDefaultPayload:
        ctx = info.context
        (await ctx.scope()).require_tenant(tenant)
        with input_errors():
            outcome = await ctx.write(
                ctx.management.update_cross_tenant_access_default, tenant, _body(input)
            )
        ctx.pin(outcome.snapshot.id)
        return CrossTenantAccessDefaultPayload(
            tenant=tenant,
            default=CrossTenantAccessDefault.from_domain(outcome.value),
            warnings=[Issue.from_domain(w) for w in outcome.warnings],
            snapshot=Snapshot.from_domain(outcome.snapshot, await ctx.scope()),
        )

    @admin_mutation(description="POST a partner configuration (409 `conflict` if it exists).")
    async def create_cross_tenant_access_partner(
        self, info: Info, tenant: str, input: CreateCrossTenantAccessPartnerInput
    ) -> CrossTenantAccessPartnerPayload:
        ctx = info.context
        (await ctx.scope()).require_tenant(tenant)
        with input_errors():
            outcome = await ctx.write(
                ctx.management.create_cross_tenant_access_partner, tenant, _body(input)
            )
        return await _partner_payload(ctx, tenant, outcome)

    @admin_mutation(description="PATCH a partner configuration (`partner`: id or handle).")
    async def update_cross_tenant_access_partner(
        self, info: Info, tenant: str, partner: str, input: CrossTenantAccessPartnerInput
    ) -> CrossTenantAccessPartnerPayload:
        ctx = info.context
        (await ctx.scope()).require_tenant(tenant)
        with input_errors():
            outcome = await ctx.write(
                ctx.management.update_cross_tenant_access_partner, tenant, partner, _body(input)
            )
        return await _partner_payload(ctx, tenant, outcome)

    @admin_mutation(description="DELETE a partner configuration; the default applies again.")
    async def delete_cross_tenant_access_partner(
        self, info: Info, tenant: str, partner: str
    ) -> DeleteCrossTenantAccessPartnerPayload:
        ctx = info.context
        (await ctx.scope()).require_tenant(tenant)
        with input_errors():
            outcome = await ctx.write(
                ctx.management.delete_cross_tenant_access_partner, tenant, partner
            )
        ctx.pin(outcome.snapshot.id)
        return DeleteCrossTenantAccessPartnerPayload(
            tenant=tenant,
            deleted_tenant_id=outcome.value.tenant_id,
            snapshot=Snapshot.from_domain(outcome.snapshot, await ctx.scope()),
        )
