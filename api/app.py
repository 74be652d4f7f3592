"""The Starlette application: `/graphql` (GraphiQL in a browser), `/healthz`, `/readyz`, viewer.

Why this layout: uvicorn runs one ASGI app; Starlette gives it routes, a lifespan and
middleware without a framework on top. The store is opened in the lifespan (when `service` is a
factory) and closed when the server stops, so a process that fails to start leaves nothing
open. Every `/graphql` request except the GraphiQL page itself needs a bearer token unless the
app was built with `NoAuth` (then a loud warning is logged at start). Request bodies are bounded
before anything parses them (`api.body`).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import strawberry
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry.asgi import GraphQL

from api.auth import Authenticator, Viewer
from api.body import BodySizeLimit
from api.context import Context
from api.cursors import CursorSealer
from api.errors import error_body
from api.fastlane import RESOLVERS, FastLane, Planner
from api.limits import Limits
from api.schema import build_schema
from api.viewer import viewer_routes
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

    def context(
        self, request: Request, response: Response, viewer: Viewer, limits: Limits
    ) -> Context:
        """A request's `Context` (the GraphQL view's and the fast lane's)."""
        service = self.open()
        assert self.management is not None  # INVARIANT: open() sets both
        return Context(
            request=request,
            response=response,
            service=service,
            management=self.management,
            viewer=viewer,
            limits=limits,
            cursors=self.cursors,
        )


class _GraphQLView(GraphQL[Context, None]):
    def __init__(self, schema: strawberry.Schema, runtime: _Runtime, limits: Limits) -> None:
        super().__init__(schema, graphql_ide="graphiql", allow_queries_via_get=True)
        self.runtime = runtime
        self.limits = limits

    async def get_context(self, request: Request, response: Response) -> Context:  # type: ignore[override]
        viewer = request.scope.get(_VIEWER_KEY)
        assert isinstance(viewer, Viewer)  # INVARIANT: _Authenticate ran first
        return self.runtime.context(request, response, viewer, self.limits)


class _Authenticate:
    """401 without a valid bearer token; the GraphiQL page (a browser GET) is public.

    `app` serves authenticated requests (the fast lane in front of `view`); `view` renders the
    GraphiQL page. Token checks read sqlite, so they run in the thread pool; with
    authentication off there is nothing to wait for and the viewer is made inline.
    """

    def __init__(self, view: _GraphQLView, app: ASGIApp, auth: Authenticator) -> None:
        self.view = view
        self.app = app
        self.auth = auth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope)
        wants_page = request.method == "GET" and "text/html" in request.headers.get("accept", "")
        header = request.headers.get("authorization")
        if self.auth.enabled:
            viewer = await run_in_threadpool(self.auth.authenticate, header)
        else:
            viewer = self.auth.authenticate(header)
        if viewer is None and wants_page:
            page = await self.view.render_graphql_ide(request)
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
    fast_lane: bool = True,
) -> Starlette:
    """The ASGI app over `service` (a GraphService, or a factory called in the lifespan).

    `fast_lane=False` answers every request by regular GraphQL execution (the reference the
    fast lane is tested and benchmarked against). `app.state.fast_lane` is the `FastLane`.
    """
    limits = limits or Limits()
    runtime = _Runtime(service)
    schema = build_schema(limits)
    graphql = _GraphQLView(schema, runtime, limits)
    planner = Planner(schema, RESOLVERS, max_chars=limits.max_tokens)
    fast = FastLane(
        graphql,
        planner,
        service=runtime.open,
        viewer_key=_VIEWER_KEY,
        encode=graphql.encode_json,
        deadline_s=limits.deadline_s,
        context=lambda scope, viewer: runtime.context(Request(scope), Response(), viewer, limits),
    )

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
        try:
            svc = await run_in_threadpool(runtime.open)
            current = await run_in_threadpool(svc.current_snapshot)
        except Exception as exc:
            return JSONResponse({"status": "unavailable", "detail": str(exc)}, status_code=503)
        if current is None:
            return JSONResponse(
                {"status": "empty", "detail": "no snapshot loaded"}, status_code=503
            )
        return JSONResponse({"status": "ready", "snapshot": current.id})

    app = Starlette(
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
            Route(
                "/graphql",
                _Authenticate(graphql, fast if fast_lane else graphql, auth),
                methods=["GET", "POST"],
            ),
            *viewer_routes(),
        ],
        lifespan=lifespan,
    )
    app.add_middleware(BodySizeLimit, max_bytes=limits.max_body_bytes)
    app.state.fast_lane = fast
    return app
