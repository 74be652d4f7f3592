"""The viewer at M (200 tenants, 100k users, 5,766 trust edges; bench/generate.py), in Chromium
against a real `tenantgraph serve` over a real sqlite store built once for this module.

What it holds the page to (issue 17): no console warning or error while drawing; every tenant
inside the view and no two tenant boxes overlapping; parallel trust edges merged per tenant pair
and expandable; search finds any channel (also the ones past the first thousand); who-can-access
shows its first page at once and pages in the rest of a 30,000-principal answer as the list
scrolls, with only the visible rows in the DOM. Times (first render, who-can-access first page)
are measured and written to test-artifacts/scale-timings.json, not asserted: the machine is
shared, and bench/viewer_frames.py measures them properly.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bench.generate import generate, widest_app
from graphmodel.service import GraphService
from graphmodel.stores import open_store
from tests.e2e.conftest import ARTIFACTS, CHROMIUM, TIMEOUT_MS, Server, running_server, shoot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="no /usr/bin/chromium (make setup installs it)"
    ),
]
TIMINGS: dict[str, float] = {}


@pytest.fixture(scope="module")
def world_m(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str]]:
    """The M world in a fresh database, served without authentication; and its widest app."""
    db = tmp_path_factory.mktemp("scale") / "m.db"
    world = generate("M", seed=7)
    store = open_store("memory", path=str(db))
    try:
        GraphService(store).load_world(world, source="bench.generate M")
    finally:
        store.close()
    with running_server(db, "--no-auth") as server:
        yield server, widest_app(world)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "scale-timings.json").write_text(json.dumps(TIMINGS, indent=2), encoding="utf-8")
    print("viewer timings at M:", TIMINGS)


@pytest.fixture
def page_m(browser: Any, world_m: tuple[Server, str]) -> Iterator[Any]:
    """The viewer over M, drawn; fails the test on any console warning or error."""
    server, _ = world_m
    context = browser.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True)
    pg = context.new_page()
    pg.set_default_timeout(TIMEOUT_MS * 3)
    noise: list[str] = []
    pg.on("pageerror", lambda e: noise.append(str(e)))
    pg.on(
        "console",
        lambda m: noise.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None,
    )
    started = time.monotonic()
    pg.goto(server.base + "/")
    pg.wait_for_selector('[data-testid="graph"][data-rendered="true"]')
    TIMINGS.setdefault("first_render_s", round(time.monotonic() - started, 2))
    yield pg
    context.close()
    assert not noise, f"the page logged: {noise}"


def graph_data(page: Any) -> dict[str, str]:
    data: dict[str, str] = page.evaluate("() => ({...document.getElementById('graph').dataset})")
    return data


def test_every_tenant_is_in_view_and_none_overlap(page_m: Any, world_m: tuple[Server, str]) -> None:
    server, _ = world_m
    graph = server.api("{ trustGraph { nodes { name } edges { source target } } }")["trustGraph"]
    drawn = page_m.evaluate(
        """() => { const cy = window.tenantgraphViewer.graph.cy;
        return { w: cy.width(), h: cy.height(), zoom: cy.zoom(),
          boxes: cy.nodes('.tenant').map((n) => ({ id: n.id(),
            ...n.renderedBoundingBox({ includeLabels: false, includeOverlays: false }) })) }; }"""
    )
    boxes = drawn["boxes"]
    assert sorted(b["id"] for b in boxes) == sorted(n["name"] for n in graph["nodes"])
    for b in boxes:
        assert 0 <= b["x1"] <= b["x2"] <= drawn["w"], b
        assert 0 <= b["y1"] <= b["y2"] <= drawn["h"], b
    boxes.sort(key=lambda b: b["x1"])
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            if b["x1"] >= a["x2"]:
                break
            assert b["y1"] >= a["y2"] or b["y2"] <= a["y1"], (a, b)
    # one drawn edge per tenant pair, and the pairs account for every trust edge
    pairs = {tuple(sorted((e["source"], e["target"]))) for e in graph["edges"]}
    pairs = {p for p in pairs if p[0] != p[1]}
    data = graph_data(page_m)
    assert int(data["pairCount"]) == len(pairs) < len(graph["edges"]) == int(data["edgeCount"])
    shoot(page_m, "scale-m-overview.png")


def test_a_merged_pair_expands_into_its_edges(page_m: Any) -> None:
    pair = page_m.evaluate(
        """() => { const cy = window.tenantgraphViewer.graph.cy;
        const e = cy.edges('.pair').max((x) => x.data('count')).ele;
        return { id: e.id(), count: e.data('count'), key: e.data('pair') }; }"""
    )
    assert pair["count"] > 1
    page_m.evaluate("(id) => window.tenantgraphViewer.graph.select(id)", pair["id"])
    details = page_m.get_by_test_id("details")
    assert details.get_by_test_id("pair-edges").locator("li").count() == pair["count"]
    page_m.get_by_test_id("pair-toggle").click()
    raw = page_m.evaluate(
        "(key) => window.tenantgraphViewer.graph.cy.edges('.raw').filter((e) => "
        "e.data('pair') === key).length",
        pair["key"],
    )
    assert raw == pair["count"]
    shoot(page_m, "scale-m-pair.png")


def test_search_finds_channels_past_the_first_thousand(
    page_m: Any, world_m: tuple[Server, str]
) -> None:
    server, _ = world_m
    refs: list[str] = []
    after = None
    while True:
        page = server.api(
            "query($after: String) { channels(first: 500, after: $after) { nodes { ref } "
            "pageInfo { hasNextPage endCursor } } }",
            after=after,
        )["channels"]
        refs += [n["ref"] for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(refs) > 1000
    picks = [refs[-1], *random.Random(17).sample(refs[1000:], 2), refs[0]]
    search = page_m.get_by_test_id("search-input")
    for ref in picks:
        search.fill(ref)
        page_m.locator(f'[data-testid="search-hit"][data-ref="{ref}"]').wait_for()
    shoot(page_m, "scale-m-search.png")


def test_who_can_access_pages_in_a_virtualised_list(
    page_m: Any, world_m: tuple[Server, str]
) -> None:
    server, app = world_m
    first = server.api(
        "query($r: String!) { whoCanAccess(resource: $r, first: 100, outsiders: true) { "
        "totalCount edges { node { principal { ref } } } pageInfo { hasNextPage } } }",
        r=app,
    )["whoCanAccess"]
    assert first["pageInfo"]["hasNextPage"], "the widest app should have more than one page"
    page_m.get_by_role("tab", name="Who can access").click()
    page_m.get_by_test_id("who-resource").fill(app)
    started = time.monotonic()
    page_m.get_by_test_id("who-submit").click()
    count = page_m.get_by_test_id("who-count")
    count.wait_for()
    TIMINGS["who_first_page_s"] = round(time.monotonic() - started, 2)
    assert count.get_attribute("data-count") == "100"
    assert count.get_attribute("data-total") == str(first["totalCount"])  # outsiders: default
    assert count.get_attribute("data-complete") == "false"
    rows = page_m.get_by_test_id("who-item")
    in_dom = rows.count()
    assert 0 < in_dom < 100, "only the visible rows (and a margin) are in the DOM"
    expected = [e["node"]["principal"]["ref"] for e in first["edges"]]
    assert rows.first.get_attribute("data-principal") == expected[0]
    assert graph_data(page_m)["overlay"] == "who"
    shoot(page_m, "scale-m-who.png")
    # scrolling to the end of the list fetches the next page
    page_m.get_by_test_id("who-list").evaluate("(box) => { box.scrollTop = box.scrollHeight; }")
    page_m.wait_for_function(
        "() => Number(document.querySelector('[data-testid=who-count]').dataset.count) > 100"
    )
    assert page_m.get_by_test_id("who-item").count() < 100


def test_picking_a_tenant_focuses_its_neighbourhood_and_opens_its_objects(
    page_m: Any, world_m: tuple[Server, str]
) -> None:
    server, _ = world_m
    tenant = server.api("{ tenants(first: 1) { nodes { name } } }")["tenants"]["nodes"][0]["name"]
    guests = server.api(
        "query($t: String!) { users(tenant: $t, userType: GUEST) { totalCount } }", t=tenant
    )["users"]["totalCount"]
    page_m.get_by_test_id("search-input").fill(tenant)
    page_m.locator(f'[data-testid="search-hit"][data-kind="tenant"][data-ref="{tenant}"]').click()
    data = graph_data(page_m)
    assert data["focus"] == tenant and 1 < int(data["focusSize"]) < int(data["nodeCount"])
    page_m.get_by_test_id("browse-total").wait_for()
    page_m.get_by_test_id("browse-table-pick").select_option("guests")
    page_m.get_by_test_id("browse-submit").click()
    page_m.locator('[data-testid="browse-table"][data-table="guests"]').wait_for()
    assert page_m.get_by_test_id("browse-total").get_attribute("data-total") == str(guests)
    assert page_m.get_by_test_id("browse-row").count() == min(guests, 50)
    shoot(page_m, "scale-m-focus-browse.png")


def test_current_view_exports_as_svg_and_png(page_m: Any, tmp_path: Path) -> None:
    for button, magic in (("download-svg", b"<svg"), ("download-png", b"\x89PNG")):
        with page_m.expect_download() as info:
            page_m.get_by_test_id(button).click()
        saved = tmp_path / info.value.suggested_filename
        info.value.save_as(saved)
        assert magic in saved.read_bytes()[:400], button


def test_an_access_path_is_drawn_and_fitted_at_m(page_m: Any, world_m: tuple[Server, str]) -> None:
    server, app = world_m
    home = server.api("{ tenants(first: 2) { nodes { name } } }")["tenants"]["nodes"][1]["name"]
    user = server.api(
        "query($t: String!) { users(tenant: $t, userType: MEMBER, first: 1) { nodes { ref } } }",
        t=home,
    )["users"]["nodes"][0]["ref"]
    page_m.get_by_role("tab", name="Access", exact=True).click()
    page_m.get_by_test_id("access-principal").fill(user)
    page_m.get_by_test_id("access-resource").fill(app)
    page_m.get_by_test_id("access-submit").click()
    page_m.wait_for_selector('[data-testid="access-decision"]')
    data = graph_data(page_m)
    assert data["overlay"] == "access" and int(data["pathNodeCount"]) >= 2
    inside = page_m.evaluate(
        """() => { const cy = window.tenantgraphViewer.graph.cy;
        return cy.nodes('.object').every((n) => { const b = n.renderedBoundingBox();
          return b.x1 >= 0 && b.y1 >= 0 && b.x2 <= cy.width() && b.y2 <= cy.height(); }); }"""
    )
    assert inside, "the view is fitted to the path after the overlay"
    shoot(page_m, "scale-m-access.png")
