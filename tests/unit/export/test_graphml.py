"""GraphML exports, read back with networkx's GraphML reader (the one Gephi-compatible parser
we ship with). Add a test here when an attribute is added to the export model."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import networkx as nx

from graphmodel.export import graphml
from tests.unit.export import samples

NS = "{http://graphml.graphdrawing.org/xmlns}"


def _read(text: str) -> nx.MultiDiGraph:
    g = nx.read_graphml(io.BytesIO(text.encode("utf-8")), force_multigraph=True)
    assert isinstance(g, nx.MultiDiGraph)
    return g


def test_trust_graph_reads_back_with_every_tenant_and_distinct_edge():
    tenants, edges = samples.tenants(), samples.trust_edges()
    g = _read(graphml.render_trust(edges, tenants))
    distinct = samples.distinct_trust_edges()
    assert set(g.nodes) == {t.name for t in tenants}
    assert g.number_of_edges() == len(distinct)
    got = {(u, v, d["kind"]): d for u, v, d in g.edges(data=True)}
    for e in distinct:
        d = got[(e.source, e.target, e.kind.value)]
        assert (d["rule"], d["policy"], d["scope"]) == (e.rule, e.policy, e.scope)
        assert d["source_url"] == e.source_url
        assert d["color"].startswith("#")
    litware = next(t for t in tenants if t.name == "litware")
    assert g.nodes["litware"]["cloud"] == litware.cloud.value
    assert g.nodes["litware"]["tenant_id"] == litware.id
    assert g.graph["name"] == "trust"


def test_parallel_edges_of_different_kinds_stay_apart_with_their_ids():
    g = _read(graphml.render_trust(samples.trust_edges(), samples.tenants()))
    between = [
        (k, d["kind"])
        for u, v, k, d in g.edges(keys=True, data=True)
        if (u, v) == ("contoso", "fabrikam")
    ]
    expected = {
        e.kind.value
        for e in samples.distinct_trust_edges()
        if (e.source, e.target) == ("contoso", "fabrikam")
    }
    assert len(expected) > 1
    assert sorted(kind for _, kind in between) == sorted(expected)
    # the reader keys parallel edges by the ids we wrote, not by its own 0, 1, 2
    assert {key for key, _ in between} == {f"{k}:contoso->fabrikam" for k in expected}


def test_keys_are_declared_once_and_every_data_element_uses_a_declared_key():
    text = graphml.render_trust(samples.trust_edges(), samples.tenants())
    root = ET.fromstring(text)
    keys = [k.attrib["id"] for k in root.iter(f"{NS}key")]
    assert len(keys) == len(set(keys))
    used = {d.attrib["key"] for d in root.iter(f"{NS}data")}
    assert used <= set(keys)
    names = {(k.attrib["for"], k.attrib["attr.name"]) for k in root.iter(f"{NS}key")}
    assert {("node", "label"), ("edge", "label"), ("edge", "kind")} <= names


def test_verdict_paths_read_back_with_hops_and_decision():
    v = samples.allow_verdict()
    g = _read(graphml.render_paths(v))
    assert set(g.nodes) == samples.path_refs([v])
    assert {(u, w, d["kind"]) for u, w, d in g.edges(data=True)} == samples.hop_keys([v])
    assert g.graph["decision"] == "allow"
    assert g.graph["mfa"] == "home"
    assert g.graph["path_count"] == len(v.paths)
    shared = next(d for u, _, d in g.edges(data=True) if u == "fabrikam/bob")
    assert shared["paths"] == "1,2"  # the first hop is used by both paths
    assert g.nodes["contoso/payroll"]["kind"] == "App"


def test_denial_has_its_two_ends_and_reasons_but_no_edge():
    v = samples.deny_verdict()
    g = _read(graphml.render_paths(v))
    assert set(g.nodes) == {v.principal, v.resource}
    assert g.number_of_edges() == 0
    assert g.graph["decision"] == "deny"
    assert g.graph["reason_codes"] == "inbound_blocked"
    assert v.reasons[0].message in g.graph["reasons"]


def test_who_can_access_reads_back_with_principal_decisions():
    results = samples.who_results()
    g = _read(graphml.render_who("contoso/payroll", results))
    verdicts = [r.verdict for r in results]
    assert set(g.nodes) == samples.path_refs(verdicts)
    assert {(u, w, d["kind"]) for u, w, d in g.edges(data=True)} == samples.hop_keys(verdicts)
    for principal, v, _kind, _obj in results:
        assert g.nodes[principal]["decision"] == v.decision.value
        assert g.nodes[principal]["role"] == "principal"
    assert g.graph["principal_count"] == len(results)
    bob, dan = g.nodes["fabrikam/bob"], g.nodes["fabrikam/dan"]
    assert (bob["kind"], bob["principal_kind"], bob["outsider"]) == ("User", "b2b_guest", True)
    assert "principal_kind" not in dan and "outsider" not in dan  # not said: not guessed
