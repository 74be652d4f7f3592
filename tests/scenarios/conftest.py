"""Store parametrisation for the scenario suite: the same cases run on every backend."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from graphmodel.stores import GraphStore, open_store
from tests.support.bolt_server import NEO4J_KINDS, NEO4J_STORES, neo4j_store_factory
from tests.support.bolt_server import bolt_targets as bolt_targets  # session fixture


@pytest.fixture(
    params=[pytest.param("memory", marks=pytest.mark.memory), *NEO4J_STORES], scope="session"
)
def store_kind(request: pytest.FixtureRequest) -> str:
    kind: str = request.param
    return kind


@pytest.fixture(scope="session")
def store_factory(store_kind: str, request: pytest.FixtureRequest) -> Callable[[], GraphStore]:
    if store_kind in NEO4J_KINDS:  # a fresh namespace (empty graph) per scenario file
        return neo4j_store_factory(request, store_kind)
    return lambda: open_store(store_kind)
