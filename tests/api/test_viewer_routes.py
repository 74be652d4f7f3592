"""The viewer's routes (`api/viewer.py`) on a bare Starlette app, without the GraphQL API: the
page, its static files and the vendored graph library, and the 503 page when the library is
not installed. Browser behaviour is tested in tests/e2e/test_viewer.py."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from api.viewer import (
    CYTOSCAPE_FILE,
    STATIC_DIR,
    VENDOR_FILES,
    VIEWER_FILES,
    default_node_modules,
    viewer_routes,
)
from graphmodel.export import EDGE_STYLE, edge_style
from graphmodel.schema import EdgeKind


class AsgiClient:
    """GET against an ASGI app in-process (httpx's ASGI transport; no server, no thread)."""

    def __init__(self, app: Starlette) -> None:
        self.app = app

    def get(self, url: str) -> httpx.Response:
        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://viewer") as c:
                return await c.get(url)

        return asyncio.run(go())


def _fake_node_modules(root: Path) -> Path:
    for name, relative in VENDOR_FILES.items():
        lib = root / "node_modules" / relative
        lib.parent.mkdir(parents=True, exist_ok=True)
        lib.write_text(f"/* {name} */\n", encoding="utf-8")
    return root / "node_modules"


@pytest.fixture
def client(tmp_path: Path) -> AsgiClient:
    return AsgiClient(Starlette(routes=viewer_routes(_fake_node_modules(tmp_path))))


def test_index_is_the_page_with_a_strict_content_security_policy(client: AsgiClient):
    r = client.get("/")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "connect-src 'self'" in csp
    assert 'data-testid="graph"' in r.text


def test_every_file_the_page_and_its_modules_load_is_served(client: AsgiClient):
    page = client.get("/").text
    urls = set(re.findall(r'(?:src|href)="(/(?:static|vendor)/[^"]+)"', page))
    assert {f"/vendor/{name}" for name in VIEWER_FILES} <= urls and "/static/viewer.js" in urls
    for js in STATIC_DIR.glob("*.js"):
        for module in re.findall(r'from "\./([\w-]+\.js)"', js.read_text(encoding="utf-8")):
            urls.add(f"/static/{module}")
    for url in sorted(urls):
        r = client.get(url)
        assert r.status_code == 200, url
        if url.endswith(".js"):
            assert "javascript" in r.headers["content-type"], url


def test_vendor_serves_the_installed_library(client: AsgiClient, tmp_path: Path):
    r = client.get("/vendor/cytoscape.min.js")
    assert r.status_code == 200
    assert r.text == (tmp_path / "node_modules" / CYTOSCAPE_FILE).read_text(encoding="utf-8")


def test_missing_library_is_a_503_that_says_how_to_fix_it(tmp_path: Path):
    client = AsgiClient(Starlette(routes=viewer_routes(tmp_path / "nowhere")))
    page = client.get("/")
    assert page.status_code == 503
    assert "make setup" in page.text and "TENANTGRAPH_NODE_MODULES" in page.text
    vendor = client.get("/vendor/cytoscape.min.js")
    assert vendor.status_code == 503 and "make setup" in vendor.text
    assert client.get("/vendor/not-a-package.js").status_code == 404


def test_library_installed_later_is_picked_up_without_a_restart(tmp_path: Path):
    client = AsgiClient(Starlette(routes=viewer_routes(tmp_path / "node_modules")))
    assert client.get("/").status_code == 503
    _fake_node_modules(tmp_path)
    assert client.get("/").status_code == 200


def test_node_modules_come_from_the_environment_or_the_checkout(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("TENANTGRAPH_NODE_MODULES", str(tmp_path))
    assert default_node_modules() == tmp_path
    monkeypatch.delenv("TENANTGRAPH_NODE_MODULES")
    assert default_node_modules().parts[-3:] == ("tools", "node", "node_modules")


def test_page_colours_trust_kinds_like_the_exports():
    """kinds.js and graphmodel.export.EDGE_STYLE must agree, so a picture reads the same."""
    text = (STATIC_DIR / "kinds.js").read_text(encoding="utf-8")
    found = dict(re.findall(r'(\w+): \{\n\s+label: "[^"]+", colour: "(#[0-9a-f]{6})"', text))
    assert found == {kind.value: colour for kind, (_, colour) in EDGE_STYLE.items()}


def test_page_draws_path_hops_in_the_colour_exports_use():
    text = (STATIC_DIR / "kinds.js").read_text(encoding="utf-8")
    found = re.search(r'export const PATH_COLOUR = "(#[0-9a-f]{6})"', text)
    assert found is not None
    assert found.group(1) == edge_style(EdgeKind.MEMBER_OF)[1]
