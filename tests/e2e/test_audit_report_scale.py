"""The HTML audit report of the M world in a real browser: exact counts, first exemplars.

Scale: the generated M world (100,000 users, 200 tenants, ~2.3 million exposures counted),
generated once per module; its report holds the first exemplars of each of ~5,800 findings
(tens of MB of HTML) and must still open in Chromium. Expected values come from the report
data, never from literals; waits are scaled by the machine's load.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bench.generate import generate
from tests.support.processes import patience

from .test_audit_report import ARGS, CHROMIUM, write_report

WAIT_MS = int(patience(120) * 1000)  # a busy 2-core machine is slower

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.timeout(int(patience(600))),  # generating, auditing and opening M
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="no /usr/bin/chromium (make setup installs it)"
    ),
]


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    return write_report(tmp_path_factory.mktemp("audit-m"), generate("M", seed=7))


@pytest.fixture(scope="module")
def page(report_file: tuple[Path, Any]) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, timeout=WAIT_MS)
        pg = browser.new_page(viewport={"width": 1400, "height": 1000})
        pg.set_default_timeout(WAIT_MS)
        pg.goto(report_file[0].as_uri())
        pg.wait_for_load_state("load")
        yield pg
        browser.close()


def test_m_report_shows_exact_counts_and_first_exemplars(
    page: Any, report_file: tuple[Path, Any]
) -> None:
    _, report = report_file
    assert page.locator("details.finding").count() == len(report.findings)
    big = max(report.findings, key=lambda a: a.finding.counts.exposures).finding
    assert big.counts.exposures > len(big.exposures) > 0
    section = page.locator(f"#f-{big.fingerprint}")
    section.locator("> summary").click()
    assert f"of {big.counts.exposures}" in section.locator("details.page > summary").inner_text()
    rows = section.locator("table.exposures tbody tr")
    assert rows.count() == len(big.exposures)
    for i, e in enumerate(big.exposures):
        assert rows.nth(i).locator("td").first.inner_text() == (e.principal or "")
    more = section.locator("p.more").inner_text()
    assert more.startswith(f"{big.counts.exposures - len(big.exposures)} more exposures")
