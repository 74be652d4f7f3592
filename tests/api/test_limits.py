"""Request limits and error codes, against live servers."""

from __future__ import annotations

from collections.abc import Iterator

import strawberry

from api import Limits
from api.errors import ErrorCodes, MaskUnexpected
from graphmodel.errors import NodeNotFound
from tests.api.conftest import Fresh
from tests.api.support import Client, LiveServer, Tokens


def test_deep_query_is_refused(admin: Client) -> None:
    inner = "ref"
    for _ in range(13):
        inner = f"members {{ ... on Group {{ {inner} }} }}"
    body = admin.result(f'{{ group(ref: "contoso/finance") {{ {inner} }} }}')
    assert body["data"] is None
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "query-too-deep"
    assert error["extensions"]["limit"] == 12


def test_introspection_is_not_limited_by_depth(admin: Client) -> None:
    nested = "ofType { " * 6 + "name" + " }" * 6
    q = "{ __schema { types { fields { type { " + nested + " } } } } }"
    assert "__schema" in admin.data(q)


def test_a_thousand_aliases_are_refused(admin: Client) -> None:
    query = "{ " + " ".join(f"a{i}: viewer {{ role }}" for i in range(1000)) + " }"
    assert admin.codes(query) == ["query-too-complex", "too-many-aliases"]  # 2,000 fields too
    ok = "{ " + " ".join(f"a{i}: viewer {{ role }}" for i in range(50)) + " }"
    assert len(admin.data(ok)) == 50


def test_expensive_and_long_queries_are_refused(admin: Client) -> None:
    one = (
        'whoCanAccess(resource: "contoso/wiki", first: 1000) '
        "{ edges { node { verdict { paths { hops { source target rule } } } } } }"
    )
    assert admin.codes("{ " + " ".join(f"w{i}: {one}" for i in range(10)) + " }") == [
        "query-too-complex"
    ]
    tenants = ", ".join(f'"t{i}"' for i in range(12_000))
    assert admin.codes(f"{{ trustGraph(tenants: [{tenants}]) {{ nodes {{ name }} }} }}") == [
        "query-too-complex"
    ]


def test_page_size_is_bounded(admin: Client) -> None:
    for first in (1001, -1):
        q = f'{{ whoCanAccess(resource: "contoso/wiki", first: {first}) {{ totalCount }} }}'
        assert admin.codes(q) == ["page-too-large"]
    assert admin.codes("{ users(first: 5000) { totalCount } }") == ["page-too-large"]


def test_large_bodies_get_413(shared: tuple[LiveServer, Tokens]) -> None:
    server, tokens = shared
    http = server.client(tokens.admin).http
    big = '{"query": "{ viewer { role } }", "padding": "' + "x" * (10 * 1024 * 1024) + '"}'
    response = http.post("/graphql", content=big, headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "body-too-large"

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit is counted while reading
        yield b'{"query": "{ viewer { role } }", "padding": "'
        for _ in range(20):
            yield b"y" * 100_000
        yield b'"}'

    streamed = http.post("/graphql", content=chunks(), headers={"content-type": "application/json"})
    assert streamed.status_code == 413
    assert http.post("/graphql", json={"query": "{ viewer { role } }"}).status_code == 200


def test_deadline_cuts_pages_short_and_flags_them(fresh: Fresh) -> None:
    server, tokens = fresh(Limits(deadline_s=0.0, chunk=2))
    client = server.client(tokens.admin)
    q = """query($after: String) { whoCanAccess(resource: "contoso/wiki", first: 5, after: $after) {
        partial pageInfo { hasNextPage endCursor } nodes { principal { ref } } } }"""
    body = client.result(q)
    page = body["data"]["whoCanAccess"]
    assert page["partial"] is True and page["pageInfo"]["hasNextPage"] is True
    assert [n["principal"]["ref"] for n in page["nodes"]] == ["contoso/alice", "contoso/carol"]
    assert body["extensions"]["warnings"][0]["code"] == "deadline-exceeded"
    rest = client.result(q, {"after": page["pageInfo"]["endCursor"]})["data"]["whoCanAccess"]
    assert [n["principal"]["ref"] for n in rest["nodes"]] == ["contoso/gail", "contoso/uma"]
    late = client.result(
        '{ access(principal: "fabrikam/bob", resource: "contoso/wiki") { decision } }'
    )
    assert late["errors"][0]["extensions"]["code"] == "deadline-exceeded"


def test_unexpected_errors_are_masked_and_known_ones_keep_their_code() -> None:
    @strawberry.type
    class Query:
        @strawberry.field
        def broken(self) -> str:
            raise RuntimeError("secret internals /etc/passwd")

        @strawberry.field
        def missing(self) -> str:
            raise NodeNotFound("contoso/nobody", kind="user")

    schema = strawberry.Schema(query=Query, extensions=[MaskUnexpected, ErrorCodes])
    result = schema.execute_sync("{ broken }")
    assert result.errors is not None
    (masked,) = result.errors
    assert masked.message == "unexpected error" and masked.extensions == {"code": "internal-error"}
    result = schema.execute_sync("{ missing }")
    assert result.errors is not None
    assert result.errors[0].message == "user `contoso/nobody` not found"
    assert result.errors[0].extensions == {"code": "node-not-found"}
    result = schema.execute_sync("{ nosuchfield }")
    assert result.errors is not None and result.errors[0].extensions == {"code": "query-invalid"}
