"""Applying a ChangeSet to a World: a new World, sharing everything the changes did not touch.

Why sharing matters: the World of a 1M-user snapshot is ~1 GB of objects; a change must cost
the size of the change. Untouched families keep their tuple object; touched ones are rebuilt
once by `SequenceEditor` (slices of the original, in C); the World's lookups by key
(`user_by_ref` ...), when the old World had built them, are copied and patched instead of
being rebuilt from a million entities on their next use.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from graphmodel.changes.model import (
    END,
    FAMILIES,
    START,
    WORLD_SCALARS,
    Add,
    Change,
    ChangeSet,
    Key,
    ListEdit,
    Patch,
    Remove,
    Replace,
    SetWorld,
    item_key,
    same_ref,
)
from graphmodel.changes.sequence import SequenceEditor
from graphmodel.errors import Conflict
from graphmodel.schema.world import World

__all__ = ["apply_changes", "keyed", "patched"]

# The World's own cached lookups by the family key (`functools.cached_property` names).
_WORLD_LOOKUPS = {
    "tenants": "tenant_by_name",
    "users": "user_by_ref",
    "groups": "group_by_ref",
    "apps": "app_by_ref",
    "teams": "team_by_ref",
    "channels": "channel_by_ref",
    "access_packages": "access_package_by_ref",
}
_DERIVED = {"tenants": ("tenant_by_id",)}  # lookups by another key: dropped when touched
_OWN = "_changes_keyed_"  # prefix of the lookups this module caches on a World


def keyed(world: World, family: str) -> Mapping[Key, Any]:
    """`world`'s entities of `family` by key, built once per World (the first entity of a key
    wins, as `SequenceEditor` names items)."""
    attr = _WORLD_LOOKUPS.get(family)
    if attr is not None:
        found: Mapping[Key, Any] = getattr(world, attr)
        return found
    cache = vars(world)
    own: dict[Key, Any] | None = cache.get(_OWN + family)
    if own is None:
        key = FAMILIES[family].key
        own = {}
        for entity in getattr(world, family):
            own.setdefault(key(entity), entity)
        cache[_OWN + family] = own
    return own


def patched(family: str, entity: Any, patch: Patch) -> Any:
    """`entity` with `patch`'s fields set and list fields edited (a new object)."""
    for path, value in patch.set:
        entity = _set_path(entity, path.split("."), value)
    for path, edit in patch.edit:
        key = item_key(family, path)
        if key is None:
            raise Conflict(f"`{path}` of {family} is not a list edited item by item")
        entity = _set_path(entity, path.split("."), _edited(_get_path(entity, path), key, edit))
    return entity


def _edited(items: tuple[Any, ...], key: Any, edit: ListEdit) -> tuple[Any, ...]:
    refs = (*edit.drop, *(item for _after, item in edit.add))
    if key is same_ref and all(isinstance(x, str) for x in refs):
        return _edited_refs(items, edit)
    editor: SequenceEditor[Any] = SequenceEditor(items, key)
    for k in edit.drop:
        editor.remove(k)
    for after, item in edit.add:
        editor.insert(key(item), item, after)
    return editor.build()


def _edited_refs(items: tuple[Any, ...], edit: ListEdit) -> tuple[Any, ...]:
    """`_edited` for a list of refs named by themselves (members): list operations in C, no
    lookup built, so one member of a group of 100k costs a memmove, not a dict of 100k."""
    refs = list(items)
    for ref in edit.drop:
        refs.remove(ref)  # ValueError: not there (apply_changes reports it as a conflict)
    for after, ref in edit.add:
        if ref in refs:
            raise KeyError(ref)
        if after is END:
            refs.append(ref)
        elif after is START:
            refs.insert(0, ref)
        else:
            refs.insert(refs.index(after) + 1, ref)
    return tuple(refs)


def _get_path(obj: Any, path: str) -> Any:
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def _set_path(obj: Any, parts: list[str], value: Any) -> Any:
    head, rest = parts[0], parts[1:]
    if not hasattr(obj, head) or not dataclasses.is_dataclass(obj) or isinstance(obj, type):
        raise Conflict(f"`{head}` is not a field of {type(obj).__name__}")
    if rest:
        value = _set_path(getattr(obj, head), rest, value)
    return dataclasses.replace(obj, **{head: value})


