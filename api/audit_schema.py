"""GraphQL fields of the audits: `auditChecks`, `findings`, `whatIf`, `accessDiff`.

Resolvers only call `graphmodel.service.audits.AuditService` and convert (P13). Every ref and
message passes through the viewer's `Scope`: a tenant-scoped token sees only the findings of its
tenants and the access changes on its tenants' resources, with other tenants' objects shown as
`tenant/<kind>` and their policy objects withheld. `snapshot:` works as everywhere (older
snapshots need the auditor or admin role); `whatIf` never writes anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from functools import partial
from typing import Annotated, TypeVar

import strawberry

from api.context import Context
from api.errors import ApiError, input_errors
from api.limits import cost_of, fragments_of, whatif_budget
from api.scope import Scope
from api.types.connection import Connection, Edge, PageInfo
from api.types.enums import Decision, Mfa, Via
from api.types.fields import field
from api.types.graph import Issue, TrustEdge
from api.types.refs import Principal, Resource
from api.types.verdict import (
    TENANT_OBJECT,
    AccessPath,
    Reason,
    principal_node,
    resource_node,
    tenant_object_node,
)
from graphmodel.schema.trust import TrustEdge as DomainTrustEdge
from graphmodel.service import Page
from graphmodel.service.audits import AccessChange as DomainAccessChange
from graphmodel.service.audits import (
    AccessChangeKind,
    AuditOptions,
    AuditService,
    ChangeOp,
    FindingStatus,
    Severity,
    catalogue,
    exposure_page,
)
from graphmodel.service.audits import AuditedFinding as DomainAudited
from graphmodel.service.audits import EntityChange as DomainEntityChange
from graphmodel.service.audits import Exposure as DomainExposure
from graphmodel.service.audits import Finding as DomainFinding
from graphmodel.service.audits import UnusedAccessProposal as DomainProposal
from graphmodel.service.audits import WorldDiff as DomainDiff

__all__ = ["AuditQueries"]

N = TypeVar("N")
Info = strawberry.Info[Context, None]
SnapshotArg = Annotated[
    int | None, strawberry.argument(description="Snapshot id to read; default: the current one.")
]
AsOfArg = Annotated[
    datetime | None,
    strawberry.argument(
        description="Evaluation clock (expiry, lifecycle deletion, staleness); default: the "
        "snapshot's asOf, else now."
    ),
]
ZoneArg = Annotated[
    str | None,
    strawberry.argument(description="Zone of trust by name (`tenantgraph zone`); default: none."),
]

strawberry.enum(Severity, description="How bad a finding is")
strawberry.enum(FindingStatus, description="open, suppressed (accepted), or resolved")
strawberry.enum(AccessChangeKind, description="gained, lost, or changed (where MFA happens)")
strawberry.enum(ChangeOp, description="added, removed or changed")


def _page(
    ctx: Context,
    items: Sequence[tuple[str, N]],
    first: int,
    after: str | None,
    snapshot: int | None,
) -> Connection[N]:
    """A page of an in-memory list whose keys are unique (cursors are sealed keys)."""
    first = ctx.page_size(first)
    cursor = ctx.open_cursor(after, snapshot)
    keys = [k for k, _ in items]
    start = 0
    if cursor is not None:
        if cursor not in keys:
            raise ApiError("invalid-input", "the `after` cursor is not in this list")
        start = keys.index(cursor) + 1
    chunk = items[start : start + first]
    return _connection(ctx, chunk, after, snapshot, start + first < len(items), len(items))


def _stream_page(
    ctx: Context, page: Page[DomainExposure], after: str | None, view: Scope
) -> Connection[Exposure]:
    """A connection over one page computed by the service (a finding's exposure stream)."""
    chunk = [(e.key, Exposure.from_domain(e, view)) for e in page.items]
    return _connection(ctx, chunk, after, view.snapshot, page.has_next, page.total_count)


def _connection(
    ctx: Context,
    chunk: Sequence[tuple[str, N]],
    after: str | None,
    snapshot: int | None,
    has_next: bool,
    total: int | None,
) -> Connection[N]:
    """One page of (key, node) pairs, its cursors sealed for `snapshot`, and its total."""
    edges = [Edge(node=n, seal=partial(ctx.seal_cursor, k, snapshot)) for k, n in chunk]

    async def count() -> int | None:
        return total

    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=has_next,
            has_previous_page=after is not None,
            start_cursor=edges[0].seal() if edges else None,
            end_cursor=edges[-1].seal() if edges else after,
        ),
        partial=False,
        count=count,
    )


