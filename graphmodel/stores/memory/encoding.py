"""The memory store's snapshot encoding: a World as per-field parts of JSON rows.

Why this shape: the engine reads a World, so the file stores a World — once per snapshot, as
the `to_data` object of each entity, grouped by World field (`users`, `groups`, ...) into parts
of up to `PART_ROWS` entities, each part one JSON array. Opening a snapshot is then one C-level
`json.loads` per part and one generated decoder call per entity (`codec`), instead of two JSON
documents and a dict of props per node; writing is one `json.dumps` per part. The graph view
(nodes and edges for store reads and exports) is projected from the World in memory when asked
for (`graphmodel.stores.memory.graph`), so no node or edge rows are written.

The World's own scalars (`as_of`, `title`, `source`) are one row of the part named `world`.
Parts are numbered in write order; within a field, rows keep the World's tuple order, so
`decode_world(encode_world(w)) == w`.
"""

from __future__ import annotations

import gc
import json
import typing
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Final

from graphmodel.schema import codec
from graphmodel.schema.world import World

__all__ = ["META_PART", "PART_ROWS", "decode_world", "encode_world"]

PART_ROWS: Final = 20_000
"""Entities per part: large enough that per-part costs vanish, small enough that one part's
text is a few MB while it is written or decoded."""
META_PART: Final = "world"

_SCALARS: Final = frozenset({"as_of", "title", "source"})
# The World's entity tuples in field order, with the class of their items.
_CLASSES: Final[dict[str, type[Any]]] = {
    name: typing.get_args(tp)[0]
    for name, tp in typing.get_type_hints(World).items()
    if name not in _SCALARS
}


def _dumps(rows: list[Any]) -> str:
    return json.dumps(rows, separators=(",", ":"), ensure_ascii=False)


def encode_world(world: World, *, part_rows: int = PART_ROWS) -> Iterator[tuple[str, str]]:
    """`(field, JSON array text)` parts of `world`, in the order they must be read back."""
    as_of = None if world.as_of is None else world.as_of.isoformat()
    yield META_PART, _dumps([{"asOf": as_of, "title": world.title, "source": world.source}])
    for name, cls in _CLASSES.items():
        items, encode = getattr(world, name), codec.encoder(cls)
        for start in range(0, len(items), part_rows):
            chunk = items[start : start + part_rows]
            yield name, _dumps([encode(e) for e in chunk])


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Decoding creates millions of objects that all live on; without the pause the cyclic
    GC rescans them again and again (a third of the time at 1M users)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def decode_world(parts: Iterable[tuple[str, str]]) -> World:
    """The World of `encode_world`'s parts. Raises ValueError on data that does not decode
    (unknown field, malformed JSON, a value of the wrong type)."""
    collected: dict[str, list[Any]] = {name: [] for name in _CLASSES}
    meta: dict[str, Any] | None = None
    with _gc_paused():
        for name, text in parts:
            rows = json.loads(text)
            if not isinstance(rows, list):
                raise ValueError(f"part `{name}` is not a JSON array")
            if name == META_PART:
                if len(rows) != 1 or not isinstance(rows[0], dict):
                    raise ValueError("the world part must hold one object")
                meta = rows[0]
                continue
            cls = _CLASSES.get(name)
            if cls is None:
                raise ValueError(f"unknown part `{name}`")
            decode = codec.decoder(cls)
            collected[name].extend([decode(r) for r in rows])
        if meta is None:
            raise ValueError("the snapshot has no world part")
        as_of = meta.get("asOf")
        return World(
            **{name: tuple(items) for name, items in collected.items()},
            as_of=None if as_of is None else datetime.fromisoformat(as_of),
            title=meta.get("title"),
            source=meta.get("source"),
        )
