"""ASGI middleware: refuse request bodies over the limit with 413 and code `body-too-large`.

Why a middleware: the limit must hold before anything parses JSON, and whatever the
`Content-Length` says (a chunked body has none). A declared oversize body is read and thrown
away (up to `drain_cap`) before answering, so the client, still sending, reads a clean 413
instead of a connection reset; beyond the cap the connection is simply closed after the answer.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import send_error

__all__ = ["BodySizeLimit"]


class _TooLarge(Exception):
    pass


class BodySizeLimit:
    def __init__(self, app: ASGIApp, *, max_bytes: int, drain_cap: int = 64 << 20) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.drain_cap = drain_cap

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._drain(receive)
            await self._reject(send)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if not started:
                await self._drain(receive)
                await self._reject(send)

    async def _drain(self, receive: Receive) -> None:
        seen = 0
        while seen <= self.drain_cap:
            message = await receive()
            if message["type"] != "http.request":
                return
            seen += len(message.get("body", b""))
            if not message.get("more_body", False):
                return

    async def _reject(self, send: Send) -> None:
        message = f"the request body is over {self.max_bytes} bytes"
        await send_error(send, 413, "body-too-large", message)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