def _trust(edges: Sequence[DomainTrustEdge], scope: Scope) -> list[TrustEdge]:
    return [TrustEdge.from_domain(e, scope) for e in edges]


def _opt(scope: Scope, ref: str | None) -> str | None:
    return None if ref is None else scope.ref(ref)


@strawberry.type(description="One check of the findings catalogue.")
class AuditCheck:
    id: str
    title: str
    severity: Severity
    rules: list[str] = strawberry.field(description="Spec rule ids the check rests on.")
    description: str
    baseline: str | None = strawberry.field(description="e.g. `CISA SCuBA MS.AAD.8.1v1`.")


@strawberry.type(description="How much a finding exposes.")
class ExposureCounts:
    exposures: int
    principals: int
    resources: int
    objects: int
    paths: int


@strawberry.type(description="One thing a finding exposes: an access with its path, or an object.")
class Exposure:
    principal_ref: strawberry.Private[str | None]
    resource_ref: strawberry.Private[str | None]
    scope: strawberry.Private[Scope]
    object: str | None = strawberry.field(description="A tenant, domain, group or package.")
    via: Via | None
    decision: Decision | None
    trust: list[TrustEdge] = strawberry.field(description="The trust edges the access crosses.")
    path: AccessPath | None
    detail: str

    @field(description="Home identity of who gets in, with its `ref`.")
    async def principal(self, info: Info) -> Principal | None:
        ref = self.principal_ref
        return None if ref is None else await principal_node(info, self.scope, ref)

    @field(description=TENANT_OBJECT)
    async def tenant_object(self, info: Info) -> Principal | None:
        return await tenant_object_node(info, self.scope, self.principal_ref, self.resource_ref)

    @field(description="The app or channel reached, with its `ref`.")
    async def resource(self, info: Info) -> Resource | None:
        ref = self.resource_ref
        return None if ref is None else await resource_node(info, self.scope, ref)

    @classmethod
    def from_domain(cls, e: DomainExposure, scope: Scope) -> Exposure:
        return cls(
            principal_ref=e.principal,
            resource_ref=e.resource,
            scope=scope,
            object=_opt(scope, e.object),
            via=e.via,
            decision=e.decision,
            trust=_trust(e.trust, scope),
            path=None if e.path is None else AccessPath.from_domain(e.path, scope),
            detail=scope.text(e.detail),
        )


@strawberry.type(description="An accepted finding: who accepted it, why, from which snapshot.")
class Suppression:
    fingerprint: str
    reason: str
    owner: str
    created_at: str
    since_snapshot: int | None


@strawberry.type(description="A finding: a check failed by one tenant's setting or resource.")
class Finding:
    fingerprint: str = strawberry.field(description="Stable across snapshots.")
    check: str
    severity: Severity
    rules: list[str]
    tenant: str
    subject: str
    message: str
    policy: str | None
    status: FindingStatus | None = strawberry.field(description="Null inside a diff.")
    first_seen: int | None = strawberry.field(description="First snapshot it appeared in.")
    suppression: Suppression | None
    counts: ExposureCounts
    domain: strawberry.Private[DomainFinding]
    view: strawberry.Private[Scope]

    @classmethod
    def from_domain(
        cls, f: DomainFinding, scope: Scope, audited: DomainAudited | None = None
    ) -> Finding:
        s = audited.suppression if audited is not None else None
        return cls(
            fingerprint=f.fingerprint,
            check=f.check,
            severity=f.severity,
            rules=list(f.rules),
            tenant=f.tenant,
            subject=scope.text(f.subject),
            message=scope.text(f.message),
            policy=f.policy,
            status=audited.status if audited is not None else None,
            first_seen=audited.first_seen if audited is not None else None,
            suppression=None
            if s is None
            else Suppression(
                fingerprint=s.fingerprint,
                reason=s.reason,
                owner=s.owner,
                created_at=s.created_at.isoformat(),
                since_snapshot=s.since_snapshot,
            ),
            counts=ExposureCounts(**asdict(f.counts)),
            domain=f,
            view=scope,
        )

    @field(
        description="The concrete principals, resources and paths it exposes (paged; "
        "`totalCount` is exact). Past the exemplars a finding holds, a page is recomputed."
    )
    async def exposures(
        self, info: Info, first: int = 100, after: str | None = None
    ) -> Connection[Exposure]:
        ctx = info.context
        if self.domain.complete:
            items = [(e.key, Exposure.from_domain(e, self.view)) for e in self.domain.exposures]
            return _page(ctx, items, first, after, self.view.snapshot)
        size = ctx.page_size(first)
        cursor = ctx.open_cursor(after, self.view.snapshot)
        page = await ctx.call(exposure_page, self.domain, size, cursor)
        return _stream_page(ctx, page, after, self.view)


