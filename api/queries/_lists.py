"""Shared plumbing of the lookup and list resolvers: scope filtering, paging, search."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import strawberry

from api.context import Context
from api.paging import page_list
from api.scope import Scope
from api.types.connection import Connection
from api.types.node import owner_of

__all__ = ["Info", "SnapshotArg", "list_of", "lookup", "matches", "of_tenant"]

Info = strawberry.Info[Context, None]
N = TypeVar("N")
SnapshotArg = Annotated[
    int | None, strawberry.argument(description="Snapshot id to read; default: the current one.")
]


def matches(search: str | None, *texts: str | None) -> bool:
    return search is None or any(search.lower() in (t or "").lower() for t in texts)


async def lookup(info: Info, kind: str, ref: str, snapshot: int | None) -> tuple[object, Scope]:
    scope = await info.context.scope(snapshot)
    found = await info.context.loaders.node(kind, ref, scope.snapshot)
    if found is None or not scope.sees_tenant(owner_of(found)):
        return None, scope
    return found, scope


async def list_of(
    info: Info,
    snapshot: int | None,
    kind: str,
    keep: Callable[[Any], bool],
    convert: Callable[[Any, Scope], N],
    first: int,
    after: str | None,
) -> Connection[N]:
    """A page of every `kind` object the viewer may see and `keep` accepts, by ref."""
    scope = await info.context.page_scope(snapshot, after)
    return await page_list(
        info.context,
        scope.lookups.sorted(kind),
        snapshot=scope.snapshot,
        keep=lambda i: scope.sees_tenant(owner_of(i)) and keep(i),
        first=first,
        after=after,
        convert=lambda i: convert(i, scope),
    )


def of_tenant(tenant: str | None, obj: object) -> bool:
    return tenant is None or owner_of(obj) == tenant
