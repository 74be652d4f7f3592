"""AuditService: finding history across snapshots, suppressions, zones, paging, snapshot diffs."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from graphmodel.audit import FindingStatus, Severity
from graphmodel.audit.store import AuditStore
from graphmodel.errors import NodeNotFound, QueryError, StoreUnavailable
from graphmodel.schema import World
from graphmodel.service import GraphService
from graphmodel.service.audits import AuditService
from graphmodel.service.management import Management
from graphmodel.stores import open_store

from .support import DEMO, WORLDS, load_audit_world, load_world_any

pytestmark = pytest.mark.memory


def _disable(ref: str) -> object:
    def change(w: World) -> World:
        users = tuple(
            dataclasses.replace(u, account_enabled=False) if u.ref == ref else u for u in w.users
        )
        return dataclasses.replace(w, users=users)

    return change


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A store with three snapshots: the zone world, abe disabled, and the same again."""
    path = tmp_path / "audit.db"
    world, _ = load_audit_world(WORLDS / "zone.yaml")
    with open_store("memory", path=str(path)) as store:
        graph = GraphService(store)
        graph.load_world(world, source="zone.yaml")
        graph.update_world(_disable("contoso/abe"), source="disable abe")  # type: ignore[arg-type]
        graph.update_world(lambda w: w, source="no change")
    return path


@pytest.fixture
def svc(db: Path) -> Iterator[AuditService]:
    graph = GraphService(open_store("memory", path=str(db)))
    audits = AuditService.open(graph, str(db))
    yield audits
    audits.close()
    graph.store.close()


def _by_subject(report_findings: object, check: str) -> dict[str, object]:
    return {a.finding.subject: a for a in report_findings if a.finding.check == check}  # type: ignore[attr-defined]


def test_a_finding_that_disappears_is_resolved_and_history_is_reproducible(
    svc: AuditService,
) -> None:
    first = svc.report(snapshot=1)
    adatum = _by_subject(first.findings, "zone.access-from-outside")["contoso<-adatum"]
    fp = adatum.finding.fingerprint  # type: ignore[attr-defined]
    assert first.resolved == ()
    second = svc.report(snapshot=2)
    assert "contoso<-adatum" not in _by_subject(second.findings, "zone.access-from-outside")
    (resolved,) = [r for r in second.resolved if r.fingerprint == fp]
    assert (resolved.last_seen, resolved.resolved_in) == (1, 2)
    third = svc.report()  # current = 3: still resolved (in 2), the rest first seen in 1
    assert [r.fingerprint for r in third.resolved if r.fingerprint == fp] == [fp]
    assert {a.first_seen for a in third.findings} == {1}
    assert svc.report(snapshot=1) == first  # an earlier snapshot's answer does not move


def test_suppressions_apply_from_their_snapshot_on_and_persist(svc: AuditService, db: Path) -> None:
    target = _by_subject(svc.report().findings, "channel.external-outside-zone")
    fp = target["contoso/launch/partners"].finding.fingerprint  # type: ignore[attr-defined]
    s = svc.suppress(fp.upper(), reason="partner channel reviewed", owner="sec-team", snapshot=2)
    assert (s.fingerprint, s.since_snapshot) == (fp, 2)
    for snapshot, status in (
        (1, FindingStatus.OPEN),
        (2, FindingStatus.SUPPRESSED),
        (3, FindingStatus.SUPPRESSED),
    ):
        found = _by_subject(svc.report(snapshot=snapshot).findings, "channel.external-outside-zone")
        assert found["contoso/launch/partners"].status == status  # type: ignore[attr-defined]
    with AuditStore(f"{db}.audit.sqlite") as again:
        assert [x.fingerprint for x in again.suppressions()] == [fp]
    svc.unsuppress(fp)
    assert svc.suppressions() == []
    with pytest.raises(NodeNotFound):
        svc.unsuppress(fp)
    with pytest.raises(QueryError, match="16 hexadecimal digits"):
        svc.suppress("xyz", reason="r", owner="o")
    with pytest.raises(QueryError, match="reason"):
        svc.suppress(fp, reason=" ", owner="o")


def test_zones_are_stored_and_change_what_is_outside(svc: AuditService) -> None:
    svc.set_zone("partners", ["fabrikam", "fabrikam"], description="signed contracts")
    assert [(z.name, z.tenants) for z in svc.zones()] == [("partners", ("fabrikam",))]
    subjects = set(
        _by_subject(svc.report(snapshot=1, zone="partners").findings, "zone.access-from-outside")
    )
    assert subjects == {"contoso<-adatum"}
    with pytest.raises(NodeNotFound):
        svc.report(zone="nosuch")
    with pytest.raises(QueryError):
        svc.set_zone("bad name", [])
    svc.remove_zone("partners")
    assert svc.zones() == []


