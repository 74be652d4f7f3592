"""Pages of streamed answers, and the last-use filter applied while they stream.

Why apart from the facade: questions, audits and the change feed all page the same way (a
cursor is the key of the last item; `first + 1` items tell whether there is a next page), and
the API maps a `Page` to a GraphQL connection without knowing which question made it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Generic, TypeVar

from graphmodel.engine import Reach, UsageFilter, WorldIndex, is_outsider_ref
from graphmodel.errors import QueryError

__all__ = ["MAX_PAGE", "Page", "check_page_size", "page_of", "page_of_list", "with_usage"]

T = TypeVar("T")
MAX_PAGE = 1000


@dataclass(frozen=True, slots=True, kw_only=True)
class Page(Generic[T]):
    """One page of a streamed answer; `end_cursor` feeds the next call's `after`."""

    items: tuple[T, ...]
    has_next: bool
    end_cursor: str | None
    total_count: int | None = None


def with_usage(
    ix: WorldIndex, answers: Iterator[Reach], usage: UsageFilter, days: int
) -> Iterator[Reach]:
    """Each answer with its last recorded use, keeping those `usage` asks for.

    Sign-in evidence covers outsiders' access only, so an insider of the resource's tenant
    (`is_outsider_ref`) is neither used nor unused: the filters leave it out.
    """
    for r in answers:
        r.last_used = ix.usage.last_used(r.principal, r.resource)
        if usage is UsageFilter.ANY or (
            usage.keeps(r.last_used, ix.now, days) and is_outsider_ref(ix, r.principal, r.resource)
        ):
            yield r


def page_of(
    stream: Callable[[str | None], Iterator[T]],
    first: int,
    after: str | None,
    *,
    key: Callable[[T], str],
    count: bool,
) -> Page[T]:
    """The page of `first` items after cursor `after` (`key` of an item) from `stream(after)`;
    with `count`, one pass over the whole stream also counts it (`total_count`)."""
    check_page_size(first)
    total: int | None = None
    items: list[T]
    if count:
        # one pass over the whole stream: count everything, keep the page after the cursor
        total, items = 0, []
        for item in stream(None):
            total += 1
            if len(items) <= first and (after is None or key(item) > after):
                items.append(item)
    else:
        items = list(islice(stream(after), first + 1))
    has_next = len(items) > first
    items = items[:first]
    return Page(
        items=tuple(items),
        has_next=has_next,
        end_cursor=key(items[-1]) if items else after,
        total_count=total,
    )


def check_page_size(first: int) -> None:
    """Refuse a page size outside 0..`MAX_PAGE` (`QueryError`)."""
    if first < 0 or first > MAX_PAGE:
        raise QueryError(f"page size `{first}` must be between 0 and {MAX_PAGE}")


def page_of_list(
    items: Sequence[T], first: int, after: str | None, key: Callable[[T], str]
) -> Page[T]:
    """The page of `first` items after cursor `after` (`key` of an item) of a whole list."""
    check_page_size(first)
    start = 0
    if after is not None:
        keys = [key(x) for x in items]
        if after not in keys:
            raise QueryError(
                f"cursor `{after}` is not in this list; it may come from another snapshot"
            )
        start = keys.index(after) + 1
    chunk = tuple(items[start : start + first])
    return Page(
        items=chunk,
        has_next=start + first < len(items),
        end_cursor=key(chunk[-1]) if chunk else after,
        total_count=len(items),
    )
