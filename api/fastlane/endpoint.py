"""The fast lane in front of the GraphQL view: planned documents answered directly.

Why: an `access` request asking for the full explanation spent most of its time in GraphQL
execution (a resolver call, type check and completion per field of every hop) and in thread
hand-offs, and ~1% in the engine. A planned document (`api.fastlane.plan`) is answered by its
fast resolver and compiled writer, on the event loop when the service says the question is a
memory read (`GraphService.answers_inline`), else with one thread hand-off.

Correctness: the fast lane answers only what it is sure of. Any request it does not plan — a
GET, another content type, an unplanned document, variables that do not coerce — and any error
while answering (a `forbidden` resource, an unknown principal, a null where the schema says
non-null) is handed to the regular view with the request body replayed, so errors, codes and
extensions come from one place. A successful answer is `{"data": ...}` encoded by the view's
own encoder, byte for byte what regular execution returns (tests compare every corpus verdict).
"""

from __future__ import annotations

import inspect
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.auth import Viewer
from api.context import Context
from api.fastlane.plan import Plan, Planner
from api.fastlane.resolvers import Request
from api.fastlane.serialize import Unsupported
from api.observe import note
from graphmodel.service import GraphService

__all__ = ["FastLane"]

log = logging.getLogger("tenantgraph.api.fastlane")
_JSON = b"application/json"


def _media_type(scope: Scope) -> bytes | None:
    for name, value in scope["headers"]:
        if name == b"content-type":
            media: bytes = value.split(b";", 1)[0].strip().lower()
            return media
    return None


async def _read_body(receive: Receive) -> bytes | None:
    """The whole request body, or None when the client went away."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replaying(body: bytes, receive: Receive) -> Receive:
    """A `receive` that yields the already-read body once, then defers to the real one."""
    pending = True

    async def replay() -> Message:
        nonlocal pending
        if pending:
            pending = False
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


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
        if scope["method"] != "POST" or _media_type(scope) != _JSON:
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        if body is None:
            return
        answer = await self._answer(scope, body)
        if answer is None:
            await self.app(scope, _replaying(body, receive), send)
            return
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-length", str(len(answer)).encode()),
                    (b"content-type", _JSON),
                ],
            }
        )
        await send({"type": "http.response.body", "body": answer})

    async def _answer(self, scope: Scope, body: bytes) -> bytes | None:
        """The encoded response, or None to leave the request to regular execution."""
        try:
            request = json.loads(body)
        except (ValueError, RecursionError):  # regular execution explains what is wrong
            return None
        if not isinstance(request, dict) or set(request) - {"query", "variables", "operationName"}:
            return None
        query, variables = request.get("query"), request.get("variables") or {}
        operation = request.get("operationName")
        if not isinstance(query, str) or not isinstance(variables, dict):
            return None
        if operation is not None and not isinstance(operation, str):
            return None
        plan = self.planner.plan(query, operation)
        viewer = scope.get(self.viewer_key)
        if plan is None or not isinstance(viewer, Viewer):
            return None
        service = self.service()
        if await self.catch_up(service) is not None:
            return None  # regular execution answers with the stale-snapshot warning
        try:
            data, snapshot = await self._run(plan, variables, service, viewer, scope)
        except Exception:  # every failure is reported by regular execution instead
            log.debug("fast lane: left to regular execution", exc_info=True)
            return None
        self.answered += 1
        note(scope, lane="fast", snapshot=snapshot)
        response: dict[str, object] = {"data": data}
        if snapshot is not None:  # as `SnapshotReport` says which snapshot was read
            response["extensions"] = {"snapshot": snapshot}
        encoded = self.encode(response)
        return encoded.encode() if isinstance(encoded, str) else encoded

    async def _run(
        self,
        plan: Plan,
        variables: dict[str, Any],
        service: GraphService,
        viewer: Viewer,
        asgi_scope: Scope,
    ) -> tuple[dict[str, Any], int | None]:
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
        return data, request.scope.snapshot
