"""The change language: what a change to a World is, at the grain the World is built of.

Why one language: mutations, what-if change sets, imports of a world that mostly matches the
current one, the collector, the store and the engine index all need to say *what changed*,
and each used to say it its own way (a new World, a list of field records, a full snapshot).
A `ChangeSet` says it once, sized by the change and never by the World:

- a World field (`users`, `groups`, ...) is a *family* of entities, each named by a key
  (`tenant/name` for most; see `FAMILIES`);
- `Add` puts a new entity right after another one (`after`: a key of the same family,
  `START`, or `END`), `Remove` takes one out by key, `Patch` changes one in place;
- a `Patch` sets fields (dotted paths into nested settings, e.g.
  `cross_tenant_access.default`) and edits list fields item by item (`ListEdit`: a group's
  `members`, a tenant's `cross_tenant_access.partners`), so one member added to a group of
  100k members is one item, not 100k;
- `Replace` swaps a whole family (only when keys are not unique, which a valid World never
  has) and `SetWorld` sets the World's own scalars (`as_of`, `title`, `source`).

Changes apply in order, each to the World the previous ones left (`graphmodel.changes.apply`);
`diff_worlds(a, b)` (`graphmodel.changes.diff`) is the smallest such list turning `a` into
`b`, order of every tuple included.
"""

from __future__ import annotations

import typing
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import Enum
from functools import cache
from typing import Any, Final

from graphmodel.schema.world import World

__all__ = [
    "END",
    "FAMILIES",
    "LIST_PATHS",
    "START",
    "WORLD_SCALARS",
    "Add",
    "Change",
    "ChangeSet",
    "Family",
    "Key",
    "ListEdit",
    "Patch",
    "Place",
    "Remove",
    "Replace",
    "SetWorld",
    "item_key",
    "path_type",
    "same_ref",
]

Key = str | tuple[str, ...]
"""An entity's or a list item's name within its family or list: text, or a tuple of texts
for value-like entities (an app role assignment is `(principal, app, app_role_id)`)."""


class Place(Enum):
    """The two ends of a tuple, for `Add.after` / `ListEdit.add` (any other anchor is a key)."""

    START = "start"
    END = "end"


START: Final = Place.START
END: Final = Place.END
Anchor = Key | Place


def _ref(e: Any) -> str:
    return f"{e.tenant}/{e.name}"


@dataclass(frozen=True, slots=True)
class Family:
    """One World field: its name, the class of its entities and how an entity is named."""

    name: str
    cls: type[Any]
    key: Callable[[Any], Key]


_KEYS: Final[dict[str, Callable[[Any], Key]]] = {
    "tenants": lambda t: t.name,
    "users": _ref,
    "groups": _ref,
    "apps": _ref,
    "assignments": lambda a: (a.principal, a.app, a.app_role_id),
    "teams": _ref,
    "channels": lambda c: f"{c.tenant}/{c.team}/{c.name}",
    "conditional_access": _ref,
    "connected_organizations": _ref,
    "access_packages": _ref,
    "access_package_assignments": lambda a: (a.package, a.target),
    "invitations": lambda i: (i.tenant, i.id),
}
WORLD_SCALARS: Final = ("as_of", "title", "source")
_HINTS: Final = typing.get_type_hints(World)
FAMILIES: Final[dict[str, Family]] = {
    name: Family(name, typing.get_args(_HINTS[name])[0], key) for name, key in _KEYS.items()
}
"""Every entity family of a World, in World field order."""
if set(FAMILIES) | set(WORLD_SCALARS) != set(_HINTS):  # pragma: no cover - a new World field
    raise RuntimeError("graphmodel.changes: every World field needs a family or a scalar entry")

def same_ref(ref: Any) -> Key:
    """The key of a list item that is a ref (a member): the ref itself."""
    return str(ref)


LIST_PATHS: Final[dict[tuple[str, str], Callable[[Any], Key]]] = {
    ("groups", "members"): same_ref,
    ("teams", "members"): same_ref,
    ("channels", "members"): same_ref,
    ("tenants", "cross_tenant_access.partners"): lambda p: p.tenant_id,
    ("tenants", "sign_ins"): lambda s: (s.user, s.resource, s.cross_tenant_access_type.value),
}
"""List fields edited item by item (`ListEdit`), with how an item is named; every other field
of an entity is set as a whole by `Patch.set`."""


def item_key(family: str, path: str) -> Callable[[Any], Key] | None:
    """How items of the list at `path` of a `family` entity are named, or None when that
    field is not edited item by item."""
    return LIST_PATHS.get((family, path))


