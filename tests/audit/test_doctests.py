"""The `Examples` sections of the audit modules run as doctests, so they cannot go stale.

Add a module to `MODULES` when it gets examples.
"""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "graphmodel.audit._svg",
    "graphmodel.audit.access",
    "graphmodel.audit.changeset",
    "graphmodel.audit.checks",
    "graphmodel.audit.history",
    "graphmodel.audit.model",
    "graphmodel.audit.store",
    "graphmodel.audit.trust",
    "graphmodel.audit.whatif",
    "graphmodel.audit.worlddiff",
]


@pytest.mark.parametrize("name", MODULES)
def test_examples_run(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
