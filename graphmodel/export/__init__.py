"""Exports of the three graph answers — trust graph, a verdict's paths, who can access — in
GraphML, Cytoscape JSON, Mermaid, DOT and CSV.

Why a registry: the CLI (and any API route) picks a format by name and calls the same three
functions on it, so adding a format is one module plus one line in `FORMATS`. Exports read only
schema values (TrustEdge, Tenant, Verdict): they never query a store, so the caller decides the
snapshot and the filters.

Examples
--------
>>> from graphmodel.schema import EdgeKind, TrustEdge
>>> e = TrustEdge(kind=EdgeKind.SYNCS_USERS_TO, source="litware", target="contoso",
...               rule="S1", policy="contoso/xtap/litware")
>>> print(FORMATS["mermaid"].trust([e], []).splitlines()[0])
flowchart LR
>>> sorted(FORMATS)
['csv', 'cytoscape', 'dot', 'graphml', 'mermaid']
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from graphmodel.export import csv_table, cytoscape, dot, graphml, mermaid
from graphmodel.export._model import (
    EDGE_STYLE,
    ExportEdge,
    ExportGraph,
    ExportNode,
    WhoResult,
    edge_style,
    trust_graph,
)
from graphmodel.export._paths import paths_graph, who_graph
from graphmodel.schema.entities import Tenant
from graphmodel.schema.trust import TrustEdge
from graphmodel.schema.verdict import Verdict

__all__ = [
    "EDGE_STYLE",
    "FORMATS",
    "ExportEdge",
    "ExportFormat",
    "ExportGraph",
    "ExportNode",
    "WhoResult",
    "csv_table",
    "cytoscape",
    "dot",
    "edge_style",
    "graphml",
    "mermaid",
    "paths_graph",
    "trust_graph",
    "who_graph",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class ExportFormat:
    """One export format: its file suffix, media type and the three renderers."""

    name: str
    suffix: str
    media_type: str
    trust: Callable[[Sequence[TrustEdge], Sequence[Tenant]], str]
    paths: Callable[[Verdict], str]
    who: Callable[[str, Sequence[WhoResult]], str]


FORMATS: Mapping[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat(
            name="graphml",
            suffix=".graphml",
            media_type="application/graphml+xml",
            trust=graphml.render_trust,
            paths=graphml.render_paths,
            who=graphml.render_who,
        ),
        ExportFormat(
            name="cytoscape",
            suffix=".cyjs",
            media_type="application/json",
            trust=cytoscape.render_trust,
            paths=cytoscape.render_paths,
            who=cytoscape.render_who,
        ),
        ExportFormat(
            name="mermaid",
            suffix=".mmd",
            media_type="text/vnd.mermaid",
            trust=mermaid.render_trust,
            paths=mermaid.render_paths,
            who=mermaid.render_who,
        ),
        ExportFormat(
            name="dot",
            suffix=".dot",
            media_type="text/vnd.graphviz",
            trust=dot.render_trust,
            paths=dot.render_paths,
            who=dot.render_who,
        ),
        ExportFormat(
            name="csv",
            suffix=".csv",
            media_type="text/csv",
            trust=csv_table.render_trust,
            paths=csv_table.render_paths,
            who=csv_table.render_who,
        ),
    )
}
