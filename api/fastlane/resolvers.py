"""The fast lane's resolvers: top-level fields it answers without GraphQL execution.

Each one calls the same function as the regular resolver of its field (so both give the same
answer) and raises `Unsupported` for the cases it leaves to regular execution. `access` is a
plain function (run inline or in the thread pool); `whoCanAccess` is a coroutine that pages
through the regular paging helper with a regular `Context`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from api.auth import Viewer
from api.context import Context
from api.fastlane.plan import Resolve
from api.fastlane.serialize import Unsupported
from api.queries.questions import answer_access, reach_filter, who_can_access_page
from api.scope import Scope
from api.types.connection import Connection
from api.types.enums import Usage, Via
from api.types.verdict import Reach, Verdict
from graphmodel.service import GraphService

__all__ = ["RESOLVERS", "Request"]


@dataclass(frozen=True, slots=True)
class Request:
    """What a fast resolver reads: the service, the viewer's scope of the pinned snapshot (the
    current one when the request started, as `Context.scope` pins it), and a factory of the
    regular request `Context` for resolvers that page (deadline, cursors, thread hand-offs)."""

    service: GraphService
    scope: Scope
    context: Callable[[], Context]

    @classmethod
    def current(
        cls, service: GraphService, viewer: Viewer, context: Callable[[], Context]
    ) -> Request:
        info = service.current_snapshot()
        sid = None if info is None else info.id
        return cls(service, Scope(viewer, service.world(sid), sid), context)


def _access(
    request: Request,
    *,
    principal: str,
    resource: str,
    via: Any = Via.ANY,
    snapshot: int | None = None,
    as_of: datetime | None = None,
) -> Verdict:
    if snapshot is not None and snapshot != request.scope.snapshot:
        raise Unsupported("another snapshot: history access is checked by regular execution")
    return answer_access(request.service, request.scope, principal, resource, Via(via), as_of)


async def _who_can_access(
    request: Request,
    *,
    resource: str,
    first: int = 100,
    after: str | None = None,
    snapshot: int | None = None,
    as_of: datetime | None = None,
    usage: Any = None,
    usage_days: int = 90,
    outsiders: bool = False,
    via: Any = None,
    home_tenants: Any = None,
    kinds: Any = None,
) -> Connection[Reach]:
    if snapshot is not None and snapshot != request.scope.snapshot:
        raise Unsupported("another snapshot: history access is checked by regular execution")
    if as_of is not None or usage not in (None, Usage.ANY) or usage_days != 90:
        raise Unsupported("clock and usage filters are answered by regular execution")
    if via is not None or home_tenants is not None or kinds is not None:
        raise Unsupported("list filters are coerced and checked by regular execution")
    ctx = request.context()
    only = reach_filter(outsiders=outsiders)
    page = await who_can_access_page(ctx, request.scope, resource, first, after, filters=only)
    if ctx.warnings:
        raise Unsupported("warnings go into `extensions`: regular execution reports them")
    return page


RESOLVERS: dict[str, Resolve] = {"access": _access, "whoCanAccess": _who_can_access}
