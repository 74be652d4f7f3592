"""The Starlette app: `/graphql` (GraphiQL, offline, in a browser), `/healthz`, `/readyz`, viewer.

Why this layout: uvicorn runs one ASGI app; Starlette gives it routes, a lifespan and
middleware without a framework on top. The store is opened in the lifespan (when `service` is a
factory) and closed when the server stops, so a process that fails to start leaves nothing
open. Every `/graphql` request except the GraphiQL page itself needs a bearer token unless the
app was built with `NoAuth` (then a loud warning is logged at start). Request bodies are bounded
before anything parses them (`api.body`); a POST is decoded, checked and parsed once by the front
door (`api.frontdoor`) before either the fast lane or the regular view sees it, and every
refusal is a JSON body with a code. Around everything: security headers and the Host allow-list
(`api.security`), CORS only for listed origins; per token: the rate limit (`api.ratelimit`) and a
hard deadline; mutations go to the audit log (`api.audit_log`). See docs/security.md.
Outermost, `api.observe` keeps one record per request for the JSON request log
(`api.requestlog`) and, with `metrics=True`, `/metrics` (`api.metrics`); see docs/deploy.md.

Several processes (uvicorn workers, the CLI, an import job) share one store. Every GraphQL
request checks for a newer snapshot (one cheap change-signal read when nothing was published)
and, when there is one, has it applied in the background while the request reads the snapshot
held (`extensions.snapshot` names it); a background task does the same every
`FOLLOW_INTERVAL_S` (`api.freshness`), so an idle process is never far behind. A request that
must see a given snapshot sends `At-Least-Snapshot` and waits for it (`api.consistency`);
`/readyz` catches up before answering. A mutation commits before the request's hard deadline
or not at all (`WriteTicket`, `api.deadline`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import os
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import strawberry
from cross_web import HTTPException
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry.asgi import GraphQL

from api import metrics as metric
from api.audit_log import AuditLog
from api.auth import Authenticator, AuthRefused, Viewer
from api.bearer import refusal_response
from api.body import BodySizeLimit
from api.consistency import read_request_headers
from api.context import Context
from api.cursors import CursorSealer
from api.deadline import with_hard_deadline
from api.errors import ApiCode, ApiError, error_body
from api.fastlane import RESOLVERS, FastLane, Planner
from api.freshness import catch_up, follow, keep_history, record_catch_up, wait_for_snapshot
from api.frontdoor import AcceptedRequestView, FrontDoor
from api.jwks import KeysUnavailable
from api.limits import Limits
from api.observe import Observe, Sink, note, note_viewer
from api.oidc_config import OidcConfig
from api.ratelimit import RateLimit, RateLimiter
from api.requestjson import decode_request_json
from api.requestlog import log_request
from api.schema import build_schema
from api.security import HostAllowList, HttpPolicy, SecurityHeaders
from api.signin import authority_origin, signin_route
from api.viewer import (
    CSP,
    GRAPHIQL_FILES,
    STATIC_DIR,
    default_node_modules,
    missing_files,
    viewer_routes,
)
from graphmodel.errors import StoreError, error_extensions
from graphmodel.service import GraphService
from graphmodel.service.management import Management
from graphmodel.service.writes import HistoryPolicy, WriteTicket

__all__ = ["ServiceSource", "create_app"]

log = logging.getLogger("tenantgraph.api")
ServiceSource = GraphService | Callable[[], GraphService]
_VIEWER_KEY = "tenantgraph.viewer"
TICKET_KEY = "tenantgraph.write-ticket"
FAST_LANE_MAX_CHARS = 4096
"""Longer documents skip the fast lane: planning validates on the event loop, so it is kept
to documents far smaller than any hostile one (an `access` with its full explanation is ~1 KB)."""


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
        self,
        request: Request,
        response: Response,
        viewer: Viewer,
        limits: Limits,
        audit: AuditLog | None,
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
            audit=audit,
        )


class _GraphQLView(AcceptedRequestView, GraphQL[Context, None]):
    def __init__(
        self, schema: strawberry.Schema, runtime: _Runtime, limits: Limits, audit: AuditLog | None
    ) -> None:
        super().__init__(schema, graphql_ide="graphiql", allow_queries_via_get=True)
        self.runtime = runtime
        self.limits = limits
        self.audit = audit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Strawberry's HTTP handling, with every refusal a JSON error carrying a code."""
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        try:
            response = await self.run(Request(scope=scope, receive=receive))
        except HTTPException as exc:
            code = getattr(exc, "code", None) or _HTTP_CODES.get(exc.status_code, "invalid-request")
            response = JSONResponse(error_body(code, exc.reason), status_code=exc.status_code)
        await response(scope, receive, send)

    def decode_json(self, data: str | bytes) -> object:
        return decode_request_json(data)

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
        viewer = request.scope.get(_VIEWER_KEY)
        assert isinstance(viewer, Viewer)  # INVARIANT: _Authenticate ran first
        context = self.runtime.context(request, response, viewer, self.limits, self.audit)
        problem = await catch_up(context.service)
        if problem is not None:
            context.warn("stale-snapshot", problem)
        return context


