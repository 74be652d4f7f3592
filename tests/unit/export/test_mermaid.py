"""Mermaid exports: syntax sanity line by line (header, node and edge statements, link styles),
safe ids, and labels that decode back to the refs. Each regex below is the whole grammar we
emit; a new statement form needs a new pattern here."""

from __future__ import annotations

import re

from graphmodel.export import mermaid
from tests.unit.export import samples

LABEL = r'"[^"\n]*"'
NODE = re.compile(rf"^  (?P<id>n\d+)(?:\(\[{LABEL}\]\)|\({LABEL}\)|\[\[{LABEL}\]\]|\[{LABEL}\])$")
EDGE = re.compile(rf"^  (?P<src>n\d+) (?:-->|-\.->)\|{LABEL}\| (?P<dst>n\d+)$")
STYLE = re.compile(
    r"^  linkStyle (?P<i>\d+) stroke:#[0-9a-f]{6},stroke-width:2px,color:#[0-9a-f]{6}$"
)
COMMENT = re.compile(r"^  %% [^\n]*$")
_CODES = {"#quot;": '"', "#lt;": "<", "#gt;": ">", "#124;": "|", "#35;": "#"}


def _decode(label: str) -> str:
    return re.sub(r"#(?:quot|lt|gt|124|35);", lambda m: _CODES[m.group(0)], label)


def parse(text: str) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """Check every line; return {id: decoded first label line} and (src, dst, label) edges."""
    lines = text.rstrip("\n").split("\n")
    assert lines[0] == "flowchart LR"
    nodes: dict[str, str] = {}
    edges: list[tuple[str, str, str]] = []
    styles: list[int] = []
    for line in lines[1:]:
        if m := NODE.match(line):
            assert m["id"] not in nodes, f"node defined twice: {line}"
            label = re.search(LABEL, line)
            assert label
            nodes[m["id"]] = _decode(label.group(0)[1:-1].split("<br/>")[0])
        elif m := EDGE.match(line):
            assert m["src"] in nodes and m["dst"] in nodes, f"edge before its nodes: {line}"
            label = re.search(LABEL, line)
            assert label
            edges.append((nodes[m["src"]], nodes[m["dst"]], _decode(label.group(0)[1:-1])))
        elif m := STYLE.match(line):
            styles.append(int(m["i"]))
        else:
            assert COMMENT.match(line), f"not a statement we emit: {line!r}"
    assert styles == list(range(len(edges))), "one linkStyle per edge, in edge order"
    return nodes, edges


def test_escape_label_leaves_no_raw_quote_or_bracket():
    text = mermaid.escape_label(samples.ODD + "\nsecond line")
    assert not set('"<>|\n') & set(text)
    assert _decode(text) == samples.ODD + " second line"


def test_trust_graph_is_well_formed_with_safe_ids():
    tenants, edges = samples.tenants(), samples.trust_edges()
    nodes, drawn = parse(mermaid.render_trust(edges, tenants))
    assert sorted(nodes.values()) == sorted(t.name for t in tenants)
    distinct = samples.distinct_trust_edges()
    assert len(drawn) == len(distinct)
    assert {(s, d) for s, d, _ in drawn} == {(e.source, e.target) for e in distinct}
    assert all(re.fullmatch(r"n\d+", i) for i in nodes)


def test_partial_scope_is_dotted():
    text = mermaid.render_trust(samples.trust_edges(), samples.tenants())
    partial = [e for e in samples.distinct_trust_edges() if e.scope == "partial"]
    assert partial
    assert text.count("-.->") == len(partial)


def test_verdict_paths_are_well_formed():
    v = samples.allow_verdict()
    nodes, drawn = parse(mermaid.render_paths(v))
    assert set(nodes.values()) == samples.path_refs([v])
    assert {(s, d) for s, d, _ in drawn} == {(s, d) for s, d, _ in samples.hop_keys([v])}
    assert all("(L37)" in label or "(R12)" in label for _, _, label in drawn)
    assert "decision=allow" in mermaid.render_paths(v).split("\n")[1]


def test_denial_is_well_formed_with_two_nodes():
    v = samples.deny_verdict()
    nodes, drawn = parse(mermaid.render_paths(v))
    assert set(nodes.values()) == {v.principal, v.resource}
    assert drawn == []


def test_who_can_access_is_well_formed():
    results = samples.who_results()
    nodes, drawn = parse(mermaid.render_who("contoso/payroll", results))
    verdicts = [r.verdict for r in results]
    assert set(nodes.values()) == samples.path_refs(verdicts)
    assert len(drawn) == len(samples.hop_keys(verdicts))
