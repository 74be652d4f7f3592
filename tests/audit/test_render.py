"""Report rendering: the HTML escapes everything and fetches nothing; text and JSON agree."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from graphmodel.audit import (
    AuditedFinding,
    AuditOptions,
    AuditReport,
    Exposure,
    Finding,
    FindingStatus,
    Severity,
    Suppression,
    Zone,
    fingerprint_of,
)
from graphmodel.audit.checks import CATALOGUE
from graphmodel.audit.render import render_exposure, render_report, report_data
from graphmodel.audit.render_html import MAX_ROWS, render_html
from graphmodel.schema import EdgeKind, Via
from graphmodel.schema.verdict import AccessPath, Decision, Hop

PATH = AccessPath(
    via=Via.B2B_COLLABORATION,
    hops=(
        Hop(source="f/<bob>", target="c/bob", edge=EdgeKind.GUEST_OF, rule="R12"),
        Hop(source="c/bob", target="c/wiki", edge=EdgeKind.SIGNS_IN_TO, rule="L37"),
    ),
)


def _report(n: int = 3) -> AuditReport:
    exposures = tuple(
        Exposure(
            principal=f"f/user{i:03}",
            resource="c/wiki",
            via=Via.B2B_COLLABORATION,
            decision=Decision.ALLOW,
            path=PATH,
            detail="<script>alert(1)</script>",
        )
        for i in range(n)
    )
    finding = Finding(
        check="app.open-to-every-guest",
        severity=Severity.MEDIUM,
        rules=("L37",),
        tenant="c",
        subject="c/<wiki>",
        fingerprint=fingerprint_of("app.open-to-every-guest", "c/<wiki>"),
        message="`c/<wiki>` requires no assignment",
        exposures=exposures,
    )
    suppression = Suppression(
        fingerprint=finding.fingerprint,
        reason="<b>accepted</b>",
        owner="o",
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    return AuditReport(
        snapshot=7,
        zone=Zone(name="partners", tenants=("f",)),
        options=AuditOptions(),
        checks=tuple(c.info for c in CATALOGUE),
        findings=(
            AuditedFinding(
                finding=finding,
                status=FindingStatus.SUPPRESSED,
                first_seen=3,
                suppression=suppression,
            ),
        ),
    )


def test_html_escapes_every_value_and_draws_the_path() -> None:
    html = render_html(_report())
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<b>accepted" not in html and "&lt;b&gt;accepted" in html
    assert "c/&lt;wiki&gt;" in html
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="path"') == 3
    assert 'data-edge="GUEST_OF"' in html and "f/&lt;bob&gt;" in html
    links = re.findall(r'href="([^"#][^"]*)"', html)
    assert links and all(u.startswith("https://learn.microsoft.com/") for u in links)


def test_html_caps_long_exposure_lists() -> None:
    html = render_html(_report(MAX_ROWS + 5))
    assert "5 more exposures" in html
    assert html.count('<tr><td class="mono">f/<wbr>user') == MAX_ROWS  # ids wrap after /


def test_text_and_json_agree() -> None:
    report = _report()
    text = render_report(report, verbose=True, limit=1)
    data = report_data(report)
    (finding,) = data["findings"]
    assert finding["status"] == "SUPPRESSED" and finding["counts"]["principals"] == 3
    assert data["summary"] == {
        "findings": 1,
        "open": 0,
        "suppressed": 1,
        "resolved": 0,
        "openBySeverity": {"HIGH": 0, "MEDIUM": 0, "LOW": 0},
    }
    assert "3 principals, 1 resource, 3 paths" in text
    assert "suppressed by o: <b>accepted</b>" in text
    assert "... 2 more" in text


def test_exposure_lines() -> None:
    e = Exposure(object="adatum.com", detail="invitations allowed")
    assert render_exposure(e) == "adatum.com  invitations allowed"
    e = Exposure(principal="f/bob", resource="c/wiki", decision=Decision.DENY, path=PATH)
    assert render_exposure(e) == "f/bob -> c/wiki  deny  path: f/<bob> -> c/bob -> c/wiki"
