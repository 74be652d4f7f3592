"""Relay connections: `edges { cursor node }`, `nodes`, `pageInfo`, `totalCount`, `partial`.

Why our own generic rather than `strawberry.relay.ListConnection`: our pages come from the
service's cursor streams (the engine decides each item as it goes), cursors are sealed refs,
`totalCount` is computed only when selected (it runs the whole stream), and `partial` says the
query deadline cut the page short (`pageInfo.endCursor` then continues where it stopped).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

import strawberry

from api.types.fields import field

__all__ = ["Connection", "Edge", "PageInfo"]

N = TypeVar("N")


@strawberry.type(description="Where a page starts and ends, and whether there is more.")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type(description="One item of a page and the cursor that points at it.")
class Edge(Generic[N]):
    node: N
    seal: strawberry.Private[Callable[[], str]]  # the cursor, sealed when asked for

    @field(description="The cursor that points at this item.")
    def cursor(self) -> str:
        # Why lazy: sealing costs two HMACs and a random nonce, and most clients page with
        # `pageInfo.endCursor` only (a 100-item page spent a third of its time sealing).
        return self.seal()


@strawberry.type(description="A page of a list (Relay connection).")
class Connection(Generic[N]):
    edges: list[Edge[N]]
    page_info: PageInfo
    partial: bool = strawberry.field(
        description="True when the query deadline cut this page short; `pageInfo.endCursor` "
        "continues after the last item looked at."
    )
    count: strawberry.Private[Callable[[], Awaitable[int | None]]]

    @field(description="The nodes of `edges`, for clients that need no cursors.")
    def nodes(self) -> list[N]:
        return [e.node for e in self.edges]

    @field(
        description="How many items the whole list has; computed only when asked, and an error "
        "(`deadline-exceeded`) when the query deadline passes first."
    )
    async def total_count(self) -> int | None:
        return await self.count()
