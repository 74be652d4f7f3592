"""The viewer page end to end: a real `tenantgraph serve --no-auth --demo` subprocess, driven in
Debian's headless Chromium through Playwright (fixtures in conftest.py).

How to write tests here: ask the GraphQL API (`server.api()`) for the expected answer and
compare the page with it, never with literals; pick questions from the demo world's own
documented checks (`demo_check()`), so a change to the demo moves the test with it. Every test
gets a fresh page; screenshots go to `test-artifacts/` (viewer.png is the trust graph overview).
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from api.viewer import CYTOSCAPE_FILE, default_node_modules
from graphmodel.service import GraphService
from graphmodel.stores import open_store
from tests.e2e.conftest import (
    CHROMIUM,
    REPO,
    TIMEOUT_MS,
    Server,
    running_server,
    shoot,
    tenantgraph,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="no /usr/bin/chromium (make setup installs it)"
    ),
]


def demo_checks() -> list[dict[str, Any]]:
    data = yaml.safe_load((REPO / "fixtures" / "demo.yaml").read_text(encoding="utf-8"))
    return list(data["checks"])


def demo_check(expect: str) -> dict[str, Any]:
    """The first documented cross-tenant access check of the demo with this expectation."""
    for c in demo_checks():
        if c.get("expect") != expect or "principal" not in c or "resource" not in c:
            continue
        if c["principal"].split("/")[0] != c["resource"].split("/")[0]:
            return c
    pytest.fail(f"fixtures/demo.yaml has no cross-tenant `{expect}` access check to drive")


ACCESS = """query($p: String!, $r: String!, $via: Via!) {
  access(principal: $p, resource: $r, via: $via) {
    decision via mfa paths { hops { source target kind rule } }
    reasons { code rule tenant policy } } }"""
WHO = """query($r: String!, $after: String, $outsiders: Boolean!) {
  whoCanAccess(resource: $r, first: 200, after: $after, outsiders: $outsiders) {
    edges { node { principal { ref } verdict { decision } } }
    pageInfo { hasNextPage endCursor } } }"""


def who_can_access(
    server: Server, resource: str, *, outsiders: bool = False
) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    after = None
    while True:
        page = server.api(WHO, r=resource, after=after, outsiders=outsiders)["whoCanAccess"]
        found += [
            (e["node"]["principal"]["ref"], e["node"]["verdict"]["decision"]) for e in page["edges"]
        ]
        if not page["pageInfo"]["hasNextPage"]:
            return found
        after = page["pageInfo"]["endCursor"]


def ask(server: Server, check: dict[str, Any]) -> dict[str, Any]:
    """The API's answer to a demo check (with the check's `via`, as the page will ask it)."""
    via = str(check.get("via", "any")).upper()
    answer: dict[str, Any] = server.api(ACCESS, p=check["principal"], r=check["resource"], via=via)[
        "access"
    ]
    return answer


def ask_access(page: Any, check: dict[str, Any]) -> None:
    """Ask the page the check's question through the form, as a user would."""
    page.get_by_role("tab", name="Access", exact=True).click()
    page.get_by_label("Principal").fill(check["principal"])
    page.get_by_test_id("access-resource").fill(check["resource"])
    page.get_by_label("Via").select_option(str(check.get("via", "any")).upper())
    page.get_by_test_id("access-submit").click()
    page.wait_for_selector('[data-testid="access-decision"]')


# ---------------------------------------------------------------------- tests


def test_trust_graph_renders_every_tenant_and_edge(page: Any, server: Server) -> None:
    graph = server.api("{ trustGraph { nodes { name } edges { kind } } }")["trustGraph"]
    store = open_store("memory", path=str(server.db))
    try:
        direct = GraphService(store).trust_graph()
    finally:
        store.close()
    assert len(graph["edges"]) == len(direct) > 0
    canvas = page.get_by_test_id("graph")
    assert canvas.get_attribute("data-node-count") == str(len(graph["nodes"]))
    assert canvas.get_attribute("data-edge-count") == str(len(graph["edges"]))
    # the legend counts every kind present, and they add up to the edges drawn
    kinds = {e["kind"] for e in graph["edges"]}
    for kind in kinds:
        label = page.locator(f'label[for="kind-{kind}"]').inner_text()
        assert label.endswith(f"({sum(e['kind'] == kind for e in graph['edges'])})")
    # the page really drew: cytoscape's canvas has painted pixels
    painted = page.evaluate(
        "() => [...document.querySelectorAll('#graph canvas')]"
        ".some(c => c.width > 0 && c.height > 0)"
    )
    assert painted
    shoot(page, "viewer.png")


