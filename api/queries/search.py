"""`search`: tenants, users, groups, apps and channels by name, UPN, mail or id, paged.

Why on the server: a world has up to millions of users and thousands of channels, so a client
that downloads a list and filters it cannot find most of them. Hits come in a fixed kind order
(tenants, users, groups, apps, channels), each kind by ref, so the cursor is stable; the
searchable list is built once per snapshot (`api.lookups`), and only the viewer's tenants are
searched.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

import strawberry

from api.errors import ApiError
from api.lookups import Sorted, lookups_for
from api.paging import page_list
from api.queries._lists import Info, SnapshotArg
from api.scope import Scope
from api.types.connection import Connection
from api.types.fields import field
from api.types.node import owner_of
from api.types.search import SearchHit, SearchKind
from graphmodel.schema import entities as de
from graphmodel.schema.world import World

__all__ = ["SearchQueries", "hit_of", "search_texts"]

MAX_QUERY = 200  # characters; longer text cannot name anything and only costs a scan
_ORDER = {kind: i for i, kind in enumerate(SearchKind)}
_SOURCES = {
    SearchKind.TENANT: "tenant",
    SearchKind.USER: "user",
    SearchKind.GROUP: "group",
    SearchKind.APP: "app",
    SearchKind.CHANNEL: "channel",
}


def search_texts(obj: object) -> tuple[str, ...]:
    """The lower-cased texts a query is matched against (ref, names, UPN, mail, ids)."""
    if isinstance(obj, de.Tenant):
        texts: tuple[str | None, ...] = (obj.name, obj.id, *obj.domains)
    elif isinstance(obj, de.User):
        texts = (obj.ref, obj.name, obj.id, obj.user_principal_name, obj.mail)
    elif isinstance(obj, de.App):
        texts = (obj.ref, obj.name, obj.id, obj.app_id)
    elif isinstance(obj, de.Group | de.Channel):
        texts = (obj.ref, obj.name, obj.id)
    else:
        texts = ()
    return tuple(t.lower() for t in texts if t)


def hit_of(kind: SearchKind, obj: object, scope: Scope) -> SearchHit:
    """The hit for one matching object, as `scope`'s viewer may see it (a guest's home
    identity in another tenant is masked, as `User.homeRef` is)."""
    if isinstance(obj, de.Tenant):
        detail = f"{obj.cloud.value} {obj.type.value} tenant · " + ", ".join(obj.domains)
        return SearchHit(
            kind=kind, ref=obj.name, tenant=obj.name, name=obj.name, detail=detail, home=None
        )
    if isinstance(obj, de.User):
        found = obj.guest_of or obj.synced_from
        home = None if found is None else scope.ref(found)
        how = "guest of " if obj.guest_of else "synced from " if obj.synced_from else ""
        detail = f"{how}{home} · {obj.user_principal_name}" if home else obj.user_principal_name
        return SearchHit(
            kind=kind, ref=obj.ref, tenant=obj.tenant, name=obj.name, detail=detail, home=home
        )
    if isinstance(obj, de.App):
        return SearchHit(
            kind=kind,
            ref=obj.ref,
            tenant=obj.tenant,
            name=obj.name,
            detail=f"appId {obj.app_id}",
            home=None,
        )
    if isinstance(obj, de.Channel):
        return SearchHit(
            kind=kind,
            ref=obj.ref,
            tenant=obj.tenant,
            name=obj.name,
            detail=f"{obj.membership_type.value} channel",
            home=None,
        )
    assert isinstance(obj, de.Group)
    return SearchHit(
        kind=kind,
        ref=obj.ref,
        tenant=obj.tenant,
        name=obj.name,
        detail=f"group · {len(obj.members)} members",
        home=None,
    )


class _Row(NamedTuple):
    kind: SearchKind
    texts: tuple[str, ...]
    obj: object


def searchable(world: World) -> Sorted:
    """Every searchable object of `world` with the texts it matches on, in hit order."""
    lookups = lookups_for(world)

    def rows() -> Iterator[tuple[str, object]]:
        for kind, source in _SOURCES.items():
            for key, obj in lookups.sorted(source).after(None):
                yield f"{_ORDER[kind]}\x1f{key}", _Row(kind, search_texts(obj), obj)

    return lookups.derived("search", lambda: Sorted(list(rows())))


@strawberry.type
class SearchQueries:
    @field(
        description="Tenants, users, groups, apps and channels whose name, ref, UPN, mail, "
        "appId, tenant id or domain contains `query` (case-insensitive), tenants first."
    )
    async def search(
        self,
        info: Info,
        query: str,
        kinds: list[SearchKind] | None = None,
        tenant: str | None = None,
        first: int = 20,
        after: str | None = None,
        snapshot: SnapshotArg = None,
    ) -> Connection[SearchHit]:
        needle = query.strip().lower()
        if not needle or len(needle) > MAX_QUERY:
            raise ApiError(
                "invalid-input", f"`query` must have 1 to {MAX_QUERY} characters, not {len(needle)}"
            )
        wanted = set(kinds or SearchKind)
        scope = await info.context.page_scope(snapshot, after)

        def keep(row: object) -> bool:
            assert isinstance(row, _Row)
            owner = owner_of(row.obj)
            return (
                row.kind in wanted
                and (tenant is None or owner == tenant)
                and scope.sees_tenant(owner)
                and any(needle in t for t in row.texts)
            )

        def convert(row: object) -> SearchHit:
            assert isinstance(row, _Row)
            return hit_of(row.kind, row.obj, scope)

        source = await info.context.run(searchable, scope.world)
        return await page_list(
            info.context,
            source,
            snapshot=scope.snapshot,
            keep=keep,
            first=first,
            after=after,
            convert=convert,
        )
