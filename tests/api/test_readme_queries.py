"""The documented example queries, run by a real GraphQL client (`gql`) against `tenantgraph serve`.

Each ```graphql block of docs/api.md is sent by gql (over httpx) to a real `serve --demo` process
(what `make run` starts), after gql has validated it against the schema the server
introspects; the answer must equal the ```json block that follows it, except for opaque
cursors (`endCursor`), which a reader cannot predict anyway.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gql import Client, gql
from gql.transport.httpx import HTTPXTransport

from tests.api.processes import serve

API_DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
_BLOCK = re.compile(r"```graphql\n(?P<query>.*?)```\s*```json\n(?P<answer>.*?)```", re.S)


def readme_examples() -> list[tuple[str, str, Any]]:
    """(operation name, query text, expected `data`) for every graphql + json pair."""
    found = []
    for m in _BLOCK.finditer(API_DOC.read_text("utf-8")):
        query = m.group("query")
        name = re.search(r"query\s+(\w+)", query)
        found.append((name.group(1) if name else query[:30], query, json.loads(m["answer"])))
    return found


def _without_cursors(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_cursors(v) for k, v in value.items() if k != "endCursor"}
    if isinstance(value, list):
        return [_without_cursors(v) for v in value]
    return value


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    db = tmp_path_factory.mktemp("readme") / "demo.db"
    server = serve("--no-auth", "--demo", "--db", str(db))
    try:
        transport = HTTPXTransport(url=f"{server.url}/graphql", timeout=120)
        with Client(transport=transport, fetch_schema_from_transport=True) as session:
            yield session  # type: ignore[misc]
    finally:
        server.stop()


def test_the_readme_has_example_queries() -> None:
    assert len(readme_examples()) >= 3


@pytest.mark.parametrize(
    ("name", "query", "expected"), readme_examples(), ids=[e[0] for e in readme_examples()]
)
def test_readme_query_answers_as_documented(
    client: Client, name: str, query: str, expected: Any
) -> None:
    document = gql(query)  # parsed here; validated against the served schema by execute
    data = client.execute(document)
    assert _without_cursors({"data": data}) == _without_cursors(expected), json.dumps(data)
