"""Store parametrisation for the scenario suite: the same cases run on every backend."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from graphmodel.stores import GraphStore, open_store


@pytest.fixture(params=[pytest.param("memory", marks=pytest.mark.memory)], scope="session")
def store_kind(request: pytest.FixtureRequest) -> str:
    kind: str = request.param
    return kind


@pytest.fixture(scope="session")
def store_factory(store_kind: str) -> Callable[[], GraphStore]:
    return lambda: open_store(store_kind)
