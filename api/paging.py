"""Turning lists and service streams into Relay connections, within the query deadline.

Two sources: a per-World sorted list (directory lists, `api.lookups`, filtered to the viewer's
scope as they are read) and a service stream (`who_can_access`, `reachable`: the engine decides
each item as it is produced). A stream is read in chunks of `Limits.chunk` items; between
chunks the deadline is checked, and when it has passed the page ends early with `partial: true`
and an `endCursor` that continues after the last item looked at (at least one chunk is always
read, so paging makes progress). Items the viewer may not see are skipped without ending the page.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from api.context import Context
from api.lookups import Sorted
from api.types.connection import Connection, Edge, PageInfo
from graphmodel.service import Page

__all__ = ["page_list", "page_stream"]

T = TypeVar("T")
N = TypeVar("N")


def _connection(
    ctx: Context,
    items: Sequence[tuple[str, N]],
    *,
    snapshot: int | None,
    after: str | None,
    has_next: bool,
    end: str | None,
    partial: bool,
    count: Callable[[], Awaitable[int | None]],
) -> Connection[N]:
    edges = [Edge(node=n, seal=functools.partial(ctx.seal_cursor, k, snapshot)) for k, n in items]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=has_next,
            has_previous_page=after is not None,
            start_cursor=edges[0].seal() if edges else None,
            end_cursor=ctx.seal_cursor(end, snapshot) if end is not None else None,
        ),
        partial=partial,
        count=count,
    )


async def page_list(
    ctx: Context,
    source: Sorted,
    *,
    snapshot: int | None,
    keep: Callable[[object], bool],
    first: int,
    after: str | None,
    convert: Callable[[object], N],
) -> Connection[N]:
    """A page of a per-World sorted list, skipping what `keep` refuses (scope, filters).

    `snapshot` is the one `source` belongs to: cursors are sealed with it (`Context.page_scope`).

        Reads only as far as the page needs; `totalCount` scans the whole list when asked.
    """
    first = ctx.page_size(first)
    cursor = ctx.open_cursor(after, snapshot)

    def scan() -> tuple[list[tuple[str, object]], bool]:
        chosen: list[tuple[str, object]] = []
        for key, item in source.after(cursor):
            if keep(item):
                if len(chosen) == first:
                    return chosen, True
                chosen.append((key, item))
        return chosen, False

    chosen, has_next = await ctx.run(scan)

    async def count() -> int | None:
        return await ctx.run(lambda: sum(1 for _, item in source.after(None) if keep(item)))

    return _connection(
        ctx,
        [(k, convert(i)) for k, i in chosen],
        snapshot=snapshot,
        after=after,
        has_next=has_next,
        end=chosen[-1][0] if chosen else cursor,
        partial=False,
        count=count,
    )


async def page_stream(
    ctx: Context,
    fetch: Callable[[int, str | None], Page[T]],
    *,
    snapshot: int | None,
    key: Callable[[T], str],
    first: int,
    after: str | None,
    keep: Callable[[T], bool],
    convert: Callable[[T], N],
) -> Connection[N]:
    """A page of a service stream read chunk by chunk under the deadline."""
    first = ctx.page_size(first)
    cursor = ctx.open_cursor(after, snapshot)
    collected: list[T] = []
    last_seen, exhausted, partial = cursor, False, False
    while True:
        want = max(0, min(ctx.limits.chunk, first + 1 - len(collected)))
        chunk = await ctx.run(fetch, want, last_seen)
        for item in chunk.items:
            last_seen = key(item)
            if keep(item):
                collected.append(item)
        if not chunk.has_next:
            exhausted = True
            break
        if len(collected) > first or first == 0:
            break
        if ctx.expired():
            partial = True
            ctx.warn("deadline-exceeded", "a page was cut short by the query deadline")
            break
    page = collected[:first]
    if len(collected) > first:
        has_next, end = True, key(page[-1]) if page else cursor
    elif exhausted:
        has_next, end = False, key(page[-1]) if page else cursor
    else:
        has_next, end = True, last_seen

    async def count() -> int | None:
        total, position = 0, None
        while True:
            chunk = await ctx.call(fetch, ctx.limits.max_page, position)
            total += sum(1 for item in chunk.items if keep(item))
            if not chunk.has_next or not chunk.items:
                return total
            position = key(chunk.items[-1])

    return _connection(
        ctx,
        [(key(i), convert(i)) for i in page],
        snapshot=snapshot,
        after=after,
        has_next=has_next,
        end=end,
        partial=partial,
        count=count,
    )
