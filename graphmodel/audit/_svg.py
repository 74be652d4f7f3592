"""An access path drawn as inline SVG: one box per node, one labelled arrow per hop.

Why hand-written SVG: the HTML report must be one self-contained file an auditor attaches to a
ticket (no scripts, fonts or images to fetch), and a path is a simple left-to-right chain, so a
few rectangles and lines are enough — no layout library.
"""

from __future__ import annotations

from html import escape

from graphmodel.schema.kinds import EdgeKind
from graphmodel.schema.verdict import AccessPath

__all__ = ["path_svg"]

_CHAR = 7.0  # px per character at the 12px monospace-ish label size
_GAP = 150  # px between boxes (room for the hop label)
_HEIGHT = 34
_TOP = 30
_KIND_COLOURS = {
    EdgeKind.GUEST_OF: "#8e44ad",
    EdgeKind.SYNCED_FROM: "#8e44ad",
    EdgeKind.MEMBER_OF: "#2c7be5",
    EdgeKind.ASSIGNED_TO: "#00a36c",
    EdgeKind.SIGNS_IN_TO: "#e67e22",
    EdgeKind.CHANNEL_MEMBER: "#16a085",
    EdgeKind.SHARED_WITH_TEAM: "#16a085",
    EdgeKind.TEAM_MEMBER: "#16a085",
}


def path_svg(path: AccessPath, key: str) -> str:
    """`<svg>` drawing `path`; `key` makes the arrow-marker id unique within the page.

    Examples
    --------
    >>> from graphmodel.schema.enums import Via
    >>> from graphmodel.schema.verdict import Hop
    >>> p = AccessPath(via=Via.MEMBER, hops=(
    ...     Hop(source="c/alice", target="c/wiki", edge=EdgeKind.SIGNS_IN_TO, rule="L37"),))
    >>> svg = path_svg(p, "x")
    >>> svg.startswith("<svg") and svg.count('class="node"') == 2
    True
    """
    nodes = path.nodes
    widths = [max(90.0, len(n) * _CHAR + 20) for n in nodes]
    xs: list[float] = []
    x = 10.0
    for w in widths:
        xs.append(x)
        x += w + _GAP
    total = x - _GAP + 10
    marker = f"arrow-{escape(key)}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="path" width="{total:.0f}" '
        f'height="{_TOP + _HEIGHT + 12}" viewBox="0 0 {total:.0f} {_TOP + _HEIGHT + 12}" '
        f'role="img" aria-label="{escape("access path " + " -> ".join(nodes))}">',
        f'<defs><marker id="{marker}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" '
        'fill="#555"/></marker></defs>',
    ]
    for i, hop in enumerate(path.hops):
        x1 = xs[i] + widths[i]
        x2 = xs[i + 1]
        y = _TOP + _HEIGHT / 2
        colour = _KIND_COLOURS.get(hop.edge, "#555")
        label = escape(f"{hop.edge.value} · {hop.rule}")
        parts.append(
            f'<g class="hop" data-edge="{escape(hop.edge.value)}">'
            f'<line x1="{x1:.0f}" y1="{y:.0f}" x2="{x2 - 2:.0f}" y2="{y:.0f}" stroke="{colour}" '
            f'stroke-width="2" marker-end="url(#{marker})"/>'
            f'<text x="{(x1 + x2) / 2:.0f}" y="{y - 8:.0f}" text-anchor="middle" '
            f'font-size="10" fill="{colour}">{label}</text></g>'
        )
    for node, nx, w in zip(nodes, xs, widths, strict=True):
        parts.append(
            f'<g class="node"><rect x="{nx:.0f}" y="{_TOP}" width="{w:.0f}" height="{_HEIGHT}" '
            'rx="6" fill="#f4f6fb" stroke="#34495e"/>'
            f'<text x="{nx + w / 2:.0f}" y="{_TOP + _HEIGHT / 2 + 4:.0f}" text-anchor="middle" '
            f'font-size="12" fill="#1b2631">{escape(node)}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)
