"""Editing one keyed tuple by changes applied in order: the engine of `apply_changes`.

Why a batch editor instead of one tuple rebuild per change: a family may hold a million
entities, so every change would cost a full copy. The editor records what each change does
(removed, replaced, inserted right after an anchor) against the original tuple, then builds the
result once: positions of the touched items are found in C (`list.index` over object ids, or one
dict over them when many are touched) and the untouched runs are copied as slices.

Semantics (sequential, as if each change were applied to the tuple the previous ones left):
- `insert(key, item, after)` puts `item` right after the item keyed `after` (`START`: first,
  `END`: last); two inserts after one anchor end up newest first, as sequential inserts do;
- `remove(key)` takes out the item keyed `key`, which may be one inserted earlier; items inserted
  after a removed one stay where it was;
- `replace(key, item)` swaps an item in place.
A key names the first item that has it. Unknown keys and duplicate inserts raise `KeyError`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from graphmodel.changes.model import END, START, Anchor, Key

__all__ = ["SequenceEditor"]

T = TypeVar("T")
_FEW = 8  # touched items found by C-level scans below this count, by one id map above it


@dataclass(slots=True, eq=False)
class _Node(Generic[T]):
    """An inserted item; `alive` False once removed (its followers keep their place)."""

    key: Key
    item: T
    alive: bool = True
    followers: list[_Node[T]] = field(default_factory=list)


class SequenceEditor(Generic[T]):
    """Changes to `items` (never modified), named by `key_of`; `build()` gives the result.

    `lookup` maps a key to its item in `items` when the caller already has such a map (the
    World's `user_by_ref` ...); otherwise one is built from `items` on first use.
    """

    def __init__(
        self,
        items: Sequence[T],
        key_of: Callable[[T], Key],
        lookup: Mapping[Key, T] | None = None,
    ) -> None:
        self.items = items
        self.key_of = key_of
        self._lookup = lookup
        self.removed: set[Key] = set()  # original keys taken out
        self.replaced: dict[Key, T] = {}  # original keys with a new item
        self.inserted: dict[Key, _Node[T]] = {}  # live inserted items by key
        self.after_original: dict[Key, list[_Node[T]]] = {}
        self.at_start: list[_Node[T]] = []
        self.at_end: list[_Node[T]] = []

    # --- lookups --------------------------------------------------------------------------
    @property
    def lookup(self) -> Mapping[Key, T]:
        if self._lookup is None:
            built: dict[Key, T] = {}
            for item in self.items:
                built.setdefault(self.key_of(item), item)
            self._lookup = built
        return self._lookup

    def _original(self, key: Key) -> bool:
        return key not in self.removed and key in self.lookup

    def exists(self, key: Key) -> bool:
        return key in self.inserted or self._original(key)

    def get(self, key: Key) -> T:
        """The current item keyed `key`; raises KeyError when there is none."""
        node = self.inserted.get(key)
        if node is not None:
            return node.item
        if not self._original(key):
            raise KeyError(key)
        found = self.replaced.get(key)
        return self.lookup[key] if found is None else found

    # --- changes --------------------------------------------------------------------------
    def insert(self, key: Key, item: T, after: Anchor = END) -> None:
        if self.exists(key):
            raise KeyError(key)
        node = _Node(key, item)
        if after is END:
            self.at_end.append(node)
        elif after is START:
            self.at_start.insert(0, node)
        else:
            anchor = self.inserted.get(after)
            if anchor is not None:
                anchor.followers.insert(0, node)
            elif after in self.lookup:  # an original item, removed or not: its place stays
                self.after_original.setdefault(after, []).insert(0, node)
            else:
                raise KeyError(after)
        self.inserted[key] = node

    def remove(self, key: Key) -> None:
        node = self.inserted.pop(key, None)
        if node is not None:
            node.alive = False
            return
        if not self._original(key):
            raise KeyError(key)
        self.removed.add(key)
        self.replaced.pop(key, None)

    def replace(self, key: Key, item: T) -> None:
        node = self.inserted.get(key)
        if node is not None:
            node.item = item
        elif self._original(key):
            self.replaced[key] = item
        else:
            raise KeyError(key)

    # --- result ---------------------------------------------------------------------------
    @property
    def changed(self) -> bool:
        return bool(
            self.removed or self.replaced or self.after_original or self.at_start or self.at_end
        )

    def build(self) -> tuple[T, ...]:
        """The edited tuple (the original object when nothing changed)."""
        if not self.changed:
            return tuple(self.items)
        touched = self.removed | set(self.replaced) | set(self.after_original)
        positions = sorted(self._positions(touched))
        out: list[T] = []
        _emit(self.at_start, out)
        start = 0
        for pos, key in positions:
            out.extend(self.items[start:pos])
            if key not in self.removed:
                out.append(self.replaced.get(key, self.items[pos]))
            _emit(self.after_original.get(key, ()), out)
            start = pos + 1
        out.extend(self.items[start:])
        _emit(self.at_end, out)
        return tuple(out)

    def _positions(self, keys: set[Key]) -> list[tuple[int, Key]]:
        """Where the first item of each key sits in `items`."""
        objects = [(self.lookup[k], k) for k in keys]
        ids = list(map(id, self.items))
        if len(objects) <= _FEW:
            return [(ids.index(id(obj)), k) for obj, k in objects]
        # built backwards in C, so an object listed twice maps to its first position
        first = dict(zip(reversed(ids), range(len(ids) - 1, -1, -1), strict=True))
        return [(first[id(obj)], k) for obj, k in objects]


def _emit(nodes: Sequence[_Node[T]], out: list[T]) -> None:
    """Append the live nodes and, right after each, what was inserted after it (depth first,
    without recursion: a run of a thousand new items is a chain a thousand deep)."""
    stack = list(reversed(nodes))
    while stack:
        node = stack.pop()
        if node.alive:
            out.append(node.item)
        stack.extend(reversed(node.followers))
