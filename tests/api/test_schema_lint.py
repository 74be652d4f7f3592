"""Schema lint: graphql-core's own checks plus the project's naming rules (docs/graphql.md).

The rules keep one name for one thing: `source` / `target` are the two ends of any edge or hop
and `sourceUrl` its documentation, a `kind` is always an enum, a `principal` or `resource` is a
node with its `ref`, and every enum value is written in UPPER_SNAKE_CASE. The viewer's queries
(`api/static/gql.js`) are validated against the committed SDL with graphql-core's rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    build_schema,
    get_named_type,
    is_non_null_type,
    parse,
    validate,
    validate_schema,
)

from api.types.enums import TrustEdgeKind
from graphmodel.schema.kinds import TRUST_EDGES, EdgeKind, NodeKind

REPO = Path(__file__).resolve().parents[2]
SDL = REPO / "api" / "schema.graphql"
VIEWER_QUERIES = REPO / "api" / "static" / "gql.js"

PASCAL = re.compile(r"^[A-Z][A-Za-z0-9]*$")
CAMEL = re.compile(r"^[a-z][A-Za-z0-9]*$")
UPPER_SNAKE = re.compile(r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$")
# Fields called `kind` that are not a node or edge kind, and why.
KIND_STRINGS = {
    ("EntityChange", "kind"): "an entity family (`crossTenantAccess`, `groupMember`, ...)",
}


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    return build_schema(SDL.read_text("utf-8"))


def own_types(schema: GraphQLSchema) -> Iterator[GraphQLNamedType]:
    return (t for name, t in schema.type_map.items() if not name.startswith("__"))


def fields(schema: GraphQLSchema) -> Iterator[tuple[str, str, GraphQLField]]:
    for t in own_types(schema):
        if isinstance(t, GraphQLObjectType | GraphQLInterfaceType):
            for name, f in t.fields.items():
                yield t.name, name, f


def test_graphql_core_finds_the_schema_valid(schema: GraphQLSchema) -> None:
    assert validate_schema(schema) == []


def test_names_have_one_casing_each(schema: GraphQLSchema) -> None:
    bad = [t.name for t in own_types(schema) if not PASCAL.match(t.name)]
    bad += [f"{t}.{n}" for t, n, _ in fields(schema) if not CAMEL.match(n)]
    bad += [f"{t}.{n}({a})" for t, n, f in fields(schema) for a in f.args if not CAMEL.match(a)]
    bad += [
        f"{t.name}.{v}"
        for t in own_types(schema)
        if isinstance(t, GraphQLEnumType)
        for v in t.values
        if not UPPER_SNAKE.match(v)
    ]
    assert bad == []


def test_edge_ends_are_source_and_target_and_urls_end_in_url(schema: GraphQLSchema) -> None:
    bad = [f"{t}.{n}" for t, n, _ in fields(schema) if n in ("from", "to")]
    bad += [
        f"{t}.{n}"
        for t, n, f in fields(schema)
        if "url" in (f.description or "").lower() and not n.endswith(("Url", "url"))
    ]
    assert bad == [], "edge ends are `source`/`target`; a URL field is `...Url`"
    for type_name in ("Hop", "TrustEdge"):
        names = set(schema.type_map[type_name].fields)  # type: ignore[attr-defined]
        assert {"source", "target", "kind", "sourceUrl"} <= names, type_name


def test_kinds_are_enums(schema: GraphQLSchema) -> None:
    bad = [
        f"{t}.{n}"
        for t, n, f in fields(schema)
        if (n == "kind" or n.endswith("Kind"))
        and (t, n) not in KIND_STRINGS
        and not isinstance(get_named_type(f.type), GraphQLEnumType)
    ]
    assert bad == []


def test_kind_enums_follow_the_domain(schema: GraphQLSchema) -> None:
    def values(name: str) -> set[str]:
        enum = schema.type_map[name]
        assert isinstance(enum, GraphQLEnumType)
        return set(enum.values)

    assert values("EdgeKind") == {k.name for k in EdgeKind}
    assert values("NodeKind") == {k.name for k in NodeKind}
    assert values("TrustEdgeKind") == {k.name for k in TRUST_EDGES}
    assert {k.value for k in TrustEdgeKind} == {k.value for k in TRUST_EDGES}


def test_principals_and_resources_are_nodes_with_a_ref(schema: GraphQLSchema) -> None:
    bad = [
        f"{t}.{n}"
        for t, n, f in fields(schema)
        if n in ("principal", "resource")
        and t not in ("Principal", "Resource")
        and get_named_type(f.type).name != n.capitalize()
    ]
    assert bad == [], "a principal or resource is a node (`principal { ref }`), not a string"
    refs = [(t, f) for t, n, f in fields(schema) if n == "ref"]
    assert refs and all(
        is_non_null_type(f.type) and get_named_type(f.type).name == "String" for _, f in refs
    )
    for interface, implementers in {
        "Principal": {"User", "ExternalObject"},
        "Resource": {"App", "Channel", "ExternalObject"},
    }.items():
        found = {t.name for t in schema.get_possible_types(schema.type_map[interface])}  # type: ignore[arg-type]
        assert found == implementers, interface


def viewer_queries() -> list[str]:
    """The viewer's query texts, with its one interpolated constant (`${HOPS}`) filled in."""
    text = VIEWER_QUERIES.read_text("utf-8")
    consts = dict(re.findall(r'const (\w+) = "([^"]*)";', text))
    queries = []
    for body in re.findall(r"`\s*(query\b.*?)`", text, re.S):
        queries.append(re.sub(r"\$\{(\w+)\}", lambda m: consts[m.group(1)], body))
    return queries


def test_the_viewers_queries_are_valid_against_the_schema(schema: GraphQLSchema) -> None:
    queries = viewer_queries()
    assert len(queries) >= 5
    for q in queries:
        assert validate(schema, parse(q)) == [], q


def test_the_benchmarks_queries_are_valid_against_the_schema(schema: GraphQLSchema) -> None:
    from bench.probe_http import QUERY
    from bench.probe_serve import WHO_QUERY

    for query in (QUERY, WHO_QUERY):
        assert validate(schema, parse(query)) == [], query
