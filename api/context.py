"""The per-request context: who asks, which snapshot every field reads, the deadline, loaders.

Why pin a snapshot: a dashboard query asks several questions at once (`access`, `whoCanAccess`,
lists). Every field without an explicit `snapshot:` argument reads the snapshot that was current
when the request first needed one, so the answers are consistent with each other even if a
write lands mid-request; the next request sees the write (the app refreshes the service before
each request, whichever process published; indexes are cached per snapshot id, so there is no
stale cache to invalidate). A mutation moves the pin to the snapshot it wrote, so its payload
shows the change. The response names the snapshot read in `extensions.snapshot`.

Why cursors carry their snapshot: a client paging through 400k `whoCanAccess` rows must not
see rows move when a newer snapshot is published between pages. A cursor seals the snapshot
it was issued for with the ref; continuing it reads that snapshot again (even for a reader
token, which only ever saw it as current), and asking for another snapshot with it is refused
(`invalid-input`). A snapshot gone from the store fails with `snapshot-not-found`.

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

from graphql import DocumentNode, GraphQLError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from api.audit_log import AuditLog
from api.auth import Viewer
from api.consistency import request_headers
from api.cursors import CursorSealer
from api.errors import ApiError
from api.frontdoor import accepted_request
from api.limits import Limits
from api.loaders import Loaders
from api.scope import Scope
from graphmodel.errors import GraphModelError
from graphmodel.schema.world import World
from graphmodel.service import GraphService
from graphmodel.service.management import Management
from graphmodel.service.writes import WriteRequest, WriteTicket, write_request

__all__ = ["Context"]

T = TypeVar("T")
_UNPINNED = -1
_SEP = "\x1f"  # never in a ref: refs are printable


@dataclass(eq=False, kw_only=True)
class Context:
    request: Request
    response: Response
    service: GraphService
    management: Management
    viewer: Viewer
    limits: Limits
    cursors: CursorSealer
    audit: AuditLog | None = None
    deadline: float = math.inf
    inline: bool = False
    warnings: list[dict[str, Any]] = field(default_factory=list)
    _pinned: int | None = _UNPINNED
    _scopes: dict[int | None, Scope] = field(default_factory=dict)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    document: DocumentNode | None = None  # the executed document (`api.limits.DeadlineReport`)
    whatif_changes: int = 0  # what-if changes this request ran (`api.limits.whatif_budget`)
    whatif_lock: asyncio.Lock = field(default_factory=asyncio.Lock)  # one what-if at a time
    _writes: int = 0
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.scope)
        held = self.service.follower.held()
        self._arrived_at = None if held is None else held.id  # what the request first saw

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

    async def write(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a write (a `Management` operation) in the thread pool, unless the deadline has
        passed, saying what this request knows about it (`WriteRequest`): the idempotency key
        (`Idempotency-Key`, numbered per write of the request), the snapshot the request read,
        and the hard deadline's handshake, so it commits in time or not at all."""
        self.check_deadline(getattr(fn, "__name__", "the write"))
        self._writes += 1
        key = request_headers(self.request.scope).idempotency_key
        ticket = self.request.scope.get("tenantgraph.write-ticket")
        asked = WriteRequest(
            request_key=None if key is None else f"{key}#{self._writes}",
            read_snapshot=self._arrived_at if self.read_snapshot is None else self.read_snapshot,
            ticket=ticket if isinstance(ticket, WriteTicket) else None,
        )
        with write_request(asked):  # the thread pool runs `fn` in a copy of this context
            return await run_in_threadpool(fn, *args, **kwargs)

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a blocking call in the thread pool even after the deadline (loading the World,
        the first chunk of a page), so that every answer makes progress. With `inline` (the
        fast lane sets it when the service answers from memory) the call runs right here: a
        hand-off to a thread costs more than a chunk of a page, and the GIL gives a thread no
        second core anyway."""
        if self.inline:
            return fn(*args, **kwargs)
        return await run_in_threadpool(fn, *args, **kwargs)

    def accepted_document(self, query: str) -> DocumentNode | None:
        """The document the front door parsed for `query` (raising its parse error), or None
        when it parsed none (a GET): `api.offloop.OffLoopParse` then parses it."""
        accepted = accepted_request(self.request)
        return None if accepted is None else accepted.parsed(query)

    # --- snapshots -------------------------------------------------------------------------
    @property
    def read_snapshot(self) -> int | None:
        """The snapshot this request reads (None: none yet, or an empty store)."""
        return None if self._pinned == _UNPINNED else self._pinned

    async def snapshot(
        self, requested: int | None = None, *, continuing: bool = False
    ) -> int | None:
        """The snapshot id a field reads: `requested`, else the request's pinned one.

        `continuing`: `requested` comes from a cursor this server issued, so reading it needs
        no history role; when it is the request's first read, the request pins it.
        """
        async with self._lock:
            if self._pinned == _UNPINNED and continuing:
                self._pinned = requested  # the whole request reads the page's snapshot
            elif self._pinned == _UNPINNED:
                info = await run_in_threadpool(self.service.current_snapshot)
                self._pinned = info.id if info is not None else None
        if requested is None or requested == self._pinned or continuing:
            return self._pinned if requested is None else requested
        if not self.viewer.can_read_history:
            raise ApiError(
                "forbidden",
                f"reading snapshot `{requested}` needs the auditor or admin role; this token "
                "reads the current snapshot only",
            )
        return requested

    @property
    def pinned(self) -> int | None:
        """The snapshot this request reads now (None before the first read or when empty)."""
        return None if self._pinned == _UNPINNED else self._pinned

    def pin(self, snapshot: int) -> None:
        """Read the snapshot a mutation just wrote from now on in this request."""
        self._pinned = snapshot

    async def scope(self, requested: int | None = None, *, continuing: bool = False) -> Scope:
        """The viewer's view of the snapshot a field reads (world loaded once per request)."""
        sid = await self.snapshot(requested, continuing=continuing)
        found = self._scopes.get(sid)
        if found is None:
            world = await self.run(self.service.world, sid)
            found = self._scopes.setdefault(sid, Scope(self.viewer, world, sid))
        return found

    async def world_source(self, sid: int | None) -> str | None:
        """The `source` of snapshot `sid`'s World (None: the current snapshot's; also None when
        there is none or it cannot be read): it says what a partial import left out
        (`api.snapshot_report`)."""
        found = self._scopes.get(sid) if sid is not None else None
        if found is not None:
            return found.world.source
        try:
            if sid is None:
                current = self.service.current_snapshot()
                if current is None:
                    return None
                sid = current.id
            world = await self.run(self.service.world, sid)
        except GraphModelError:
            return None
        return world.source

    def mask_errors(self, errors: list[GraphQLError]) -> None:
        """Mask errors for a tenant-scoped viewer (`Scope.mask_error`), with the World of the
        snapshot the request read (or an empty one when it read none)."""
        if self.viewer.tenants is None:
            return
        scope = self._scopes.get(self.pinned) or next(iter(self._scopes.values()), None)
        scope = scope or Scope(self.viewer, World(), None)
        for error in errors:
            scope.mask_error(error)

    def required_tenants(self) -> frozenset[str]:
        """The tenants this request's objects were checked against (`Scope.require*`): whose
        change a mutation is."""
        return frozenset(t for scope in self._scopes.values() for t in scope.required)

    # --- paging ----------------------------------------------------------------------------
    def page_size(self, first: int) -> int:
        if first < 0 or first > self.limits.max_page:
            raise ApiError(
                "page-too-large",
                f"`first` must be between 0 and {self.limits.max_page}, not {first}",
                limit=self.limits.max_page,
            )
        return first

    async def page_scope(self, requested: int | None, after: str | None) -> Scope:
        """The scope of a paged field: the snapshot its `after` cursor was issued for, if any."""
        bound = self._cursor(after)
        if bound is None or bound[0] is None:
            return await self.scope(requested)
        issued = bound[0]
        if requested is not None and requested != issued:
            raise ApiError(
                "invalid-input",
                f"the `after` cursor pages snapshot `{issued}`, not snapshot `{requested}`",
            )
        return await self.scope(issued, continuing=True)

    def _cursor(self, after: str | None) -> tuple[int | None, str] | None:
        """(snapshot, ref) sealed in `after`; a cursor without a snapshot pages any."""
        if after is None:
            return None
        text = self.cursors.open(after)
        issued, sep, ref = text.partition(_SEP)
        if not sep:
            return None, text
        try:
            return (int(issued) if issued else None), ref
        except ValueError:
            raise ApiError("invalid-input", f"cursor `{after[:40]}` is not valid here") from None

    def seal_cursor(self, ref: str, snapshot: int | None) -> str:
        """A cursor after `ref` in `snapshot`."""
        return self.cursors.seal(f"{'' if snapshot is None else snapshot}{_SEP}{ref}")

    def open_cursor(self, after: str | None, snapshot: int | None = None) -> str | None:
        """The ref of `after`; refused when it was issued for a snapshot other than `snapshot`."""
        bound = self._cursor(after)
        if bound is None:
            return None
        issued, ref = bound
        if issued is not None and issued != snapshot:
            raise ApiError(
                "invalid-input",
                f"the `after` cursor pages snapshot `{issued}`, not snapshot `{snapshot}`",
            )
        return ref
