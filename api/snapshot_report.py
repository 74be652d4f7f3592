"""`extensions.snapshot`: the snapshot id a GraphQL response was read from, and
`extensions.omitted`: what a partial import left out of it.

Why: with several processes publishing, a client comparing two answers (or a dashboard showing
"as of") needs to know which snapshot each came from; the request reads one snapshot
(`Context`), and this says which. Absent when the request read none (or the store is empty).
A snapshot imported with `tenantgraph import --allow-partial` (or derived from one by mutations)
lacks what could not be read, so every answer read from it, and every answer while it is
current, says so (`graphmodel.schema.omissions`).
The fast lane builds the same extensions with `snapshot_extensions`.
"""

from __future__ import annotations

from typing import Any

from strawberry.extensions import SchemaExtension

from api.observe import note
from graphmodel.schema.omissions import omitted

__all__ = ["SnapshotReport", "snapshot_extensions"]


def snapshot_extensions(snapshot: int | None, source: str | None) -> dict[str, Any]:
    """`{"snapshot": id}`, with `"omitted"` when the World's `source` marks a partial import.

    Examples
    --------
    >>> snapshot_extensions(3, "demo.yaml")
    {'snapshot': 3}
    >>> snapshot_extensions(4, "graph export: exp [partial import, left out: all groups of x]")
    {'snapshot': 4, 'omitted': ['all groups of x']}
    >>> snapshot_extensions(None, "graph export: exp [partial import, left out: all groups of x]")
    {'omitted': ['all groups of x']}
    """
    gone = omitted(source)
    read = {} if snapshot is None else {"snapshot": snapshot}
    return {**read, "omitted": list(gone)} if gone else read


class SnapshotReport(SchemaExtension):
    """The snapshot the request read, and what that snapshot (or the current one, when the
    request read none) lacks."""

    async def get_results(self) -> dict[str, Any]:
        context = self.execution_context.context
        if not hasattr(context, "world_source"):
            return {}
        sid = context.read_snapshot
        request = getattr(context, "request", None)
        if sid is not None and request is not None:
            note(request.scope, snapshot=sid)  # for the request log
        return snapshot_extensions(sid, await context.world_source(sid))
