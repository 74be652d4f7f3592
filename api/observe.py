"""One record per HTTP request, filled as it goes, then logged and counted once at the end.

Why one record: the request log (`api.requestlog`) and the metrics (`api.metrics`) need the
same facts, and each is known by a different layer — the operation name by the body, the
token id and scope by authentication, the lane and snapshot by whoever answered. The
outermost middleware (`Observe`) puts a `RequestRecord` in the ASGI scope; the layers write
what they know into it (`note`); when the answer is sent it goes to the sinks. The operation
name is read from a copy of the body after the response is sent, so the client does not wait
for a second JSON parse.

The request id is the client's `X-Request-Id` (a reverse proxy's) when it is a short token of
safe characters, else a new one; either way it is sent back in `X-Request-Id`.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.auth import Viewer

__all__ = ["RECORD_KEY", "Observe", "RequestRecord", "Sink", "note", "note_viewer"]

log = logging.getLogger("tenantgraph.api")
RECORD_KEY = "tenantgraph.record"
_SAFE_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
_OPERATION = re.compile(r"\b(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)")
_MAX_BODY_COPY = 1 << 20  # what `api.body` lets in at most


@dataclass(slots=True, kw_only=True)
class RequestRecord:
    """What is known about one request; `None` where nothing said otherwise."""

    request_id: str
    method: str
    path: str
    at: float  # wall clock, seconds since the epoch
    started: float  # perf_counter
    operation: str | None = None  # "" for an anonymous one; None when the body was not read
    lane: str | None = None  # /graphql: "fast", "regular", or "refused" (401, 403, 429)
    role: str | None = None  # None: no viewer (refused before authentication succeeded)
    token_id: str | None = None
    tenants: tuple[str, ...] | None = None
    snapshot: int | None = None
    status: int = 0
    refused: str | None = None  # why authentication refused the credential
    duration_s: float = 0.0

    @property
    def graphql(self) -> bool:
        return self.path == "/graphql"


Sink = Callable[[RequestRecord], None]


def note(scope: Scope, **facts: Any) -> None:
    """Write facts (`lane=`, `snapshot=`, `refused=`) into the request's record, if any."""
    record = scope.get(RECORD_KEY)
    if isinstance(record, RequestRecord):
        for name, value in facts.items():
            setattr(record, name, value)


def note_viewer(scope: Scope, viewer: Viewer) -> None:
    tenants = None if viewer.tenants is None else tuple(sorted(viewer.tenants))
    note(scope, role=viewer.role.value, token_id=viewer.token_id, tenants=tenants)


def operation_name(method: str, body: bytes, query_string: bytes) -> str | None:
    """The GraphQL operation's name: `operationName`, else the first named operation of the
    document (a label for logs and metrics: never used to execute anything)."""
    request: Any
    if method == "GET":
        params = parse_qs(query_string.decode("latin-1"))
        request = {k: v[0] for k, v in params.items()}
    else:
        try:
            request = json.loads(body)
        except (ValueError, RecursionError):
            return None
    if not isinstance(request, dict):
        return None
    name = request.get("operationName")
    if isinstance(name, str) and name:
        return name
    query = request.get("query")
    found = _OPERATION.search(query) if isinstance(query, str) else None
    return found.group(1) if found else None


class Observe:
    """The outermost middleware: one `RequestRecord` per HTTP request, handed to each sink."""

    def __init__(self, app: ASGIApp, sinks: Sequence[Sink]) -> None:
        self.app = app
        self.sinks = tuple(sinks)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        record = RequestRecord(
            request_id=_request_id(scope),
            method=scope["method"],
            path=scope["path"],
            at=time.time(),
            started=time.perf_counter(),
        )
        scope[RECORD_KEY] = record
        chunks: list[bytes] = []
        copied = 0

        async def copying_receive() -> Message:
            nonlocal copied
            message = await receive()
            if message["type"] == "http.request" and copied < _MAX_BODY_COPY:
                chunk = message.get("body", b"")
                chunks.append(chunk)
                copied += len(chunk)
            return message

        async def tagging_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                record.status = message["status"]
                headers = list(message.get("headers", ()))
                headers.append((b"x-request-id", record.request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, copying_receive if record.graphql else receive, tagging_send)
        except BaseException:
            record.status = record.status or 500
            raise
        finally:
            record.duration_s = time.perf_counter() - record.started
            if record.graphql and (chunks or record.method == "GET"):
                body = b"".join(chunks)
                found = operation_name(record.method, body, scope["query_string"])
                record.operation = found or ""  # "": read, but anonymous; None: never read
            record.lane = record.lane or ("regular" if record.graphql else None)
            for sink in self.sinks:
                try:
                    sink(record)
                except Exception:  # a log or metric failing must not fail the request
                    log.exception("recording request %s failed", record.request_id)


def _request_id(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            text: str = value.decode("latin-1")
            if _SAFE_ID.fullmatch(text):
                return text
    return secrets.token_hex(8)
