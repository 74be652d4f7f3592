"""The `export*` queries: files rendered by the same exporters as `tenantgraph export`.

Each test parses the returned content back (GraphML with networkx, Cytoscape as JSON, CSV with
the csv module) and compares it with the matching GraphQL answer from the same server.
"""

from __future__ import annotations

import csv
import io
import json

import networkx as nx

from tests.api.support import Client, LiveServer, Tokens

TRUST = """query($f: ExportFormat!) {
  exportTrustGraph(format: $f) { filename mediaType content }
  trustGraph { edges { kind source target } }
}"""


def test_trust_graph_graphml_has_every_trust_edge(admin: Client) -> None:
    data = admin.data(TRUST, {"f": "GRAPHML"})
    file = data["exportTrustGraph"]
    assert file["filename"] == "trust-graph.graphml"
    assert file["mediaType"] == "application/graphml+xml"
    graph = nx.read_graphml(io.StringIO(file["content"]))
    assert graph.number_of_edges() == len(data["trustGraph"]["edges"])
    assert {e["source"] for e in data["trustGraph"]["edges"]} <= set(graph.nodes)


def test_access_export_draws_the_answer_path(admin: Client) -> None:
    q = """query {
      exportAccess(format: CYTOSCAPE, principal: "fabrikam/bob", resource: "contoso/ledger") {
        filename content }
      access(principal: "fabrikam/bob", resource: "contoso/ledger") { paths { nodes } }
    }"""
    data = admin.data(q)
    elements = json.loads(data["exportAccess"]["content"])["elements"]
    ids = {n["data"]["id"] for n in elements["nodes"]}
    for path in data["access"]["paths"]:
        assert set(path["nodes"]) <= ids
    assert data["exportAccess"]["filename"].startswith("access-fabrikam_bob-contoso_ledger")


def test_who_can_access_csv_lists_the_same_principals(admin: Client) -> None:
    q = """query {
      exportWhoCanAccess(format: CSV, resource: "contoso/wiki") { content }
      whoCanAccess(resource: "contoso/wiki", first: 100) { edges { node { principal { ref } } } }
    }"""
    data = admin.data(q)
    rows = list(csv.DictReader(io.StringIO(data["exportWhoCanAccess"]["content"])))
    exported = {r["principal"] for r in rows}
    assert exported == {e["node"]["principal"]["ref"] for e in data["whoCanAccess"]["edges"]}
    assert exported  # the test world has principals reaching the wiki


def test_scoped_token_exports_are_redacted_and_refused_outside(
    shared: tuple[LiveServer, Tokens],
) -> None:
    server, tokens = shared
    scoped = server.client(tokens.contoso_reader)
    content = scoped.data(
        'query { exportAccess(format: MERMAID, principal: "fabrikam/bob", '
        'resource: "contoso/wiki") { content } }'
    )["exportAccess"]["content"]
    assert "fabrikam/bob" not in content
    assert "fabrikam/#lt;user#gt;" in content  # Mermaid's escape of `fabrikam/<user>`
    assert "contoso/wiki" in content
    refused = scoped.codes(
        'query { exportWhoCanAccess(format: CSV, resource: "fabrikam/anything") { content } }'
    )
    assert refused == ["forbidden"]
