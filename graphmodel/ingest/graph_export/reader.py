"""Streaming reader of Microsoft Graph response files, and the report that collects warnings.

A users export can be gigabytes, so a file is never `json.load`ed whole: `ijson` yields the
events and only one object of the `value` list is built at a time. Everything else in the
document (the `@odata.*` annotations, a singleton entity) is small and is built as usual.
Accepted shapes, all seen in Microsoft's own samples: a collection (`{"value": [...]}`, also the
misspelt `"values"`), a singleton entity at top level, a singleton wrapped in `{"value": {...}}`
and a bare JSON array (one merged list of pages).

What cannot be read is recorded as an `Omission` (and a located warning): a whole file (not JSON,
not readable, over a bound outside the collection's items), one item of the collection over a
bound (skipped alone, the rest of the file is read), or the tail of a file that breaks off (the
objects before the break are kept). The importer decides what an omission means: by default the
import fails (`graphmodel.ingest.graph_export.importer`).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import ijson

from graphmodel.errors import Issue
from graphmodel.ingest.graph_export.jsonbounds import STREAM_KEYS, scan
from graphmodel.schema.omissions import Omission

__all__ = [
    "FileMeta",
    "GraphItem",
    "Loc",
    "Progress",
    "Report",
    "read_items",
    "stderr_progress",
]

Loc = tuple[str | int, ...]
Progress = Callable[[str, int], None]
"""Called as `progress(file, objects_read_so_far)` while a file is read, and once at its end."""

_META = {"@odata.nextLink": "next_link", "@odata.deltaLink": "delta_link",
         "@odata.context": "context"}
_TICK = 5000
_OPEN = ("start_map", "start_array")
_CLOSE = ("end_map", "end_array")
_PAGE_SUFFIX = re.compile(r"\.page[0-9]+$")
_BYTES_TICK = 200  # items between two byte-progress reports


@dataclass(frozen=True, slots=True)
class GraphItem:
    """One Graph object and where it is in its file (`("value", 12)`, `()` for a singleton)."""

    obj: dict[str, Any]
    loc: Loc


@dataclass(slots=True)
class FileMeta:
    """The annotations of a response body, known once its items have all been read."""

    next_link: str | None = None
    delta_link: str | None = None
    context: str | None = None
    items: int = 0


@dataclass(slots=True)
class Report:
    """Collects located warnings (`Issue`s) and what could not be read (`Omission`s), and
    forwards progress; paths are shown relative.

    `read_bytes`, when set, is told the bytes read so far over every file (a file read twice
    counts once), so a caller can show progress within one large file.
    """

    roots: tuple[Path, ...] = ()
    progress: Progress | None = None
    issues: list[Issue] = field(default_factory=list)
    omissions: list[tuple[Omission, Issue]] = field(default_factory=list)
    read_bytes: Callable[[int], None] | None = None
    _positions: dict[str, int] = field(default_factory=dict)
    _bytes: int = 0

    def reached(self, path: Path, position: int) -> None:
        """The file at `path` has been read up to byte `position`."""
        if self.read_bytes is None:
            return
        key = str(path)
        before = self._positions.get(key, 0)
        if position > before:
            self._positions[key] = position
            self._bytes += position - before
            self.read_bytes(self._bytes)

    def rel(self, path: Path) -> str:
        """`path` relative to the first root it is under (the folder holding tenant folders)."""
        for root in self.roots:
            try:
                return path.relative_to(root).as_posix()
            except ValueError:
                continue
        return path.as_posix()

    def warn(self, code: str, file: str | None, loc: Loc, msg: str, **ctx: str) -> None:
        self.issues.append(Issue(code=code, loc=loc, msg=msg, file=file, ctx=dict(ctx)))

    def omit(
        self, code: str, file: str, loc: Loc, msg: str, *, count: int | None = None,
        cut: bool = False,
    ) -> None:
        """Record objects of `file` that were not read (`count`: how many, None: the whole
        file, or with `cut` everything from `loc` on), with the located warning saying why."""
        self.warn(code, file, loc, msg)
        issue = self.issues[-1]
        tenant, _, inner = file.partition("/")
        what = _PAGE_SUFFIX.sub("", inner.removesuffix(".json")) or file
        self.omissions.append((Omission(
            tenant=tenant, what=what, file=file, reason=f"{issue.path}: {msg}", count=count,
            cut_at=issue.path if cut else None), issue))

    def tick(self, file: str, count: int, *, done: bool = False) -> None:
        if self.progress is not None and (done or count % _TICK == 0):
            self.progress(file, count)


def stderr_progress() -> Progress:
    """A progress callback printing `reading FILE: N objects` on one stderr line."""
    last: list[str] = [""]

    def show(file: str, count: int) -> None:
        if file != last[0] and last[0]:
            sys.stderr.write("\n")
        last[0] = file
        sys.stderr.write(f"\rreading {file}: {count} objects")
        sys.stderr.flush()

    return show


def read_items(path: Path, report: Report, meta: FileMeta | None = None) -> Iterator[GraphItem]:
    """Every Graph object in the response file at `path`, streamed; problems go to `report`.

    Pass 0 checks nesting depth and object size in constant memory and finds the top-level
    `@odata.nextLink` (`jsonbounds.scan`); pass 1 reads events only up to the start of the
    `value` array (the annotations before it, or the whole document when it is a singleton);
    pass 2 streams the array's items with ijson's C item builder, or, when some items are over
    a bound, with an event-level builder that never builds those.
    """
    meta = meta if meta is not None else FileMeta()
    file = report.rel(path)
    try:
        bounds = scan(path)
        whole = bounds.whole_file
        if whole is not None:
            report.omit(whole.code, file, whole.loc, f"the file was not read: {whole.msg}")
            return
        for p in bounds.problems:
            report.omit(p.code, file, p.loc, f"the object was not read: {p.msg}", count=1)
        shape = _shape(path, meta)
    except OSError as exc:
        report.omit("unreadable-file", file, (), f"cannot read the file: {exc.strerror}")
        return
    except (ijson.JSONError, UnicodeDecodeError, ValueError) as exc:
        report.omit("json-syntax", file, (), f"the file is not valid json: {_detail(exc)}")
        return
    if isinstance(shape, str):
        completed = yield from _stream(path, shape, report, file, meta, bounds.skipped_items)
        if completed and meta.next_link is None:
            meta.next_link = bounds.next_link
    elif isinstance(shape, dict):
        wrapped = shape.get("value")
        if isinstance(wrapped, dict):
            yield from _emit(wrapped, ("value",), report, file, meta)
        else:
            yield from _emit(shape, (), report, file, meta)
    elif shape is not None:
        report.omit("unexpected-shape", file, (), "the file holds a single json value, not "
                    "a graph response object")
    report.tick(file, meta.items, done=True)
    if report.read_bytes is not None:
        report.reached(path, path.stat().st_size)


def _shape(path: Path, meta: FileMeta) -> str | dict[str, Any] | object:
    """The stream prefix of a collection (`value.item`, `item`...), else the whole document.

    Parser events only (no prefixes): ijson computes the prefix of every event of a buffer
    eagerly, so an over-deep item right after the array start would cost gigabytes here.
    """
    top = ijson.ObjectBuilder()
    level = 0
    key: str | None = None
    with path.open("rb") as handle:
        for event, value in ijson.basic_parse(handle, use_float=True):
            if event == "start_array" and level == 0:
                return "item"
            if event == "start_array" and level == 1 and key in STREAM_KEYS:
                return f"{key}.item"
            top.event(event, value)
            if level == 1 and event == "map_key":
                key = str(value)
            elif level == 1 and key in _META and isinstance(value, str):
                setattr(meta, _META[key], value)
            level += (event in _OPEN) - (event in _CLOSE)
    return getattr(top, "value", None)


def _stream(
    path: Path, prefix: str, report: Report, file: str, meta: FileMeta, skip: frozenset[int]
) -> Generator[GraphItem, None, bool]:
    """Yield the items under `prefix` but those in `skip`; returns False when the file broke
    off mid-way."""
    key = None if prefix == "item" else prefix.split(".")[0]
    base: Loc = () if key is None else (key,)
    reached = 0  # the index of the item being read
    with path.open("rb") as handle:
        try:
            if skip:
                items = _items_skipping(handle, key, skip)
            else:
                items = enumerate(ijson.items(handle, prefix, use_float=True))
            for index, value in items:
                yield from _emit(value, (*base, index), report, file, meta)
                reached = index + 1
                if reached % _BYTES_TICK == 0:
                    report.reached(path, handle.tell())
        except (ijson.JSONError, UnicodeDecodeError, ValueError) as exc:
            report.omit("json-syntax", file, (*base, reached), "the file is not valid json and was "
                        f"read only up to this point: {_detail(exc)}", cut=True)
            return False
    return True


def _items_skipping(
    handle: BinaryIO, key: str | None, skip: frozenset[int]
) -> Iterator[tuple[int, object]]:
    """(index, item) of the collection array (`key`'s value, or the top-level array when
    `key` is None), built from parser events; the items in `skip` are passed over unbuilt.

    Why not `ijson.items`: it tracks the prefix of every open level, so passing over an item
    nested 100,000 deep costs gigabytes; here an item in `skip` costs one depth counter.
    """
    item_depth = 2 if key is None else 3
    depth, index = 0, -1
    top_key: str | None = None
    in_stream = False
    builder: ijson.ObjectBuilder | None = None
    skipping = False
    for event, value in ijson.basic_parse(handle, use_float=True):
        depth += (event in _OPEN) - (event in _CLOSE)
        if builder is not None or skipping:  # inside an item
            if builder is not None:
                builder.event(event, value)
            if depth == item_depth - 1:  # the item closed
                if builder is not None:
                    yield index, builder.value
                builder, skipping = None, False
            continue
        if depth == 1 and event == "map_key":
            top_key = str(value)
        elif event == "start_array" and depth == item_depth - 1 and top_key == key:
            in_stream = True
        elif in_stream and depth == item_depth - 2:  # the collection's array closed
            in_stream = False
        elif in_stream and depth == item_depth and event in _OPEN:
            index += 1
            skipping = index in skip
            if not skipping:
                builder = ijson.ObjectBuilder()
                builder.event(event, value)
        elif in_stream and depth == item_depth - 1:  # a scalar item
            index += 1
            if index not in skip:
                yield index, value


def _detail(exc: Exception) -> str:
    return " ".join(str(exc).split())[:200]


def _emit(
    value: object, loc: Loc, report: Report, file: str, meta: FileMeta
) -> Iterator[GraphItem]:
    if isinstance(value, dict):
        meta.items += 1
        report.tick(file, meta.items)
        yield GraphItem(value, loc)
    else:
        _not_object(report, file, loc, value)


def _not_object(report: Report, file: str, loc: Loc, value: object) -> None:
    kind = "a list" if isinstance(value, list) else f"`{value!r}`"[:60]
    report.omit("unexpected-shape", file, loc, f"expected a graph object here, found {kind}",
                count=1)
