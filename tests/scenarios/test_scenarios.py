"""Every check of every scenario file is one pytest item, on every store.

Files come from `../shared/scenarios` (the conformance corpus), `tests/rules/` (our rule traps),
`fixtures/` (the demo world has checks too) and any directories listed in
`TENANTGRAPH_SCENARIOS` (os.pathsep-separated), so more scenario files run the same way. A
failure names the file and the check index; the message shows expected vs got and the
verdict's reasons. To add a case, add a YAML file — never code.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from graphmodel.ingest.scenario import discover_scenario_files, load_scenario_file
from graphmodel.service import GraphService
from graphmodel.service.scenarios import load_file, run_check
from graphmodel.stores import GraphStore

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "scenarios"
ROOTS = [SHARED, REPO / "fixtures", REPO / "tests" / "rules"] + [
    Path(p) for p in os.environ.get("TENANTGRAPH_SCENARIOS", "").split(os.pathsep) if p
]


def _cases() -> Iterator[object]:
    files = discover_scenario_files([r for r in ROOTS if r.exists()])
    for path in files:
        _world, scenario = load_scenario_file(path)
        rel = path.relative_to(SHARED) if path.is_relative_to(SHARED) else path.name
        for chk in scenario.checks:
            yield pytest.param(path, chk.index, id=f"{rel}#{chk.index}")


CASES = list(_cases())
_services: dict[tuple[str, Path], GraphService] = {}


def test_corpus_is_present() -> None:
    assert SHARED.exists(), f"the scenario corpus is missing at {SHARED}"
    assert len(CASES) >= 149


@pytest.mark.parametrize(("path", "index"), CASES)
def test_check(
    path: Path, index: int, store_kind: str, store_factory: Callable[[], GraphStore]
) -> None:
    key = (store_kind, path)
    if key not in _services:
        _services[key], _ = load_file(path, store_factory)
    svc = _services[key]
    _world, scenario = load_scenario_file(path)
    result = run_check(svc, str(path), scenario.checks[index])
    assert result.passed, (
        f"{path}#{index} (line {result.line}): expected {result.expected}, got {result.got}"
        f"\n  {result.detail}"
    )
