"""The registry of importer cases for the Graph samples (see test_graph_samples.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from graphmodel.errors import Issue
from graphmodel.ingest.graph_export import import_export
from graphmodel.schema import World
from tests.ingest.graph_folders import TenantFolder, dangling_refs

__all__ = ["CASES", "case", "codes", "load", "only"]

Case = Callable[[Path], None]
CASES: dict[str, Case] = {}


def case(*samples: str) -> Callable[[Case], Case]:
    """Register `fn` as the importer case of each sample (path relative to graph-samples)."""

    def register(fn: Case) -> Case:
        for s in samples:
            assert s not in CASES, f"two cases for `{s}`"
            CASES[s] = fn
        return fn

    return register


def load(*folders: TenantFolder) -> tuple[World, list[Issue]]:
    """Import the folders; whatever the sample, the World has no dangling reference."""
    world, issues = import_export([f.path for f in folders])
    assert dangling_refs(world) == []
    return world, issues


def codes(issues: list[Issue]) -> list[str]:
    return [i.code for i in issues]


def only(issues: list[Issue], code: str) -> list[Issue]:
    return [i for i in issues if i.code == code]
