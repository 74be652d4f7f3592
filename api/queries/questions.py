"""The questions: access, the reverse lookups, invite / sign-up / request, the trust graph.

Resolvers only call `GraphService` and convert (P13). Under a tenant-scoped token a question
about another tenant's resource (or inviter, app, access package) is `forbidden`; principals of
other tenants may be asked about and appear redacted in answers.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Annotated

import strawberry

from api.context import Context
from api.errors import ApiError
from api.paging import page_stream
from api.scope import Scope
from api.types.connection import Connection
from api.types.enums import PrincipalKind, Role, Usage, Via
from api.types.fields import field
from api.types.graph import Snapshot, TrustGraph
from api.types.verdict import Answer, Reach, Verdict
from graphmodel.service import GraphService, Page
from graphmodel.service.answers import Reach as DomainReach
from graphmodel.service.answers import ReachFilter

__all__ = [
    "QuestionQueries",
    "ViewerInfo",
    "answer_access",
    "reach_filter",
    "who_can_access_page",
]

Info = strawberry.Info[Context, None]
SnapshotArg = Annotated[
    int | None, strawberry.argument(description="Snapshot id to read; default: the current one.")
]
AsOfArg = Annotated[
    datetime | None,
    strawberry.argument(
        description="Evaluation clock (assignment expiry, lifecycle deletion, staleness); "
        "default: the snapshot's asOf, else now."
    ),
]
UsageArg = Annotated[
    Usage,
    strawberry.argument(
        description="Keep every answer, or only those used (a recorded sign-in within "
        "`usageDays` before the clock) or unused."
    ),
]
UsageDaysArg = Annotated[int, strawberry.argument(description="Look-back of `usage` in days.")]
ViaFilterArg = Annotated[
    list[Via] | None,
    strawberry.argument(description="Only answers on one of these routes; null: every route."),
]
HomeTenantsArg = Annotated[
    list[str] | None,
    strawberry.argument(
        description="Only principals homed in one of these tenants (a social or one-time-"
        "passcode guest has none); null: every home."
    ),
]
KindsArg = Annotated[
    list[PrincipalKind] | None,
    strawberry.argument(
        description="Only principals that are one of these kinds to the resource's tenant; "
        "null: every kind."
    ),
]
MAX_FILTER_VALUES = 100
"""Values one list filter may name: enough for any real question, bounded for hostile ones."""


def reach_filter(
    *,
    outsiders: bool = False,
    via: list[Via] | None = None,
    home_tenants: list[str] | None = None,
    kinds: list[PrincipalKind] | None = None,
) -> ReachFilter:
    """The filter arguments of `whoCanAccess` / `reachableResources` as the engine's filter;
    an empty or oversized list is `invalid-input` (an empty list would keep nothing)."""
    for name, values in (("via", via), ("homeTenants", home_tenants), ("kinds", kinds)):
        if values is not None and not 0 < len(values) <= MAX_FILTER_VALUES:
            raise ApiError(
                "invalid-input",
                f"`{name}` names 1 to {MAX_FILTER_VALUES} values, or is null for no filter",
            )
    return ReachFilter(
        outsiders=outsiders,
        via=frozenset(via or ()),
        home_tenants=frozenset(home_tenants or ()),
        kinds=frozenset(kinds or ()),
    )


def answer_access(
    service: GraphService,
    scope: Scope,
    principal: str,
    resource: str,
    via: Via,
    as_of: datetime | None = None,
) -> Verdict:
    """The `access` field's answer; shared with the fast lane (`api.fastlane`), which runs it
    without GraphQL execution, so both give the same verdict by construction."""
    scope.require(resource, "resource")
    verdict = service.check(principal, resource, via=via, snapshot=scope.snapshot, as_of=as_of)
    return Verdict.from_domain(verdict, scope)


async def who_can_access_page(
    ctx: Context,
    scope: Scope,
    resource: str,
    first: int,
    after: str | None,
    *,
    as_of: datetime | None = None,
    usage: Usage = Usage.ANY,
    usage_days: int = 90,
    filters: ReachFilter | None = None,
) -> Connection[Reach]:
    """The `whoCanAccess` field's page; shared with the fast lane like `answer_access`."""
    scope.require(resource, "resource")
    return await reach_page(
        ctx,
        scope,
        partial(ctx.service.who_can_access, resource),
        key=lambda r: r.principal,
        keep=lambda r: True,
        first=first,
        after=after,
        as_of=as_of,
        usage=usage,
        usage_days=usage_days,
        filters=filters or ReachFilter(),
    )


