"""Applying a delta round to the export folder, so it reads exactly as a full collection would.

The folder keeps one canonical form whatever way it was filled: the collection's objects in
page files (`users.json`, `users.page2.json`...) and each group's direct members in
`groupMembers/<id>.json` (never `members@delta` inside `groups.json`). Two sinks take a round's
pages as they arrive:

- `FullRound` (the initial round, or a resync): objects are written straight to temporary page
  files, remembering only each id's last position; an object Graph sent twice (it changed
  during the round) or marked `@removed` is dropped from its earlier place by one more
  streaming pass; members of a large group arrive in chunks and are accumulated.
- `ChangeRound` (from a deltaLink): changes are held (they are few), then the old pages are
  streamed once: removed objects are left out, changed ones merged field by field (default
  delta answers carry every selected field; `Prefer: return=minimal` ones only the changed
  ones, and a merge is right for both), new ones appended. `members@delta` entries are applied
  in order to the group's members file (`@removed` takes a member out).

Either way the new pages replace the old ones only when complete.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphmodel.ingest.collector.staging import write_json
from graphmodel.ingest.graph_export import layout as L
from graphmodel.ingest.graph_export.files import iter_collection, iter_file
from graphmodel.ingest.graph_export.reader import Report

__all__ = ["PAGE_SIZE", "ChangeRound", "FullRound", "RoundResult", "member_files"]

PAGE_SIZE = 999
Members = dict[str, dict[str, Any]]  # member id (lower case) -> {"@odata.type", "id"}
Written = Callable[[], None]  # told of every file written (the run's count)


def _nothing() -> None:
    pass


@dataclass(slots=True)
class RoundResult:
    """What one round did to a collection; ids are lower case."""

    full: bool
    objects: int | None = None  # in the collection afterwards (None: not rewritten, unknown)
    upserted: int = 0
    removed: int = 0
    member_changes: int = 0
    changed: set[str] = field(default_factory=set)  # added, changed, removed or re-membered
    gone: set[str] = field(default_factory=set)  # removed objects


def _key(obj: dict[str, Any]) -> str | None:
    found = obj.get("id")
    return found.lower() if isinstance(found, str) and found else None


class _Pages:
    """Objects written as temporary page files; `publish` makes them the collection."""

    def __init__(self, folder: Path, base: str, tag: str, written: Written) -> None:
        self.folder, self.base, self.tag, self.written = folder, base, tag, written
        self.buffer: list[dict[str, Any]] = []
        self.files: list[Path] = []
        self.count = 0

    def add(self, obj: dict[str, Any]) -> None:
        self.buffer.append(obj)
        self.count += 1
        if len(self.buffer) >= PAGE_SIZE:
            self._flush()

    def _flush(self) -> None:
        path = self.folder / f".{self.base}.{self.tag}{len(self.files) + 1}.json"
        write_json(path, {"value": self.buffer})
        self.written()
        self.files.append(path)
        self.buffer = []

    def close(self) -> list[Path]:
        if self.buffer or not self.files:
            self._flush()  # an empty collection is one empty page, as Graph answers it
        return self.files

    def publish(self) -> None:
        files = self.close()
        for old in L.collection_files(self.folder, self.base):
            old.unlink()
        for n, path in enumerate(files, start=1):
            os.replace(path, self.folder / L.page_file(self.base, n))

    def discard(self) -> None:
        for path in self.files:
            path.unlink(missing_ok=True)


def member_files(folder: Path) -> dict[str, Path]:
    """`groupMembers/<id>.json` by lower-case group id."""
    found = folder / L.GROUP_MEMBERS
    return {p.stem.lower(): p for p in found.glob("*.json")} if found.is_dir() else {}


def _member(entry: dict[str, Any]) -> dict[str, Any]:
    out = {"id": entry["id"]}
    if isinstance(entry.get("@odata.type"), str):
        out = {"@odata.type": entry["@odata.type"], **out}
    return out


def _apply_members(members: Members, entries: object) -> int:
    """Apply `members@delta` entries in order; returns how many there were."""
    if not isinstance(entries, list):
        return 0
    n = 0
    for entry in entries:
        mid = _key(entry) if isinstance(entry, dict) else None
        if mid is None:
            continue
        n += 1
        if "@removed" in entry:
            members.pop(mid, None)
        else:
            members[mid] = _member(entry)
    return n


def _write_members(folder: Path, gid: str, members: Members, existing: Path | None,
                   written: Written) -> None:
    if existing is not None and (not members or existing.stem != gid):
        existing.unlink()
    if members:
        write_json(folder / L.GROUP_MEMBERS / f"{gid}.json", {"value": list(members.values())})
        written()


class FullRound:
    """Sink of an initial (or resync) round: the collection is rewritten from the round alone."""

    def __init__(self, folder: Path, base: str, *, members: bool = False,
                 written: Written = _nothing) -> None:
        self.folder, self.base, self.track_members = folder, base, members
        self.written = written
        self.raw = _Pages(folder, base, "raw", written)
        self.last: dict[str, int | None] = {}  # id -> position of its last copy; None: removed
        self.ids: dict[str, str] = {}  # lower case -> as Graph spells it
        self.members: dict[str, Members] = {}
        self.repeated = False
        self.changes = 0

    def __call__(self, objects: list[dict[str, Any]]) -> None:
        for obj in objects:
            oid = _key(obj)
            if oid is None:
                continue
            self.repeated = self.repeated or oid in self.last
            self.ids[oid] = obj["id"]
            entries = obj.pop("members@delta", None)
            if self.track_members:
                self.changes += _apply_members(self.members.setdefault(oid, {}), entries)
            if "@removed" in obj:
                self.last[oid] = None
                continue
            self.last[oid] = self.raw.count
            self.raw.add(obj)

    def discard(self) -> None:
        """Drop what a round that failed half-way wrote (the collection is left as it was)."""
        self.raw.discard()

    def finish(self) -> RoundResult:
        alive = {oid for oid, pos in self.last.items() if pos is not None}
        if not self.repeated:
            self.raw.publish()
        else:  # keep each object's last copy only
            out = _Pages(self.folder, self.base, "new", self.written)
            position = 0
            for path in self.raw.close():
                for _at, obj in iter_file(path, Report()):
                    oid = _key(obj)
                    if oid is not None and self.last.get(oid) == position:
                        out.add(obj)
                    position += 1
            out.publish()
            self.raw.discard()
        if self.track_members:
            old = member_files(self.folder)
            for oid in alive:
                _write_members(self.folder, self.ids[oid], self.members.get(oid, {}),
                               old.pop(oid, None), self.written)
            for path in old.values():
                path.unlink()
        return RoundResult(full=True, objects=len(alive), upserted=len(alive),
                           member_changes=self.changes, changed=set(alive),
                           gone={o for o, p in self.last.items() if p is None})


class ChangeRound:
    """Sink of an incremental round: changes are merged into the collection's pages."""

    def __init__(self, folder: Path, base: str, *, members: bool = False,
                 written: Written = _nothing) -> None:
        self.folder, self.base, self.track_members = folder, base, members
        self.written = written
        self.upserts: dict[str, dict[str, Any]] = {}
        self.removed: set[str] = set()
        self.member_entries: dict[str, list[Any]] = {}
        self.ids: dict[str, str] = {}

    def __call__(self, objects: list[dict[str, Any]]) -> None:
        for obj in objects:
            oid = _key(obj)
            if oid is None:
                continue
            self.ids[oid] = obj["id"]
            entries = obj.pop("members@delta", None)
            if self.track_members and isinstance(entries, list):
                self.member_entries.setdefault(oid, []).extend(entries)
            if "@removed" in obj:
                self.removed.add(oid)
                self.upserts.pop(oid, None)
                continue
            self.removed.discard(oid)
            self.upserts.setdefault(oid, {}).update(obj)

    def finish(self) -> RoundResult:
        result = RoundResult(full=False, changed=set(self.upserts) | self.removed)
        if self.upserts or self.removed:
            out = _Pages(self.folder, self.base, "new", self.written)
            for _at, obj in iter_collection(self.folder, self.base, Report()):
                oid = _key(obj)
                if oid is not None and oid in self.removed:
                    result.removed += 1
                    result.gone.add(oid)
                    continue
                if oid is not None and oid in self.upserts:
                    obj = {**obj, **self.upserts.pop(oid)}
                    result.upserted += 1
                out.add(obj)
            for obj in self.upserts.values():
                out.add(obj)
                result.upserted += 1
            result.objects = out.count
            out.publish()
        if self.track_members:
            self._members(result)
        return result

    def _members(self, result: RoundResult) -> None:
        files = member_files(self.folder)
        for gid in self.removed:
            if gid in files:
                files[gid].unlink()
        for gid, entries in self.member_entries.items():
            if gid in self.removed:
                continue
            path = files.get(gid)
            members: Members = {}
            if path is not None:
                for _at, m in iter_file(path, Report()):
                    if (mid := _key(m)) is not None:
                        members[mid] = _member(m)
            result.member_changes += _apply_members(members, entries)
            result.changed.add(gid)
            _write_members(self.folder, self.ids[gid], members, path, self.written)
