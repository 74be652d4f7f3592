"""Exports over GraphQL: the trust graph, a verdict's paths or who-can-access as a file.

The same renderers as `tenantgraph export` (`graphmodel.export.FORMATS`), so a dashboard can
offer "download as GraphML / Cytoscape / Mermaid / DOT / CSV" without a second code path.
Scoping follows the other questions: a resource outside a scoped token's tenants is
`forbidden`, and everything of other tenants in the answer is redacted before rendering.
"""

from __future__ import annotations

import dataclasses
from enum import Enum
from typing import Annotated

import strawberry

from api.context import Context
from api.scope import Scope
from api.types.enums import Via
from api.types.fields import field
from graphmodel.export import FORMATS, WhoResult
from graphmodel.schema.verdict import Verdict as DomainVerdict
from graphmodel.service.answers import Reach as DomainReach
from graphmodel.service.answers import ReachFilter

__all__ = ["ExportFile", "ExportFormat", "ExportQueries"]

Info = strawberry.Info[Context, None]
SnapshotArg = Annotated[
    int | None, strawberry.argument(description="Snapshot id to read; default: the current one.")
]
_WHO_PAGE = 1000


@strawberry.enum(description="File formats of `export*` answers.")
class ExportFormat(Enum):
    GRAPHML = "graphml"
    CYTOSCAPE = "cytoscape"
    MERMAID = "mermaid"
    DOT = "dot"
    CSV = "csv"


@strawberry.type(description="A rendered export: save `content` as `filename`.")
class ExportFile:
    filename: str
    media_type: str
    content: str


def _file(fmt: ExportFormat, stem: str, content: str) -> ExportFile:
    spec = FORMATS[fmt.value]
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in stem)
    return ExportFile(filename=f"{safe}{spec.suffix}", media_type=spec.media_type, content=content)


def _who_result(r: DomainReach, scope: Scope) -> WhoResult:
    """One exported answer as the viewer may see it: a scoped token sees its own tenant's
    guest object of a principal whose home identity is redacted."""
    obj = r.object_ref
    return WhoResult(
        scope.ref(r.principal),
        _redact(r.verdict, scope),
        r.kind,
        None if obj is None else scope.ref(obj),
    )


def _redact(verdict: DomainVerdict, scope: Scope) -> DomainVerdict:
    """The verdict as a scoped viewer may see it (unchanged for an unscoped one)."""
    if scope.unscoped:
        return verdict
    return dataclasses.replace(
        verdict,
        principal=scope.ref(verdict.principal),
        paths=tuple(
            dataclasses.replace(
                p,
                hops=tuple(
                    dataclasses.replace(h, source=scope.ref(h.source), target=scope.ref(h.target))
                    for h in p.hops
                ),
            )
            for p in verdict.paths
        ),
        reasons=tuple(
            dataclasses.replace(
                r, message=scope.text(r.message), policy=scope.policy(r.tenant, r.policy)
            )
            for r in verdict.reasons
        ),
    )


@strawberry.type
class ExportQueries:
    @field(description="The derived trust graph (optionally only edges touching `tenants`).")
    async def export_trust_graph(
        self,
        info: Info,
        format: ExportFormat,
        tenants: list[str] | None = None,
        snapshot: SnapshotArg = None,
    ) -> ExportFile:
        ctx = info.context
        scope = await ctx.scope(snapshot)
        edges = await ctx.call(ctx.service.trust_graph, tenants, snapshot=scope.snapshot)
        edges = [e for e in edges if scope.sees_tenant(e.source) or scope.sees_tenant(e.target)]
        shown = [t for t in scope.world.tenants if scope.sees_tenant(t.name)]
        return _file(format, "trust-graph", FORMATS[format.value].trust(edges, shown))

    @field(description="The paths (and for a denial the blocking gates) of one access answer.")
    async def export_access(
        self,
        info: Info,
        format: ExportFormat,
        principal: str,
        resource: str,
        via: Via = Via.ANY,
        snapshot: SnapshotArg = None,
    ) -> ExportFile:
        ctx = info.context
        scope = await ctx.scope(snapshot)
        scope.require(resource, "resource")
        verdict = await ctx.call(
            ctx.service.check, principal, resource, via=via, snapshot=scope.snapshot
        )
        content = FORMATS[format.value].paths(_redact(verdict, scope))
        return _file(format, f"access-{principal}-{resource}", content)

    @field(
        description="Every principal that reaches `resource` (outsiders only, if asked), with "
        "its first path, its kind and its user object in the resource's tenant."
    )
    async def export_who_can_access(
        self,
        info: Info,
        format: ExportFormat,
        resource: str,
        snapshot: SnapshotArg = None,
        outsiders: Annotated[
            bool,
            strawberry.argument(description="Only principals from outside the resource's tenant."),
        ] = False,
    ) -> ExportFile:
        ctx = info.context
        scope = await ctx.scope(snapshot)
        scope.require(resource, "resource")
        results: list[WhoResult] = []
        after: str | None = None
        while True:
            page = await ctx.call(
                ctx.service.who_can_access,
                resource,
                first=_WHO_PAGE,
                after=after,
                snapshot=scope.snapshot,
                filters=ReachFilter(outsiders=outsiders),
            )
            results.extend(_who_result(r, scope) for r in page.items)
            if not page.has_next or page.end_cursor is None:
                break
            after = page.end_cursor
        content = FORMATS[format.value].who(resource, results)
        return _file(format, f"who-{resource}", content)
