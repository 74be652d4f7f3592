"""DOT exports: a small tokenizer checks every statement (quoted ids, attribute lists) and the
node and edge sets decode back to the input. Graphviz itself is not needed."""

from __future__ import annotations

import re

from graphmodel.export import dot
from tests.unit.export import samples

QUOTED = r'"(?:[^"\\\n]|\\.)*"'
ATTRS = rf"\[(?:[a-z_]+={QUOTED})(?:, [a-z_]+={QUOTED})*\]"
NODE = re.compile(rf"^  (?P<id>{QUOTED}) (?P<attrs>{ATTRS});$")
EDGE = re.compile(rf"^  (?P<src>{QUOTED}) -> (?P<dst>{QUOTED}) (?P<attrs>{ATTRS});$")
DEFAULTS = re.compile(r"^  (?:graph|node|edge) \[[^\]\n]*\];$")
COMMENT = re.compile(r"^  // [^\n]*$")


def _unquote(token: str) -> str:
    return re.sub(r"\\(.)", r"\1", token[1:-1])


def _attrs(text: str) -> dict[str, str]:
    return {k: _unquote(v) for k, v in re.findall(rf"([a-z_]+)=({QUOTED})", text)}


def parse(text: str) -> tuple[dict[str, dict[str, str]], list[tuple[str, str, dict[str, str]]]]:
    lines = text.rstrip("\n").split("\n")
    assert re.fullmatch(rf"digraph {QUOTED} \{{", lines[0])
    assert lines[-1] == "}"
    nodes: dict[str, dict[str, str]] = {}
    edges: list[tuple[str, str, dict[str, str]]] = []
    for line in lines[1:-1]:
        if m := NODE.match(line):
            nodes[_unquote(m["id"])] = _attrs(m["attrs"])
        elif m := EDGE.match(line):
            src, dst = _unquote(m["src"]), _unquote(m["dst"])
            assert src in nodes and dst in nodes, f"edge before its nodes: {line}"
            edges.append((src, dst, _attrs(m["attrs"])))
        else:
            assert DEFAULTS.match(line) or COMMENT.match(line), f"unexpected: {line!r}"
    return nodes, edges


def test_quote_round_trips_through_the_tokenizer():
    for text in (samples.ODD, 'a\\"b', "back\\slash"):
        assert re.fullmatch(QUOTED, dot.quote(text))
        assert _unquote(dot.quote(text)) == text


def test_trust_graph_is_well_formed():
    tenants = samples.tenants()
    nodes, edges = parse(dot.render_trust(samples.trust_edges(), tenants))
    assert set(nodes) == {t.name for t in tenants}
    distinct = samples.distinct_trust_edges()
    assert sorted((s, d, a["kind"]) for s, d, a in edges) == sorted(
        (e.source, e.target, e.kind.value) for e in distinct
    )
    assert all(a["rule"] and a["color"].startswith("#") for _, _, a in edges)
    assert nodes["litware"]["cloud"] == "usgov"


def test_verdict_paths_and_denial_are_well_formed():
    v = samples.allow_verdict()
    nodes, edges = parse(dot.render_paths(v))
    assert set(nodes) == samples.path_refs([v])
    assert {(s, d, a["kind"]) for s, d, a in edges} == samples.hop_keys([v])
    deny = samples.deny_verdict()
    text = dot.render_paths(deny)
    nodes, edges = parse(text)
    assert (set(nodes), edges) == ({deny.principal, deny.resource}, [])
    assert "// decision: deny" in text


def test_who_can_access_is_well_formed():
    results = samples.who_results()
    nodes, edges = parse(dot.render_who("contoso/payroll", results))
    assert {r.principal for r in results} <= set(nodes)
    assert len(edges) == len(samples.hop_keys([r.verdict for r in results]))
