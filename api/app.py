"""The Starlette app: `/graphql` (GraphiQL, offline, in a browser), `/healthz`, `/readyz`, viewer.

Why this layout: uvicorn runs one ASGI app; Starlette gives it routes, a lifespan and
middleware without a framework on top. The store is opened in the lifespan (when `service` is a
factory) and closed when the server stops, so a process that fails to start leaves nothing
open. Every `/graphql` request except the GraphiQL page itself needs a bearer token unless the
app was built with `NoAuth` (then a loud warning is logged at start). Request bodies are bounded
before anything parses them (`api.body`).

Several processes (uvicorn workers, the CLI, an import job) share one store: every GraphQL
request and every `/readyz` first calls `GraphService.refresh()` (one cheap change-signal read
when nothing was published), so a process answers from the newest snapshot whoever wrote it.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL

from api.auth import Authenticator, Viewer
from api.body import BodySizeLimit
from api.context import Context
from api.cursors import CursorSealer
from api.errors import error_body
from api.limits import Limits
from api.schema import build_schema
from api.viewer import (
    CSP,
    GRAPHIQL_FILES,
    STATIC_DIR,
    default_node_modules,
    missing_files,
    viewer_routes,
)
from graphmodel.errors import GraphModelError
from graphmodel.service import GraphService
from graphmodel.service.management import Management

__all__ = ["ServiceSource", "create_app"]

log = logging.getLogger("tenantgraph.api")
ServiceSource = GraphService | Callable[[], GraphService]
_VIEWER_KEY = "tenantgraph.viewer"


@dataclass(eq=False)
class _Runtime:
    """What the lifespan sets up and every request reads."""

    source: ServiceSource
    service: GraphService | None = None
    management: Management | None = None
    cursors: CursorSealer = field(default_factory=CursorSealer)

    def open(self) -> GraphService:
        if self.service is None:
            self.service = self.source if isinstance(self.source, GraphService) else self.source()
            self.management = Management(self.service)
        return self.service

    def close(self) -> None:
        if self.service is not None:
            self.service.store.close()


class _GraphQLView(GraphQL[Context, None]):
    def __init__(self, runtime: _Runtime, limits: Limits) -> None:
        super().__init__(build_schema(limits), graphql_ide="graphiql", allow_queries_via_get=True)
        self.runtime = runtime
        self.limits = limits

    async def render_graphql_ide(self, request: Request) -> Response:
        """GraphiQL from the npm packages `make setup` installs (strawberry's page uses a CDN)."""
        missing = missing_files(default_node_modules(), GRAPHIQL_FILES)
        if missing:
            listed = ", ".join(str(p) for p in missing)
            return HTMLResponse(
                f"<!doctype html><title>GraphiQL unavailable</title><h1>GraphiQL unavailable</h1>"
                f"<p>Not installed: {listed}. Run <code>make setup</code>; the API itself works "
                "(POST queries to /graphql).</p>",
                status_code=503,
            )
        return FileResponse(
            STATIC_DIR / "graphiql.html",
            media_type="text/html; charset=utf-8",
            headers={"Content-Security-Policy": CSP, "Cache-Control": "no-cache"},
        )

    async def get_context(self, request: Request, response: Response) -> Context:  # type: ignore[override]
        service = self.runtime.open()
        assert self.runtime.management is not None
        viewer = request.scope.get(_VIEWER_KEY)
        assert isinstance(viewer, Viewer)  # INVARIANT: _Authenticate ran first
        context = Context(
            request=request,
            response=response,
            service=service,
            management=self.runtime.management,
            viewer=viewer,
            limits=self.limits,
            cursors=self.runtime.cursors,
        )
        try:
            await run_in_threadpool(service.refresh)  # see what other processes published
        except GraphModelError as exc:  # answer from the snapshot held, and say so
            log.warning("could not catch up with the store: %s", exc)
            context.warn("stale-snapshot", f"could not check for a newer snapshot: {exc}")
        return context


class _Authenticate:
    """401 without a valid bearer token; the GraphiQL page (a browser GET) is public."""

    def __init__(self, app: _GraphQLView, auth: Authenticator) -> None:
        self.app = app
        self.auth = auth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope)
        wants_page = request.method == "GET" and "text/html" in request.headers.get("accept", "")
        header = request.headers.get("authorization")
        viewer = await run_in_threadpool(self.auth.authenticate, header)
        if viewer is None and wants_page:
            page = await self.app.render_graphql_ide(request)
            await page(scope, receive, send)
            return
        if viewer is None:
            message = "a bearer token is required" if not header else "the token is not valid"
            response = JSONResponse(
                error_body("unauthenticated", message),
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer realm="tenantgraph"'},
            )
            await response(scope, receive, send)
            return
        scope[_VIEWER_KEY] = viewer
        await self.app(scope, receive, send)


def create_app(
    service: ServiceSource,
    *,
    auth: Authenticator,
    limits: Limits | None = None,
    cursor_key: bytes | None = None,
) -> Starlette:
    """The ASGI app over `service` (a GraphService, or a factory called in the lifespan).

    `cursor_key` seals paging cursors; processes serving one store behind one address must
    share it (a random key per process otherwise).
    """
    limits = limits or Limits()
    runtime = _Runtime(service, cursors=CursorSealer(cursor_key))
    graphql = _GraphQLView(runtime, limits)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if not auth.enabled:
            log.warning(
                "AUTHENTICATION IS DISABLED (--no-auth): anyone who can reach this port can "
                "read and change every tenant. Use it only for a local demo."
            )
        svc = await run_in_threadpool(runtime.open)
        await run_in_threadpool(svc.index)  # build the current snapshot's index before serving
        try:
            yield
        finally:
            await run_in_threadpool(runtime.close)

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        """Ready when caught up with the store and holding a snapshot; says which one.

        `worker` is the answering process's id, so an operator (or a test) running several
        workers can tell them apart.
        """
        try:
            svc = await run_in_threadpool(runtime.open)
        except Exception as exc:
            return JSONResponse({"status": "unavailable", "detail": str(exc)}, status_code=503)
        try:
            current = await run_in_threadpool(svc.refresh)
        except Exception as exc:  # serving what it holds, but it cannot tell what is newest
            held = svc.current_snapshot()
            body = {"status": "unavailable", "detail": str(exc), "caughtUp": False}
            return JSONResponse(
                {**body, "snapshot": None if held is None else held.id}, status_code=503
            )
        if current is None:
            return JSONResponse(
                {"status": "empty", "detail": "no snapshot loaded", "caughtUp": True},
                status_code=503,
            )
        return JSONResponse(
            {"status": "ready", "snapshot": current.id, "caughtUp": True, "worker": os.getpid()}
        )

    app = Starlette(
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
            Route("/graphql", _Authenticate(graphql, auth), methods=["GET", "POST"]),
            *viewer_routes(),
        ],
        lifespan=lifespan,
    )
    app.add_middleware(BodySizeLimit, max_bytes=limits.max_body_bytes)
    return app