@strawberry.type(description="One changed fact between two Worlds.")
class EntityChange:
    kind: str
    ref: str
    tenant: str | None
    op: ChangeOp
    field: str | None
    before: str | None
    after: str | None
    partner: str | None

    @classmethod
    def from_domain(cls, c: DomainEntityChange, scope: Scope) -> EntityChange:
        return cls(
            kind=c.kind,
            ref=scope.text(c.ref),
            tenant=c.tenant,
            op=c.op,
            field=c.field,
            before=None if c.before is None else scope.text(c.before),
            after=None if c.after is None else scope.text(c.after),
            partner=c.partner,
        )

    @classmethod
    def hidden(cls, c: DomainEntityChange) -> EntityChange:
        """A change of a tenant outside a scoped token's view: its kind and tenant only."""
        return cls(
            kind=c.kind,
            ref=f"{c.tenant}/<change>",
            tenant=c.tenant,
            op=c.op,
            field=None,
            before=None,
            after=None,
            partner=None,
        )


@strawberry.type(description="A principal that gains, loses, or reaches differently a resource.")
class AccessChange:
    principal_ref: strawberry.Private[str]
    resource_ref: strawberry.Private[str]
    scope: strawberry.Private[Scope]
    change: AccessChangeKind
    before: Decision
    after: Decision
    before_mfa: Mfa
    after_mfa: Mfa
    via: Via | None = strawberry.field(description="Route of the side that reaches.")
    trust: list[TrustEdge] = strawberry.field(description="Trust edges that side crosses.")
    path: AccessPath | None
    reasons: list[Reason] = strawberry.field(description="Why the other side is denied.")
    explained_by: list[int] = strawberry.field(
        description="Indexes into `entities` of the changes that can explain this one."
    )

    @field(description="Who gains or loses (a home identity), with its `ref`.")
    async def principal(self, info: Info) -> Principal:
        return await principal_node(info, self.scope, self.principal_ref)

    @field(description=TENANT_OBJECT)
    async def tenant_object(self, info: Info) -> Principal | None:
        return await tenant_object_node(info, self.scope, self.principal_ref, self.resource_ref)

    @field(description="The app or channel, with its `ref`.")
    async def resource(self, info: Info) -> Resource:
        return await resource_node(info, self.scope, self.resource_ref)

    @classmethod
    def from_domain(cls, c: DomainAccessChange, scope: Scope) -> AccessChange:
        return cls(
            principal_ref=c.principal,
            resource_ref=c.resource,
            scope=scope,
            change=c.change,
            before=c.before,
            after=c.after,
            before_mfa=c.before_mfa,
            after_mfa=c.after_mfa,
            via=c.via,
            trust=_trust(c.trust, scope),
            path=None if c.path is None else AccessPath.from_domain(c.path, scope),
            reasons=[Reason.from_domain(r, scope) for r in c.reasons],
            explained_by=list(c.explained_by),
        )


