"""The `Examples` sections of the neo4j backend's modules run as doctests.

How to write tests here: nothing to write; add a module to `MODULES` when it gets examples.
"""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "graphmodel.stores.neo4j",
    "graphmodel.stores.neo4j.errors",
    "graphmodel.stores.neo4j.labels",
    "graphmodel.stores.neo4j.profile",
    "graphmodel.stores.neo4j.queries",
    "graphmodel.stores.neo4j.reader",
    "graphmodel.stores.neo4j.splice",
    "graphmodel.stores.neo4j.writer",
]


@pytest.mark.parametrize("name", MODULES)
def test_examples_run(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
