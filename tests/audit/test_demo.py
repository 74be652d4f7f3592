"""The demo world's documented findings: docs/audits.md's block is the real `tenantgraph audit`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from graphmodel.audit.render import render_report
from graphmodel.ingest import load_world_file
from graphmodel.service import GraphService
from graphmodel.service.audits import AuditService
from graphmodel.stores import open_store

from .support import DEMO

AUDITS_DOC = Path(__file__).resolve().parents[2] / "docs" / "audits.md"
BLOCK = re.compile(r"<!-- audit-demo:begin -->\n```text\n(.*?)\n```\n<!-- audit-demo:end -->", re.S)


@pytest.mark.memory
def test_readme_shows_the_demo_findings() -> None:
    found = BLOCK.search(AUDITS_DOC.read_text(encoding="utf-8"))
    assert found, "docs/audits.md has no audit-demo block"
    with open_store("memory") as store:
        graph = GraphService(store)
        graph.load_world(load_world_file(DEMO), source="fixtures/demo.yaml")
        audits = AuditService.open(graph, None)
        report = audits.report(record=False)
        audits.close()
    assert found.group(1) == render_report(report), (
        "the demo's findings changed: update the block in docs/audits.md with `tenantgraph audit`"
    )
    checks = {a.finding.check for a in report.findings}
    assert {
        "channel.external-outside-zone",
        "invitation.pending-with-paths",
        "sync.access-outside-groups",
        "xtap.direct-connect-no-ca",
        "xtap.direct-connect-one-way",
        "zone.access-from-outside",
    } <= checks
