"""Fixtures of the store conformance suite: every test runs once per backend in `BACKENDS`.

How to write tests here: take the `store` fixture (a fresh, empty store) or `make_store`
(opens the same storage again, for reopen tests), build Worlds with `tests.conformance.worlds`,
and assert only what the protocol docstrings in `graphmodel/stores/base.py` promise. Never name
a backend in a test; skip a gap with `requires(store, Capability.X)`. To add a backend, append a
`pytest.param` to `BACKENDS` (with a skip mark when its server is missing) and a branch to
`_open_options`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from graphmodel.stores import GraphStore, open_store
from tests.conformance.support import MakeStore
from tests.support.bolt_server import NEO4J_KINDS, NEO4J_STORES, neo4j_options
from tests.support.bolt_server import bolt_targets as bolt_targets  # session fixture

BACKENDS = [
    pytest.param("memory", marks=pytest.mark.memory),
    pytest.param("memory-sqlite", marks=pytest.mark.memory),
    *NEO4J_STORES,  # `neo4j`: the FalkorDB test server; `neo4j5`: a Neo4j 5 from NEO4J_URI
]


def _open_options(backend: str, tmp_path: Path) -> tuple[str, dict[str, object]]:
    """The `open_store` kind and options of `backend`; the same storage on every call."""
    if backend == "memory":
        return "memory", {}
    if backend == "memory-sqlite":
        return "memory", {"path": tmp_path / "store.db"}
    raise AssertionError(f"no options for backend `{backend}`")


@pytest.fixture(params=BACKENDS)
def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[MakeStore]:
    if request.param in NEO4J_KINDS:  # a fresh namespace (empty graph), purged afterwards
        # The pointer cache is off: `refresh()` then sees every publish at once, as the
        # protocol's sentences say for an interval of 0 (the cache has tests of its own).
        kind, options = "neo4j", {**neo4j_options(request, request.param), "refresh_interval": 0}
    else:
        kind, options = _open_options(request.param, tmp_path)
    opened: list[GraphStore] = []

    def make() -> GraphStore:
        store = open_store(kind, **options)
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()


@pytest.fixture
def store(make_store: MakeStore) -> GraphStore:
    return make_store()