@strawberry.type(description="What changes between two Worlds: entities, access and findings.")
class AccessDiff:
    title: str | None
    entities: list[EntityChange]
    access: list[AccessChange]
    findings_appeared: list[Finding]
    findings_disappeared: list[Finding]
    findings_changed: list[Finding] = strawberry.field(description="Same finding, new exposures.")
    warnings: list[Issue]

    @classmethod
    def from_domain(cls, d: DomainDiff, scope: Scope) -> AccessDiff:
        # explained_by indexes the full entity list, so keep it whole and blank what is hidden
        def findings(items: Sequence[DomainFinding]) -> list[Finding]:
            return [Finding.from_domain(f, scope) for f in items if scope.sees_tenant(f.tenant)]

        return cls(
            title=d.title,
            entities=[
                EntityChange.from_domain(e, scope)
                if e.tenant is None or scope.sees_tenant(e.tenant)
                else EntityChange.hidden(e)
                for e in d.entities
            ],
            access=[AccessChange.from_domain(c, scope) for c in d.access if scope.sees(c.resource)],
            findings_appeared=findings(d.findings.appeared),
            findings_disappeared=findings(d.findings.disappeared),
            findings_changed=findings(d.findings.changed),
            warnings=[Issue.from_domain(w) for w in d.warnings],
        )


@strawberry.type(description="Remove unused access: the change set and the proof it costs no one.")
class UnusedAccessProposal:
    changes: str = strawberry.field(description="The change set (YAML) for `whatIf`.")
    count: int = strawberry.field(description="How many changes it holds.")
    diff: AccessDiff
    removed: list[AccessChange] = strawberry.field(description="Access it removes: all unused.")
    used_access_lost: list[AccessChange] = strawberry.field(
        description="Access used within `days` (or of the resource tenant's own members) that "
        "it would remove: empty."
    )
    skipped: list[str] = strawberry.field(
        description="Candidate changes left out because they would cut used access."
    )

    @classmethod
    def from_domain(cls, p: DomainProposal, scope: Scope) -> UnusedAccessProposal:
        return cls(
            changes=scope.text(p.changes),  # other tenants' objects masked, as everywhere
            count=p.count,
            diff=AccessDiff.from_domain(p.diff, scope),
            removed=[
                AccessChange.from_domain(c, scope) for c in p.removed if scope.sees(c.resource)
            ],
            used_access_lost=[
                AccessChange.from_domain(c, scope) for c in p.used_lost if scope.sees(c.resource)
            ],
            skipped=[scope.text(s) for s in p.skipped],
        )


