"""Snapshots, located issues and the trust graph (tenants as nodes, derived trust as edges).

The trust graph is shaped for a visualization library: `nodes` carry what a legend needs
(cloud, type, domains) and `edges` carry kind, ends, rule, policy and scope, ids included so a
client can diff two answers. For a scoped token, tenants outside the scope appear only as the
far end of an edge touching the scope, with name and cloud but no domains (`redacted: true`).
"""

from __future__ import annotations

from datetime import datetime

import strawberry

from api.scope import Scope
from api.types.enums import Cloud, TenantType, TrustEdgeKind, TrustScope
from graphmodel.errors import Issue as DomainIssue
from graphmodel.schema.trust import TrustEdge as DomainTrustEdge
from graphmodel.service.answers import SnapshotInfo

__all__ = ["Issue", "Snapshot", "TrustEdge", "TrustGraph", "TrustNode"]


@strawberry.type(description="Object counts of a snapshot.")
class SnapshotCounts:
    tenants: int
    users: int
    groups: int
    apps: int
    teams: int
    channels: int
    policies: int


@strawberry.type(description="One stored snapshot; ids grow with every write.")
class Snapshot:
    id: int
    created_at: datetime
    source: str
    title: str | None
    counts: SnapshotCounts

    @classmethod
    def from_domain(cls, s: SnapshotInfo, scope: Scope) -> Snapshot:
        """The snapshot as `scope`'s viewer may see it: its source (file names, or the
        mutation and the refs it changed) names other tenants' objects only masked."""
        c = s.counts
        return cls(
            id=s.id,
            created_at=s.created_at,
            source=scope.text(s.source),
            title=s.title,
            counts=SnapshotCounts(
                tenants=c.get("tenants", 0),
                users=c.get("users", 0),
                groups=c.get("groups", 0),
                apps=c.get("apps", 0),
                teams=c.get("teams", 0),
                channels=c.get("channels", 0),
                policies=c.get("policies", 0),
            ),
        )


@strawberry.type(description="A located problem (or warning) in an input.")
class Issue:
    code: str
    path: str
    loc: list[str]
    message: str
    file: str | None
    line: int | None

    @classmethod
    def from_domain(cls, i: DomainIssue) -> Issue:
        return cls(
            code=i.code,
            path=i.path,
            loc=[str(p) for p in i.loc],
            message=i.msg,
            file=i.file,
            line=i.line,
        )


@strawberry.type(description="A tenant as a node of the trust graph.")
class TrustNode:
    id: str
    name: str
    tenant_id: str | None
    cloud: Cloud | None
    type: TenantType | None
    domains: list[str]
    redacted: bool


@strawberry.type(description="A derived tenant -> tenant trust edge.")
class TrustEdge:
    id: str
    kind: TrustEdgeKind
    source: str
    target: str
    rule: str
    policy: str | None
    scope: TrustScope
    source_url: str

    @classmethod
    def from_domain(cls, e: DomainTrustEdge, scope: Scope) -> TrustEdge:
        """The edge as a viewer sees it: the policy only when the viewer sees its owner."""
        return cls(
            id=":".join(e.key),
            kind=TrustEdgeKind(e.kind.value),
            source=e.source,
            target=e.target,
            rule=e.rule,
            policy=e.policy if scope.sees_tenant(e.source) else None,
            scope=TrustScope(e.scope),
            source_url=e.source_url,
        )


@strawberry.type(description="Tenants and the derived trust between them, ready to draw.")
class TrustGraph:
    nodes: list[TrustNode]
    edges: list[TrustEdge]

    @classmethod
    def from_domain(
        cls, edges: list[DomainTrustEdge], scope: Scope, tenants: list[str] | None = None
    ) -> TrustGraph:
        """Nodes: the tenants asked for (default: every visible one) and every edge's ends."""
        shown = [e for e in edges if scope.sees_tenant(e.source) or scope.sees_tenant(e.target)]
        wanted = (
            {t.name for t in scope.world.tenants}
            if tenants is None
            else {t for t in tenants if t in scope.world.tenant_by_name}
        )
        names = sorted(
            {t for t in wanted if scope.sees_tenant(t)}
            | {e.source for e in shown}
            | {e.target for e in shown}
        )
        nodes = []
        for name in names:
            t = scope.world.tenant_by_name.get(name)
            hidden = not scope.sees_tenant(name)
            nodes.append(
                TrustNode(
                    id=name,
                    name=name,
                    tenant_id=t.id if t else None,
                    cloud=t.cloud if t else None,
                    type=t.type if t else None,
                    domains=[] if hidden or t is None else list(t.domains),
                    redacted=hidden,
                )
            )
        return cls(
            nodes=nodes,
            edges=[TrustEdge.from_domain(e, scope) for e in shown],
        )
