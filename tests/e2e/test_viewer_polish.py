"""Viewer details a newcomer trips over, each in Chromium against the demo (conftest.py).

A complete list shows no "Load more"; ids in the Browse tables wrap between their parts,
never mid-word; the labels of the access view do not overlap; a trust cites one rule id in
the graph and in the verdict's notes; the legend says which way the arrows point.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import CHROMIUM, Server, shoot, split_words

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="no /usr/bin/chromium (make setup installs it)"
    ),
]

# The label boxes (model coordinates) of every edge of the access overlay that shows one.
LABEL_BOXES_JS = """() => {
  const cy = window.tenantgraphViewer.graph.cy;
  const boxes = [];
  cy.edges(".hop, .block, .trust.behind").forEach((e) => {
    const source = Boolean(e.pstyle("source-label").strValue);
    const b = e.boundingBox({ includeNodes: false, includeEdges: false, includeOverlays: false,
      includeLabels: true, includeMainLabels: !source, includeSourceLabels: source,
      includeTargetLabels: false });
    const label = e.data("label");
    if (b.w > 0 && b.h > 0) boxes.push({ label, x1: b.x1, x2: b.x2, y1: b.y1, y2: b.y2 });
  });
  return boxes;
}"""
TRUST = """query($p: String!, $r: String!) {
  access(principal: $p, resource: $r) { reasons { code rule } }
  trustGraph { edges { kind source target rule } } }"""
TRUST_NOTES = {"mfa_trusted": "TRUSTS_MFA", "device_trusted": "TRUSTS_COMPLIANT_DEVICE"}


def ask_access(page: Any, principal: str, resource: str) -> None:
    page.get_by_role("tab", name="Access", exact=True).click()
    page.get_by_label("Principal").fill(principal)
    page.get_by_test_id("access-resource").fill(resource)
    page.get_by_test_id("access-submit").click()
    page.wait_for_selector('[data-testid="access-decision"]')


def overlapping(boxes: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [
        (a["label"], b["label"])
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if a["x1"] < b["x2"] and b["x1"] < a["x2"] and a["y1"] < b["y2"] and b["y1"] < a["y2"]
    ]


def test_load_more_is_hidden_once_the_list_is_complete(page: Any, server: Server) -> None:
    resource = "contoso/payroll"
    total = server.api('{ whoCanAccess(resource: "contoso/payroll", first: 1) { totalCount } }')
    assert 0 < total["whoCanAccess"]["totalCount"] < 100  # one page: nothing more to load
    page.get_by_role("tab", name="Who can access").click()
    page.get_by_test_id("who-resource").fill(resource)
    page.get_by_test_id("who-submit").click()
    page.wait_for_selector('[data-testid="who-count"][data-complete="true"]')
    more = page.get_by_test_id("who-more")
    assert more.get_attribute("hidden") is not None and not more.is_visible()
    # the browser's own answer: `hidden` beats the link-like buttons' inline-flex display
    assert more.evaluate("(e) => getComputedStyle(e).display") == "none"
    page.get_by_role("tab", name="Browse").click()
    page.get_by_test_id("browse-tenant").fill("fabrikam")
    page.get_by_test_id("browse-submit").click()
    page.wait_for_selector('[data-testid="browse-row"]')
    assert int(page.get_by_test_id("browse-total").get_attribute("data-total")) < 50
    assert not page.get_by_test_id("browse-more").is_visible()


@pytest.mark.parametrize("table", ["users", "guests", "apps", "channels"])
def test_browse_tables_wrap_ids_between_parts_never_mid_word(
    page: Any, server: Server, table: str
) -> None:
    page.get_by_role("tab", name="Browse").click()
    page.get_by_test_id("browse-tenant").fill("contoso")
    page.get_by_test_id("browse-table-pick").select_option(table)
    page.get_by_test_id("browse-submit").click()
    page.wait_for_selector('[data-testid="browse-row"]')
    assert page.get_by_test_id("browse-row").count() > 0
    assert split_words(page, "table.browse th, table.browse td code") == []
    if table == "apps":
        shoot(page, "viewer-browse.png")


@pytest.mark.parametrize(
    ("principal", "resource"),
    [("fabrikam/bob", "contoso/payroll"), ("litware/lena", "contoso/launch/partners")],
)
def test_access_view_labels_do_not_overlap(
    page: Any, server: Server, principal: str, resource: str
) -> None:
    ask_access(page, principal, resource)
    boxes = page.evaluate(LABEL_BOXES_JS)
    assert len(boxes) >= 2  # hops, or the blocked edge, and the trust behind the answer
    assert overlapping(boxes) == []
    shoot(page, f"viewer-labels-{principal.replace('/', '-')}.png")


def test_a_trust_cites_one_rule_in_the_graph_and_in_the_verdict(page: Any, server: Server) -> None:
    principal, resource = "fabrikam/bob", "contoso/payroll"
    data = server.api(TRUST, p=principal, r=resource)
    notes = {r["code"]: r["rule"] for r in data["access"]["reasons"] if r["code"] in TRUST_NOTES}
    assert notes, "the demo's fabrikam/bob -> contoso/payroll relies on no trusted claim"
    edges = {(e["kind"], e["source"], e["target"]): e["rule"] for e in data["trustGraph"]["edges"]}
    ask_access(page, principal, resource)
    labels = [b["label"] for b in page.evaluate(LABEL_BOXES_JS)]
    shown = page.get_by_test_id("access-note")
    for code, rule in notes.items():
        kind = TRUST_NOTES[code]
        assert edges[(kind, "contoso", "fabrikam")] == rule  # the graph's edge, the note's rule
        note = shown.filter(has_text=code)
        assert f"rule {rule}" in " ".join(note.inner_text().split())
        drawn = [label for label in labels if label.startswith(("trusts MFA", "trusts compliant"))]
        assert any(label.endswith(f"· {rule}") for label in drawn), drawn
    assert all("R28" not in label for label in labels)


def test_the_legend_says_which_way_the_arrows_point(page: Any, server: Server) -> None:
    line = page.get_by_test_id("legend-direction")
    assert line.is_visible()
    text = " ".join(line.inner_text().split())
    assert "out from the home tenant" in text
    assert "in and trusts from the resource tenant to the home tenant" in text
    assert "against the direction of access" in text
    # as drawn: the demo's B2B_COLLAB_IN contoso -> litware starts at the resource tenant
    edges = server.api("{ trustGraph { edges { kind source target } } }")["trustGraph"]["edges"]
    assert {"kind": "B2B_COLLAB_IN", "source": "contoso", "target": "litware"} in edges