class _Authenticate:
    """401 without a valid bearer token (the GraphiQL page, a browser GET, is public); 429 over
    the token's rate; a hard deadline after which the request is cancelled (`Limits`).

    `app` serves authenticated requests (the fast lane in front of `view`); `view` renders the
    GraphiQL page. Token checks read sqlite, so they run in the thread pool; with
    authentication off there is nothing to wait for and the viewer is made inline.
    """

    def __init__(
        self, view: _GraphQLView, app: ASGIApp, auth: Authenticator, limiter: RateLimiter | None
    ) -> None:
        self.view = view
        self.app = app
        self.auth = auth
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope)
        wants_page = request.method == "GET" and "text/html" in request.headers.get("accept", "")
        header = request.headers.get("authorization")
        try:
            if self.auth.enabled:
                viewer = await run_in_threadpool(self.auth.authenticate, header)
            else:
                viewer = self.auth.authenticate(header)
        except (AuthRefused, KeysUnavailable) as exc:
            note(scope, lane="refused", refused=getattr(exc, "reason", "keys-unavailable"))
            await refusal_response(exc)(scope, receive, send)
            return
        if viewer is None and wants_page:
            page = await self.view.render_graphql_ide(request)
            await page(scope, receive, send)
            return
        if viewer is None:
            note(scope, lane="refused", refused="no-token" if not header else "unknown-token")
            message = "a bearer token is required" if not header else "the token is not valid"
            response = JSONResponse(
                error_body("unauthenticated", message),
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer realm="tenantgraph"'},
            )
            await response(scope, receive, send)
            return
        if self.limiter is not None:
            client = request.client.host if request.client else "?"
            wait = self.limiter.wait(viewer.token_id or f"address:{client}")
            if wait > 0:
                note(scope, lane="refused")
                # `Retry-After` counts whole seconds; the message names the same time
                retry_after = max(1, math.ceil(wait))
                response = JSONResponse(
                    error_body("rate-limited", f"too many requests: retry in {retry_after} s"),
                    status_code=429,
                    headers={"Retry-After": str(retry_after)},
                )
                await response(scope, receive, send)
                return
        try:
            headers = read_request_headers(scope)
        except ApiError as exc:
            await JSONResponse(error_body(exc.code, str(exc)), status_code=400)(
                scope, receive, send
            )
            return
        if headers.at_least is not None:
            service = await run_in_threadpool(self.view.runtime.open)
            refused = await wait_for_snapshot(
                service, headers.at_least, self.view.limits.deadline_s
            )
            if refused is not None:
                await refused(scope, receive, send)
                return
        scope[_VIEWER_KEY] = viewer
        scope[TICKET_KEY] = ticket = WriteTicket()
        note_viewer(scope, viewer)
        await with_hard_deadline(
            self.app, self.view.limits.hard_deadline_s, ticket, scope, receive, send
        )


