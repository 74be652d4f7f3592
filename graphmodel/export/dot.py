"""Graphviz DOT export (`dot -Tsvg trust.dot > trust.svg`).

Every id and label is written as a double-quoted DOT string with `\\` and `"` escaped and line
breaks folded, so refs like `contoso/team/channel` or names with quotes stay one token. Edges
keep their kind and rule as attributes (`kind`, `rule`, `policy`), which Graphviz ignores when
drawing but tools reading DOT (networkx, Gephi) keep.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

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

__all__ = ["quote", "render", "render_paths", "render_trust", "render_who"]

_SHAPES = {"Tenant": "box3d", "User": "ellipse", "Group": "folder", "App": "component"}


def quote(value: Scalar) -> str:
    r"""A DOT double-quoted string for any scalar (one line, `\` and `"` escaped).

    Examples
    --------
    >>> print(quote('say "hi" \\ now'))
    "say \"hi\" \\ now"
    >>> print(quote(True))
    "true"
    """
    text = str(value).lower() if isinstance(value, bool) else str(value)
    text = " ".join(text.replace("\\", "\\\\").replace('"', '\\"').split())
    return f'"{text}"'


def _attrs(values: Mapping[str, Scalar]) -> str:
    return ", ".join(f"{key}={quote(v)}" for key, v in values.items())


def render(graph: ExportGraph) -> str:
    """DOT text of any export graph: one `digraph`, left to right, colours per edge kind."""
    lines = [f"digraph {quote('tenantgraph ' + graph.name)} {{"]
    lines.append("  graph [rankdir=LR, fontname=Helvetica];")
    lines.append('  node [fontname=Helvetica, style=filled, fillcolor="#f8fafc"];')
    lines.append("  edge [fontname=Helvetica, fontsize=10];")
    for key, value in graph.attrs.items():
        lines.append(f"  // {key}: {' '.join(str(value).split())}")
    for n in graph.nodes:
        attrs: dict[str, Scalar] = {
            "label": n.label,
            "shape": _SHAPES.get(n.kind, "box"),
            "kind": n.kind,
            **n.attrs,
        }
        lines.append(f"  {quote(n.id)} [{_attrs(attrs)}];")
    for e in graph.edges:
        rule = e.attrs.get("rule")
        edge_attrs: dict[str, Scalar] = {
            "label": f"{e.label} ({rule})" if rule else e.label,
            "color": e.colour,
            "fontcolor": e.colour,
            "style": "dashed" if e.attrs.get("scope") == "partial" else "solid",
            "kind": e.kind,
            **{k: v for k, v in e.attrs.items() if k != "scope"},
        }
        lines.append(f"  {quote(e.source)} -> {quote(e.target)} [{_attrs(edge_attrs)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_trust(edges: Sequence[TrustEdge], tenants: Sequence[Tenant] = ()) -> str:
    """The tenant trust graph as a DOT digraph."""
    return render(trust_graph(edges, tenants))


def render_paths(verdict: Verdict) -> str:
    """One verdict's paths as a DOT digraph (decision, MFA, reasons as comments)."""
    return render(paths_graph(verdict))


def render_who(resource: str, results: Sequence[WhoResult]) -> str:
    """Who can access `resource` as a DOT digraph."""
    return render(who_graph(resource, results))
