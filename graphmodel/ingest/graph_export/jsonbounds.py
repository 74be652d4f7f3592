"""Bounds of a Graph response file, checked in one streaming pass before any object is built.

Why: ijson's object builder keeps the full prefix of every open level, so a 200 KB file of
100,000 nested arrays costs quadratic memory (gigabytes) and ends in `MemoryError`; one huge
object would be held whole. `scan` reads only the parser's events (no prefixes, no objects), so
it runs in constant memory, and it stops at the first bound broken with the item where it
happened. It also picks up the top-level `@odata.nextLink`, wherever in the file it is, which
saves the reader a separate pass.

Graph objects nest about six levels (`value` → item → `identities` → ...); `MAX_DEPTH` leaves
wide room. `MAX_ITEM_BYTES` bounds one object of a collection (measured at the reader's 64 KB
buffer granularity), so building it takes a bounded amount of memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import ijson

__all__ = ["MAX_DEPTH", "MAX_ITEM_BYTES", "Bounds", "scan"]

MAX_DEPTH = 64
MAX_ITEM_BYTES = 64 << 20
_OPEN = ("start_map", "start_array")
_CLOSE = ("end_map", "end_array")
_NEXT_LINK = "@odata.nextLink"


@dataclass(frozen=True, slots=True)
class Bounds:
    """What one scan found: the problem (None when within bounds), where, and the next link."""

    problem: str | None
    code: str
    loc: tuple[str | int, ...]
    next_link: str | None


def scan(path: Path) -> Bounds:
    """Check depth and item size of the JSON file at `path` (a syntax error ends the scan
    quietly: the reader reports it, located, when it reaches it)."""
    with path.open("rb") as handle:
        return _scan(handle)


def _scan(handle: BinaryIO) -> Bounds:
    depth = 0
    item_depth = 3  # `{"value": [{item}]}`; 2 when the file is a bare array
    key: str | None = None  # the last top-level key
    index = -1  # the item being read
    item_start = 0
    next_link: str | None = None
    wanted_link = False
    loc: tuple[str | int, ...] = ()
    try:
        for event, value in ijson.basic_parse(handle, use_float=True):
            if event in _OPEN:
                depth += 1
                if depth == 1 and event == "start_array":
                    item_depth = 2
                if depth > MAX_DEPTH:
                    msg = f"the json nests deeper than {MAX_DEPTH} levels"
                    return Bounds(msg, "json-too-deep", loc, next_link)
                if depth == item_depth:
                    index += 1
                    item_start = handle.tell()
                    loc = (index,) if key is None else (key, index)
            elif event in _CLOSE:
                depth -= 1
                if depth + 1 == item_depth and handle.tell() - item_start > MAX_ITEM_BYTES:
                    msg = f"one object is larger than {MAX_ITEM_BYTES >> 20} MiB"
                    return Bounds(msg, "json-too-large", loc, next_link)
            elif depth == 1 and event == "map_key":
                key, wanted_link = str(value), value == _NEXT_LINK
                index = -1
            elif wanted_link and depth == 1:
                next_link = value if isinstance(value, str) else None
                wanted_link = False
    except (ijson.JSONError, UnicodeDecodeError, ValueError):
        pass
    return Bounds(None, "", (), next_link)
