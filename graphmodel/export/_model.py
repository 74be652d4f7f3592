"""One neutral graph shape that every graph format renders, and the trust-graph builder.

Why a middle layer: GraphML, Cytoscape JSON, Mermaid and DOT must show the same nodes, edges
and attributes for the same answer, so the *content* (which nodes, which attributes, which
colour a kind gets) is decided here once and the format modules only *spell* it. Three builders
cover the three exports: the tenant trust graph (here), one verdict's paths and who-can-access
results (`_paths.py`).

Node ids are the tenantgraph refs themselves (`contoso`, `contoso/alice`,
`contoso/team/channel`); formats that need safer ids (Mermaid) map them. Attribute values are
scalars only (str, int, float, bool) and absent values are left out, because GraphML and
Cytoscape desktop columns cannot hold `None` or nested data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from graphmodel.engine.outsiders import OUTSIDER_KINDS
from graphmodel.schema.entities import Tenant
from graphmodel.schema.enums import PrincipalKind
from graphmodel.schema.kinds import EdgeKind, NodeKind
from graphmodel.schema.trust import TrustEdge
from graphmodel.schema.verdict import Verdict

__all__ = [
    "EDGE_STYLE",
    "ExportEdge",
    "ExportGraph",
    "ExportNode",
    "Scalar",
    "WhoResult",
    "clean_attrs",
    "edge_style",
    "mfa_text",
    "trust_graph",
]

Scalar = str | int | float | bool


class WhoResult(NamedTuple):
    """One who-can-access answer: the principal (home identity ref), its verdict, and — when
    the caller says — what the principal is to the resource's tenant and the user object it
    signs in there with (its guest or synced object; the principal itself for a member)."""

    principal: str
    verdict: Verdict
    kind: PrincipalKind | None = None
    object_ref: str | None = None

    def kind_attrs(self) -> dict[str, Scalar]:
        """`principal_kind`, `outsider` (the engine's one definition) and `object` as export
        attributes; absent when not given."""
        out: dict[str, Scalar] = {}
        if self.kind is not None:
            out["principal_kind"] = self.kind.value
            out["outsider"] = self.kind in OUTSIDER_KINDS
        if self.object_ref is not None:
            out["object"] = self.object_ref
        return out


# Human label and colour per edge kind, from the Okabe-Ito and Paul Tol colour-blind-safe
# palettes (kinds of one family differ in hue *and* lightness). The viewer page
# (api/static/kinds.js) uses the same colours (tests/api/test_viewer_routes.py compares them),
# so an export reads like the page.
EDGE_STYLE: Mapping[EdgeKind, tuple[str, str]] = {
    EdgeKind.B2B_COLLAB_OUT: ("B2B collaboration out", "#0072b2"),
    EdgeKind.B2B_COLLAB_IN: ("B2B collaboration in", "#56b4e9"),
    EdgeKind.DIRECT_CONNECT_OUT: ("direct connect out", "#cc79a7"),
    EdgeKind.DIRECT_CONNECT_IN: ("direct connect in", "#882255"),
    EdgeKind.DIRECT_CONNECT_MUTUAL: ("direct connect mutual", "#332288"),
    EdgeKind.TRUSTS_MFA: ("trusts MFA", "#009e73"),
    EdgeKind.TRUSTS_COMPLIANT_DEVICE: ("trusts compliant device", "#999933"),
    EdgeKind.TRUSTS_HYBRID_JOINED: ("trusts hybrid joined", "#44aa99"),
    EdgeKind.SYNCS_USERS_TO: ("syncs users to", "#e69f00"),
    EdgeKind.CROSS_CLOUD_ENABLED: ("cross-cloud enabled", "#d55e00"),
}
_PATH_COLOUR = "#ea580c"  # path hops: the viewer's PATH_COLOUR


def edge_style(kind: EdgeKind) -> tuple[str, str]:
    """(label, colour) of an edge kind; path hops (observed kinds) share one dark grey.

    Examples
    --------
    >>> edge_style(EdgeKind.TRUSTS_MFA)
    ('trusts MFA', '#009e73')
    >>> edge_style(EdgeKind.MEMBER_OF)
    ('member of', '#ea580c')
    """
    return EDGE_STYLE.get(kind, (kind.value.lower().replace("_", " "), _PATH_COLOUR))


@dataclass(frozen=True, slots=True, kw_only=True)
class ExportNode:
    id: str
    label: str
    kind: str
    attrs: Mapping[str, Scalar] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class ExportEdge:
    id: str
    source: str
    target: str
    kind: str
    label: str
    colour: str
    attrs: Mapping[str, Scalar] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class ExportGraph:
    """`name` is the kind of answer (`trust`, `paths`, `who`); `attrs` describe it as a whole."""

    name: str
    nodes: tuple[ExportNode, ...]
    edges: tuple[ExportEdge, ...]
    attrs: Mapping[str, Scalar] = field(default_factory=dict)


def clean_attrs(values: Mapping[str, Scalar | None]) -> dict[str, Scalar]:
    return {k: v for k, v in values.items() if v is not None and v != ""}


def _tenant_node(name: str, tenant: Tenant | None) -> ExportNode:
    attrs: dict[str, Scalar | None] = {"tenant": name}
    if tenant is not None:
        attrs |= {
            "tenant_id": tenant.id,
            "cloud": tenant.cloud.value,
            "tenant_type": tenant.type.value,
            "domain": tenant.primary_domain if tenant.domains else None,
        }
    return ExportNode(id=name, label=name, kind=NodeKind.TENANT.value, attrs=clean_attrs(attrs))


def trust_graph(edges: Sequence[TrustEdge], tenants: Sequence[Tenant] = ()) -> ExportGraph:
    """Tenants as nodes (every given tenant, plus any an edge names), trust edges as edges.

    Equal edges (same kind, source and target) collapse into one, so an export never shows a
    parallel duplicate that the derivation itself would not produce.

    Examples
    --------
    >>> e = TrustEdge(kind=EdgeKind.TRUSTS_MFA, source="a", target="b", rule="R7", policy="a/x")
    >>> g = trust_graph([e, e])
    >>> [n.id for n in g.nodes], [x.id for x in g.edges]
    (['a', 'b'], ['TRUSTS_MFA:a->b'])
    """
    by_name = {t.name: t for t in tenants}
    names = list(by_name)
    unique = {e.key: e for e in edges}
    for e in unique.values():
        names.extend(n for n in (e.source, e.target) if n not in by_name)
    nodes = tuple(_tenant_node(n, by_name.get(n)) for n in dict.fromkeys(names))
    out: list[ExportEdge] = []
    for e in sorted(unique.values(), key=lambda x: x.key):
        label, colour = edge_style(e.kind)
        attrs = {"rule": e.rule, "policy": e.policy, "scope": e.scope, "source_url": e.source_url}
        out.append(
            ExportEdge(
                id=f"{e.kind.value}:{e.source}->{e.target}",
                source=e.source,
                target=e.target,
                kind=e.kind.value,
                label=label,
                colour=colour,
                attrs=clean_attrs(attrs),
            )
        )
    tenant_count = len(nodes)
    return ExportGraph(name="trust", nodes=nodes, edges=tuple(out), attrs={"tenants": tenant_count})


def mfa_text(verdict: Verdict) -> str:
    """The MFA place as exported: empty on a denial, which makes no MFA claim."""
    claim = verdict.mfa_claim
    return "" if claim is None else claim.value
