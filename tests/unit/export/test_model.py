"""The export model shared by every graph format: which nodes and edges an answer has, node
kinds inferred from hops, and the per-kind style. Doctests of the package run here too."""

from __future__ import annotations

import doctest

import pytest

import graphmodel.export
from graphmodel.export import (
    EDGE_STYLE,
    FORMATS,
    _model,
    _paths,
    csv_table,
    cytoscape,
    dot,
    mermaid,
)
from graphmodel.schema import TRUST_EDGES
from tests.unit.export import samples


def test_every_trust_kind_has_a_label_and_a_distinct_colour():
    assert set(EDGE_STYLE) == set(TRUST_EDGES)
    colours = [c for _, c in EDGE_STYLE.values()]
    assert len(set(colours)) == len(colours)


def test_trust_graph_keeps_tenants_without_edges_and_drops_duplicates():
    g = _model.trust_graph(samples.trust_edges(), samples.tenants())
    assert "lonely" in {n.id for n in g.nodes}
    assert len(g.edges) == len(samples.distinct_trust_edges())


def test_trust_graph_adds_tenants_only_named_by_edges():
    g = _model.trust_graph(samples.trust_edges(), [])
    assert {n.id for n in g.nodes} == {
        x for e in samples.trust_edges() for x in (e.source, e.target)
    }
    assert all("cloud" not in n.attrs for n in g.nodes)


def test_node_kinds_follow_hops_even_against_the_stored_direction():
    v = samples.channel_verdict("contoso/alice")
    kinds = {n.id: n.kind for n in _paths.paths_graph(v).nodes}
    assert kinds == {
        "contoso/alice": "User",
        "contoso/launch": "Team",
        "contoso/launch/general": "Channel",
    }


def test_shared_hop_is_one_edge_listing_its_paths():
    g = _paths.paths_graph(samples.allow_verdict())
    first = next(e for e in g.edges if e.source == "fabrikam/bob")
    assert first.attrs["paths"] == "1,2"
    assert first.attrs["hop"] == 1


def test_who_graph_tags_hops_with_the_principals_using_them():
    g = _paths.who_graph("contoso/payroll", samples.who_results())
    tags = {e.source: e.attrs["principals"] for e in g.edges}
    assert tags["fabrikam/bob"] == "fabrikam/bob"
    assert tags["fabrikam/dan"] == "fabrikam/dan"


def test_registry_lists_every_format_with_its_three_renderers():
    assert sorted(FORMATS) == ["csv", "cytoscape", "dot", "graphml", "mermaid"]
    for fmt in FORMATS.values():
        assert fmt.suffix.startswith(".")
        assert fmt.trust(samples.trust_edges(), samples.tenants())
        assert fmt.paths(samples.deny_verdict())
        assert fmt.who("contoso/payroll", samples.who_results())


def test_empty_answers_still_render():
    for fmt in FORMATS.values():
        assert fmt.trust([], [])
        assert fmt.who("contoso/payroll", [])


@pytest.mark.parametrize(
    "module",
    [graphmodel.export, _model, csv_table, cytoscape, dot, mermaid],
    ids=lambda m: m.__name__,
)
def test_doctests(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
