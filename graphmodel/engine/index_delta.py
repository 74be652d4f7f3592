"""What a ChangeSet does to one large family of an index, net, and copy-on-write list edits.

Why net effects: the updater (`graphmodel.engine.index_update`) must cost the size of the
change, so it never compares a million users; it replays the changes of a family key by key
(an `Add` then a `Patch` of the same user is one new user) and reads old entities from the old
index and new ones from the new World's lookup by key. Why copy-on-write: the old index stays
valid for readers still holding it, so a dict or list it holds is never modified; the first edit
of one copies it, everything untouched is shared.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from itertools import compress, count, repeat
from typing import Any, Generic, TypeVar

from graphmodel.changes import (
    FAMILIES,
    Add,
    Change,
    ChangeSet,
    Key,
    Patch,
    Remove,
    Replace,
    patched,
)

__all__ = [
    "GONE",
    "OVERLAY_ABOVE",
    "Carried",
    "FamilyDelta",
    "ListsEdit",
    "Overlay",
    "by_key",
    "changed_mapping",
    "family_delta",
    "object_positions",
    "same_objects",
]

K = TypeVar("K")
V = TypeVar("V")
T = TypeVar("T")
_FEW = 4  # objects found by C-level scans up to this count, by one pass above it

# Fields that name an entity: a Patch setting one moves the entity to another key.
_KEY_FIELDS: dict[str, frozenset[str]] = {
    "users": frozenset({"tenant", "name"}),
    "groups": frozenset({"tenant", "name"}),
    "assignments": frozenset({"principal", "app", "app_role_id"}),
}


@dataclass(slots=True)
class Carried:
    """Orders kept from an index to the next one, each built on first need, then patched.

    `group_rank`: group ref -> a number increasing in World order (gaps allowed), to insert a
    group at its place in a member's `direct_groups`. `homed`: home ref -> refs of the users
    whose `guest_of`/`synced_from` names it, in World order. Never modified once attached to
    an index (a later index gets patched copies).
    """

    group_rank: dict[str, int] | None = None
    next_rank: int = 0
    homed: dict[str, list[str]] | None = None


@dataclass(slots=True)
class FamilyDelta:
    """The net change of one family: entities taken out (by key, the old entity or the key),
    kept in place but changed (`(old, new)`), and put in (`added`, in World order when
    `tail`: they are then exactly the last entities of the new tuple). `whole`: rebuild the
    family's structures from the World instead (a `Replace`, a changed key, repeated keys)."""

    # Keys are the family's (`tenant/name` text for users and groups, tuples for assignments).
    removed: dict[Any, Any] = field(default_factory=dict)
    patched: dict[Any, tuple[Any, Any]] = field(default_factory=dict)
    added: list[Any] = field(default_factory=list)
    tail: bool = True
    whole: bool = False
    patches: dict[Any, list[Patch]] = field(default_factory=dict)


def family_delta(
    changes: ChangeSet,
    family: str,
    before: Mapping[Key, Any] | None,
    after: Sequence[Any],
    lookup: Mapping[Key, Any] | None,
) -> FamilyDelta:
    """The net change `changes` make to `family`, whose old entities are `before` by key (None:
    only keys are needed) and whose new tuple is `after`.

    The changes are known to apply to the old World, so the first change of a key says whether
    it existed before (an `Add` only of a new key) and the last whether it exists after. An
    entity changed in place is the new World's own object when `lookup` (the World's lookup by
    key, if it has one built) is given, else the changes are replayed on the old entity
    (`patched`, as `apply_changes` does): an equal object, at the cost of the change only.
    """
    key_of = FAMILIES[family].key
    key_fields = _KEY_FIELDS.get(family, frozenset())
    first: dict[Key, Change] = {}
    last: dict[Key, Change] = {}
    placed: set[Key] = set()
    patches: dict[Key, list[Patch]] = {}
    now: dict[Key, Any] = {}  # the replayed entity of each key (without `lookup`)
    for c in changes:
        if isinstance(c, Replace) and c.family == family:
            return FamilyDelta(whole=True)
        if isinstance(c, Add) and c.family == family:
            key = key_of(c.entity)
            placed.add(key)
            now[key] = c.entity
        elif isinstance(c, Remove) and c.family == family:
            key = c.key
            now.pop(key, None)
        elif isinstance(c, Patch) and c.family == family:
            if any(path.split(".")[0] in key_fields for path, _value in c.set):
                return FamilyDelta(whole=True)
            key = c.key
            patches.setdefault(key, []).append(c)
            base = now.get(key) if key in now or before is None else before[key]
            if lookup is None and base is not None:
                now[key] = patched(family, base, c)
        else:
            continue
        first.setdefault(key, c)
        last[key] = c
    found = now if lookup is None else lookup
    delta = FamilyDelta(patches=patches)
    new_keys: list[Key] = []
    for key, c in last.items():
        existed = not isinstance(first[key], Add)
        exists = not isinstance(c, Remove)
        if existed and (not exists or key in placed):
            delta.removed[key] = key if before is None else before[key]
        if exists and key in placed:
            new_keys.append(key)
        elif existed and exists and before is not None:
            delta.patched[key] = (before[key], found[key])
    n = len(new_keys)
    tail = tuple(after[len(after) - n :]) if n else ()
    delta.tail = len(tail) == n and {key_of(x) for x in tail} == set(new_keys)
    delta.added = list(tail) if delta.tail else [found[key] for key in new_keys]
    return delta


