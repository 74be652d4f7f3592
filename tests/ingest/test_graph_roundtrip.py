"""World -> export layout -> import gives the same World and the same answers.

For every scenario world in ../shared/scenarios: export it with `export_world`, import the folders
with `import_export`, and ask every check of the file of both worlds through `GraphService`;
decision, MFA place and reason codes must be equal (handles survive, so principal and resource
refs need no mapping). The imported World must also equal the original, object for object.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from graphmodel.ingest.graph_export import export_world, import_export
from graphmodel.schema import World
from graphmodel.service import GraphService
from graphmodel.stores import open_store
from tests.ingest.graph_folders import SHARED, different_fields

SCENARIOS = SHARED / "scenarios"
RULES = Path(__file__).resolve().parents[1] / "rules"  # our rule traps round-trip too

try:
    from graphmodel.ingest.scenario import load_scenario_file
except ImportError:  # pragma: no cover - the world-file loader is written in parallel
    load_scenario_file = None  # type: ignore[assignment]


def _files() -> list[Path]:
    return sorted(SCENARIOS.glob("*/*.yaml")) + sorted(RULES.glob("*.yaml"))


@contextmanager
def _service(world: World) -> Iterator[GraphService]:
    svc = GraphService(open_store("memory"))
    svc.load_world(world, source="test")
    try:
        yield svc
    finally:
        svc.store.close()


def _answers(svc: GraphService, checks: tuple[object, ...]) -> list[object]:
    from graphmodel.audit import AuditOptions, run_checks
    from graphmodel.ingest.checks import (
        AccessCheck,
        FindingCheck,
        InviteCheck,
        RequestCheck,
        SignUpCheck,
        WhoCanAccessCheck,
    )

    out: list[object] = []
    for chk in checks:
        if isinstance(chk, AccessCheck):
            v = svc.check(chk.principal, chk.resource, via=chk.via)
            out.append(("check", chk.principal, chk.resource, v.decision, v.mfa, sorted(v.codes),
                        sorted(p.nodes for p in v.paths)))
        elif isinstance(chk, WhoCanAccessCheck):
            page = svc.who_can_access(chk.resource, first=1000)
            out.append(("who", chk.resource, sorted(
                (r.principal, r.verdict.decision.value, r.verdict.mfa.value) for r in page.items)))
        elif isinstance(chk, InviteCheck):
            a = svc.can_invite(chk.invitee, chk.inviter)
            out.append(("invite", a.decision, sorted(a.codes)))
        elif isinstance(chk, SignUpCheck):
            a = svc.can_sign_up(chk.email, chk.app, chk.identity_provider)
            out.append(("signUp", a.decision, sorted(a.codes)))
        elif isinstance(chk, FindingCheck):  # the same findings come out of the import path
            days = 90 if chk.days is None else chk.days
            options = AuditOptions(pending_days=days, unused_days=days)
            found = run_checks(svc.index(), options=options, checks=(chk.check,))
            out.append(("finding", chk.check, sorted(f.subject for f in found
                                                     if f.tenant == chk.tenant)))
        elif isinstance(chk, RequestCheck):
            a = svc.can_request(chk.requester, chk.access_package)
            out.append(("request", a.decision, sorted(a.codes)))
    return out


@pytest.mark.parametrize("path", _files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_round_trip_keeps_world_and_verdicts(path: Path, tmp_path: Path) -> None:
    if load_scenario_file is None:
        pytest.skip("graphmodel.ingest.scenario.load_scenario_file does not exist yet")
    world, scenario = load_scenario_file(path)
    folders = export_world(world, tmp_path)
    assert sorted(p.name for p in folders) == sorted(t.name for t in world.tenants)
    imported, issues = import_export(folders)
    assert [i.render() for i in issues] == []
    assert different_fields(world, imported) == []
    with _service(world) as original, _service(imported) as again:
        assert _answers(again, scenario.checks) == _answers(original, scenario.checks)


def test_large_collections_are_paged_and_read_back(tmp_path: Path) -> None:
    from tests.conformance.worlds import big_world

    world = big_world(2500)
    export_world(world, tmp_path, page_size=1000)
    folder = tmp_path / "bigco"
    assert sorted(p.name for p in folder.glob("users*.json")) == [
        "users.json", "users.page2.json", "users.page3.json"]
    imported, issues = import_export([folder])
    assert issues == [] and different_fields(world, imported) == []
