"""Routes of the trust-graph viewer page: `/`, `/static/...` and `/vendor/cytoscape.min.js`.

Why a separate module: the page is static files over the GraphQL API, so it needs no service
and no store; the app only mounts these routes. The graph library is served from the npm
package that `make setup` installs in `tools/node` (never a CDN, never a copy in the repo), so
the page works offline. Where that package is missing, `/` answers 503 with the command that
fixes it instead of a page that silently draws nothing. Files are looked up per request, so
running `make setup` while the server is up is enough.

Examples
--------
>>> routes = viewer_routes(Path("/nonexistent/node_modules"))
>>> [getattr(r, "path", None) for r in routes]
['/', '/vendor/cytoscape.min.js', '/static']
"""

from __future__ import annotations

import os
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

__all__ = ["CYTOSCAPE_FILE", "STATIC_DIR", "default_node_modules", "viewer_routes"]

STATIC_DIR = Path(__file__).resolve().parent / "static"
CYTOSCAPE_FILE = Path("cytoscape") / "dist" / "cytoscape.min.js"
_REPO = Path(__file__).resolve().parent.parent

# No inline script and nothing from another origin: the page only talks to this server.
_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
_MISSING = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>tenantgraph viewer unavailable</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 42rem; margin: 3rem auto">
<h1>Viewer unavailable: the graph library is not installed</h1>
<p>The page draws with <code>cytoscape</code> from the npm package installed by the setup
command, and it was not found at <code>{path}</code>.</p>
<p>Run <code>make setup</code> (it runs <code>npm ci</code> in <code>tools/node</code>), or
point <code>TENANTGRAPH_NODE_MODULES</code> at a <code>node_modules</code> directory that holds
<code>cytoscape</code>. The GraphQL API at <a href="/graphql">/graphql</a> works without it.</p>
</body></html>
"""


def default_node_modules() -> Path:
    """`$TENANTGRAPH_NODE_MODULES` if set, else `tools/node/node_modules` of this checkout."""
    env = os.environ.get("TENANTGRAPH_NODE_MODULES")
    return Path(env) if env else _REPO / "tools" / "node" / "node_modules"


def viewer_routes(node_modules: Path | None = None) -> list[BaseRoute]:
    """The viewer's routes, to add to the API's Starlette routes.

    `node_modules` is where the `cytoscape` npm package lives (default:
    `default_node_modules()`). Only `/`, `/static/*` and `/vendor/cytoscape.min.js` are taken.
    """
    library = (node_modules or default_node_modules()) / CYTOSCAPE_FILE

    async def index(request: Request) -> Response:
        if not library.is_file():
            return HTMLResponse(_MISSING.format(path=library), status_code=503)
        return FileResponse(
            STATIC_DIR / "index.html",
            media_type="text/html; charset=utf-8",
            headers={"Content-Security-Policy": _CSP, "Cache-Control": "no-cache"},
        )

    async def vendor(request: Request) -> Response:
        if not library.is_file():
            return PlainTextResponse(
                f"cytoscape not installed at {library}: run `make setup`", status_code=503
            )
        return FileResponse(library, media_type="text/javascript; charset=utf-8")

    return [
        Route("/", index, methods=["GET", "HEAD"], name="viewer"),
        Route("/vendor/cytoscape.min.js", vendor, methods=["GET", "HEAD"], name="viewer-vendor"),
        Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="static"),
    ]
