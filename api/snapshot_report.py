"""`extensions.snapshot`: the snapshot id a GraphQL response was read from.

Why: with several processes publishing, a client comparing two answers (or a dashboard showing
"as of") needs to know which snapshot each came from; the request reads one snapshot
(`Context`), and this says which. Absent when the request read none (or the store is empty).
"""

from __future__ import annotations

from typing import Any

from strawberry.extensions import SchemaExtension

from api.observe import note

__all__ = ["SnapshotReport"]


class SnapshotReport(SchemaExtension):
    def get_results(self) -> dict[str, Any]:
        context = self.execution_context.context
        sid = getattr(context, "read_snapshot", None)
        request = getattr(context, "request", None)
        if sid is not None and request is not None:
            note(request.scope, snapshot=sid)  # for the request log
        return {} if sid is None else {"snapshot": sid}