def apply_changes(world: World, changes: ChangeSet | Iterable[Change]) -> World:
    """The World after `changes`, applied in order; `world` is not modified.

    Raises `Conflict` (nothing is returned) when a change does not apply: a key that does not
    exist (or already exists, for an `Add`), an unknown family or field.

    Examples
    --------
    >>> from graphmodel.changes.model import Add, END, ListEdit, Patch
    >>> from graphmodel.schema import Group, Tenant
    >>> w = World(tenants=(Tenant(name="t", id="1", domains=("t.com",)),),
    ...           groups=(Group(tenant="t", name="g", id="2", members=("t/a",)),))
    >>> w2 = apply_changes(w, [Patch("groups", "t/g", edit=(("members",
    ...     ListEdit(add=((END, "t/b"),))),))])
    >>> w2.groups[0].members, w.groups[0].members, w2.tenants is w.tenants
    (('t/a', 't/b'), ('t/a',), True)
    """
    editors: dict[str, SequenceEditor[Any]] = {}
    replaced: set[str] = set()
    scalars: dict[str, Any] = {}
    for i, change in enumerate(changes):
        try:
            _apply_one(world, change, editors, replaced, scalars)
        except (KeyError, ValueError) as exc:
            raise Conflict(f"change {i + 1} ({_name(change)}) does not apply: {exc}") from exc
    if not editors and not scalars:
        return world
    fields: dict[str, Any] = dict(scalars)
    for family, editor in editors.items():
        fields[family] = editor.build()
    new = dataclasses.replace(world, **fields)
    _carry_lookups(world, new, editors, replaced)
    return new


def _name(change: Change) -> str:
    if isinstance(change, SetWorld):
        return f"set {change.field}"
    return f"{type(change).__name__.lower()} {change.family}"


def _apply_one(
    world: World,
    change: Change,
    editors: dict[str, SequenceEditor[Any]],
    replaced: set[str],
    scalars: dict[str, Any],
) -> None:
    if isinstance(change, SetWorld):
        if change.field not in WORLD_SCALARS:
            raise KeyError(f"`{change.field}` is not a World scalar")
        scalars[change.field] = change.value
        return
    family = FAMILIES.get(change.family)
    if family is None:
        raise KeyError(f"`{change.family}` is not a World family")
    if isinstance(change, Replace):
        editors[change.family] = SequenceEditor(tuple(change.entities), family.key)
        replaced.add(change.family)
        return
    editor = editors.get(change.family)
    if editor is None:
        # the World's lookup by key: built once, then carried forward by `_carry_lookups`
        lookup = keyed(world, change.family)
        editor = SequenceEditor(getattr(world, change.family), family.key, lookup)
        editors[change.family] = editor
    if isinstance(change, Add):
        editor.insert(family.key(change.entity), change.entity, change.after)
    elif isinstance(change, Remove):
        editor.remove(change.key)
    else:
        new = patched(change.family, editor.get(change.key), change)
        if family.key(new) != change.key:  # a key is a name: changing it is remove + add
            raise KeyError(f"a patch of `{change.key}` may not change its key")
        editor.replace(change.key, new)


def _carry_lookups(
    old: World, new: World, editors: Mapping[str, SequenceEditor[Any]], replaced: set[str]
) -> None:
    """Give `new` the lookups `old` had built, patched for what the editors changed."""
    before, after = vars(old), vars(new)
    touched = set(editors)
    for family in FAMILIES:
        attr = _WORLD_LOOKUPS.get(family, _OWN + family)
        found = before.get(attr)
        if found is None:
            continue
        if family not in touched:
            after[attr] = found
            for other in _DERIVED.get(family, ()):
                if other in before:
                    after[other] = before[other]
            continue
        if family in replaced:
            continue
        editor = editors[family]
        lookup = found.copy()
        for key in editor.removed:
            lookup.pop(key, None)
        lookup.update(editor.replaced)
        for key, node in editor.inserted.items():
            lookup[key] = node.item
        after[attr] = lookup
