"""Fixtures for the neo4j backend's own tests: a store on the FalkorDB test server.

How to write tests here: behaviour every store shares belongs in `tests/conformance/`; here go
the backend's own promises (the Cypher catalog, parameter splicing, publish-last clean-up,
error mapping). Take `store` (a fresh namespace on the session's one driver), `reader` (a second
store on it, to read back what the server holds) or `open_store` (one more store on the same
namespace); all are purged afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from graphmodel.stores.neo4j import Neo4jStore
from tests.support.bolt_server import (
    BoltTargets,
    bolt_targets,  # noqa: F401  (session fixture: the Bolt servers and their one driver)
    fresh_namespace,
    needs_falkordb,
    open_neo4j_store,
    purge_namespace,
)

OpenStore = Callable[[], Neo4jStore]


@pytest.fixture
def falkordb(request: pytest.FixtureRequest) -> BoltTargets:
    if needs_falkordb.args[0]:
        pytest.skip(needs_falkordb.kwargs["reason"])
    targets: BoltTargets = request.getfixturevalue("bolt_targets")
    return targets


@pytest.fixture
def namespace(falkordb: BoltTargets) -> Iterator[str]:
    name = fresh_namespace("unit")
    yield name
    purge_namespace(falkordb, "neo4j", name)


@pytest.fixture
def open_store(falkordb: BoltTargets, namespace: str) -> Iterator[OpenStore]:
    opened: list[Neo4jStore] = []

    def make() -> Neo4jStore:
        store = open_neo4j_store(falkordb, "neo4j", namespace)
        assert isinstance(store, Neo4jStore)
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()


@pytest.fixture
def store(open_store: OpenStore) -> Neo4jStore:
    return open_store()


@pytest.fixture
def reader(open_store: OpenStore) -> Neo4jStore:
    """Another store on `store`'s namespace: it reads what the server holds, where `store`
    answers from the Worlds it wrote (as another host would)."""
    return open_store()
