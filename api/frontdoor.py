"""The one front door of `POST /graphql`: every request is checked once, before either path.

Why: the fast lane (`api.fastlane`) and the regular strawberry view each decoded the body
themselves, and differently: the fast lane answered `access` for bodies the view refused (`NaN`
in variables, variables nested past the limit, `"variables": []`, `0` or `false`, a document
over a lowered token limit), and the view refused `Content-Type: APPLICATION/JSON`, which media
types allow. Here, once, in this order: the media type (`application/json`, any case; else 400),
the body (read whole, within the size limit `api.body` enforces), its JSON (`api.requestjson`:
an object, no `NaN`, nesting at most 64), the fields' types (`query` a string, `variables` and
`extensions` objects, `operationName` a string, each or null), and the document (parsed once,
with the token limit). A refusal is a coded 400 (`invalid-request`) whichever path the request
would have taken; a document that does not parse is not refused here but carried along, so
regular execution reports it as a GraphQL error (HTTP 200) as it always did.

What passes is an `AcceptedRequest` in the ASGI scope: the fast lane plans from it, and the
regular view executes it (`AcceptedRequestView`, `Context.accepted_document`), so neither decodes
or parses anything again. A GET request (a query in the URL) has one path only, the view's.

Examples
--------
>>> decode_graphql_body(b'{"query": "{ viewer { role } }", "variables": null}')
{'query': '{ viewer { role } }', 'variables': None}
>>> try:
...     decode_graphql_body(b'{"query": "{ a }", "variables": []}')
... except RequestError as e:
...     print(e.status_code, e.code, e)
400 invalid-request the GraphQL request's `variables` must be an object or null, not a list
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cross_web import AsyncHTTPRequestAdapter, StarletteRequestAdapter
from graphql import DocumentNode
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.http import GraphQLRequestData

from api.errors import send_error
from api.offloop import in_lane, parse_document
from api.requestjson import RequestError, decode_request_json

__all__ = [
    "AcceptedRequest",
    "AcceptedRequestView",
    "FrontDoor",
    "ScopedRequestAdapter",
    "accepted_request",
    "decode_graphql_body",
    "media_type",
]

_KEY = "tenantgraph.accepted"
JSON_MEDIA = "application/json"
_FIELDS: dict[str, tuple[type, str]] = {
    "query": (str, "a string"),
    "variables": (dict, "an object"),
    "operationName": (str, "a string"),
    "extensions": (dict, "an object"),
}


@dataclass(frozen=True, slots=True)
class AcceptedRequest:
    """A POST the front door accepted: its fields, and its document or why it does not parse."""

    query: str | None
    variables: dict[str, Any] | None
    operation_name: str | None
    extensions: dict[str, Any] | None
    document: DocumentNode | None = None
    parse_error: Exception | None = None

    def parsed(self, query: str) -> DocumentNode | None:
        """The document of `query` when it is this request's (raises its parse error); None
        for another text (an extension changed it: the caller parses it itself)."""
        if query != self.query:
            return None
        if self.parse_error is not None:
            raise self.parse_error
        return self.document

    def request_data(self) -> GraphQLRequestData:
        """What strawberry's view would have decoded from the body."""
        return GraphQLRequestData(
            query=self.query,
            variables=self.variables,
            operation_name=self.operation_name,
            extensions=self.extensions,
        )


def media_type(headers: Mapping[str, str] | list[tuple[bytes, bytes]]) -> str | None:
    """The request's media type, lower-cased and without parameters (None: no header).

    Examples
    --------
    >>> media_type([(b"content-type", b"APPLICATION/JSON; charset=UTF-8")])
    'application/json'
    """
    if isinstance(headers, list):
        found = next((v.decode("latin-1") for k, v in headers if k == b"content-type"), None)
    else:
        found = headers.get("content-type")
    return None if found is None else found.split(";", 1)[0].strip().lower()