def test_findings_and_exposures_page_with_cursors(svc: AuditService) -> None:
    everything = svc.report(snapshot=1).findings
    page = svc.findings(snapshot=1, first=2)
    assert page.total_count == len(everything) and page.has_next
    assert [a.finding for a in page.items] == [a.finding for a in everything[:2]]
    rest = svc.findings(snapshot=1, first=1000, after=page.end_cursor)
    assert [a.finding for a in rest.items] == [a.finding for a in everything[2:]]
    assert not rest.has_next
    high = svc.findings(snapshot=1, severity=Severity.HIGH)
    assert {a.finding.severity for a in high.items} == {Severity.HIGH}
    with pytest.raises(QueryError):
        svc.findings(after="0000000000000000")
    with pytest.raises(QueryError):
        svc.report(checks=["nosuch"])
    finding = next(a.finding for a in everything if len(a.finding.exposures) > 1)
    one = AuditService.exposures(finding, first=1)
    two = AuditService.exposures(finding, first=5, after=one.end_cursor)
    assert (*one.items, *two.items) == finding.exposures


def test_access_diff_between_snapshots_explains_the_change(svc: AuditService) -> None:
    diff = svc.access_diff(1, 2)
    assert [(e.kind, e.ref, e.field, e.before, e.after) for e in diff.entities] == [
        ("user", "contoso/abe", "accountEnabled", "true", "false")
    ]
    assert [(c.principal, c.resource, c.change.value) for c in diff.access] == [
        ("adatum/abe", "contoso/wiki", "lost")
    ]
    (change,) = diff.access
    assert change.explained_by == (0,) and change.reasons[0].code.value == "account_disabled"
    assert [t.kind.value for t in change.trust] == ["B2B_COLLAB_OUT", "B2B_COLLAB_IN"]
    assert [f.subject for f in diff.findings.disappeared] == ["contoso<-adatum"]
    assert svc.access_diff(2, 3).access == ()


def test_a_read_only_service_never_creates_or_writes_the_audit_file(db: Path) -> None:
    graph = GraphService(open_store("memory", path=str(db)))
    audits = AuditService.open(graph, str(db), read_only=True)
    try:
        assert audits.report().findings  # reads work and record nothing
        with pytest.raises(StoreUnavailable, match="read-only"):
            audits.suppress("0123456789abcdef", reason="r", owner="o")
    finally:
        audits.close()
        graph.store.close()
    assert not Path(f"{db}.audit.sqlite").exists()


def test_recorded_history_is_ignored_when_the_snapshot_was_recreated(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    with AuditStore(tmp_path / "a.sqlite") as store:
        when = datetime(2026, 1, 1, tzinfo=UTC)
        store.record("p", 1, when, [])
        assert store.sightings("p", 1, when) == []
        assert store.sightings("p", 1, datetime(2026, 1, 2, tzinfo=UTC)) is None
        assert store.sightings("p", 2, when) is None


def _outcome(report: object) -> set[tuple[str, int, tuple[str, ...]]]:
    """What an audit found: each finding's fingerprint, exact exposure count and exemplars."""
    return {
        (
            a.finding.fingerprint,
            a.finding.counts.exposures,
            tuple(f"{e.principal}->{e.resource}" for e in a.finding.exposures),
        )
        for a in report.findings  # type: ignore[attr-defined]
    }


@pytest.mark.parametrize("pruned", [False, True], ids=["stored-changes", "history-pruned"])
def test_an_audit_after_stored_changes_equals_a_full_run(tmp_path: Path, pruned: bool) -> None:
    """The second audit reads the store's change sets (or, once they are pruned, compares the
    Worlds) and must find exactly what an audit that never ran before finds."""
    world = load_world_any(DEMO)
    with open_store("memory", path=str(tmp_path / "g.db")) as store:
        graph = GraphService(store)
        graph.load_world(world, source="demo")
        manage = Management(graph)
        audits = AuditService.open(graph, None)
        before = audits.report(record=False)
        manage.add_group_member("contoso/finance", "contoso/abe")  # a guest reaches payroll
        manage.remove_group_member("contoso/partner-liaisons", "contoso/rosa")
        graph.update_world(_disable("contoso/bob"), source="bob leaves")  # type: ignore[arg-type]
        if pruned:
            store.prune(keep=1)
            assert store.changes_after(1, 4) is None
        else:
            assert store.changes_after(1, 4) is not None
        after = audits.report(record=False)
        fresh = AuditService.open(graph, None).report(record=False)
        assert after.snapshot == fresh.snapshot == 4
        assert _outcome(after) == _outcome(fresh)
        assert _outcome(after) != _outcome(before)  # the changes moved the findings
