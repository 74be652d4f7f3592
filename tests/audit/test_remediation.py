"""The fixes the HTML report recommends: one per check, each with a Microsoft Learn page, and
every what-if change set really removes its finding when applied to the demo world."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphmodel.audit.checks import CATALOGUE
from graphmodel.audit.model import Finding
from graphmodel.audit.remediation import REMEDIATIONS, fix_change_set
from graphmodel.audit.render_html import prose
from graphmodel.audit.whatif import what_if
from graphmodel.engine import WorldIndex
from graphmodel.ingest import load_world_file
from graphmodel.service import GraphService
from graphmodel.service.audits import AuditService
from graphmodel.stores import open_store

DEMO = Path(__file__).resolve().parents[2] / "fixtures" / "demo.yaml"


def test_every_check_has_a_fix_with_a_learn_page() -> None:
    assert set(REMEDIATIONS) == {c.info.id for c in CATALOGUE}
    for check, fix in REMEDIATIONS.items():
        assert fix.learn.startswith("https://learn.microsoft.com/"), check
        assert fix.fix.count("`") % 2 == 0, check


def _demo_findings() -> tuple[WorldIndex, list[Finding]]:
    world = load_world_file(DEMO)
    with open_store("memory") as store:
        graph = GraphService(store)
        graph.load_world(world, source="demo.yaml")
        audits = AuditService.open(graph, None)
        report = audits.report()
        audits.close()
    return WorldIndex(world), [a.finding for a in report.findings]


def test_each_fixing_what_if_removes_its_finding() -> None:
    index, findings = _demo_findings()
    tried = 0
    for f in findings:
        change = fix_change_set(f)
        if change is None:
            continue
        diff = what_if(index, change)
        gone = {x.fingerprint for x in diff.findings.disappeared}
        assert f.fingerprint in gone, (f.check, f.subject, change)
        tried += 1
    assert tried >= 3, "the demo world should exercise several fixing what-ifs"


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("`contoso` trusts `fabrikam`", "<code>contoso</code> trusts <code>fabrikam</code>"),
        ("a <b> and `x<y>`", "a &lt;b&gt; and <code>x&lt;y&gt;</code>"),
        ("an odd ` backtick", "an odd ` backtick"),
    ],
)
def test_prose_turns_backticks_into_code_and_escapes(text: str, html: str) -> None:
    assert prose(text) == html