def decode_graphql_body(body: bytes) -> dict[str, Any]:
    """The body as a GraphQL request object, or `RequestError` (400) saying what is wrong."""
    value = decode_request_json(body)
    if not isinstance(value, dict):
        raise RequestError(400, "batching is not enabled: send one request as a JSON object")
    for name, (kind, what) in _FIELDS.items():
        field = value.get(name)
        if field is not None and not isinstance(field, kind):
            found = "a list" if isinstance(field, list) else type(field).__name__
            raise RequestError(
                400, f"the GraphQL request's `{name}` must be {what} or null, not {found}"
            )
    return value


class FrontDoor:
    """ASGI middleware in front of both execution paths of `/graphql` (see the module doc).

    `on_loop_chars`: documents up to this length are parsed right on the event loop (cached;
    the fast lane's documents are this small), longer ones in the parse lane (`api.offloop`).
    """

    def __init__(self, app: ASGIApp, *, max_tokens: int, on_loop_chars: int) -> None:
        self.app = app
        self.max_tokens = max_tokens
        self.on_loop_chars = on_loop_chars

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        media = media_type(scope["headers"])
        if media != JSON_MEDIA:
            found = "none" if media is None else f"`{media[:60]}`"
            await send_error(
                send, 400, "invalid-request", f"unsupported content type {found}: send {JSON_MEDIA}"
            )
            return
        body = await _read_body(receive)
        if body is None:
            return  # the client went away
        try:
            fields = decode_graphql_body(body)
        except RequestError as exc:
            await send_error(send, exc.status_code, "invalid-request", exc.reason)
            return
        scope[_KEY] = await self._accept(fields)
        scope["headers"] = [
            (k, JSON_MEDIA.encode() if k == b"content-type" else v) for k, v in scope["headers"]
        ]
        await self.app(scope, _replaying(body, receive), send)

    async def _accept(self, fields: dict[str, Any]) -> AcceptedRequest:
        query = fields.get("query")
        accepted = AcceptedRequest(
            query=query,
            variables=fields.get("variables"),
            operation_name=fields.get("operationName"),
            extensions=fields.get("extensions"),
        )
        if query is None:
            return accepted
        try:
            if len(query) <= self.on_loop_chars:
                document = parse_document(query, self.max_tokens)
            else:
                document = await in_lane(parse_document, query, self.max_tokens)
        except Exception as exc:
            return _with(accepted, parse_error=exc)
        return _with(accepted, document=document)


def _with(
    a: AcceptedRequest,
    *,
    document: DocumentNode | None = None,
    parse_error: Exception | None = None,
) -> AcceptedRequest:
    return AcceptedRequest(
        a.query, a.variables, a.operation_name, a.extensions, document, parse_error
    )


def accepted_request(source: Scope | Request | StarletteRequestAdapter) -> AcceptedRequest | None:
    """The front door's `AcceptedRequest` of an ASGI scope, a request or the view's adapter."""
    if isinstance(source, ScopedRequestAdapter):
        scope: Scope = source.asgi_scope
    elif isinstance(source, Request):
        scope = source.scope
    elif isinstance(source, dict):
        scope = source
    else:
        return None
    found = scope.get(_KEY)
    return found if isinstance(found, AcceptedRequest) else None


class ScopedRequestAdapter(StarletteRequestAdapter):
    """strawberry's request adapter, keeping the ASGI scope (where the accepted request is)."""

    def __init__(self, request: Request) -> None:
        super().__init__(request)
        self.asgi_scope: Scope = request.scope


class AcceptedRequestView:
    """Mixin for the strawberry view (listed before it): a POST is executed as the front door
    accepted it, never decoded again; a GET (the query in the URL) as strawberry reads it."""

    request_adapter_class = ScopedRequestAdapter

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        accepted = accepted_request(request) if isinstance(request, ScopedRequestAdapter) else None
        if accepted is not None:
            return accepted.request_data()
        read = super().parse_http_body  # type: ignore[misc]  # strawberry's, next in the MRO
        parsed: GraphQLRequestData | list[GraphQLRequestData] = await read(request)
        return parsed


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
