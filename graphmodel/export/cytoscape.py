"""Cytoscape JSON export: `{"elements": {"nodes": [...], "edges": [...]}}`.

The shape is the one Cytoscape.js takes in `cytoscape({elements})` / `cy.json()` and the one
Cytoscape desktop imports as `.cyjs` (File > Import > Network from File): each element is
`{"data": {...}}`, nodes need `data.id`, edges `data.id`, `data.source` and `data.target`, all
strings. Network-level facts (decision, resource, ...) go in the top-level `data` object, which
Cytoscape desktop shows as network table columns. Attribute names match the other exports.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

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

__all__ = ["render", "render_paths", "render_trust", "render_who", "to_elements"]

FORMAT_VERSION = "1.0"


def to_elements(graph: ExportGraph) -> dict[str, object]:
    """The export graph as a Cytoscape JSON document (a dict, ready for `json.dumps`).

    Examples
    --------
    >>> from graphmodel.export._model import ExportGraph, ExportNode
    >>> node = ExportNode(id="a", label="a", kind="Tenant")
    >>> doc = to_elements(ExportGraph(name="t", nodes=(node,), edges=()))
    >>> doc["elements"]
    {'nodes': [{'data': {'id': 'a', 'label': 'a', 'kind': 'Tenant'}}], 'edges': []}
    """
    nodes: list[dict[str, object]] = []
    for n in graph.nodes:
        node_data: dict[str, Scalar] = {"id": n.id, "label": n.label, "kind": n.kind, **n.attrs}
        nodes.append({"data": node_data})
    edges: list[dict[str, object]] = []
    for e in graph.edges:
        edge_data: dict[str, Scalar] = {
            "id": e.id,
            "source": e.source,
            "target": e.target,
            "label": e.label,
            "kind": e.kind,
            "color": e.colour,
            **e.attrs,
        }
        edges.append({"data": edge_data})
    return {
        "format_version": FORMAT_VERSION,
        "generated_by": "tenantgraph",
        "data": {"name": graph.name, **graph.attrs},
        "elements": {"nodes": nodes, "edges": edges},
    }


def render(graph: ExportGraph) -> str:
    """Cytoscape JSON text of any export graph (indented, keys in a stable order)."""
    return json.dumps(to_elements(graph), indent=2, ensure_ascii=False) + "\n"


def render_trust(edges: Sequence[TrustEdge], tenants: Sequence[Tenant] = ()) -> str:
    """The tenant trust graph as Cytoscape elements."""
    return render(trust_graph(edges, tenants))


def render_paths(verdict: Verdict) -> str:
    """One verdict's paths as Cytoscape elements; the verdict's summary is the network `data`."""
    return render(paths_graph(verdict))


def render_who(resource: str, results: Sequence[WhoResult]) -> str:
    """Who can access `resource` as Cytoscape elements."""
    return render(who_graph(resource, results))
