"""The HTML audit report in a real browser: it renders, lists the findings, draws a path.

The report of the demo world is written exactly as `tenantgraph audit --html` writes it and
opened from disk in Debian's headless Chromium (Playwright with `executable_path`). Expected
values come from the report data itself, never from literals, and the page must load nothing
but itself (an auditor attaches it to a ticket and opens it offline).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graphmodel.audit.render_html import render_html
from graphmodel.ingest import load_world_file
from graphmodel.schema.kinds import EdgeKind
from graphmodel.schema.trust import TRUST_RULES
from graphmodel.service import GraphService
from graphmodel.service.audits import AuditService
from graphmodel.stores import open_store
from tests.e2e.conftest import TIMEOUT_MS, split_words

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="no /usr/bin/chromium (make setup installs it)"
    ),
]


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    with open_store("memory") as store:
        graph = GraphService(store)
        graph.load_world(load_world_file(REPO / "fixtures" / "demo.yaml"), source="demo.yaml")
        audits = AuditService.open(graph, None)
        report = audits.report()
        audits.close()
    path = tmp_path_factory.mktemp("audit") / "report.html"
    path.write_text(render_html(report), encoding="utf-8")
    return path, report


@pytest.fixture(scope="module")
def page(report_file: tuple[Path, Any]) -> Iterator[tuple[Any, list[str], list[str]]]:
    from playwright.sync_api import sync_playwright

    path, _ = report_file
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        pg = context.new_page()
        pg.set_default_timeout(TIMEOUT_MS)
        requests: list[str] = []
        errors: list[str] = []
        pg.on("request", lambda r: requests.append(r.url))
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        pg.goto(path.as_uri())
        pg.wait_for_load_state("load")
        yield pg, requests, errors
        context.close()
        browser.close()


def test_report_renders_offline_without_errors(
    page: tuple[Any, list[str], list[str]], report_file: tuple[Path, Any]
) -> None:
    pg, requests, errors = page
    _, report = report_file
    assert pg.title() == f"tenantgraph audit · snapshot {report.snapshot}"
    assert pg.locator("header h1").inner_text() == "tenantgraph access-path audit"
    assert requests == [report_file[0].as_uri()]  # nothing fetched but the file itself
    assert errors == []
    (REPO / "test-artifacts").mkdir(exist_ok=True)
    pg.screenshot(path=str(REPO / "test-artifacts" / "audit-report.png"))


def test_report_lists_every_finding(
    page: tuple[Any, list[str], list[str]], report_file: tuple[Path, Any]
) -> None:
    pg, _, _ = page
    _, report = report_file
    rows = pg.locator("#findings tbody tr")
    assert rows.count() == len(report.findings) > 0
    for i, a in enumerate(report.findings):
        cells = rows.nth(i).locator("td")
        assert cells.nth(1).inner_text() == a.finding.check
        assert cells.nth(2).inner_text() == a.finding.subject
        assert cells.nth(5).inner_text() == a.finding.fingerprint
    sections = pg.locator("details.finding")
    assert sections.count() == len(report.findings)
    first = report.findings[0].finding
    pg.locator(f'#findings a[href="#f-{first.fingerprint}"]').click()
    assert pg.locator(f"#f-{first.fingerprint}").is_visible()


def test_report_draws_an_access_path(
    page: tuple[Any, list[str], list[str]], report_file: tuple[Path, Any]
) -> None:
    pg, _, _ = page
    _, report = report_file
    finding = next(a.finding for a in report.findings if any(e.path for e in a.finding.exposures))
    path = next(e.path for e in finding.exposures if e.path is not None)
    pg.locator(f"#f-{finding.fingerprint} > summary").click()
    svg = pg.locator(f"#f-{finding.fingerprint} svg.path").first
    svg.scroll_into_view_if_needed()
    box = svg.bounding_box()
    assert box is not None and box["width"] > 200 and box["height"] > 40
    labels = svg.locator("g.node text").all_text_contents()
    assert labels == list(path.nodes)
    hops = svg.locator("g.hop")
    assert hops.count() == len(path.hops)
    assert [hops.nth(i).get_attribute("data-edge") for i in range(hops.count())] == [
        h.edge.value for h in path.hops
    ]
    rect = svg.locator("g.node rect").first.bounding_box()
    assert rect is not None and rect["width"] > 50  # the boxes are really drawn
    svg.screenshot(path=str(REPO / "test-artifacts" / "audit-path.png"))


def test_controls_pass_or_fail_with_their_baseline(
    page: tuple[Any, list[str], list[str]], report_file: tuple[Path, Any]
) -> None:
    pg, _, _ = page
    _, report = report_file
    failing = {a.finding.check for a in report.findings if a.status.value == "open"}
    rows = pg.locator("#controls tbody tr")
    assert rows.count() == len(report.checks)
    for i, check in enumerate(report.checks):
        row = rows.nth(i)
        assert row.get_attribute("data-check") == check.id
        assert (row.get_attribute("data-result") == "fail") == (check.id in failing)
        assert (check.baseline or "—") in row.inner_text()
    passed = pg.locator('[data-card="controls passed"] b').inner_text()
    assert int(passed) == len(report.checks) - len(failing)


def test_findings_are_collapsed_readable_and_fit_the_page(
    page: tuple[Any, list[str], list[str]], report_file: tuple[Path, Any]
) -> None:
    """Collapsed by default, no literal markdown, nothing runs off the right edge; a finding
    opens on why it matters, how to fix it (Learn link) and, where one exists, the what-if."""
    pg, _, _ = page
    path, report = report_file
    pg.goto(path.as_uri())  # fresh: earlier tests opened findings
    assert pg.locator("details.finding[open]").count() == 0
    assert "`" not in pg.locator("main").inner_text()
    fixable = next(a.finding for a in report.findings if a.finding.check.startswith("xtap."))
    pg.locator(f"#f-{fixable.fingerprint} > summary").click()
    opened = pg.locator(f"#f-{fixable.fingerprint}")
    assert opened.locator(".why").is_visible()
    learn = opened.locator(".fix a").get_attribute("href")
    assert learn is not None and learn.startswith("https://learn.microsoft.com/")
    assert f"tenant: {fixable.tenant}" in opened.locator("pre.whatif").inner_text()
    pages = opened.locator("details.page")
    assert pages.count() == -(-min(len(fixable.exposures), 200) // 50)
    overflow = pg.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    opened.screenshot(path=str(REPO / "test-artifacts" / "audit-finding.png"))


def test_print_opens_every_finding(page: tuple[Any, list[str], list[str]]) -> None:
    pg, _, _ = page
    pg.emulate_media(media="print")
    try:
        closed = pg.locator("details.finding:not([open])").first
        assert closed.locator("p").first.is_visible()
        pg.pdf(path=str(REPO / "test-artifacts" / "audit-report.pdf"))
    finally:
        pg.emulate_media(media="screen")


def test_trust_column_wraps_between_parts_and_cites_the_trust_rule(
    page: tuple[Any, list[str], list[str]], report_file: tuple[Path, Any]
) -> None:
    """Ids in the exposures' trust, path and principal cells never wrap mid-word, and a trust
    edge there cites the rule the verdict's notes cite (R29 MFA, R31 devices)."""
    pg, _, _ = page
    path, report = report_file
    pg.goto(path.as_uri())
    trusting = next(
        a.finding
        for a in report.findings
        if any(t.kind in TRUST_RULES for e in a.finding.exposures for t in e.trust)
    )
    pg.locator(f"#f-{trusting.fingerprint} > summary").click()
    table = pg.locator(f"#f-{trusting.fingerprint} table.exposures").first
    table.scroll_into_view_if_needed()
    cells = table.locator("tbody td:nth-child(4)")
    cited = re.findall(r"(TRUSTS_\w+) \S+ (R\d+) \(", " ".join(cells.all_inner_texts()))
    assert cited, "the trust column names no trust edge with its rule"
    assert all(rule == TRUST_RULES[EdgeKind(kind)] for kind, rule in cited), cited
    assert split_words(pg, f"#f-{trusting.fingerprint} table.exposures td.mono") == []
    table.screenshot(path=str(REPO / "test-artifacts" / "audit-trust-column.png"))
