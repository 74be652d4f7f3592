"""The `Examples` of the settings, request-log and job-duration modules run as doctests."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["api.settings", "api.requestlog", "graphmodel.timings"]


@pytest.mark.parametrize("name", MODULES)
def test_examples_run(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