def test_hiding_a_kind_in_the_legend_hides_its_edges(page: Any, server: Server) -> None:
    graph = server.api("{ trustGraph { edges { kind } } }")["trustGraph"]
    kind = graph["edges"][0]["kind"]
    page.locator(f'input[data-kind="{kind}"]').uncheck()
    visible = int(page.get_by_test_id("graph").get_attribute("data-visible-edge-count"))
    assert visible == sum(e["kind"] != kind for e in graph["edges"])


def test_access_query_draws_the_expected_path(page: Any, server: Server) -> None:
    check = demo_check("allow")
    expected = ask(server, check)
    assert expected["decision"] == "ALLOW" and expected["paths"]
    ask_access(page, check)
    assert page.get_by_test_id("access-decision").get_attribute("data-decision") == "allow"
    assert page.get_by_test_id("access-mfa").get_attribute("data-mfa") == expected["mfa"].lower()
    paths = page.get_by_test_id("access-path")
    assert paths.count() == len(expected["paths"])
    for i, want in enumerate(expected["paths"]):
        hops = paths.nth(i).get_by_test_id("access-hop")
        assert hops.count() == len(want["hops"])
        for j, hop in enumerate(want["hops"]):
            item = hops.nth(j)
            assert item.get_attribute("data-edge-kind") == hop["kind"]
            assert item.get_attribute("data-rule") == hop["rule"]
            text = item.inner_text()
            assert hop["source"] in text and hop["target"] in text
    if "path" in check:  # the demo documents the path; the page shows the same one
        first = expected["paths"][0]["hops"]
        assert [first[0]["source"], *(h["target"] for h in first)] == check["path"]
    # drawn on the graph hop by hop: one node per object, one edge per distinct hop
    canvas = page.get_by_test_id("graph")
    refs = {r for p in expected["paths"] for h in p["hops"] for r in (h["source"], h["target"])}
    hops = {
        (h["source"], h["target"], h["kind"], h["rule"])
        for p in expected["paths"]
        for h in p["hops"]
    }
    assert canvas.get_attribute("data-overlay") == "access"
    assert canvas.get_attribute("data-path-node-count") == str(len(refs))
    assert canvas.get_attribute("data-path-edge-count") == str(len(hops))
    assert page.evaluate("location.hash").startswith("#principal=")
    shoot(page, "viewer-access.png")


def test_denial_shows_its_blocking_gates(page: Any, server: Server) -> None:
    check = demo_check("deny")
    expected = ask(server, check)
    assert expected["decision"] == "DENY" and expected["reasons"]
    ask_access(page, check)
    assert page.get_by_test_id("access-decision").get_attribute("data-decision") == "deny"
    reasons = page.get_by_test_id("access-reason")
    assert [reasons.nth(i).get_attribute("data-code") for i in range(reasons.count())] == [
        r["code"] for r in expected["reasons"]
    ]
    for i, r in enumerate(expected["reasons"]):
        text = reasons.nth(i).inner_text()
        assert r["rule"] in text
        for part in (r["tenant"], r["policy"]):
            assert part is None or part in text.replace("\n", "")
    assert set(check.get("reasons", [])) <= {r["code"] for r in expected["reasons"]}
    assert page.get_by_test_id("access-path").count() == len(expected["paths"])
    # the route the denial is about, and no MFA claim
    assert expected["mfa"] is None and page.get_by_test_id("access-mfa").count() == 0
    assert page.get_by_test_id("verdict-via").get_attribute("data-via") == expected["via"].lower()
    shoot(page, "viewer-deny.png")


def _shared_channels() -> set[str]:
    data = yaml.safe_load((REPO / "fixtures" / "demo.yaml").read_text(encoding="utf-8"))
    return {
        f"{t['name']}/{team['name']}/{c['name']}"
        for t in data["world"]["tenants"]
        for team in t.get("teams") or ()
        for c in team.get("channels") or ()
        if isinstance(c, dict) and c.get("membershipType") == "shared"
    }


def test_a_shared_channel_denial_shows_direct_connect_and_no_mfa(page: Any, server: Server) -> None:
    shared = _shared_channels()
    denied = [c for c in demo_checks() if c.get("expect") == "deny" and c.get("resource") in shared]
    assert denied, "fixtures/demo.yaml documents no shared-channel denial"
    check = {**denied[0], "via": "any"}  # asked as a person would: any route
    expected = ask(server, check)
    assert (expected["decision"], expected["via"], expected["mfa"]) == (
        "DENY",
        "B2B_DIRECT_CONNECT",  # R21, L25: the only route into a shared channel
        None,
    )
    ask_access(page, check)
    assert page.get_by_test_id("access-decision").get_attribute("data-decision") == "deny"
    assert page.get_by_test_id("verdict-via").get_attribute("data-via") == "b2b_direct_connect"
    assert page.get_by_test_id("access-mfa").count() == 0
    assert "MFA" not in page.locator("#access-result .verdict-head").inner_text()


