"""The HTML audit report of a generated world in a real browser: exact counts, first exemplars.

Scale: the S world (10,000 users, 40 tenants, ~57,000 exposures), generated once per module
under the test's tmp dir; the M world's report is measured by `python -m bench audit` instead
(its audit takes about a minute, too long for the default suite on 2 shared cores). Expected
values come from the report data, never from literals.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bench.generate import generate
from graphmodel.audit.render_html import render_html
from graphmodel.service import GraphService
from graphmodel.service.audits import AuditService
from graphmodel.stores import open_store

from .test_audit_report import ARGS, CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="no /usr/bin/chromium (make setup installs it)"
    ),
]


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    with open_store("memory") as store:
        graph = GraphService(store)
        graph.load_world(generate("S", seed=7), source="S")
        audits = AuditService.open(graph, None)
        report = audits.report(exemplars=5)
        audits.close()
    path = tmp_path_factory.mktemp("audit-s") / "report.html"
    path.write_text(render_html(report), encoding="utf-8")
    return path, report


@pytest.fixture(scope="module")
def page(report_file: tuple[Path, Any]) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        pg = browser.new_page(viewport={"width": 1400, "height": 1000})
        pg.set_default_timeout(60_000)
        pg.goto(report_file[0].as_uri())
        pg.wait_for_load_state("load")
        yield pg
        browser.close()


def test_large_report_shows_exact_counts_and_first_exemplars(
    page: Any, report_file: tuple[Path, Any]
) -> None:
    _, report = report_file
    assert page.locator("details.finding").count() == len(report.findings)
    big = max(report.findings, key=lambda a: a.finding.counts.exposures).finding
    assert big.counts.exposures > len(big.exposures) == 5
    section = page.locator(f"#f-{big.fingerprint}")
    section.locator("> summary").click()
    assert f"of {big.counts.exposures}" in section.locator("details.page > summary").inner_text()
    rows = section.locator("table.exposures tbody tr")
    assert rows.count() == len(big.exposures)
    for i, e in enumerate(big.exposures):
        assert rows.nth(i).locator("td").first.inner_text() == (e.principal or "")
    more = section.locator("p.more").inner_text()
    assert more.startswith(f"{big.counts.exposures - len(big.exposures)} more exposures")
