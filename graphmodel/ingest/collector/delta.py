"""One delta round: follow `@odata.nextLink` from a start URL to the next `@odata.deltaLink`.

Microsoft's rules, followed as written (graph/delta-query-overview): the initial request carries
the query (`$select`, never `$top`); every later request is a nextLink or deltaLink used
verbatim; a round ends only at a page carrying `@odata.deltaLink`, which is what the next round
starts from. A state token Graph no longer accepts answers `410 Gone` (with a `Location` to
start over) or a 4xx with a code like `syncStateNotFound`: that is `ResyncRequired`, and the
caller reads the resource in full. Each page's objects go to a sink as they arrive, so a
100k-user round is never held whole.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphmodel.ingest.collector.errors import CollectError, GraphRequestFailed
from graphmodel.ingest.collector.graph import GraphClient

__all__ = ["ResyncRequired", "is_resync", "read_round"]

_RESYNC_CODES = frozenset({"syncstatenotfound", "syncstateinvalid", "resyncrequired",
                           "resyncapplicationrequired"})
PageSink = Callable[[list[dict[str, Any]]], None]


class ResyncRequired(CollectError):
    """Graph no longer accepts the state token of a resource: read it in full."""


def is_resync(exc: GraphRequestFailed) -> bool:
    """Whether `exc` is Graph's "start over" answer to a delta or skip token.

    Examples
    --------
    >>> is_resync(GraphRequestFailed("gone", status=410))
    True
    >>> is_resync(GraphRequestFailed("x", status=400, code="syncStateNotFound"))
    True
    >>> is_resync(GraphRequestFailed("x", status=400, code="BadRequest"))
    False
    """
    return exc.status == 410 or (exc.code or "").lower() in _RESYNC_CODES


def read_round(
    client: GraphClient,
    path: str,
    params: dict[str, str],
    link: str | None,
    sink: PageSink,
) -> tuple[str, int]:
    """Read a round from `link` (None: the initial, full round); returns (deltaLink, pages).

    Raises ResyncRequired when `link` (or a nextLink after it) is no longer valid.
    """
    pages = 0
    try:
        body = client.get(link) if link is not None else client.get(path, params)
        while True:
            pages += 1
            items = body.get("value")
            sink([o for o in items if isinstance(o, dict)] if isinstance(items, list) else [])
            following = body.get("@odata.nextLink")
            if isinstance(following, str):
                body = client.get(following)
                continue
            delta = body.get("@odata.deltaLink")
            if not isinstance(delta, str):
                raise GraphRequestFailed(
                    f"microsoft graph ended a round of `{path}` with neither `@odata.nextLink` "
                    "nor `@odata.deltaLink`", status=200)
            return delta, pages
    except GraphRequestFailed as exc:
        if link is not None and is_resync(exc):
            raise ResyncRequired(f"microsoft graph no longer accepts the delta token of "
                                 f"`{path}` ({exc.status} `{exc.code or 'gone'}`)") from exc
        raise
