"""The ChangeSet between two Worlds: what a whole-world load changes, as small as it can say it.

Why: an import of a tenant where 0.1% of objects differ must write (and make every process
apply) 0.1% of a snapshot. `diff_worlds(a, b)` gives changes with
`apply_changes(a, diff_worlds(a, b)) == b`, tuple order included:

- entities are matched by family key; one that only `b` has is an `Add` placed right after
  its predecessor in `b`, one that only `a` has a `Remove`, one that differs a `Patch` of the
  fields that differ (list fields of `LIST_PATHS` item by item);
- when matched entities changed their relative order, the longest run that kept it stays and
  the others move (`Remove` + `Add`), so a reordered tuple still comes out equal;
- a family whose keys are not unique (which no valid World has) is replaced as a whole.

Cost: one pass over each family that is not the very same tuple object; unchanged entities that
are the same objects (a World made by `apply_changes`) compare by identity.
"""

from __future__ import annotations

import dataclasses
import operator
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import compress
from typing import Any

from graphmodel.changes.model import (
    FAMILIES,
    LIST_PATHS,
    START,
    WORLD_SCALARS,
    Add,
    Anchor,
    Change,
    ChangeSet,
    Key,
    ListEdit,
    Patch,
    Remove,
    Replace,
    SetWorld,
    item_key,
)
from graphmodel.schema.world import World

__all__ = ["NODE_KEYED", "SequenceDiff", "diff_sequence", "diff_worlds", "entity_patch"]

NODE_KEYED = frozenset(FAMILIES) - {"assignments", "access_package_assignments"}
"""Families whose keys every store keeps unique (each entity is a node of the graph:
`graphmodel.stores.graphmap.check_node_keys`); the others are lists of values."""


@dataclass(frozen=True, slots=True)
class SequenceDiff:
    """How `b` differs from `a`: keys to drop, items to add (right after an anchor, in `b`
    order) and the pairs kept in place (`(old, new)`, possibly unequal)."""

    drop: tuple[Key, ...]
    add: tuple[tuple[Anchor, Any], ...]
    kept: tuple[tuple[Any, Any], ...]


def _same_objects(a: Sequence[Any], b: Sequence[Any]) -> bool:
    return a is b or (len(a) == len(b) and all(map(operator.is_, a, b)))


def diff_sequence(
    a: Sequence[Any],
    b: Sequence[Any],
    key: Callable[[Any], Key],
    *,
    move_changed: bool = False,
    unique: bool = False,
) -> SequenceDiff | None:
    """The edit turning `a` into `b` (items named by `key`); None when keys repeat.

    `move_changed`: an item whose key stays but whose value changes is dropped and added again
    in its place (lists whose items are values, not entities patched in place).

    Fast path (a re-import where a few entities changed in place): when both have the same
    length, only the positions holding different objects are looked at (found in C); when
    every key stays at its position, the pairs that differ are the whole answer. `unique`:
    the caller knows the keys of `a` are unique (a stored World's node-keyed families), so
    the fast path need not compute every key to check.
    """
    if not move_changed and len(a) == len(b):
        found = _in_place(a, b, key, unique=unique)
        if found is not None:
            return found
    ka = [key(x) for x in a]
    kb = [key(y) for y in b]
    ma = dict(zip(ka, a, strict=True))
    mb = dict(zip(kb, b, strict=True))
    if len(ma) != len(a) or len(mb) != len(b):
        return None
    survivors_b = [k for k in kb if k in ma]
    moved: set[Key] = set()
    survivors_a = [k for k in ka if k in mb]
    if survivors_a != survivors_b:
        rank = {k: i for i, k in enumerate(survivors_a)}
        kept_at = _longest_increasing([rank[k] for k in survivors_b])
        moved = {k for i, k in enumerate(survivors_b) if i not in kept_at}
    if move_changed:
        moved.update(k for k in survivors_b if ma[k] is not mb[k] and ma[k] != mb[k])
    drop = tuple(k for k in ka if k not in mb or k in moved)
    add: list[tuple[Anchor, Any]] = []
    previous: Anchor = START
    for k, item in zip(kb, b, strict=True):
        if k not in ma or k in moved:
            add.append((previous, item))
        previous = k
    kept = tuple((ma[k], mb[k]) for k in survivors_b if k not in moved)
    return SequenceDiff(drop=drop, add=tuple(add), kept=kept)


