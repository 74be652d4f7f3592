"""Routes of the browser pages: the viewer (`/`), `/static/...` and `/vendor/<file>`.

Why a separate module: the pages are static files over the GraphQL API, so they need no
service and no store; the app only mounts these routes. Every library is served from the npm
packages that `make setup` installs in `tools/node` (never a CDN, never a copy in the repo), so
the viewer and GraphiQL work offline. Where a package is missing, `/` answers 503 with the
command that fixes it instead of a page that silently draws nothing. Files are looked up per
request, so running `make setup` while the server is up is enough.

Examples
--------
>>> routes = viewer_routes(Path("/nonexistent/node_modules"))
>>> [getattr(r, "path", None) for r in routes]
['/', '/vendor/{name}', '/static']
"""

from __future__ import annotations

import os
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

__all__ = [
    "CSP",
    "CYTOSCAPE_FILE",
    "GRAPHIQL_FILES",
    "SIGNIN_FILES",
    "STATIC_DIR",
    "VENDOR_FILES",
    "VIEWER_FILES",
    "default_node_modules",
    "missing_files",
    "page_csp",
    "viewer_routes",
]

STATIC_DIR = Path(__file__).resolve().parent / "static"
CYTOSCAPE_FILE = Path("cytoscape") / "dist" / "cytoscape.min.js"
# Served name -> file inside node_modules. The names are what index.html and graphiql.html load.
VIEWER_FILES: dict[str, Path] = {
    "cytoscape.min.js": CYTOSCAPE_FILE,
    "layout-base.js": Path("layout-base") / "layout-base.js",
    "cose-base.js": Path("cose-base") / "cose-base.js",
    "cytoscape-fcose.js": Path("cytoscape-fcose") / "cytoscape-fcose.js",
    "cytoscape-svg.js": Path("cytoscape-svg") / "cytoscape-svg.js",
}
GRAPHIQL_FILES: dict[str, Path] = {
    "react.production.min.js": Path("react") / "umd" / "react.production.min.js",
    "react-dom.production.min.js": Path("react-dom") / "umd" / "react-dom.production.min.js",
    "graphiql.min.js": Path("graphiql") / "graphiql.min.js",
    "graphiql.min.css": Path("graphiql") / "graphiql.min.css",
}
# MSAL.js, loaded by the page only when Entra ID sign-in is configured (`api.signin`).
SIGNIN_FILES: dict[str, Path] = {
    "msal-browser.min.js": Path("@azure") / "msal-browser" / "lib" / "msal-browser.min.js",
}
VENDOR_FILES: dict[str, Path] = {**VIEWER_FILES, **GRAPHIQL_FILES, **SIGNIN_FILES}
_REPO = Path(__file__).resolve().parent.parent

# No inline script and nothing from another origin: the pages only talk to this server.
# (Inline *style attributes* stay allowed: the graph library and React set element styles.)
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
_MISSING = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>tenantgraph viewer unavailable</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 42rem; margin: 3rem auto">
<h1>Viewer unavailable: the graph library is not installed</h1>
<p>The page draws with <code>cytoscape</code> and its layout and export plugins from the npm
packages installed by the setup command; these were not found:</p>
<ul>{items}</ul>
<p>Run <code>make setup</code> (it runs <code>npm ci</code> in <code>tools/node</code>), or
point <code>TENANTGRAPH_NODE_MODULES</code> at a <code>node_modules</code> directory that holds
them. The GraphQL API at <a href="/graphql">/graphql</a> works without them.</p>
</body></html>
"""


def default_node_modules() -> Path:
    """`$TENANTGRAPH_NODE_MODULES` if set, else `tools/node/node_modules` of this checkout."""
    env = os.environ.get("TENANTGRAPH_NODE_MODULES")
    return Path(env) if env else _REPO / "tools" / "node" / "node_modules"


def missing_files(node_modules: Path, files: dict[str, Path]) -> list[Path]:
    """The files of `files` that are not installed under `node_modules`."""
    return [node_modules / f for f in files.values() if not (node_modules / f).is_file()]


def page_csp(sign_in_origin: str | None = None) -> str:
    """The viewer page's CSP; with Entra ID sign-in it may also reach the authority's origin
    (MSAL.js reads its OpenID configuration, redeems the code, renews in a hidden frame)."""
    if sign_in_origin is None:
        return CSP
    csp = CSP.replace("connect-src 'self'", f"connect-src 'self' {sign_in_origin}")
    return f"{csp}; frame-src {sign_in_origin}"


def viewer_routes(
    node_modules: Path | None = None, *, sign_in_origin: str | None = None
) -> list[BaseRoute]:
    """The viewer's routes, to add to the API's Starlette routes.

    `node_modules` is where the npm packages live (default: `default_node_modules()`). Only
    `/`, `/static/*` and `/vendor/<name>` (names of `VENDOR_FILES`) are taken.
    `sign_in_origin` is the Entra ID authority the page signs in with (`page_csp`).
    """
    root = node_modules or default_node_modules()
    csp = page_csp(sign_in_origin)

    async def index(request: Request) -> Response:
        missing = missing_files(root, VIEWER_FILES)
        if missing:
            items = "".join(f"<li><code>{p}</code></li>" for p in missing)
            return HTMLResponse(_MISSING.format(items=items), status_code=503)
        return FileResponse(
            STATIC_DIR / "index.html",
            media_type="text/html; charset=utf-8",
            headers={"Content-Security-Policy": csp, "Cache-Control": "no-cache"},
        )

    async def vendor(request: Request) -> Response:
        name = request.path_params["name"]
        relative = VENDOR_FILES.get(name)
        if relative is None:
            return PlainTextResponse(f"no vendored file {name!r}", status_code=404)
        path = root / relative
        if not path.is_file():
            return PlainTextResponse(
                f"{relative.parts[0]} not installed at {path}: run `make setup`", status_code=503
            )
        kind = "text/css" if name.endswith(".css") else "text/javascript"
        return FileResponse(path, media_type=f"{kind}; charset=utf-8")

    return [
        Route("/", index, methods=["GET", "HEAD"], name="viewer"),
        Route("/vendor/{name}", vendor, methods=["GET", "HEAD"], name="viewer-vendor"),
        Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="static"),
    ]
