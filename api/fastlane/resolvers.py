"""The fast lane's resolvers: top-level fields it answers without GraphQL execution.

Each one calls the same function as the regular resolver of its field (so both give the same
answer) and raises `Unsupported` for the cases it leaves to regular execution.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from api.auth import Viewer
from api.fastlane.plan import Resolve
from api.fastlane.serialize import Unsupported
from api.queries.questions import answer_access
from api.scope import Scope
from api.types.enums import Via
from api.types.verdict import Verdict
from graphmodel.service import GraphService

__all__ = ["RESOLVERS", "Request"]


@dataclass(frozen=True, slots=True)
class Request:
    """What a fast resolver reads: the service and the viewer's scope of the pinned snapshot
    (the current one when the request started, as `Context.scope` pins it)."""

    service: GraphService
    scope: Scope

    @classmethod
    def current(cls, service: GraphService, viewer: Viewer) -> Request:
        info = service.current_snapshot()
        sid = None if info is None else info.id
        return cls(service, Scope(viewer, service.world(sid), sid))


def _access(
    request: Request,
    *,
    principal: str,
    resource: str,
    via: Any = Via.ANY,
    snapshot: int | None = None,
) -> Verdict:
    if snapshot is not None and snapshot != request.scope.snapshot:
        raise Unsupported("another snapshot: history access is checked by regular execution")
    return answer_access(request.service, request.scope, principal, resource, Via(via))


RESOLVERS: dict[str, Resolve] = {"access": _access}
