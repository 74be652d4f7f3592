"""Bounds of a Graph response file, checked in one streaming pass before any object is built.

Why: ijson's object builder keeps the full prefix of every open level, so a 200 KB file of
100,000 nested arrays costs quadratic memory (gigabytes) and ends in `MemoryError`; one huge
object would be held whole. `scan` reads only the parser's events (no prefixes, no objects), so
it runs in constant memory. It notes every item over a bound with where it is, and goes on: an
item of the `value` list over a bound can be skipped alone (`tenantgraph import
--allow-partial`), while a bound broken anywhere else makes the whole file unreadable. It also
picks up the top-level `@odata.nextLink`, wherever in the file it is, which saves the reader a
separate pass.

Graph objects nest about six levels (`value` → item → `identities` → ...); `MAX_DEPTH` leaves
wide room. `MAX_ITEM_BYTES` bounds one object of a collection (measured at the reader's 64 KB
buffer granularity), so building it takes a bounded amount of memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import ijson

__all__ = ["MAX_DEPTH", "MAX_ITEM_BYTES", "STREAM_KEYS", "Bounds", "Problem", "scan"]

MAX_DEPTH = 64
MAX_ITEM_BYTES = 64 << 20
STREAM_KEYS = ("value", "values")
"""Top-level keys whose array is the collection (`values` is a misspelling seen in samples)."""
_OPEN = ("start_map", "start_array")
_CLOSE = ("end_map", "end_array")
_NEXT_LINK = "@odata.nextLink"


@dataclass(frozen=True, slots=True)
class Problem:
    """One bound broken: its code, message, where, and whether it is inside one item of the
    collection (`in_item`: skipping that item leaves the rest of the file readable)."""

    code: str
    msg: str
    loc: tuple[str | int, ...]
    in_item: bool


@dataclass(frozen=True, slots=True)
class Bounds:
    """What one scan found: every bound broken (in file order), and the next link."""

    problems: tuple[Problem, ...] = field(default=())
    next_link: str | None = None

    @property
    def whole_file(self) -> Problem | None:
        """The first problem that is not confined to one item: the file cannot be read."""
        return next((p for p in self.problems if not p.in_item), None)

    @property
    def skipped_items(self) -> frozenset[int]:
        """Indexes of the collection's items over a bound."""
        return frozenset(int(p.loc[-1]) for p in self.problems if p.in_item)


def scan(path: Path) -> Bounds:
    """Check depth and item size of the JSON file at `path` (a syntax error ends the scan
    quietly: the reader reports it, located, when it reaches it)."""
    with path.open("rb") as handle:
        return _scan(handle)


def _scan(handle: BinaryIO) -> Bounds:
    depth = 0
    item_depth = 3  # `{"value": [{item}]}`; 2 when the file is a bare array
    key: str | None = None  # the last top-level key
    in_stream = False  # the level above items is the collection's array
    index = -1  # the item being read
    item_start = 0
    over = False  # the current item already broke a bound
    next_link: str | None = None
    wanted_link = False
    loc: tuple[str | int, ...] = ()
    problems: list[Problem] = []
    try:
        for event, value in ijson.basic_parse(handle, use_float=True):
            if event in _OPEN:
                depth += 1
                if depth == 1 and event == "start_array":
                    item_depth, in_stream = 2, True
                elif depth == 2 and item_depth == 3:
                    in_stream = event == "start_array" and key in STREAM_KEYS
                if depth == item_depth:
                    index += 1
                    item_start = handle.tell()
                    loc = (index,) if key is None else (key, index)
                    over = False
                if depth == MAX_DEPTH + 1 and not over:
                    msg = f"the json nests deeper than {MAX_DEPTH} levels"
                    problems.append(Problem("json-too-deep", msg, loc, in_stream))
                    over = True
                    if not in_stream:
                        break
            elif event in _CLOSE:
                depth -= 1
                closes_item = depth + 1 == item_depth
                if closes_item and not over and handle.tell() - item_start > MAX_ITEM_BYTES:
                    msg = f"one object is larger than {MAX_ITEM_BYTES >> 20} MiB"
                    problems.append(Problem("json-too-large", msg, loc, in_stream))
                    if not in_stream:
                        break
            elif in_stream and depth == item_depth - 1 and event != "map_key":
                index += 1  # a scalar item: counted, so that indexes match the reader's
            elif depth == 1 and event == "map_key":
                key, wanted_link = str(value), value == _NEXT_LINK
                index = -1
            elif wanted_link and depth == 1:
                next_link = value if isinstance(value, str) else None
                wanted_link = False
    except (ijson.JSONError, UnicodeDecodeError, ValueError):
        pass
    return Bounds(tuple(problems), next_link)
