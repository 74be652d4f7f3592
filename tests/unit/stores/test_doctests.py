"""The `Examples` sections of the store modules run as doctests, so they cannot go stale.

How to write tests here: nothing to write; add a module to `MODULES` when it gets examples.
"""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "graphmodel.stores.decorators",
    "graphmodel.stores.graphedges",
    "graphmodel.stores.graphkeys",
    "graphmodel.stores.graphmap",
    "graphmodel.stores.memory.store",
    "graphmodel.stores.registry",
    "graphmodel.stores.sync_derived",
]


@pytest.mark.parametrize("name", MODULES)
def test_examples_run(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
