"""Order keys: where the Neo4j store keeps the World order of the entities a change places.

Why keys and not positions: the stored `ord` of a node, and the position of an assignment held
by its app (or package) node, only order the World (`graph_to_world` sorts by them). Positions
would shift on every insert or removal before them, so a change would rewrite every later
node. A whole write stores position x `GAP` instead, and an entity a change places (added, or
moved) gets a key between the keys of its stored neighbours: no other node changes. When two
neighbours leave no room (`GAP` is 2^20: twenty inserts in a row at one spot), the change is
written whole (`NeedsWhole`), which spaces the keys again.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from typing import Any, Final

from graphmodel.changes import FAMILIES, Key, keyed
from graphmodel.schema import codec
from graphmodel.schema.world import World
from graphmodel.stores.base import NodeRecord
from graphmodel.stores.graphmap import HELD_PROPS, entity_key, holder_key

__all__ = ["GAP", "NeedsWhole", "Placement", "StoredVersions", "spread"]

GAP: Final = 1 << 20
"""Room between the order keys of neighbours in a whole write."""


class NeedsWhole(Exception):
    """The change cannot be written as node versions (the message says why)."""


def _positions(items: Sequence[Any], targets: Collection[Any]) -> list[int]:
    """Where each of `targets` (objects of `items`) sits, by identity, in C-level scans."""
    ids = list(map(id, items))
    if len(targets) <= 8:
        return sorted(ids.index(id(t)) for t in targets)
    first: dict[int, int] = {}
    for i, object_id in enumerate(ids):
        first.setdefault(object_id, i)
    return sorted(first[id(t)] for t in targets)


def _runs(positions: Sequence[int]) -> list[tuple[int, int]]:
    """Maximal runs [start, end] of consecutive positions.

    Examples
    --------
    >>> _runs([1, 2, 3, 7, 9, 10])
    [(1, 3), (7, 7), (9, 10)]
    """
    runs: list[tuple[int, int]] = []
    for p in positions:
        if runs and runs[-1][1] == p - 1:
            runs[-1] = (runs[-1][0], p)
        else:
            runs.append((p, p))
    return runs


def spread(low: int | None, high: int | None, count: int) -> list[int]:
    """`count` increasing order keys strictly between `low` and `high` (None: no bound).

    Raises `NeedsWhole` when they do not fit.

    Examples
    --------
    >>> spread(0, 4 * GAP, 3), spread(None, 0, 2), spread(5, None, 2)
    ([1048576, 2097152, 3145728], [-2097152, -1048576], [1048581, 2097157])
    >>> spread(3, 5, 2)
    Traceback (most recent call last):
    graphmodel.stores.neo4j.positions.NeedsWhole: no room for 2 entities between order keys 3 and 5
    """
    if low is None and high is None:
        return [i * GAP for i in range(count)]
    if low is None:
        assert high is not None  # INVARIANT: one bound at least
        return [high - (count - i) * GAP for i in range(count)]
    if high is None:
        return [low + (i + 1) * GAP for i in range(count)]
    step = (high - low) // (count + 1)
    if step < 1:
        raise NeedsWhole(f"no room for {count} entities between order keys {low} and {high}")
    return [low + (i + 1) * step for i in range(count)]


class StoredVersions:
    """The base snapshot's node versions the change needs, and the held entries they carry."""

    def __init__(self, nodes: Mapping[str, NodeRecord]) -> None:
        self.nodes = nodes
        self._entries: dict[tuple[str, str], list[list[Any]]] = {}

    def ord(self, key: str) -> int:
        node = self.nodes.get(key)
        value = None if node is None else node.props.get("ord")
        if not isinstance(value, int):
            raise NeedsWhole(f"the base snapshot holds no order key for `{key}`")
        return value

    def entries(self, holder: str, family: str) -> list[list[Any]]:
        """`[order key, data]` of the `family` items `holder` holds (a fresh list each call)."""
        cached = self._entries.get((holder, family))
        if cached is None:
            node = self.nodes.get(holder)
            text = None if node is None else node.props.get(HELD_PROPS[family])
            cached = json.loads(text) if isinstance(text, str) else []
            self._entries[(holder, family)] = cached
        return list(cached)

    def held_key(self, world: World, family: str, item: Any) -> int:
        """The stored order key of `item` (of `world`, the base) in its holder's entries."""
        data = codec.to_data(item)
        for key, stored in self.entries(holder_key(world, family, item), family):
            if stored == data:
                return int(key)
        raise NeedsWhole(f"the base snapshot holds no order key for an item of `{family}`")


class Placement:
    """Order keys of the entities a change places, between their stored neighbours."""

    def __init__(self, before: World, after: World, placed: Mapping[str, Collection[Key]]) -> None:
        self.before = before
        self.after = after
        self.placed = placed
        # (family, first position, end position, key of the item before, key of the one after)
        self.runs: list[tuple[str, int, int, Any, Any]] = []
        self.keys: dict[tuple[str, Key], int] = {}

    def plan(self) -> set[str]:
        """Find the runs of placed items; returns the node keys whose stored data it needs."""
        needed: set[str] = set()
        after = self.after
        for family, placed in self.placed.items():
            new = keyed(after, family)
            targets = [new[k] for k in placed if k in new]
            if not targets:
                continue
            items = getattr(after, family)
            for start, end in _runs(_positions(items, targets)):
                prev = items[start - 1] if start > 0 else None
                nxt = items[end + 1] if end + 1 < len(items) else None
                for item in (prev, nxt):
                    if item is not None:
                        needed.add(self._stored_at(family, item))
                self.runs.append((family, start, end, prev, nxt))
        return needed

    def _stored_at(self, family: str, item: Any) -> str:
        """The node that stores the order key of `item` (an entity, or a held item's holder)."""
        if family in HELD_PROPS:
            old = keyed(self.before, family)[FAMILIES[family].key(item)]
            return holder_key(self.before, family, old)
        return entity_key(family, item)

    def _key_of(self, stored: StoredVersions, family: str, item: Any | None) -> int | None:
        if item is None:
            return None
        if family in HELD_PROPS:
            old = keyed(self.before, family)[FAMILIES[family].key(item)]
            return stored.held_key(self.before, family, old)
        return stored.ord(entity_key(family, item))

    def assign(self, stored: StoredVersions) -> None:
        after = self.after
        for family, start, end, prev, nxt in self.runs:
            items = getattr(after, family)
            low, high = self._key_of(stored, family, prev), self._key_of(stored, family, nxt)
            key_of = FAMILIES[family].key
            for item, order in zip(
                items[start : end + 1], spread(low, high, end - start + 1), strict=True
            ):
                self.keys[(family, key_of(item))] = order