def by_key(
    before: dict[str, T], delta: FamilyDelta, key_of: Callable[[T], str], items: Sequence[T]
) -> dict[str, T]:
    """A family's entities by key in World order (the index's `users`, `groups`): `before`
    copied and patched, or, after an insert in the middle, ordered as the World's `items`.

    INVARIANT: the values are the objects the index's other structures hold (the old ones, and
    the delta's for what changed), even where the World holds equal objects of its own (a World
    whose lookups were not built gets entities replayed from the changes).
    """
    changed: dict[str, T] = {key: new for key, (_old, new) in delta.patched.items()}
    changed.update((key_of(x), x) for x in delta.added)
    if not delta.tail:
        out = {}
        for x in items:
            key = key_of(x)
            out[key] = changed.get(key) or before.get(key) or x
        return out
    out = before.copy()
    for key in delta.removed:
        del out[key]
    out.update(changed)
    return out


def object_positions(items: Sequence[object], objects: Iterable[object]) -> dict[int, int]:
    """`id(obj)` -> index in `items` of each of `objects`, compared by identity (entities are
    dataclasses whose `==` is slow and would match an equal copy). A few objects are found by
    C-level scans that stop at the first hit; more by one pass."""
    found = {id(o): o for o in objects}
    if len(found) <= _FEW:
        return {
            key: next(compress(count(), map(operator.is_, items, repeat(obj))))
            for key, obj in found.items()
        }
    return {id(x): i for i, x in enumerate(items) if id(x) in found}


GONE: Any = object()
_ABSENT: Any = object()
OVERLAY_ABOVE = 50_000
"""A dict of lists with more keys than this is edited as an `Overlay` rather than copied."""


class Overlay(Mapping[K, V]):
    """A large dict with a few keys changed, sharing the dict itself (copy-on-write for one
    entry of a million, where a copy costs 60 ms of GIL-held C at scale L).

    `top` holds the changed keys (`GONE` for a removed one) and is consulted first, so `get`
    and `[]` cost two dict lookups. Evolving an Overlay again extends a copy of `top` over the
    same `base`; once `top` grows past a fiftieth of `base`, the next edit flattens it into one
    new dict (`flattened`), so the extra lookup stays cheap and memory bounded.
    """

    __slots__ = ("_len", "base", "top")

    def __init__(self, base: Mapping[K, V], top: dict[K, Any]) -> None:
        self.base = base
        self.top = top
        self._len = len(base) + sum(
            (v is not GONE) - (k in base) for k, v in top.items()
        )

    def get(self, key: K, default: Any = None) -> Any:
        found = self.top.get(key, _ABSENT)
        if found is _ABSENT:
            return self.base.get(key, default)
        return default if found is GONE else found

    def __getitem__(self, key: K) -> V:
        found = self.top.get(key, _ABSENT)
        if found is _ABSENT:
            return self.base[key]
        if found is GONE:
            raise KeyError(key)
        value: V = found
        return value

    def __contains__(self, key: object) -> bool:
        found = self.top.get(key, _ABSENT)  # type: ignore[arg-type]
        return key in self.base if found is _ABSENT else found is not GONE

    def __iter__(self) -> Iterator[K]:
        top = self.top
        yield from (k for k in self.base if k not in top)
        yield from (k for k, v in top.items() if v is not GONE)

    def __len__(self) -> int:
        return self._len

    def flattened(self) -> dict[K, V]:
        out = dict(self.base)
        for key, value in self.top.items():
            if value is GONE:
                out.pop(key, None)
            else:
                out[key] = value
        return out


