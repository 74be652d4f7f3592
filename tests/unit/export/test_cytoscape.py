"""Cytoscape JSON exports, validated against a JSON schema of Cytoscape elements and, when the
repo's node tools are installed, loaded into the real Cytoscape.js (headless)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest

from graphmodel.export import cytoscape
from tests.unit.export import samples

REPO = Path(__file__).resolve().parents[3]
CYTOSCAPE_JS = REPO / "tools" / "node" / "node_modules" / "cytoscape"

_SCALAR = {"type": ["string", "number", "boolean"]}
_ID = {"type": "string", "minLength": 1}
# Cytoscape.js elements JSON (also what Cytoscape desktop imports as .cyjs): every element is
# {"data": {...}}; nodes need a string id; edges a string id, source and target.
ELEMENTS_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["elements"],
    "properties": {
        "data": {"type": "object", "additionalProperties": _SCALAR},
        "elements": {
            "type": "object",
            "required": ["nodes", "edges"],
            "additionalProperties": False,
            "properties": {
                "nodes": {"type": "array", "items": {"$ref": "#/$defs/node"}},
                "edges": {"type": "array", "items": {"$ref": "#/$defs/edge"}},
            },
        },
    },
    "$defs": {
        "node": {
            "type": "object",
            "required": ["data"],
            "properties": {
                "data": {
                    "type": "object",
                    "required": ["id", "label", "kind"],
                    "properties": {"id": _ID},
                    "additionalProperties": _SCALAR,
                }
            },
        },
        "edge": {
            "type": "object",
            "required": ["data"],
            "properties": {
                "data": {
                    "type": "object",
                    "required": ["id", "source", "target", "kind", "color"],
                    "properties": {
                        "id": _ID,
                        "source": _ID,
                        "target": _ID,
                        "color": {"type": "string", "pattern": "^#[0-9a-f]{6}$"},
                    },
                    "additionalProperties": _SCALAR,
                }
            },
        },
    },
}


def _load(text: str) -> dict:
    doc = json.loads(text)
    jsonschema.validate(doc, ELEMENTS_SCHEMA)
    nodes = [n["data"] for n in doc["elements"]["nodes"]]
    edges = [e["data"] for e in doc["elements"]["edges"]]
    ids = [x["id"] for x in nodes + edges]
    assert len(ids) == len(set(ids)), "Cytoscape needs ids unique across nodes and edges"
    node_ids = {n["id"] for n in nodes}
    assert all(e["source"] in node_ids and e["target"] in node_ids for e in edges)
    return doc


def test_schema_rejects_an_edge_without_source():
    bad = {
        "elements": {
            "nodes": [{"data": {"id": "a", "label": "a", "kind": "T"}}],
            "edges": [{"data": {"id": "e", "target": "a", "kind": "K", "color": "#000000"}}],
        }
    }
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, ELEMENTS_SCHEMA)


def test_trust_graph_matches_the_schema_and_the_input():
    tenants, edges = samples.tenants(), samples.trust_edges()
    doc = _load(cytoscape.render_trust(edges, tenants))
    nodes = {n["data"]["id"]: n["data"] for n in doc["elements"]["nodes"]}
    assert set(nodes) == {t.name for t in tenants}
    got = {
        (e["data"]["source"], e["data"]["target"], e["data"]["kind"])
        for e in doc["elements"]["edges"]
    }
    assert got == {(e.source, e.target, e.kind.value) for e in samples.distinct_trust_edges()}
    assert nodes["litware"]["cloud"] == "usgov"
    assert doc["data"]["name"] == "trust"


def test_verdict_paths_and_denial_match_the_schema():
    allow, deny = samples.allow_verdict(), samples.deny_verdict()
    doc = _load(cytoscape.render_paths(allow))
    assert {n["data"]["id"] for n in doc["elements"]["nodes"]} == samples.path_refs([allow])
    assert doc["data"]["decision"] == "allow"
    doc = _load(cytoscape.render_paths(deny))
    assert doc["elements"]["edges"] == []
    assert doc["data"]["reason_codes"] == "inbound_blocked"


def test_who_can_access_matches_the_schema():
    results = samples.who_results()
    doc = _load(cytoscape.render_who("contoso/payroll", results))
    principals = {
        n["data"]["id"]: n["data"]
        for n in doc["elements"]["nodes"]
        if n["data"].get("role") == "principal"
    }
    assert set(principals) == {r.principal for r in results}
    assert {p["decision"] for p in principals.values()} == {"allow", "pending"}


@pytest.mark.skipif(
    shutil.which("node") is None or not CYTOSCAPE_JS.is_dir(),
    reason="node or tools/node/node_modules/cytoscape missing (run `make setup`)",
)
def test_cytoscape_js_loads_the_export(tmp_path: Path):
    text = cytoscape.render_trust(samples.trust_edges(), samples.tenants())
    (tmp_path / "trust.cyjs").write_text(text, encoding="utf-8")
    script = (
        "const cytoscape = require(process.argv[1]);"
        "const doc = JSON.parse(require('fs').readFileSync(process.argv[2], 'utf8'));"
        "const cy = cytoscape({headless: true, elements: doc.elements});"
        "console.log(JSON.stringify([cy.nodes().length, cy.edges().length]));"
    )
    out = subprocess.run(
        ["node", "-e", script, str(CYTOSCAPE_JS), str(tmp_path / "trust.cyjs")],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert json.loads(out.stdout) == [len(samples.tenants()), len(samples.distinct_trust_edges())]
