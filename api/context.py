"""The per-request context: who asks, which snapshot every field reads, the deadline, loaders.

Why pin a snapshot: a dashboard query asks several questions at once (`access`, `whoCanAccess`,
lists). Every field without an explicit `snapshot:` argument reads the snapshot that was current
when the request first needed one, so the answers are consistent with each other even if a
write lands mid-request; the next request sees the write (the service caches indexes per
snapshot id, so there is no stale cache to invalidate). A mutation moves the pin to the snapshot
it wrote, so its payload shows the change.

Service calls are blocking (engine work, sqlite); `call` runs them in the thread pool so one slow
question does not stall other requests, and refuses to start new work after the deadline.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from api.auth import Viewer
from api.cursors import CursorSealer
from api.errors import ApiError
from api.limits import Limits
from api.loaders import Loaders
from api.scope import Scope
from graphmodel.service import GraphService
from graphmodel.service.management import Management

__all__ = ["Context"]

T = TypeVar("T")
_UNPINNED = -1


@dataclass(eq=False, kw_only=True)
class Context:
    request: Request
    response: Response
    service: GraphService
    management: Management
    viewer: Viewer
    limits: Limits
    cursors: CursorSealer
    deadline: float = math.inf
    inline: bool = False
    warnings: list[dict[str, Any]] = field(default_factory=list)
    _pinned: int | None = _UNPINNED
    _scopes: dict[int | None, Scope] = field(default_factory=dict)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.scope)

    # --- time ------------------------------------------------------------------------------
    def expired(self) -> bool:
        return time.monotonic() > self.deadline

    def check_deadline(self, what: str) -> None:
        if self.expired():
            self.warn("deadline-exceeded", f"{what} was not started: the query deadline passed")
            raise ApiError(
                "deadline-exceeded",
                f"the query deadline of {self.limits.deadline_s:g}s passed before {what}",
            )

    def warn(self, code: str, message: str) -> None:
        entry = {"code": code, "message": message}
        if entry not in self.warnings:
            self.warnings.append(entry)

    async def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a blocking service call in the thread pool, unless the deadline has passed."""
        self.check_deadline(getattr(fn, "__name__", "the next step"))
        return await self.run(fn, *args, **kwargs)

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a blocking call in the thread pool even after the deadline (loading the World,
        the first chunk of a page), so that every answer makes progress. With `inline` (the
        fast lane sets it when the service answers from memory) the call runs right here: a
        hand-off to a thread costs more than a chunk of a page, and the GIL gives a thread no
        second core anyway."""
        if self.inline:
            return fn(*args, **kwargs)
        return await run_in_threadpool(fn, *args, **kwargs)

    # --- snapshots -------------------------------------------------------------------------
    async def snapshot(self, requested: int | None = None) -> int | None:
        """The snapshot id a field reads: `requested`, else the request's pinned one."""
        async with self._lock:
            if self._pinned == _UNPINNED:
                info = await run_in_threadpool(self.service.current_snapshot)
                self._pinned = info.id if info is not None else None
        if requested is None or requested == self._pinned:
            return self._pinned
        if not self.viewer.can_read_history:
            raise ApiError(
                "forbidden",
                f"reading snapshot `{requested}` needs the auditor or admin role; this token "
                "reads the current snapshot only",
            )
        return requested

    def pin(self, snapshot: int) -> None:
        """Read the snapshot a mutation just wrote from now on in this request."""
        self._pinned = snapshot

    async def scope(self, requested: int | None = None) -> Scope:
        """The viewer's view of the snapshot a field reads (world loaded once per request)."""
        sid = await self.snapshot(requested)
        found = self._scopes.get(sid)
        if found is None:
            world = await self.run(self.service.world, sid)
            found = self._scopes.setdefault(sid, Scope(self.viewer, world, sid))
        return found

    # --- paging ----------------------------------------------------------------------------
    def page_size(self, first: int) -> int:
        if first < 0 or first > self.limits.max_page:
            raise ApiError(
                "page-too-large",
                f"`first` must be between 0 and {self.limits.max_page}, not {first}",
                limit=self.limits.max_page,
            )
        return first

    def open_cursor(self, after: str | None) -> str | None:
        return None if after is None else self.cursors.open(after)
