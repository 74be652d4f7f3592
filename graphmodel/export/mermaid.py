"""Mermaid `flowchart LR` export, for pasting an answer into Markdown (GitHub renders it).

Mermaid ids must be plain words, and refs such as `contoso/alice` or `a.b-c` are not, so every
node gets a generated id (`n0`, `n1`, ... in node order) and the ref goes into a quoted label.
Label text is escaped with Mermaid's entity codes (`#quot;`, `#lt;`, `#gt;`, `#35;`) so a name
can never end the label or inject syntax. Edge colours come from `linkStyle <index>` lines;
trust edges whose scope is `partial` are dotted (`-.->`).
"""

from __future__ import annotations

from collections.abc import Sequence

from graphmodel.export._model import (
    ExportGraph,
    WhoResult,
    trust_graph,
)
from graphmodel.export._paths import paths_graph, who_graph
from graphmodel.schema.entities import Tenant
from graphmodel.schema.trust import TrustEdge
from graphmodel.schema.verdict import Verdict

__all__ = ["escape_label", "render", "render_paths", "render_trust", "render_who"]

_ENTITIES = {"#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "|": "#124;"}
_SHAPES = {"Tenant": ('(["', '"])'), "User": ('("', '")'), "App": ('[["', '"]]')}


def escape_label(text: str) -> str:
    """Text made safe inside a quoted Mermaid label (one line, no quote or bracket escapes).

    Examples
    --------
    >>> escape_label('a "b" <c> #1|x')
    'a #quot;b#quot; #lt;c#gt; #35;1#124;x'
    """
    # `#` first: the entity codes themselves start with it.
    out = "".join(_ENTITIES.get(ch, ch) for ch in text)
    return " ".join(out.split())


def render(graph: ExportGraph) -> str:
    """Mermaid flowchart text of any export graph, with a comment line naming the answer."""
    ids = {n.id: f"n{i}" for i, n in enumerate(graph.nodes)}
    lines = ["flowchart LR"]
    summary = ", ".join(
        f"{k}={str(v).lower() if isinstance(v, bool) else v}"
        for k, v in graph.attrs.items()
        if k != "reasons"
    )
    lines.append(f"  %% tenantgraph {graph.name}: {escape_label(summary)}")
    for n in graph.nodes:
        start, end = _SHAPES.get(n.kind, ('["', '"]'))
        text = escape_label(n.label)
        if n.kind != "Tenant":
            text += f"<br/>{escape_label(n.kind)}"
        elif "cloud" in n.attrs:
            text += f"<br/>{escape_label(str(n.attrs['cloud']))}"
        lines.append(f"  {ids[n.id]}{start}{text}{end}")
    styles: list[str] = []
    for index, e in enumerate(graph.edges):
        arrow = "-.->" if e.attrs.get("scope") == "partial" else "-->"
        rule = e.attrs.get("rule")
        text = escape_label(f"{e.label} ({rule})" if rule else e.label)
        lines.append(f'  {ids[e.source]} {arrow}|"{text}"| {ids[e.target]}')
        styles.append(f"  linkStyle {index} stroke:{e.colour},stroke-width:2px,color:{e.colour}")
    return "\n".join([*lines, *styles]) + "\n"


def render_trust(edges: Sequence[TrustEdge], tenants: Sequence[Tenant] = ()) -> str:
    """The tenant trust graph as a Mermaid flowchart."""
    return render(trust_graph(edges, tenants))


def render_paths(verdict: Verdict) -> str:
    """One verdict's paths as a Mermaid flowchart (decision and MFA in the comment line)."""
    return render(paths_graph(verdict))


def render_who(resource: str, results: Sequence[WhoResult]) -> str:
    """Who can access `resource` as a Mermaid flowchart."""
    return render(who_graph(resource, results))
