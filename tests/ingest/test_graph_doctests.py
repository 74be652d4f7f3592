"""The `Examples` sections of the Graph import and collector modules run as doctests."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import graphmodel.ingest.collector
import graphmodel.ingest.graph_export

MODULES = [
    *sorted(
        m.name
        for pkg in (graphmodel.ingest.graph_export, graphmodel.ingest.collector)
        for m in pkgutil.iter_modules(pkg.__path__, f"{pkg.__name__}.")
    ),
    "graphmodel.schema.guest_roles",  # the guestUserRoleId table both importers share
]


@pytest.mark.parametrize("name", MODULES)
def test_examples_run(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
