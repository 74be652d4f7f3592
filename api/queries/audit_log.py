"""`auditLog`: the append-only record of API mutations (admins only; see `api.audit_log`).

A tenant-scoped admin reads only the entries of mutations that changed its own tenants
(`api.audit_owners`), and their variables with other tenants' objects masked, as everywhere.
"""

from __future__ import annotations

import strawberry

from api.audit_log import AuditEntry
from api.context import Context
from api.errors import ApiError
from api.scope import Scope
from api.types.fields import field

__all__ = ["AuditLogEntry", "AuditLogQueries"]

Info = strawberry.Info[Context, None]


@strawberry.type(description="One mutation request: who, what, on which snapshot, and how.")
class AuditLogEntry:
    seq: int = strawberry.field(description="Position in the log (grows by one per entry).")
    at: str = strawberry.field(description="When it ended (UTC, ISO 8601).")
    token_id: str = strawberry.field(description="The token that asked (`no-auth` without).")
    role: str
    fields: list[str] = strawberry.field(description="The mutation fields the request ran.")
    variables: str = strawberry.field(description="Its variables as JSON (cut when long).")
    snapshot: int | None = strawberry.field(description="The snapshot it wrote, or read.")
    outcome: str = strawberry.field(description="`ok`, or the first error's code.")

    @staticmethod
    def from_domain(e: AuditEntry, scope: Scope) -> AuditLogEntry:
        return AuditLogEntry(
            seq=e.seq,
            at=e.at,
            token_id=e.token_id,
            role=e.role,
            fields=list(e.fields),
            variables=scope.text(e.variables),
            snapshot=e.snapshot,
            outcome=e.outcome,
        )


@strawberry.type
class AuditLogQueries:
    @field(description="Mutations recorded by this server, newest first (admin tokens only).")
    async def audit_log(
        self, info: Info, first: int = 100, before: int | None = None
    ) -> list[AuditLogEntry]:
        ctx = info.context
        if not ctx.viewer.can_mutate:
            raise ApiError("forbidden", "reading the audit log needs a token with the admin role")
        if ctx.audit is None:
            return []
        found = await ctx.call(
            ctx.audit.entries,
            limit=ctx.page_size(first),
            before=before,
            tenants=ctx.viewer.tenants,
        )
        scope = await ctx.scope()
        return [AuditLogEntry.from_domain(e, scope) for e in found]