def _in_place(
    a: Sequence[Any], b: Sequence[Any], key: Callable[[Any], Key], *, unique: bool
) -> SequenceDiff | None:
    """The diff of two equally long sequences whose differing positions keep their keys (no
    insert, remove or move), else None. Positions holding the same object are skipped in C;
    keys are computed only where the objects differ, unless most do (a World read from files:
    no object is shared) or uniqueness must be checked: then once for every position."""
    differ = list(compress(range(len(a)), map(operator.is_not, a, b)))
    if not differ:
        return SequenceDiff(drop=(), add=(), kept=())
    if unique and len(differ) * 4 <= len(a):
        if any(key(a[i]) != key(b[i]) for i in differ):
            return None
    else:
        ka = [key(x) for x in a]
        if ka != [key(y) for y in b] or len(set(ka)) != len(ka):
            return None
    pairs = ((a[i], b[i]) for i in differ)
    return SequenceDiff(drop=(), add=(), kept=tuple(p for p in pairs if p[0] != p[1]))


def _longest_increasing(values: list[int]) -> set[int]:
    """Indexes of one longest strictly increasing subsequence of `values` (patience sorting)."""
    tails: list[int] = []  # tails[n]: index of the smallest tail of an increasing run of n + 1
    tail_values: list[int] = []
    parent: list[int] = [-1] * len(values)
    for i, v in enumerate(values):
        n = bisect_left(tail_values, v)
        parent[i] = tails[n - 1] if n else -1
        if n == len(tails):
            tails.append(i)
            tail_values.append(v)
        else:
            tails[n], tail_values[n] = i, v
    out: set[int] = set()
    i = tails[-1] if tails else -1
    while i != -1:
        out.add(i)
        i = parent[i]
    return out


def entity_patch(family: str, old: Any, new: Any) -> Patch | None:
    """The `Patch` turning entity `old` into `new` of the same key; None when they are equal."""
    sets: list[tuple[str, Any]] = []
    edits: list[tuple[str, ListEdit]] = []
    _compare(family, "", old, new, sets, edits)
    if not sets and not edits:
        return None
    key = FAMILIES[family].key(new)
    return Patch(family, key, set=tuple(sets), edit=tuple(edits))


def _compare(
    family: str,
    prefix: str,
    old: Any,
    new: Any,
    sets: list[tuple[str, Any]],
    edits: list[tuple[str, ListEdit]],
) -> None:
    for f in dataclasses.fields(old):
        path = prefix + f.name
        va, vb = getattr(old, f.name), getattr(new, f.name)
        if va is vb or va == vb:
            continue
        key = item_key(family, path)
        if key is not None:
            found = diff_sequence(va, vb, key, move_changed=True)
            if found is not None:
                edits.append((path, ListEdit(drop=found.drop, add=found.add)))
                continue
        nested = any(fam == family and p.startswith(path + ".") for fam, p in LIST_PATHS)
        if nested and dataclasses.is_dataclass(va) and type(va) is type(vb):
            _compare(family, path + ".", va, vb, sets, edits)
        else:
            sets.append((path, vb))


def diff_family(family: str, a: Sequence[Any], b: Sequence[Any]) -> list[Change]:
    """The changes turning family `family`'s tuple `a` into `b`."""
    if _same_objects(a, b):
        return []
    found = diff_sequence(a, b, FAMILIES[family].key, unique=family in NODE_KEYED)
    if found is None:
        return [] if tuple(a) == tuple(b) else [Replace(family, tuple(b))]
    out: list[Change] = [Remove(family, k) for k in found.drop]
    for old, new in found.kept:
        if old is not new and old != new:
            patch = entity_patch(family, old, new)
            if patch is not None:
                out.append(patch)
    out.extend(Add(family, item, after) for after, item in found.add)
    return out


def diff_worlds(a: World, b: World) -> ChangeSet:
    """The changes turning `a` into `b` (see the module docstring).

    Examples
    --------
    >>> from graphmodel.schema import Tenant, User
    >>> t = Tenant(name="t", id="1", domains=("t.com",))
    >>> al = User(tenant="t", name="al", id="2", user_principal_name="al@t.com")
    >>> bo = User(tenant="t", name="bo", id="3", user_principal_name="bo@t.com")
    >>> diff_worlds(World(tenants=(t,), users=(al,)), World(tenants=(t,), users=(bo, al)))
    ... # doctest: +NORMALIZE_WHITESPACE
    ChangeSet(changes=(Add(family='users', entity=User(tenant='t', name='bo', id='3',
    user_principal_name='bo@t.com', mail=None, user_type=<UserType.MEMBER: 'Member'>,
    external_user_state=None, creation_type=None, account_enabled=True,
    identity_provider=<IdentityProviderKind.ENTRA: 'entra'>, roles=(), guest_of=None,
    synced_from=None, created_date_time=None, external_user_state_change_date_time=None,
    last_sign_in_date_time=None), after=<Place.START: 'start'>),))
    """
    changes: list[Change] = []
    for family in FAMILIES:
        changes.extend(diff_family(family, getattr(a, family), getattr(b, family)))
    for name in WORLD_SCALARS:
        if getattr(a, name) != getattr(b, name):
            changes.append(SetWorld(name, getattr(b, name)))
    return ChangeSet(tuple(changes))
