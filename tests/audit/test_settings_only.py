"""Checks that read tenant settings alone never need the engine index.

`--check` of such a check (`Reads.settings_only`: SCuBA 8.3, its cross-tenant form, cross-cloud
endpoints) must not pay for an index of the World — seconds for a 1M-user World. Run with a
`LazyIndex` whose build fails, each gives the same findings as with the index; the service
answers a settings-only report without building one.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from graphmodel.audit import run_checks
from graphmodel.audit.checks import CATALOGUE, settings_only
from graphmodel.audit.context import LazyIndex
from graphmodel.engine import WorldIndex
from graphmodel.schema import World
from graphmodel.service import GraphService
from graphmodel.service.audits import AuditService
from graphmodel.stores import open_store

from .differential import comparable
from .support import WORLDS, load_audit_world

SETTINGS_ONLY = [c.info.id for c in CATALOGUE if c.reads.settings_only]


def _no_index() -> WorldIndex:
    raise AssertionError("a settings-only check built the engine index")


def test_the_settings_only_checks_are_the_documented_ones() -> None:
    assert SETTINGS_ONLY == ["scuba.8.3", "scuba.8.3.xtap", "xtap.cross-cloud-no-partner"]
    assert settings_only(SETTINGS_ONLY)
    assert not settings_only(["scuba.8.3", "zone.access-from-outside"])
    assert not settings_only(None) and not settings_only([]) and not settings_only(["nope"])


@pytest.mark.parametrize("path", sorted(WORLDS.glob("*.yaml")), ids=lambda p: p.stem)
def test_settings_only_checks_agree_without_the_index(path: Path) -> None:
    world, _ = load_audit_world(path)
    with_index = run_checks(WorldIndex(world), checks=SETTINGS_ONLY, exemplars=3)
    lazy = run_checks(LazyIndex(world, _no_index), checks=SETTINGS_ONLY, exemplars=3)
    assert [comparable(f, exposures=True) for f in lazy] == [
        comparable(f, exposures=True) for f in with_index
    ]


class _CountingService(GraphService):
    """The real service, counting the indexes it is asked for."""

    built = 0

    def index(self, *args: object, **kwargs: object) -> WorldIndex:
        self.built += 1
        return super().index(*args, **kwargs)  # type: ignore[arg-type]


def test_a_settings_only_report_builds_no_index(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    world, _ = load_audit_world(WORLDS / "baseline.yaml")
    with open_store("memory", path=str(path)) as store:
        GraphService(store).load_world(world, source="baseline.yaml")
    graph = _CountingService(open_store("memory", path=str(path)))
    audits = AuditService.open(graph, str(path))
    try:
        report = audits.report(checks=["scuba.8.3"], record=False)
        assert graph.built == 0
        assert report.findings and {a.finding.check for a in report.findings} == {"scuba.8.3"}
        audits.report(checks=["scuba.8.1"], record=False)  # reads users: needs the index
        assert graph.built == 1
    finally:
        audits.close()
        graph.store.close()


def test_an_empty_world_needs_no_index_either() -> None:
    assert run_checks(LazyIndex(World(), _no_index), checks=SETTINGS_ONLY) == ()