def path_type(cls: type[Any], path: str) -> Any:
    """The annotated type of the dotted `path` inside dataclass `cls` (looked up once).

    Examples
    --------
    >>> from graphmodel.schema.entities import Tenant
    >>> path_type(Tenant, "cross_tenant_access.allowed_cloud_endpoints")
    tuple[str, ...]
    """
    found: Any = cls  # a class is hashable; typeshed's `type[Any]` does not say so
    return _path_type(found, path)


@cache
def _path_type(cls: Any, path: str) -> Any:
    tp: Any = cls
    for part in path.split("."):
        hints = typing.get_type_hints(tp)
        if part not in hints:
            raise KeyError(f"`{path}` is not a field of {cls.__name__}")
        tp = hints[part]
    return tp


@dataclass(frozen=True, slots=True)
class ListEdit:
    """An item-by-item edit of one list field: `drop` removes items by key, then each
    `(after, item)` of `add` is inserted right after the item named `after` (or at an end)."""

    drop: tuple[Key, ...] = ()
    add: tuple[tuple[Anchor, Any], ...] = ()

    def __len__(self) -> int:
        return len(self.drop) + len(self.add)


@dataclass(frozen=True, slots=True)
class Add:
    """A new entity of `family`, inserted right after the entity keyed `after`."""

    family: str
    entity: Any
    after: Anchor = END


@dataclass(frozen=True, slots=True)
class Remove:
    family: str
    key: Key


@dataclass(frozen=True, slots=True)
class Patch:
    """Changes of one entity in place: `set` gives new values of (dotted) fields, `edit`
    edits list fields item by item (only the paths of `LIST_PATHS`)."""

    family: str
    key: Key
    set: tuple[tuple[str, Any], ...] = ()
    edit: tuple[tuple[str, ListEdit], ...] = ()


@dataclass(frozen=True, slots=True)
class Replace:
    """Every entity of `family`, replacing the family as a whole (keys not unique)."""

    family: str
    entities: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class SetWorld:
    """A World scalar (`as_of`, `title`, `source`) set to `value`."""

    field: str
    value: Any


Change = Add | Remove | Patch | Replace | SetWorld


@dataclass(frozen=True, slots=True)
class ChangeSet:
    """An ordered list of changes; applying it to a World gives the next World.

    Examples
    --------
    >>> from graphmodel.schema.entities import User
    >>> u = User(tenant="t", name="al", id="1", user_principal_name="al@t.com")
    >>> cs = ChangeSet((Add("users", u), Patch("groups", "t/g", edit=(("members",
    ...     ListEdit(add=((END, "t/al"),))),))))
    >>> cs.summary()
    '1 users added, 1 groups changed'
    """

    changes: tuple[Change, ...] = ()
    touched_keys: dict[str, frozenset[Key] | None] = field(
        default_factory=dict, compare=False, repr=False
    )

    def __len__(self) -> int:
        return len(self.changes)

    def __iter__(self) -> Iterator[Change]:
        return iter(self.changes)

    def __add__(self, other: ChangeSet) -> ChangeSet:
        return ChangeSet(self.changes + other.changes)

    @property
    def families(self) -> frozenset[str]:
        """The families (and `world` for World scalars) some change touches."""
        return frozenset("world" if isinstance(c, SetWorld) else c.family for c in self.changes)

    def keys(self, family: str) -> frozenset[Key] | None:
        """The keys of `family` some change adds, removes or patches; None when a `Replace`
        swapped the whole family (every key may have changed)."""
        found = self.touched_keys.get(family)
        if found is None and family not in self.touched_keys:
            keys: set[Key] = set()
            whole = False
            fam = FAMILIES.get(family)
            for c in self.changes:
                if isinstance(c, Replace) and c.family == family:
                    whole = True
                elif isinstance(c, Add) and c.family == family and fam is not None:
                    keys.add(fam.key(c.entity))
                elif isinstance(c, (Remove, Patch)) and c.family == family:
                    keys.add(c.key)
            found = None if whole else frozenset(keys)
            self.touched_keys[family] = found
        return found

    def summary(self) -> str:
        """A short count of what changes, e.g. `2 users added, 1 groups changed`."""
        verbs = {Add: "added", Remove: "removed", Patch: "changed", Replace: "replaced"}
        counts: Counter[tuple[str, str]] = Counter()
        for c in self.changes:
            if isinstance(c, SetWorld):
                counts[("world", "changed")] += 1
            else:
                counts[(c.family, verbs[type(c)])] += 1
        if not counts:
            return "no change"
        return ", ".join(f"{n} {fam} {verb}" for (fam, verb), n in counts.items())