def shown_principals(page: Any) -> list[str]:
    items = page.get_by_test_id("who-item")
    return [items.nth(i).get_attribute("data-principal") for i in range(items.count())]


def test_who_can_access_lists_and_highlights_the_expected_principals(
    page: Any, server: Server
) -> None:
    check = next(c for c in demo_checks() if "whoCanAccess" in c)
    resource = check["whoCanAccess"]
    expected = who_can_access(server, resource)
    outsiders = who_can_access(server, resource, outsiders=True)
    assert 0 < len(outsiders) < len(expected), "the demo check needs insiders and outsiders"
    page.get_by_role("tab", name="Who can access").click()
    toggle = page.get_by_test_id("who-outsiders")
    assert toggle.is_checked(), "the panel asks for outsiders by default"
    page.get_by_test_id("who-resource").fill(resource)
    page.get_by_test_id("who-submit").click()
    count = page.get_by_test_id("who-count")
    count.wait_for()
    assert shown_principals(page) == [p for p, _ in outsiders]
    assert count.get_attribute("data-total") == str(len(outsiders))
    # everyone, once the toggle is off: the page asks again at once
    toggle.uncheck()
    page.wait_for_selector('[data-testid="who-count"][data-outsiders="false"]')
    items = page.get_by_test_id("who-item")
    shown = shown_principals(page)
    assert shown == [p for p, _ in expected]
    assert page.get_by_test_id("who-count").get_attribute("data-total") == str(len(expected))
    assert set(check["expect"]) | set(check.get("pending", [])) == set(shown)
    canvas = page.get_by_test_id("graph")
    assert canvas.get_attribute("data-overlay") == "who"
    assert canvas.get_attribute("data-who-count") == str(len(expected))
    shoot(page, "viewer-who.png")
    # picking a principal asks the access question for it
    items.first.click()
    page.wait_for_selector('[data-testid="access-decision"]')
    assert page.get_by_test_id("access-principal").input_value() == expected[0][0]


def test_who_count_is_the_total_not_the_rows_loaded(page: Any, server: Server) -> None:
    """The widest demo app has more principals than a page: the count is the API's total."""
    total = server.api(
        'query { whoCanAccess(resource: "contoso/wiki", first: 1, outsiders: true) { totalCount } }'
    )["whoCanAccess"]["totalCount"]
    page.goto(server.base + "/#who=contoso%2Fwiki")
    page.reload()  # a link opened afresh: the page replays its hash on load
    count = page.get_by_test_id("who-count")
    count.wait_for()
    assert count.get_attribute("data-total") == str(total)
    assert f"{total} outsider" in count.inner_text()
    assert page.get_by_test_id("who-outsiders").is_checked()
    # the hash keeps the toggle: a link to everyone shows everyone
    page.get_by_test_id("who-outsiders").uncheck()
    page.wait_for_selector('[data-testid="who-count"][data-outsiders="false"]')
    assert "outsiders=0" in page.evaluate("() => location.hash")


def test_a_scoped_token_sees_its_own_guest_objects(browser: Any, tmp_path: Path) -> None:
    """A token scoped to contoso: the row of a fabrikam guest is contoso's own guest object,
    its home identity redacted, and picking it asks the access question about that object."""
    db = tmp_path / "scoped.db"
    token = reader_token(db, "--tenant", "contoso")
    with running_server(db) as server:
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        sign_in(page, server, token)
        page.get_by_role("tab", name="Who can access").click()
        page.get_by_test_id("who-resource").fill("contoso/payroll")
        page.get_by_test_id("who-submit").click()
        page.get_by_test_id("who-count").wait_for()
        row = page.locator('[data-testid="who-item"][data-object="contoso/bob"]')
        assert row.get_attribute("data-principal") == "fabrikam/<user>"
        assert row.locator(".ref").inner_text() == "contoso/bob"
        row.click()
        page.wait_for_selector('[data-testid="access-decision"]')
        assert page.get_by_test_id("access-principal").input_value() == "contoso/bob"
        assert page.get_by_test_id("access-decision").get_attribute("data-decision") == "allow"
        context.close()


