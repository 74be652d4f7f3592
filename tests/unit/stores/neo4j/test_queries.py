"""The Cypher catalog's load-time rules: every file used, every used name a file, honest headers.

How to write tests here: build a small `cypher/` tree in `tmp_path` with `write(...)` and call
`load_catalog(tmp_path, used=[...])`; the shipped catalog is checked by the first tests.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from graphmodel.schema import EdgeKind, NodeKind
from graphmodel.stores.neo4j.queries import (
    CatalogError,
    QueryName,
    audit_queries,
    code_text,
    default_catalog,
    load_catalog,
)

REPO = Path(__file__).resolve().parents[4]
PACKAGE = REPO / "graphmodel" / "stores" / "neo4j"


def write(root: Path, name: str, body: str, *, params: str = "none", extra: str = "") -> None:
    path = root / f"{name}.cypher"
    path.parent.mkdir(parents=True, exist_ok=True)
    header = f"// name: {name}\n// params: {params}\n// returns: x\n{extra}"
    path.write_text(header + body + "\n", encoding="utf-8")


def test_the_shipped_catalog_loads_and_has_every_used_name() -> None:
    catalog = default_catalog()
    names = set(catalog.names())
    assert {n.value for n in QueryName} <= names
    assert names - {n.value for n in QueryName} == {q.name for q in audit_queries()}


def test_every_query_name_is_run_by_the_store_code() -> None:
    """A `QueryName` nobody references would make its file unused: the loader cannot see it."""
    referenced: set[str] = set()
    for path in PACKAGE.glob("*.py"):
        if path.name == "queries.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name = node.value if isinstance(node, ast.Attribute) else None
            if isinstance(name, ast.Name) and name.id == "QueryName":
                referenced.add(node.attr)  # type: ignore[attr-defined]
    assert {n.name for n in QueryName} - referenced == set()


def test_audit_queries_are_described_and_take_no_parameters() -> None:
    queries = audit_queries()
    assert len(queries) == 5
    for q in queries:
        assert q.params == frozenset() and q.description and q.returns


def test_a_used_name_without_a_file_fails(tmp_path: Path) -> None:
    write(tmp_path, "nodes/get_node", "RETURN 1 AS x")
    with pytest.raises(CatalogError) as caught:
        load_catalog(tmp_path, used=["nodes/get_node", "nodes/missing"])
    assert caught.value.problems == (
        "`nodes/missing`: used by the store but there is no `nodes/missing.cypher`",
    )


def test_a_file_never_used_fails(tmp_path: Path) -> None:
    write(tmp_path, "nodes/get_node", "RETURN 1 AS x")
    write(tmp_path, "nodes/forgotten", "RETURN 2 AS x")
    write(tmp_path, "audit/list_things", "RETURN 3 AS x")  # audit files are public: used
    with pytest.raises(CatalogError, match=r"`nodes/forgotten\.cypher` is never used"):
        load_catalog(tmp_path, used=["nodes/get_node"])


def test_params_header_must_match_the_text(tmp_path: Path) -> None:
    write(tmp_path, "a/q", "MATCH (n {k: $key}) WHERE n.s = $snapshot RETURN n", params="$key, $x")
    with pytest.raises(CatalogError, match=r"lacks \['snapshot'\] and names unused \['x'\]"):
        load_catalog(tmp_path, used=["a/q"])


def test_parameters_in_strings_and_comments_do_not_count(tmp_path: Path) -> None:
    write(tmp_path, "a/q", "RETURN '$not' AS `$no`, $yes AS y // $comment", params="$yes")
    assert load_catalog(tmp_path, used=["a/q"]).names() == ["a/q"]


def test_header_name_must_match_the_path(tmp_path: Path) -> None:
    path = tmp_path / "a" / "q.cypher"
    path.parent.mkdir()
    path.write_text("// name: a/other\n// params: none\n// returns: x\nRETURN 1 AS x\n")
    with pytest.raises(CatalogError, match="its header says `// name: a/other`"):
        load_catalog(tmp_path, used=["a/q"])


def test_one_statement_per_file(tmp_path: Path) -> None:
    write(tmp_path, "a/q", "MATCH (n) RETURN n;\nMATCH (m) RETURN m;")
    with pytest.raises(CatalogError, match="more than one statement"):
        load_catalog(tmp_path, used=["a/q"])


def test_template_header_and_slot_must_agree(tmp_path: Path) -> None:
    write(tmp_path, "a/q", "CREATE (n:`{node_kind}`)")
    with pytest.raises(CatalogError, match="slot disagree"):
        load_catalog(tmp_path, used=["a/q"])


def test_audit_queries_must_not_take_parameters(tmp_path: Path) -> None:
    write(tmp_path, "audit/list_x", "MATCH (n) WHERE n.k = $k RETURN n", params="$k")
    with pytest.raises(CatalogError, match="an audit query takes no parameters"):
        load_catalog(tmp_path, used=[])


def test_missing_header_lines_are_reported(tmp_path: Path) -> None:
    (tmp_path / "q.cypher").write_text("RETURN 1 AS x\n")
    with pytest.raises(CatalogError, match="no `// params:` header"):
        load_catalog(tmp_path, used=["q"])


def test_comment_lines_are_not_sent() -> None:
    q = default_catalog()[QueryName.GET_NODE]
    assert "//" not in q.text and q.source.startswith("// name: nodes/get_node")


def test_code_text_blanks_literals() -> None:
    assert code_text('RETURN "a\\"$b" AS x, $c') == "RETURN  AS x, $c"


def _normalised(text: str) -> str:
    return " ".join(text.split())


def test_rendered_create_statements_are_pinned() -> None:
    catalog = default_catalog()
    assert _normalised(catalog.text(QueryName.CREATE_NODES, node_kind=NodeKind.USER)) == (
        "UNWIND $rows AS row "
        "CREATE (n:TgNode:`User` {snapshot: $snapshot, kind: $kind, key: row.key, seq: row.seq}) "
        "SET n += row.props RETURN count(n) AS created"
    )
    assert _normalised(catalog.text(QueryName.CREATE_EDGES, edge_kind=EdgeKind.MEMBER_OF)) == (
        "UNWIND $rows AS row "
        "MATCH (a:TgNode {snapshot: $snapshot, key: row.source}) "
        "MATCH (b:TgNode {snapshot: $snapshot, key: row.target}) "
        "CREATE (a)-[r:`MEMBER_OF`]->(b) SET r += row.props RETURN count(r) AS created"
    )


def test_a_template_needs_its_kind() -> None:
    with pytest.raises(ValueError, match="needs a value"):
        default_catalog().text(QueryName.CREATE_NODES)
