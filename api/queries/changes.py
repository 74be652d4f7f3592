"""`accessChanges`: the feed of outsiders' access changes, snapshot after snapshot (issue 25).

The resolver only calls `graphmodel.service.changes.ChangeFeed` and converts (P13). An event
reuses the audit types: a path event carries the `AccessChange` that `accessDiff` would show
(principal, resource, route, trust edges, path, the other side's reasons), and every event the
`EntityChange`s that explain it; a grouped event (one cause moving many outsiders) carries the
counts and a sample instead of one `AccessChange`. The feed spans snapshots, so it needs the
auditor or admin role; a tenant-scoped token sees the events on its tenants' resources, with
refs of other tenants redacted as everywhere (through the current snapshot's scope).
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Annotated

import strawberry

from api.audit_schema import AccessChange, EntityChange
from api.context import Context
from api.errors import ApiError
from api.scope import Scope
from api.types.connection import Connection, Edge, PageInfo
from api.types.enums import Via
from api.types.fields import field
from api.types.graph import TrustEdge
from graphmodel.service.audits import AccessChangeKind
from graphmodel.service.changes import ChangeFeed, FeedRecord

__all__ = ["AccessChangeEvent", "AccessChangesSince", "ChangeQueries"]

Info = strawberry.Info[Context, None]


@strawberry.input(one_of=True, description="Where the feed starts: after a snapshot, or a time.")
class AccessChangesSince:
    snapshot: int | None = strawberry.field(
        default=strawberry.UNSET, description="Events of snapshots after this one."
    )
    time: datetime | None = strawberry.field(
        default=strawberry.UNSET, description="Events of snapshots created after this time."
    )


@strawberry.type(description="One entry of the access-change feed: an outsider's path gained, "
                 "lost or changed, or one cause that moved many outsiders at once.")
class AccessChangeEvent:
    id: int = strawberry.field(description="The event's place in the feed (it only grows).")
    snapshot: int = strawberry.field(description="The snapshot the change appeared in.")
    previous_snapshot: int | None = strawberry.field(description="The snapshot compared with.")
    at: datetime = strawberry.field(description="When that snapshot was written.")
    change: AccessChangeKind
    tenant: str = strawberry.field(description="The tenant of the resources concerned.")
    grouped: bool = strawberry.field(
        description="True: one cause moved `principalCount` outsiders (no single `access`)."
    )
    access: AccessChange | None = strawberry.field(description="The path; null when grouped.")
    causes: list[EntityChange] = strawberry.field(
        description="The entity changes (policy, membership, account...) that explain it."
    )
    cause_count: int = strawberry.field(description="All of them (`causes` holds the first).")
    principal_count: int
    resource_count: int
    via: Via | None = strawberry.field(description="Route (null when a group mixes routes).")
    trust: list[TrustEdge] = strawberry.field(description="The trust edges crossed.")
    policy: str | None = strawberry.field(description="The policy this event names.")
    sample: list[str] = strawberry.field(description="A few principals of a grouped event.")

    @classmethod
    def from_domain(cls, r: FeedRecord, scope: Scope) -> AccessChangeEvent:
        e = r.event
        return cls(
            id=r.seq,
            snapshot=r.snapshot,
            previous_snapshot=r.previous,
            at=r.at,
            change=e.change,
            tenant=e.tenant,
            grouped=e.grouped,
            access=None if e.access is None else AccessChange.from_domain(e.access, scope),
            causes=[EntityChange.from_domain(c, scope)
                    if c.tenant is None or scope.sees_tenant(c.tenant)
                    else EntityChange.hidden(c) for c in e.causes],
            cause_count=e.cause_count,
            principal_count=e.principals,
            resource_count=e.resources,
            via=e.via,
            trust=[TrustEdge.from_domain(t, scope) for t in e.trust],
            policy=None if e.policy is None else scope.text(e.policy),
            sample=[scope.ref(p) for p in e.sample],
        )


@strawberry.type
class ChangeQueries:
    @field(description="Outsiders' access changes of each new snapshot, oldest first (paged); "
           "auditor or admin role.")
    async def access_changes(
        self,
        info: Info,
        since: AccessChangesSince | None = None,
        first: int = 100,
        after: Annotated[
            str | None, strawberry.argument(description="`pageInfo.endCursor` of a page.")
        ] = None,
    ) -> Connection[AccessChangeEvent]:
        ctx = info.context
        if not ctx.viewer.can_read_history:
            raise ApiError("forbidden", "the access-change feed spans snapshots: it needs the "
                           "auditor or admin role")
        size = ctx.page_size(first)
        cursor = ctx.open_cursor(after)
        try:
            start = None if cursor is None else int(cursor)
        except ValueError:
            raise ApiError("invalid-input", "the `after` cursor is not from this feed") from None
        scope = await ctx.scope()
        feed = ChangeFeed.shared(ctx.service)
        await ctx.call(feed.catch_up)
        snapshot = since.snapshot if since is not None and isinstance(since.snapshot, int) else None
        time = since.time if since is not None and isinstance(since.time, datetime) else None
        page = await ctx.call(
            feed.page, since_snapshot=snapshot, since_time=time, first=size, after=start,
            tenants=None if scope.tenants is None else sorted(scope.tenants))
        edges = [Edge(node=AccessChangeEvent.from_domain(r, scope),
                      seal=partial(ctx.seal_cursor, str(r.seq), None)) for r in page.items]
        total = page.total_count

        async def count() -> int | None:
            return total

        return Connection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next,
                has_previous_page=after is not None,
                start_cursor=edges[0].seal() if edges else None,
                end_cursor=edges[-1].seal() if edges else after,
            ),
            partial=False,
            count=count,
        )
