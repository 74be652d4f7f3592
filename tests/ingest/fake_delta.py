"""Delta query for the fake Microsoft Graph: a change log and the `/delta` answers it gives.

Each change to the fake tenant (`FakeGraph.upsert`, `remove`, `add_member`, `remove_member`)
gets a version. `GET /users/delta` without a token answers every object (groups with their
members in `members@delta`), paged by `$skiptoken`, the last page carrying an
`@odata.deltaLink` with `$deltatoken=<current version>`; with a token it answers the objects
changed since that version (the current object, or `{"id", "@removed"}`), and groups whose
membership changed with those changes in `members@delta`. A delta path listed in `expired`
answers `410 Gone` (`syncStateNotFound`) to any token, as Graph does when a token is too old.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

__all__ = ["DELTA_PATHS", "DeltaLog"]

DELTA_PATHS = {f"{c}/delta": c for c in ("/users", "/groups", "/applications",
                                         "/servicePrincipals")}


@dataclass
class DeltaLog:
    version: int = 0
    changed: dict[str, dict[str, int]] = field(default_factory=dict)  # collection -> id -> v
    removed: dict[str, dict[str, int]] = field(default_factory=dict)
    members: list[tuple[int, str, dict[str, Any], bool]] = field(default_factory=list)
    expired: set[str] = field(default_factory=set)  # delta paths whose tokens are gone
    rounds: dict[tuple[str, int | None, int], list[dict[str, Any]]] = field(default_factory=dict)

    def touch(self, collection: str, oid: str, *, removed: bool = False) -> None:
        self.version += 1
        book = self.removed if removed else self.changed
        other = self.changed if removed else self.removed
        book.setdefault(collection, {})[oid.lower()] = self.version
        other.get(collection, {}).pop(oid.lower(), None)

    def member(self, gid: str, member: dict[str, Any], *, removed: bool) -> None:
        self.version += 1
        self.members.append((self.version, gid.lower(), member, removed))


def members_of(routes: dict[str, Any], gid: str) -> list[dict[str, Any]]:
    found = routes.get(f"/groups/{gid}/members")
    return list(found) if isinstance(found, list) else []


def delta_items(log: DeltaLog, routes: dict[str, Any], collection: str,
                since: int | None) -> list[dict[str, Any]]:
    """The objects a round starting at version `since` (None: initial) reports, in order."""
    objects = [o for o in routes.get(collection) or [] if isinstance(o, dict)]
    groups = collection == "/groups"
    if since is None:
        out = []
        for o in objects:
            item = dict(o)
            if groups and (found := members_of(routes, o["id"])):
                item["members@delta"] = [dict(m) for m in found]
            out.append(item)
        return out
    changed = {k for k, v in log.changed.get(collection, {}).items() if v > since}
    member_changes: dict[str, list[dict[str, Any]]] = {}
    if groups:
        for v, gid, m, removed in log.members:
            if v > since:
                entry = {**m, "@removed": {"reason": "deleted"}} if removed else dict(m)
                member_changes.setdefault(gid, []).append(entry)
    out = []
    for o in objects:
        key = o["id"].lower()
        if key in changed or key in member_changes:
            item = dict(o)
            if key in member_changes:
                item["members@delta"] = member_changes[key]
            out.append(item)
    out += [{"id": k, "@removed": {"reason": "deleted"}}
            for k, v in log.removed.get(collection, {}).items() if v > since]
    return out


def delta_page(log: DeltaLog, routes: dict[str, Any], base: str, version: str, path: str,
               query: str, page_size: int) -> tuple[int, dict[str, str], Any]:
    """The answer to `GET {path}?{query}` for a delta path."""
    q = parse_qs(query)
    collection = DELTA_PATHS[path]
    if "$deltatoken" in q:
        if path in log.expired:
            return 410, {"Location": f"{base}/{version}{path}"}, {"error": {
                "code": "syncStateNotFound", "message": "The sync state is not found."}}
        since: int | None = int(q["$deltatoken"][0])
        offset = 0
    elif "$skiptoken" in q:
        start, _, at = q["$skiptoken"][0].partition(".")
        since = None if start == "init" else int(start)
        offset = int(at)
    else:
        since, offset = None, 0
    key = (collection, since, log.version)
    items = log.rounds.get(key) if "$skiptoken" in q else None
    if items is None:  # computed at a round's first page, then paged from the copy
        items = log.rounds[key] = delta_items(log, routes, collection, since)
    page: dict[str, Any] = {
        "@odata.context": f"https://graph.microsoft.com/{version}/$metadata#{collection[1:]}",
        "value": items[offset : offset + page_size],
    }
    if offset + page_size < len(items):
        token = f"{'init' if since is None else since}.{offset + page_size}"
        page["@odata.nextLink"] = f"{base}/{version}{path}?$skiptoken={token}"
    else:
        page["@odata.deltaLink"] = f"{base}/{version}{path}?$deltatoken={log.version}"
    return 200, {}, page
