"""The `Examples` of the hardening modules run as doctests (rate limiter, request JSON, YAML
bounds), so the documented behaviour is the tested one."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "api.frontdoor",
    "api.limits",
    "api.ratelimit",
    "api.scope",
    "api.requestjson",
    "api.snapshot_report",
    "graphmodel.ingest.yamlbounds",
    "graphmodel.schema.omissions",
    "graphmodel.stores.sqlite_errors",
]


@pytest.mark.parametrize("name", MODULES)
def test_examples_run(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
