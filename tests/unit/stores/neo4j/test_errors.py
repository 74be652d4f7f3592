"""Driver exceptions map to tenantgraph errors at the edge (P8), most specific class first.

How to write tests here: raise a driver exception inside `map_driver_errors(...)` and assert the
tenantgraph class, its `retryable` flag and that the message names the server; no server needed.
"""

from __future__ import annotations

import pytest
from neo4j.exceptions import (
    AuthError,
    ClientError,
    ConstraintError,
    DatabaseError,
    ServiceUnavailable,
    SessionExpired,
    TransientError,
)

from graphmodel.errors import (
    Conflict,
    GraphModelError,
    StoreError,
    StoreIncompatible,
    StoreUnavailable,
)
from graphmodel.stores import open_store
from graphmodel.stores.neo4j import map_driver_errors
from tests.support.bolt_server import _free_port

URI = "bolt://db.example:7687"


@pytest.mark.parametrize(
    ("raised", "expected", "retryable"),
    [
        (ServiceUnavailable("refused"), StoreUnavailable, True),
        (SessionExpired("gone"), StoreUnavailable, True),
        (ConnectionResetError("reset"), StoreUnavailable, True),
        (TransientError("deadlock"), StoreUnavailable, True),
        (AuthError("no"), StoreIncompatible, False),
        (ConstraintError("dup"), Conflict, False),
        (ClientError("syntax"), StoreError, False),
        (DatabaseError("boom"), StoreError, False),
    ],
)
def test_driver_errors_map_to_tenantgraph_errors(
    raised: Exception, expected: type[GraphModelError], retryable: bool
) -> None:
    with pytest.raises(expected) as caught, map_driver_errors(URI, statement="nodes/get_node"):
        raise raised
    assert type(caught.value) is expected
    assert caught.value.retryable is retryable
    assert caught.value.__cause__ is raised
    message = str(caught.value)
    assert f"`{URI}`" in message and "\n" not in message and not message.endswith(".")


def test_other_exceptions_pass_through() -> None:
    with pytest.raises(KeyError), map_driver_errors(URI):
        raise KeyError("not a driver error")


def test_an_unreachable_server_is_a_retryable_unavailable_store() -> None:
    uri = f"bolt://127.0.0.1:{_free_port()}"
    with pytest.raises(StoreUnavailable) as caught:
        open_store("neo4j", uri=uri, timeout=1.0)
    assert caught.value.retryable and caught.value.code == "store-unavailable"
    assert f"the Neo4j server at `{uri}` is unavailable" in str(caught.value)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, "needs option `uri`"),
        ({"uri": "bolt://x", "port": 1}, "unknown option `port`"),
        ({"uri": 7687}, "option `uri` of the `neo4j` store must be text"),
        ({"uri": "bolt://x", "batch_rows": 0}, "must be numbers"),
        ({"driver": "bolt://x"}, "must be a neo4j.Driver"),
    ],
)
def test_bad_options_are_type_errors(options: dict[str, object], message: str) -> None:
    with pytest.raises(TypeError, match=message):
        open_store("neo4j", **options)
