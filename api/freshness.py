"""How a server keeps up with snapshots other processes publish, and keeps history in bounds.

Why a module of its own: the app wires these into requests and its lifespan, but what they do
(see a newer snapshot cheaply, apply it off the request's path, wait for one a client demands,
prune on a schedule) is the store-following half of serving, not routing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, Response

from api import metrics as metric
from api.errors import error_body
from graphmodel.errors import GraphModelError, SnapshotNotFound
from graphmodel.service import GraphService
from graphmodel.service.answers import SnapshotInfo
from graphmodel.service.writes import HistoryPolicy

__all__ = [
    "FOLLOW_INTERVAL_S",
    "catch_up",
    "follow",
    "keep_history",
    "record_catch_up",
    "wait_for_snapshot",
]

log = logging.getLogger("tenantgraph.api")
FOLLOW_INTERVAL_S = 0.25
"""How often a server checks for snapshots other processes published while no request asks."""


async def catch_up(service: GraphService) -> str | None:
    """See what other processes published (one cheap change-signal read when nothing was) and
    apply it in the background; the request reads the snapshot held meanwhile. On failure,
    say why: the request is answered from the snapshot held."""
    try:
        if service.refresh_pending():  # else nothing to catch up with
            service.catch_up_soon()
    except GraphModelError as exc:
        log.warning("could not catch up with the store: %s", exc)
        metric.record_store_error(exc.code)
        return f"could not check for a newer snapshot: {exc}"
    problem = service.catch_up_problem()
    return None if problem is None else f"could not catch up with the store: {problem}"


def record_catch_up(seconds: float, current: SnapshotInfo | None) -> None:
    """A catch-up finished (on whatever thread): its duration and the snapshot now served."""
    metric.record_catch_up(seconds)
    if current is not None:
        metric.record_snapshot(current.id, current.created_at.timestamp())


async def follow(service: GraphService) -> None:
    """Catch up every `FOLLOW_INTERVAL_S` while the server runs (an idle worker too)."""
    while True:
        await asyncio.sleep(FOLLOW_INTERVAL_S)
        with contextlib.suppress(GraphModelError):
            if service.refresh_pending():
                service.catch_up_soon()


async def keep_history(service: GraphService, history: HistoryPolicy) -> None:
    """Prune old snapshots every `history.every_s` seconds (`serve --keep/--keep-days`).

    Several workers may prune at once: each prune is one transaction, and the later ones find
    nothing left to delete."""
    while True:
        await asyncio.sleep(history.every_s)
        try:
            report = await run_in_threadpool(
                service.prune, keep=history.keep, keep_days=history.keep_days
            )
        except GraphModelError as exc:
            log.warning("could not prune the snapshot history: %s", exc)
            continue
        if report.deleted:
            log.info(
                "pruned %d old snapshot(s); the oldest kept is %s",
                len(report.deleted),
                report.oldest_kept,
            )


async def wait_for_snapshot(
    service: GraphService, snapshot: int, timeout: float
) -> Response | None:
    """Wait until `service` serves `snapshot` or newer; a refusal response when it cannot."""
    try:
        await run_in_threadpool(service.wait_for_snapshot, snapshot, timeout)
    except SnapshotNotFound:
        current = service.current_snapshot()
        newest = "none" if current is None else f"`{current.id}`"
        return JSONResponse(
            error_body(
                "snapshot-not-found",
                f"snapshot `{snapshot}` does not exist (the newest is {newest})",
            ),
            status_code=404,
        )
    except TimeoutError:
        return JSONResponse(
            error_body("deadline-exceeded", f"snapshot `{snapshot}` was not reached in time"),
            status_code=503,
        )
    except GraphModelError as exc:
        return JSONResponse(error_body(exc.code, str(exc)), status_code=503)
    return None