def create_app(
    service: ServiceSource,
    *,
    auth: Authenticator,
    limits: Limits | None = None,
    cursor_key: bytes | None = None,
    http: HttpPolicy | None = None,
    rate_limit: RateLimit | None = None,
    audit: AuditLog | None = None,
    fast_lane: bool = True,
    history: HistoryPolicy | None = None,
    metrics: bool = False,
    metrics_token: str | None = None,
    request_log: bool = True,
    sign_in: OidcConfig | None = None,
) -> Starlette:
    """The ASGI app over `service` (a GraphService, or a factory called in the lifespan).

    `cursor_key` seals paging cursors; processes serving one store behind one address must
    share it (a random key per process otherwise). `http` sets the Host allow-list and CORS
    origins (default: localhost names, no CORS); `rate_limit` the per-token rate (default:
    none); `audit` the mutation log (default: none). `fast_lane=False` answers every request
    by regular GraphQL execution (the reference the fast lane is tested and benchmarked
    against); `app.state.fast_lane` is the `FastLane`. `history`: prune old snapshots while
    serving (default: keep everything). `metrics` serves `/metrics` (only with
    `Authorization: Bearer <metrics_token>` when that is set); `request_log` writes one log line
    per request (`api.requestlog`). `sign_in` turns on Entra ID sign-in in the viewer page
    (`api.signin`); checking the tokens is `auth`'s job.
    """
    limits = limits or Limits()
    http = http or HttpPolicy()
    runtime = _Runtime(service, cursors=CursorSealer(cursor_key))
    schema = build_schema(limits)
    graphql = _GraphQLView(schema, runtime, limits, audit)
    planner = Planner(schema, RESOLVERS, max_chars=FAST_LANE_MAX_CHARS)
    fast = FastLane(
        graphql,
        planner,
        service=runtime.open,
        catch_up=catch_up,
        viewer_key=_VIEWER_KEY,
        encode=graphql.encode_json,
        deadline_s=limits.deadline_s,
        context=lambda scope, viewer: runtime.context(
            Request(scope), Response(), viewer, limits, audit
        ),
    )
    limiter = RateLimiter(rate_limit) if rate_limit is not None else None

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if not auth.enabled:
            log.warning(
                "AUTHENTICATION IS DISABLED (--no-auth): anyone who can reach this port can "
                "read and change every tenant. Use it only for a local demo."
            )
        svc = await run_in_threadpool(runtime.open)
        await run_in_threadpool(svc.index)  # build the current snapshot's index before serving
        held = await run_in_threadpool(svc.current_snapshot)  # neo4j: a read
        if held is not None:
            metric.record_snapshot(held.id, held.created_at.timestamp())
        svc.observe_catch_up(record_catch_up)
        tasks = [asyncio.create_task(follow(svc))]
        if history is not None and history.enabled:
            tasks.append(asyncio.create_task(keep_history(svc, history)))
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await run_in_threadpool(runtime.close)

    async def healthz(request: Request) -> Response:
        """Alive; which process answers, the snapshot it serves right now and since when (epoch
        seconds), without catching up (a newer one may be being applied: `/readyz` waits)."""
        held = None if runtime.service is None else runtime.service.follower.held()
        served = {"snapshot": None} if held is None else {"snapshot": held.id, "since": held.since}
        return JSONResponse({"status": "ok", "worker": os.getpid(), **served})

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
            Route(
                "/graphql",
                _Authenticate(
                    graphql,
                    FrontDoor(
                        fast if fast_lane else graphql,
                        max_tokens=limits.max_tokens,
                        on_loop_chars=FAST_LANE_MAX_CHARS,
                    ),
                    auth,
                    limiter,
                ),
                methods=["GET", "POST"],
            ),
            *viewer_routes(sign_in_origin=authority_origin(sign_in)),
            signin_route(sign_in),
            *([metric.metrics_route(runtime.open, metrics_token)] if metrics else []),
        ],
        lifespan=lifespan,
        exception_handlers={
            404: _http_error,
            405: _http_error,
            StoreError: _store_error,
            Exception: _internal_error,
        },
    )
    # Outermost last: headers on every answer, then the Host check, CORS, the body limit.
    app.add_middleware(BodySizeLimit, max_bytes=limits.max_body_bytes)
    if http.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(http.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["authorization", "content-type"],
            max_age=600,
        )
    app.add_middleware(HostAllowList, allowed=http.allowed_hosts)
    app.add_middleware(SecurityHeaders)
    sinks: list[Sink] = [log_request] if request_log else []
    if metrics:
        metric.enable()
        sinks.append(metric.record_request)
    app.add_middleware(Observe, sinks=sinks)
    app.state.fast_lane = fast
    return app


_HTTP_CODES: dict[int, ApiCode] = {404: "not-found", 405: "method-not-allowed"}


async def _http_error(request: Request, exc: Exception) -> Response:
    status = getattr(exc, "status_code", 404)
    code = _HTTP_CODES.get(status, "invalid-request")
    return JSONResponse(error_body(code, str(getattr(exc, "detail", code))), status_code=status)


async def _store_error(request: Request, exc: Exception) -> Response:
    """A store error outside GraphQL (the token file on a full disk): 503 with its code."""
    assert isinstance(exc, StoreError)  # INVARIANT: registered for StoreError only
    log.error("store error answering %s: %s", request.url.path, exc)
    body = {"errors": [{"message": str(exc), "extensions": error_extensions(exc)}]}
    return JSONResponse(body, status_code=503)


async def _internal_error(request: Request, exc: Exception) -> Response:
    log.error("unexpected error answering %s", request.url.path, exc_info=exc)
    return JSONResponse(error_body("internal-error", "unexpected error"), status_code=500)