async def reach_page(
    ctx: Context,
    scope: Scope,
    ask: Callable[..., Page[DomainReach]],
    *,
    key: Callable[[DomainReach], str],
    keep: Callable[[DomainReach], bool],
    first: int,
    after: str | None,
    as_of: datetime | None,
    usage: Usage,
    usage_days: int,
    filters: ReachFilter,
) -> Connection[Reach]:
    """A page of a reverse lookup (`ask` = the service's `who_can_access` or `reachable` with
    its subject bound), read from `scope`'s snapshot at the clock, usage filter and filters
    given; the engine applies `filters` before paging, so `totalCount` counts what they keep."""

    def fetch(n: int, cursor: str | None) -> Page[DomainReach]:
        return ask(
            first=n,
            after=cursor,
            snapshot=scope.snapshot,
            as_of=as_of,
            usage=usage,
            usage_days=usage_days,
            filters=filters,
        )

    return await page_stream(
        ctx,
        fetch,
        snapshot=scope.snapshot,
        key=key,
        first=first,
        after=after,
        keep=keep,
        convert=lambda r: Reach.from_domain(r, scope),
    )


@strawberry.type(description="Who is asking: the token's role and tenant scope.")
class ViewerInfo:
    role: Role
    tenants: list[str] | None = strawberry.field(description="null = every tenant.")
    authenticated: bool


def _check_days(days: int) -> None:
    if days < 0:
        raise ApiError("invalid-input", f"`usageDays` must be 0 or more, not {days}")