def test_search_finds_users_by_upn_and_apps_by_app_id(page: Any, server: Server) -> None:
    user = server.api("{ users(first: 1, userType: MEMBER) { nodes { ref userPrincipalName } } }")[
        "users"
    ]["nodes"][0]
    app = server.api("{ apps(first: 1) { nodes { ref appId } } }")["apps"]["nodes"][0]
    search = page.get_by_test_id("search-input")
    for text, ref in ((user["userPrincipalName"], user["ref"]), (app["appId"], app["ref"])):
        search.fill(text)
        hit = page.locator(f'[data-testid="search-hit"][data-ref="{ref}"]')
        hit.wait_for()
    hit.click()
    assert page.get_by_test_id("access-resource").input_value() == app["ref"]


def test_tenant_and_edge_panels_show_the_settings_behind_them(page: Any, server: Server) -> None:
    edge = server.api("{ trustGraph { edges { kind source target rule policy } } }")["trustGraph"][
        "edges"
    ][0]
    page.get_by_role("tab", name="List", exact=True).click()
    page.locator("#list-tenants button", has_text=edge["source"]).first.click()
    assert page.get_by_test_id("details-title").inner_text() == f"Tenant {edge['source']}"
    page.get_by_test_id("tenant-settings").get_by_text("Cross-tenant access").wait_for()
    page.get_by_role("tab", name="List", exact=True).click()
    page.locator("#list-edges button").first.click()
    details = page.get_by_test_id("details")
    assert edge["rule"] in details.inner_text() and edge["policy"] in details.inner_text()
    page.get_by_test_id("edge-setting").get_by_text("The setting").wait_for()


def test_keyboard_reaches_a_tenant(page: Any, server: Server) -> None:
    names = sorted(
        n["name"] for n in server.api("{ trustGraph { nodes { name } } }")["trustGraph"]["nodes"]
    )
    page.get_by_test_id("graph").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    assert page.get_by_test_id("details-title").inner_text() == f"Tenant {names[0]}"


def test_vendor_library_comes_from_the_installed_npm_package(server: Server) -> None:
    served = httpx.get(f"{server.base}/vendor/cytoscape.min.js", timeout=10)
    assert served.status_code == 200
    assert served.content == (default_node_modules() / CYTOSCAPE_FILE).read_bytes()
    assert served.headers["content-type"].startswith("text/javascript")


def reader_token(db: Path, *options: str) -> str:
    """A reader token made with `tenantgraph token create` in `db` (`--tenant T` scopes it)."""
    made = subprocess.run(
        tenantgraph("token", "--db", str(db), "create", "--role", "reader", *options),
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    return next(w for w in made.stdout.split() if w.startswith("tgk_"))


def sign_in(page: Any, server: Server, token: str) -> None:
    """Open the viewer of a server that asks for a token, paste it, wait for the graph."""
    page.goto(server.base + "/")
    form = page.get_by_test_id("token-form")
    form.wait_for()
    page.get_by_label("API token").fill(token)
    form.get_by_role("button").click()
    page.wait_for_selector('[data-testid="graph"][data-rendered="true"]')


def test_a_server_with_authentication_asks_for_a_token(browser: Any, tmp_path: Path) -> None:
    db = tmp_path / "auth.db"
    token = reader_token(db)
    with running_server(db) as server:
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        sign_in(page, server, token)
        assert int(page.get_by_test_id("graph").get_attribute("data-node-count")) > 0
        context.close()


def test_graphiql_renders_and_answers_with_the_network_blocked(
    browser: Any, server: Server
) -> None:
    """GraphiQL comes from the npm packages the server serves: every other host is refused."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    refused: list[str] = []

    def only_this_server(route: Any) -> None:
        if route.request.url.startswith(server.base):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    context.route("**/*", only_this_server)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(server.base + "/graphql")
    page.locator(".graphiql-container").wait_for(timeout=TIMEOUT_MS)
    tabs = page.locator(".graphiql-tab")
    assert tabs.count() >= 4, "the example queries open as tabs"
    page.locator(".graphiql-execute-button").click()
    page.locator(".result-window").get_by_text('"search"').wait_for(timeout=TIMEOUT_MS)
    assert '"errors"' not in page.locator(".result-window").inner_text()
    shoot(page, "graphiql.png")
    context.close()
    assert not refused and not errors, (refused, errors)


def test_viewer_links_to_graphiql(page: Any, server: Server) -> None:
    assert page.get_by_test_id("graphiql-link").get_attribute("href") == "/graphql"
