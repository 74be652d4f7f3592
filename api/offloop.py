"""Parse and validate GraphQL documents in a worker thread (one lane), with bounded caches.

Why: parsing a 1 MB document or validating thousands of overlapping fields takes CPU seconds in
graphql-core (its overlap rule is quadratic in the fields of one selection). On the event loop
that time stops every other request, `/healthz` included. Here each step runs in a worker thread
and the loop keeps answering; the results are cached per document (and, for validation, per rule
set), so a dashboard's repeated queries cost nothing after the first. The token limit is checked
by the parser itself, which stops lexing at the limit.

These replace strawberry's `ParserCache` and `ValidationCache`, which run on the loop. A POST
has been parsed already, once, by the front door (`api.frontdoor`), which uses `parse_document`
and `in_lane` from here; `OffLoopParse` then takes that document (or its error) from the request
context instead of parsing again.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator, Callable, Collection
from functools import lru_cache, partial
from typing import Any, TypeVar

import anyio
import anyio.to_thread
from graphql import DocumentNode, GraphQLError, GraphQLSchema, parse, validate
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

__all__ = ["OffLoopParse", "OffLoopValidate", "in_lane", "parse_document"]

T = TypeVar("T")
_LANES: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.CapacityLimiter] = (
    weakref.WeakKeyDictionary()
)


async def in_lane(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run `fn` in a worker thread, one at a time per event loop.

    Why one lane: parsing and validation are pure Python and hold the GIL, so two of them never
    run in parallel anyway; but several CPU-bound threads starve the loop thread of the GIL
    (CPython hands it to any waiter, not in turn), and `/healthz` stalled for seconds under four
    concurrent hostile documents. With one lane the loop only ever competes with one of them.
    """
    loop = asyncio.get_running_loop()
    lane = _LANES.get(loop)
    if lane is None:
        lane = _LANES.setdefault(loop, anyio.CapacityLimiter(1))
    return await anyio.to_thread.run_sync(partial(fn, *args, **kwargs), limiter=lane)


# Bounded memory for a public endpoint: a parsed document takes ~110 bytes per byte of text, so
# 128 documents of at most 8 KB hold at most ~115 MB. Longer documents are parsed and validated
# every time and never kept (dashboards' documents are a few KB).
_CACHE = 128
_CACHEABLE = 8 * 1024


@lru_cache(maxsize=_CACHE)
def _parse_cached(query: str, max_tokens: int) -> DocumentNode:
    return parse(query, max_tokens=max_tokens)


def parse_document(query: str, max_tokens: int) -> DocumentNode:
    """Parse once, stopping at `max_tokens` (graphql-core counts while it lexes)."""
    try:
        if len(query) <= _CACHEABLE:
            return _parse_cached(query, max_tokens)
        return parse(query, max_tokens=max_tokens)
    except GraphQLError as exc:
        if f"more than {max_tokens} tokens" in exc.message:
            raise GraphQLError(
                f"the document has more than {max_tokens} tokens",
                extensions={"code": "query-too-complex", "limit": max_tokens},
            ) from None
        exc.extensions = {**(exc.extensions or {}), "code": "query-invalid"}  # syntax error
        raise


class OffLoopParse(SchemaExtension):
    """Check the token limit and parse, in a worker thread."""

    def __init__(self, max_tokens: int) -> None:
        self.max_tokens = max_tokens

    async def on_parse(self) -> AsyncIterator[None]:
        ec = self.execution_context
        if ec.query is not None:
            accepted = getattr(ec.context, "accepted_document", None)
            document = accepted(ec.query) if accepted is not None else None
            if document is None:
                document = await in_lane(parse_document, ec.query, self.max_tokens)
            ec.graphql_document = document
        yield


_validate_cached: Callable[..., list[GraphQLError]] = lru_cache(maxsize=_CACHE)(validate_document)


def _validate(
    schema: GraphQLSchema, document: DocumentNode, rules: Collection[Any], *, cache: bool
) -> list[GraphQLError]:
    """The limits first and alone (linear), then every rule: a document over a limit never
    reaches graphql-core's quadratic rules."""
    limits = [r for r in rules if getattr(r, "is_limit", False)]
    refused = validate(schema, document, limits) if limits else []
    if refused:
        return refused
    full = _validate_cached if cache else validate_document
    return list(full(schema, document, tuple(rules)))


class OffLoopValidate(SchemaExtension):
    """Run every validation rule (the limits included) in a worker thread, cached."""

    async def on_validate(self) -> AsyncIterator[None]:
        ec = self.execution_context
        assert ec.graphql_document is not None  # INVARIANT: on_parse ran and succeeded
        ec.pre_execution_errors = await in_lane(
            _validate,
            ec.schema._schema,
            ec.graphql_document,
            ec.validation_rules,
            cache=len(ec.query or "") <= _CACHEABLE,
        )
        yield