@strawberry.type
class QuestionQueries:
    @field(description="Can `principal` reach `resource` (an app or a channel)?")
    async def access(
        self,
        info: Info,
        principal: str,
        resource: str,
        via: Via = Via.ANY,
        snapshot: SnapshotArg = None,
        as_of: AsOfArg = None,
    ) -> Verdict:
        ctx = info.context
        scope = await ctx.scope(snapshot)
        return await ctx.call(answer_access, ctx.service, scope, principal, resource, via, as_of)

    @field(description="Principals (home identities) that reach the resource.")
    async def who_can_access(
        self,
        info: Info,
        resource: str,
        first: int = 100,
        after: str | None = None,
        snapshot: SnapshotArg = None,
        as_of: AsOfArg = None,
        usage: UsageArg = Usage.ANY,
        usage_days: UsageDaysArg = 90,
        outsiders: Annotated[
            bool,
            strawberry.argument(
                description="Only principals from outside the resource's tenant (`outsider`)."
            ),
        ] = False,
        via: ViaFilterArg = None,
        home_tenants: HomeTenantsArg = None,
        kinds: KindsArg = None,
    ) -> Connection[Reach]:
        ctx = info.context
        scope = await ctx.page_scope(snapshot, after)
        _check_days(usage_days)
        only = reach_filter(outsiders=outsiders, via=via, home_tenants=home_tenants, kinds=kinds)
        return await who_can_access_page(
            ctx,
            scope,
            resource,
            first,
            after,
            as_of=as_of,
            usage=usage,
            usage_days=usage_days,
            filters=only,
        )

    @field(description="Resources the principal reaches (allow or pending).")
    async def reachable_resources(
        self,
        info: Info,
        principal: str,
        first: int = 100,
        after: str | None = None,
        snapshot: SnapshotArg = None,
        as_of: AsOfArg = None,
        usage: UsageArg = Usage.ANY,
        usage_days: UsageDaysArg = 90,
        outsiders: Annotated[
            bool,
            strawberry.argument(
                description="Only resources of tenants the principal is an outsider of."
            ),
        ] = False,
        via: ViaFilterArg = None,
        home_tenants: HomeTenantsArg = None,
        kinds: Annotated[
            list[PrincipalKind] | None,
            strawberry.argument(
                description="Only resources whose tenant sees the principal as one of these "
                "kinds; null: every kind."
            ),
        ] = None,
    ) -> Connection[Reach]:
        ctx = info.context
        scope = await ctx.page_scope(snapshot, after)
        _check_days(usage_days)
        only = reach_filter(outsiders=outsiders, via=via, home_tenants=home_tenants, kinds=kinds)
        return await reach_page(
            ctx,
            scope,
            partial(ctx.service.reachable, principal),
            key=lambda r: r.resource,
            keep=lambda r: scope.sees(r.resource),
            first=first,
            after=after,
            as_of=as_of,
            usage=usage,
            usage_days=usage_days,
            filters=only,
        )

    @field(description="May `inviter` invite `invitee` (a handle or an email)?")
    async def can_invite(
        self,
        info: Info,
        invitee: str,
        inviter: str,
        snapshot: SnapshotArg = None,
        as_of: AsOfArg = None,
    ) -> Answer:
        ctx = info.context
        scope = await ctx.scope(snapshot)
        scope.require(inviter, "inviter")
        answer = await ctx.call(
            ctx.service.can_invite, invitee, inviter, snapshot=scope.snapshot, as_of=as_of
        )
        return Answer.from_domain(answer, scope)

    @field(description="May a new guest sign up for `app` with this provider?")
    async def can_sign_up(
        self,
        info: Info,
        email: str,
        app: str,
        identity_provider: str,
        snapshot: SnapshotArg = None,
        as_of: AsOfArg = None,
    ) -> Answer:
        ctx = info.context
        scope = await ctx.scope(snapshot)
        scope.require(app, "app")
        answer = await ctx.call(
            ctx.service.can_sign_up,
            email,
            app,
            identity_provider,
            snapshot=scope.snapshot,
            as_of=as_of,
        )
        return Answer.from_domain(answer, scope)

    @field(description="May `requester` request the access package?")
    async def can_request(
        self,
        info: Info,
        requester: str,
        access_package: str,
        snapshot: SnapshotArg = None,
        as_of: AsOfArg = None,
    ) -> Answer:
        ctx = info.context
        scope = await ctx.scope(snapshot)
        scope.require(access_package, "access package")
        answer = await ctx.call(
            ctx.service.can_request,
            requester,
            access_package,
            snapshot=scope.snapshot,
            as_of=as_of,
        )
        return Answer.from_domain(answer, scope)

    @field(description="Derived trust between tenants (optionally only these).")
    async def trust_graph(
        self, info: Info, tenants: list[str] | None = None, snapshot: SnapshotArg = None
    ) -> TrustGraph:
        ctx = info.context
        scope = await ctx.scope(snapshot)
        edges = await ctx.call(ctx.service.trust_graph, tenants, snapshot=scope.snapshot)
        return TrustGraph.from_domain(edges, scope, tenants)

    @field(description="Every stored snapshot, newest first.")
    async def snapshots(self, info: Info) -> list[Snapshot]:
        found = await info.context.call(info.context.service.snapshots)
        scope = await info.context.scope()
        return [Snapshot.from_domain(s, scope) for s in found]

    @field(description="The snapshot this request reads (null for an empty store).")
    async def current_snapshot(self, info: Info) -> Snapshot | None:
        sid = await info.context.snapshot()
        found = await info.context.call(info.context.service.snapshots)
        scope = await info.context.scope()
        return next((Snapshot.from_domain(s, scope) for s in found if s.id == sid), None)

    @field(description="The role and tenant scope of the token in use.")
    def viewer(self, info: Info) -> ViewerInfo:
        v = info.context.viewer
        return ViewerInfo(
            role=v.role,
            tenants=None if v.tenants is None else sorted(v.tenants),
            authenticated=v.token_id is not None,
        )