def changed_mapping(base: Mapping[K, V], changes: dict[K, Any]) -> Mapping[K, V]:
    """`base` with `changes` (`GONE`: removed): a copied dict when small, else an Overlay."""
    if isinstance(base, Overlay):
        top = {**base.top, **changes}
        if len(top) * 50 <= len(base.base):
            return Overlay(base.base, top)
        return _applied(base.flattened(), changes)
    if len(base) > OVERLAY_ABOVE:
        return Overlay(base, changes)
    return _applied(base, changes)


def _applied(base: Mapping[K, V], changes: dict[K, Any]) -> dict[K, V]:
    """A copy of `base` (a `defaultdict` stays one) with `changes` (`GONE`: removed)."""
    if isinstance(base, Overlay):
        base = base.flattened()
    out = base.copy() if isinstance(base, dict) else dict(base)
    for key, value in changes.items():
        if value is GONE:
            out.pop(key, None)
        else:
            out[key] = value
    return out


class ListsEdit(Generic[K, V]):
    """Copy-on-write edits of a dict of lists an older index holds.

    `drop`/`swap` take out or replace objects by identity (batched: positions are found in one
    pass per list); `edit(key)` gives a private copy of one list to change directly; `reset`
    replaces one list. `build()` is the new dict: the old one when nothing changed, else a copy
    sharing every untouched list; a list left empty loses its key, as a fresh build has none.
    """

    def __init__(self, base: Mapping[K, list[V]], *, overlay: bool = False) -> None:
        """`overlay`: `build()` may give an `Overlay` over a large `base` (for structures
        nothing edits in place afterwards) instead of a copied dict."""
        self.base = base
        self.overlay = overlay
        self.lists: dict[K, list[V]] = {}
        self._drops: dict[K, list[V]] = {}
        self._swaps: dict[K, list[tuple[V, V]]] = {}

    def peek(self, key: K) -> Sequence[V]:
        """The list at `key` as edited so far (not to be changed)."""
        if key in self._drops or key in self._swaps:
            return self.edit(key)
        found = self.lists.get(key)
        return found if found is not None else self.base.get(key, ())

    def drop(self, key: K, obj: V) -> None:
        self._drops.setdefault(key, []).append(obj)

    def swap(self, key: K, old: V, new: V) -> None:
        self._swaps.setdefault(key, []).append((old, new))

    def reset(self, key: K, items: list[V]) -> None:
        self._drops.pop(key, None)
        self._swaps.pop(key, None)
        self.lists[key] = items

    def edit(self, key: K) -> list[V]:
        found = self.lists.get(key)
        drops, swaps = self._drops.pop(key, ()), self._swaps.pop(key, ())
        if len(drops) + len(swaps) > _FEW:  # one C-level pass rewrites (and copies) the list
            items = self.base.get(key, ()) if found is None else found
            found = self.lists[key] = _rewritten(items, drops, swaps)
            return found
        if found is None:
            found = self.lists[key] = list(self.base.get(key, ()))
        if drops or swaps:
            where = object_positions(found, [*drops, *(old for old, _new in swaps)])
            for old, new in swaps:
                found[where[id(old)]] = new
            for i in sorted((where[id(o)] for o in drops), reverse=True):
                del found[i]
        return found

    def build(self) -> Mapping[K, list[V]]:
        for key in [*self._drops, *self._swaps]:
            self.edit(key)
        if not self.lists:
            return self.base
        changes = {k: items if items else GONE for k, items in self.lists.items()}
        if self.overlay:
            return changed_mapping(self.base, changes)
        return _applied(self.base, changes)

    def build_dict(self) -> dict[K, list[V]]:
        """`build()` as a dict of its own (to be edited further in place)."""
        for key in [*self._drops, *self._swaps]:
            self.edit(key)
        return _applied(self.base, {k: v if v else GONE for k, v in self.lists.items()})


def _rewritten(items: Sequence[V], drops: Sequence[V], swaps: Sequence[tuple[V, V]]) -> list[V]:
    """`items` with `swaps` put in place and `drops` taken out (by identity), in one pass of
    C-level iterators: no bytecode runs per item of a 400k-user tenant's list."""
    instead: dict[int, Any] = {id(old): new for old, new in swaps}
    instead.update((id(o), GONE) for o in drops)
    out: Iterable[V] = map(instead.get, map(id, items), items)
    if drops:
        out = filter(partial(operator.is_not, GONE), out)
    return list(out)


def same_objects(a: Sequence[object], b: Sequence[object]) -> bool:
    """Whether two sequences hold the very same objects in the same order."""
    return len(a) == len(b) and all(map(operator.is_, a, b))
