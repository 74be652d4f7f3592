"""The hard deadline of one request, which never turns a committed write into a 503.

Why a module of its own: cancelling an ASGI app mid-request is subtle (what was sent, what
a write thread is doing); keeping it apart from the app keeps both readable.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import error_body
from graphmodel.service.writes import WriteTicket

__all__ = ["with_hard_deadline"]

log = logging.getLogger("tenantgraph.api")


async def with_hard_deadline(
    app: ASGIApp, seconds: float, ticket: WriteTicket, scope: Scope, receive: Receive, send: Send
) -> None:
    """Cancel the request after `seconds`: its awaits stop, a worker thread already running
    finishes its one call (the soft deadline stops it starting another) and the client gets
    `deadline-exceeded` with HTTP 503 when no answer had started.

    A write is never cancelled once it is committing (`ticket`): then the request runs on to
    its answer, which names the snapshot written; a write not yet committing is abandoned and
    writes nothing, so "cancelled" always means "not written"."""
    started = False

    async def tracking_send(message: Message) -> None:
        nonlocal started
        started = started or message["type"] == "http.response.start"
        await send(message)

    task = asyncio.ensure_future(app(scope, receive, tracking_send))
    done, _ = await asyncio.wait({task}, timeout=seconds)
    if done:
        task.result()
        return
    if not ticket.abandon():  # committing: its outcome is on the way
        log.warning("request past the hard deadline of %gs while its write commits", seconds)
        await task
        return
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    log.warning("request cancelled at the hard deadline of %gs", seconds)
    if not started:
        message = f"the request was cancelled at the hard deadline of {seconds:g}s"
        response = JSONResponse(error_body("deadline-exceeded", message), status_code=503)
        await response(scope, receive, send)
