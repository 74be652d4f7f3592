"""`node(id)` support: one `resolve_nodes` for every entity type, through the node loader.

Global ids are Relay's `base64("Type:ref")`; the ref is the object's handle (`contoso/alice`,
`contoso/launch/partners`, `contoso/<partnerTenantId>` for a partner configuration). A node
outside a scoped token's tenants resolves to null, exactly like one that does not exist.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

import strawberry

from api.scope import Scope
from graphmodel.errors import NodeNotFound

__all__ = ["Entity", "owner_of"]


def owner_of(obj: object) -> str:
    """The tenant an entity belongs to (a Tenant owns itself; a partner entry is `(owner, _)`)."""
    if isinstance(obj, tuple):
        return str(obj[0])
    tenant = getattr(obj, "tenant", None)
    return tenant if isinstance(tenant, str) else str(getattr(obj, "name", ""))


class Entity:
    """Mixin for Relay node types: `KIND` names the loader table, `convert` the converter."""

    KIND: ClassVar[str]

    @classmethod
    def convert(cls, obj: Any, scope: Scope) -> Any:
        return cls.from_domain(obj, scope)  # type: ignore[attr-defined]

    @classmethod
    async def resolve_nodes(
        cls, *, info: strawberry.Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        ctx = info.context
        scope: Scope = await ctx.scope()
        refs = list(node_ids)
        found = await ctx.loaders.many(cls.KIND, refs, scope.snapshot)
        out = [
            cls.convert(obj, scope)
            if obj is not None and scope.sees_tenant(owner_of(obj))
            else None
            for obj in found
        ]
        if required:
            for ref, item in zip(refs, out, strict=True):
                if item is None:
                    raise NodeNotFound(ref, kind=cls.KIND)
        return out
