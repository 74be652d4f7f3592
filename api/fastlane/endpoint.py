"""The fast lane in front of the GraphQL view: planned documents answered directly.

Why: an `access` request asking for the full explanation spent most of its time in GraphQL
execution (a resolver call, type check and completion per field of every hop) and in thread
hand-offs, and ~1% in the engine. A planned document (`api.fastlane.plan`) is answered by its
fast resolver and compiled writer, on the event loop when the service says the question is a
memory read (`GraphService.answers_inline`), else with one thread hand-off.

Correctness: the fast lane sees only requests the front door accepted (`api.frontdoor`: media
type, body, JSON bounds, field types and the parsed document are checked once, for both paths),
and answers only what it is sure of. Any request it does not plan — a GET, an unplanned
document, variables that do not coerce — and any error while answering (a `forbidden` resource,
an unknown principal, a null where the schema says non-null) is handed to the regular view,
which executes the same accepted request, so errors, codes and extensions come from one place.
A successful answer is `{"data": ...}` encoded by the view's own encoder, byte for byte what
regular execution returns (tests compare every corpus verdict).
"""

from __future__ import annotations

import inspect
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from api.auth import Viewer
from api.context import Context
from api.fastlane.plan import Plan, Planner
from api.fastlane.resolvers import Request
from api.fastlane.serialize import Unsupported
from api.frontdoor import JSON_MEDIA, AcceptedRequest, accepted_request
from api.observe import note
from api.scope import Scope as ReadScope
from api.snapshot_report import snapshot_extensions
from graphmodel.service import GraphService

__all__ = ["FastLane"]

log = logging.getLogger("tenantgraph.api.fastlane")


class FastLane:
    """ASGI middleware for the `/graphql` route; `app` is the regular GraphQL view."""

    def __init__(
        self,
        app: ASGIApp,
        planner: Planner,
        *,
        service: Callable[[], GraphService],
        catch_up: Callable[[GraphService], Awaitable[str | None]],
        viewer_key: str,
        encode: Callable[[object], str | bytes],
        deadline_s: float,
        context: Callable[[Scope, Viewer], Context],
    ) -> None:
        self.app = app
        self.planner = planner
        self.service = service
        self.catch_up = catch_up
        self.viewer_key = viewer_key
        self.encode = encode
        self.deadline_s = deadline_s
        self.context = context
        self.answered = 0  # requests answered here (tests and benchmarks read it)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        accepted = accepted_request(scope)
        answer = None if accepted is None else await self._answer(scope, accepted)
        if answer is None:
            await self.app(scope, receive, send)
            return
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-length", str(len(answer)).encode()),
                    (b"content-type", JSON_MEDIA.encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": answer})

    async def _answer(self, scope: Scope, accepted: AcceptedRequest) -> bytes | None:
        """The encoded response, or None to leave the request to regular execution."""
        query, document = accepted.query, accepted.document
        if query is None or document is None or accepted.extensions is not None:
            return None
        variables = accepted.variables or {}
        plan = self.planner.plan(query, accepted.operation_name, document)
        viewer = scope.get(self.viewer_key)
        if plan is None or not isinstance(viewer, Viewer):
            return None
        service = self.service()
        if await self.catch_up(service) is not None:
            return None  # regular execution answers with the stale-snapshot warning
        try:
            data, read = await self._run(plan, variables, service, viewer, scope)
        except Exception:  # every failure is reported by regular execution instead
            log.debug("fast lane: left to regular execution", exc_info=True)
            return None
        self.answered += 1
        note(scope, lane="fast", snapshot=read.snapshot)
        response: dict[str, object] = {"data": data}
        extensions = snapshot_extensions(read.snapshot, read.world.source)  # as `SnapshotReport`
        if extensions:
            response["extensions"] = extensions
        encoded = self.encode(response)
        return encoded.encode() if isinstance(encoded, str) else encoded

    async def _run(
        self,
        plan: Plan,
        variables: dict[str, Any],
        service: GraphService,
        viewer: Viewer,
        asgi_scope: Scope,
    ) -> tuple[dict[str, Any], ReadScope]:
        deadline = time.monotonic() + self.deadline_s  # as `DeadlineReport` starts it
        inline = service.answers_inline()

        def context() -> Context:
            ctx = self.context(asgi_scope, viewer)
            ctx.deadline, ctx.inline = deadline, inline
            return ctx

        values = plan.variables.coerce(variables)
        if inline:
            request = Request.current(service, viewer, context)
        else:
            request = await run_in_threadpool(Request.current, service, viewer, context)
        data: dict[str, Any] = {}
        for field in plan.fields:
            if time.monotonic() > deadline:
                raise Unsupported("the deadline passed: regular execution reports it")
            args = field.arguments.values(values)
            if inspect.iscoroutinefunction(field.resolve):
                result = await field.resolve(request, **args)
            elif inline:
                result = field.resolve(request, **args)
            else:
                result = await run_in_threadpool(field.resolve, request, **args)
            data[field.key] = field.write(result)
        return data, request.scope