@strawberry.type
class AuditQueries:
    @field(description="The findings catalogue: each check's id, severity and rules.")
    def audit_checks(self) -> list[AuditCheck]:
        return [
            AuditCheck(
                id=c.id,
                title=c.title,
                severity=c.severity,
                rules=list(c.rules),
                description=c.description,
                baseline=c.baseline,
            )
            for c in catalogue()
        ]

    @field(description="Access-path audit findings at a snapshot, by severity (paged).")
    async def findings(
        self,
        info: Info,
        snapshot: SnapshotArg = None,
        zone: ZoneArg = None,
        severity: Severity | None = None,
        tenant: str | None = None,
        check: str | None = None,
        status: FindingStatus | None = None,
        first: int = 100,
        after: str | None = None,
        as_of: AsOfArg = None,
        days: Annotated[
            int,
            strawberry.argument(
                description="Look-back of the evidence-of-use checks (stale guests, unused "
                "partner trust, unused assignments)."
            ),
        ] = 90,
        pending_days: Annotated[
            int, strawberry.argument(description="Age over which a pending invitation counts.")
        ] = 90,
    ) -> Connection[Finding]:
        ctx = info.context
        scope = await ctx.page_scope(snapshot, after)
        audits = AuditService.shared(ctx.service)
        if days < 0 or pending_days < 0:
            raise ApiError("invalid-input", "`days` and `pendingDays` must be 0 or more")
        report = await ctx.call(
            audits.report,
            snapshot=scope.snapshot,
            zone=zone,
            tenants=None if tenant is None else [tenant],
            checks=None if check is None else [check],
            options=AuditOptions(pending_days=pending_days, unused_days=days, as_of=as_of),
            record=as_of is None,
        )
        chosen = [
            a
            for a in report.findings
            if scope.sees_tenant(a.finding.tenant)
            and (severity is None or a.finding.severity == severity)
            and (status is None or a.status == status)
        ]
        items = [(a.finding.fingerprint, Finding.from_domain(a.finding, scope, a)) for a in chosen]
        return _page(ctx, items, first, after, scope.snapshot)

    @field(
        description="One finding by fingerprint, with its exposures paged "
        "(`finding(id) { exposures(first, after) }`); only the check that found it runs."
    )
    async def finding(
        self,
        info: Info,
        id: str,
        snapshot: SnapshotArg = None,
        zone: ZoneArg = None,
        as_of: AsOfArg = None,
        days: int = 90,
        pending_days: int = 90,
    ) -> Finding:
        ctx = info.context
        scope = await ctx.scope(snapshot)
        if days < 0 or pending_days < 0:
            raise ApiError("invalid-input", "`days` and `pendingDays` must be 0 or more")
        audits = AuditService.shared(ctx.service)
        found = await ctx.call(
            audits.finding,
            id,
            snapshot=scope.snapshot,
            zone=zone,
            options=AuditOptions(pending_days=pending_days, unused_days=days, as_of=as_of),
        )
        scope.require_tenant(found.finding.tenant)
        return Finding.from_domain(found.finding, scope, found)

    @field(
        description="What a change set (YAML, world-file shapes) would change; writes nothing. "
        "A request may what-if at most 2,000 changes (a reader token 100, in at most 16,384 "
        "characters), fewer when the rest of the query is costly: `query-too-complex`."
    )
    async def what_if(
        self,
        info: Info,
        changes: str,
        snapshot: SnapshotArg = None,
        zone: ZoneArg = None,
        as_of: AsOfArg = None,
    ) -> AccessDiff:
        ctx = info.context
        scope = await ctx.scope(snapshot)
        audits = AuditService.shared(ctx.service)
        reader = not ctx.viewer.can_read_history
        chars = ctx.limits.max_reader_change_chars
        if reader and len(changes) > chars:
            raise ApiError(
                "query-too-complex",
                f"a reader token's change set may hold {chars} characters, this one has "
                f"{len(changes)}",
                limit=chars,
            )
        fragments = {} if ctx.document is None else fragments_of(ctx.document)
        document_cost = cost_of(info.operation.selection_set, fragments, ctx.limits.max_page)
        async with ctx.whatif_lock:  # one at a time: each sees what the others used
            budget = whatif_budget(
                ctx.limits, reader=reader, document_cost=document_cost, used=ctx.whatif_changes
            )
            with input_errors():
                diff = await ctx.call(
                    audits.what_if,
                    changes,
                    snapshot=scope.snapshot,
                    zone=zone,
                    options=AuditOptions(as_of=as_of),
                    max_changes=budget,
                )
            ctx.whatif_changes += diff.changes
        return AccessDiff.from_domain(diff, scope)

    @field(
        description="A change set removing the access unused for `days` (stale guests, unused "
        "partner trust, unused assignments), its what-if diff and the used access it loses "
        "(always empty: the proof); writes nothing."
    )
    async def remove_unused_access(
        self,
        info: Info,
        days: int = 90,
        as_of: AsOfArg = None,
        tenant: str | None = None,
        snapshot: SnapshotArg = None,
        zone: ZoneArg = None,
    ) -> UnusedAccessProposal:
        ctx = info.context
        scope = await ctx.scope(snapshot)
        if days < 0:
            raise ApiError("invalid-input", f"`days` must be 0 or more, not {days}")
        if tenant is not None:
            scope.require_tenant(tenant)
        tenants = [tenant] if tenant is not None else scope.tenants
        audits = AuditService.shared(ctx.service)
        proposal = await ctx.call(
            audits.remove_unused,
            snapshot=scope.snapshot,
            zone=zone,
            options=AuditOptions(unused_days=days, as_of=as_of),
            tenants=None if tenants is None else sorted(tenants),
        )
        return UnusedAccessProposal.from_domain(proposal, scope)

    @field(description="Who newly reaches or lost which resource between two snapshots, and why.")
    async def access_diff(
        self,
        info: Info,
        from_: Annotated[int, strawberry.argument(name="from")],
        to: int,
        zone: ZoneArg = None,
    ) -> AccessDiff:
        ctx = info.context
        await ctx.scope(from_)
        scope = await ctx.scope(to)
        audits = AuditService.shared(ctx.service)
        diff = await ctx.call(audits.access_diff, from_, to, zone=zone)
        return AccessDiff.from_domain(diff, scope)
