"""GraphML export (Gephi, yEd, networkx, Cytoscape desktop can all open it).

Written by `networkx.generate_graphml` from a `MultiDiGraph`, so the file declares one typed
`<key>` per attribute and keeps parallel edges of different kinds between the same two tenants
(e.g. `B2B_COLLAB_IN` and `TRUSTS_MFA` from contoso to fabrikam) apart, each with its own id.
Every node and edge carries `label` (Gephi shows it) plus `kind` and `color` (hex), so a
partition or colour mapping in Gephi/yEd needs no extra work.
"""

from __future__ import annotations

from collections.abc import Sequence

import networkx as nx

from graphmodel.export._model import (
    ExportGraph,
    Scalar,
    WhoResult,
    trust_graph,
)
from graphmodel.export._paths import paths_graph, who_graph
from graphmodel.schema.entities import Tenant
from graphmodel.schema.trust import TrustEdge
from graphmodel.schema.verdict import Verdict

__all__ = ["render", "render_paths", "render_trust", "render_who", "to_networkx"]


def to_networkx(graph: ExportGraph) -> nx.MultiDiGraph[str]:
    """The export graph as a networkx `MultiDiGraph` keyed by edge id (graph attrs included)."""
    g: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    g.graph.update({"name": graph.name, **graph.attrs})
    for n in graph.nodes:
        node_attrs: dict[str, Scalar] = {"label": n.label, "kind": n.kind, **n.attrs}
        g.add_node(n.id, **node_attrs)
    for e in graph.edges:
        edge_attrs: dict[str, Scalar] = {
            "id": e.id,
            "label": e.label,
            "kind": e.kind,
            "color": e.colour,
            **e.attrs,
        }
        g.add_edge(e.source, e.target, key=e.id, **edge_attrs)
    return g


def render(graph: ExportGraph) -> str:
    """GraphML text of any export graph (UTF-8, pretty-printed)."""
    g = to_networkx(graph)
    # NOTE: edge_id_from_attribute writes each edge's `id` attribute as the XML edge id, which
    # Gephi keeps. Key ids stay d0, d1...: named ids would clash where nodes and edges share an
    # attribute name (`label`, `kind`), and GraphML key ids must be unique.
    lines = nx.generate_graphml(g, prettyprint=True, edge_id_from_attribute="id")
    return "\n".join(lines) + "\n"


def render_trust(edges: Sequence[TrustEdge], tenants: Sequence[Tenant] = ()) -> str:
    """The tenant trust graph: tenants as nodes, derived trust edges as typed edges."""
    return render(trust_graph(edges, tenants))


def render_paths(verdict: Verdict) -> str:
    """One verdict's paths; decision, MFA and reasons are graph attributes."""
    return render(paths_graph(verdict))


def render_who(resource: str, results: Sequence[WhoResult]) -> str:
    """Who can access `resource`: principals (decision, MFA as attributes) and their paths."""
    return render(who_graph(resource, results))
