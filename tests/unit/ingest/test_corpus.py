"""Every scenario of the shared corpus loads, with no issue and no warning.

The corpus (`../shared/scenarios`) is the engine's conformance contract; the loader must accept
all of it. Files are found relative to this repository, so the test runs wherever the checkout
sits beside `shared/`; it is skipped, with the reason, where there is no corpus.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from graphmodel.errors import WorldInvalid
from graphmodel.ingest import discover_scenario_files, load_scenario_file_with_warnings

CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "scenarios"
FILES = discover_scenario_files([CORPUS]) if CORPUS.is_dir() else []


@pytest.mark.skipif(not FILES, reason=f"no scenario corpus at {CORPUS}")
@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(CORPUS)) for p in FILES])
def test_corpus_file_loads_without_issues(path: Path) -> None:
    try:
        world, scenario, warnings = load_scenario_file_with_warnings(path)
    except WorldInvalid as exc:
        pytest.fail("\n".join(i.render() for i in exc.issues))
    assert [w.render() for w in warnings] == []
    assert world.tenants
    assert scenario.checks
    assert [c.index for c in scenario.checks] == list(range(len(scenario.checks)))
    assert all(c.line is not None for c in scenario.checks)
    assert scenario.title == world.title and scenario.file == str(path)


@pytest.mark.skipif(not FILES, reason=f"no scenario corpus at {CORPUS}")
def test_corpus_is_found_recursively() -> None:
    # scenarios/README.md lists 45 files in 11 family directories; the corpus may only grow
    assert len(FILES) >= 45
    assert len({p.parent for p in FILES}) >= 11
    assert sorted(FILES) == FILES
