"""What a change set makes the Neo4j store write: the node versions and edges it touches.

Why: a snapshot written as a change must cost the size of the change, so the writer works out,
from the World before and after and the node versions the base snapshot holds (`fetch`), only
the records that differ:

- nodes: the nodes of the entities the change adds, removes or patches, the nodes holding the
  app role and access-package assignments it touches (an app, a package or `World:meta`) and
  `World:meta` for the World's own scalars; each is built with the shared mapping
  (`graphmap.entity_node` / `meta_node`) and compared with the stored version: only a node that
  differs gets a new version (and its old one closes); a removed entity's version closes;
- edges: the edges owned by the entities the change touches, and by every entity whose fields
  name a node the change adds or removes (`graphedges.referencing_owners`), before and after;
  an edge identity (kind, ends, props) whose count differs is closed and made again.

Positions. The stored `ord` of a node and the position of a held assignment only order the
World (`graph_to_world` sorts by them), so they are *order keys*: a whole write stores
position x `GAP`, and an entity the change places (added, or moved) gets a key between its
stored neighbours' keys, so no other node changes. When two neighbours leave no room, or a
change replaces a whole family (`Replace`), the change cannot be written as versions:
`NeedsWhole`, and the store writes the World whole instead.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any, Final

from graphmodel.changes import FAMILIES, Add, ChangeSet, Key, Replace, SetWorld, keyed
from graphmodel.schema import codec
from graphmodel.schema.kinds import EdgeKind, NodeKind
from graphmodel.schema.world import World
from graphmodel.stores.base import EdgeRecord, NodeRecord, PropValue
from graphmodel.stores.graphedges import EDGE_OWNERS, owned_edges, referencing_owners
from graphmodel.stores.graphkeys import FIELD_KINDS, WORLD_KEY, entity_ref
from graphmodel.stores.graphmap import HELD_PROPS, entity_key, entity_node, holder_key, meta_node
from graphmodel.stores.neo4j.positions import NeedsWhole, Placement, StoredVersions

__all__ = ["EdgeClose", "Fetch", "NeedsWhole", "VersionDelta", "plan_delta"]

Fetch = Callable[[Collection[str]], Mapping[str, NodeRecord]]
"""The node versions the base snapshot holds for these keys (absent keys are left out)."""

_HOLDER_FIELDS: Final = {"apps": "assignments", "access_packages": "access_package_assignments"}
_HOLDER_OF: Final[dict[str, Callable[[Any], str]]] = {
    "assignments": attrgetter("app"),
    "access_package_assignments": attrgetter("package"),
}
_HELD_BY: Final = {
    NodeKind.APP: "assignments",
    NodeKind.ACCESS_PACKAGE: "access_package_assignments",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class EdgeClose:
    """Every live edge of this identity closes; `count` of them are expected."""

    kind: EdgeKind
    source: str
    target: str
    props: Mapping[str, PropValue]
    count: int


@dataclass(frozen=True, slots=True, kw_only=True)
class VersionDelta:
    """What one change writes: node versions to close and create, edges to close and create.

    `moved` are the keys whose new version replaces a live one: their live edges move to the
    new version. `removed` are the keys that close without a new version.
    """

    close: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    moved: tuple[str, ...] = ()
    create: tuple[NodeRecord, ...] = ()
    close_edges: tuple[EdgeClose, ...] = ()
    create_edges: tuple[EdgeRecord, ...] = ()

    @property
    def node_delta(self) -> int:
        """How many more nodes the new snapshot holds than its base."""
        return len(self.create) - len(self.close)

    @property
    def is_empty(self) -> bool:
        return not (self.close or self.create or self.close_edges or self.create_edges)


def _canonical(props: Mapping[str, PropValue]) -> str:
    return json.dumps(dict(props), sort_keys=True) if props else ""


EdgeIdentity = tuple[EdgeKind, str, str, str]


def _identity(e: EdgeRecord) -> EdgeIdentity:
    return (e.kind, e.source, e.target, _canonical(e.props))


@dataclass
class _Scope:
    """The nodes, edge owners and placed entities a change touches (see the module docstring)."""

    before: World
    after: World
    nodes: dict[str, tuple[str, Any, Any]] = field(default_factory=dict)  # key -> family, b, a
    owners: dict[tuple[str, Key], None] = field(default_factory=dict)
    keys: dict[str, set[Key]] = field(default_factory=lambda: defaultdict(set))
    placed: dict[str, set[Key]] = field(default_factory=lambda: defaultdict(set))
    made: dict[NodeKind, set[str]] = field(default_factory=lambda: defaultdict(set))

    def visit(self, changes: ChangeSet) -> None:
        for change in changes:
            if isinstance(change, SetWorld):
                self.nodes[WORLD_KEY] = ("world", None, None)
            elif isinstance(change, Replace):
                raise NeedsWhole(f"the change replaces every entity of `{change.family}`")
            else:
                fam = FAMILIES[change.family]
                key = fam.key(change.entity) if isinstance(change, Add) else change.key
                self.keys[change.family].add(key)
                if isinstance(change, Add):
                    self.placed[change.family].add(key)
        for family, held in _HOLDER_FIELDS.items():  # assignments follow their holder's fate
            refs = self._made_refs(family)
            if refs:
                item_key = FAMILIES[held].key
                holder_of = _HOLDER_OF[held]
                for world in (self.before, self.after):
                    found = (item_key(x) for x in getattr(world, held) if holder_of(x) in refs)
                    self.keys[held].update(found)
        for family, keys in self.keys.items():
            self._visit_family(family, keys)
        for owner, entity in referencing_owners(self.after, self.made):
            self.owners[(owner, FAMILIES[owner].key(entity))] = None

    def _made_refs(self, family: str) -> set[str]:
        old, new = keyed(self.before, family), keyed(self.after, family)
        return {str(k) for k in self.keys.get(family, ()) if (k in old) != (k in new)}

    def _visit_family(self, family: str, keys: Iterable[Key]) -> None:
        old, new = keyed(self.before, family), keyed(self.after, family)
        for key in keys:
            b, a = old.get(key), new.get(key)
            if b is None and a is None:
                continue  # added and removed again within the change
            if family in EDGE_OWNERS:
                self.owners[(family, key)] = None
            if family in HELD_PROPS:
                for world, item in ((self.before, b), (self.after, a)):
                    if item is not None:
                        self._visit_holder(holder_key(world, family, item))
                continue
            self.nodes[entity_key(family, a if a is not None else b)] = (family, b, a)
            if (b is None) != (a is None):
                self.made[FIELD_KINDS[family]].add(entity_ref(a if a is not None else b))
                if family in _HOLDER_FIELDS:
                    self.nodes[WORLD_KEY] = ("world", None, None)

    def _visit_holder(self, key: str) -> None:
        if key == WORLD_KEY or key in self.nodes:
            self.nodes.setdefault(key, ("world", None, None))
            return
        kind, ref = key.split(":", 1)
        family = "apps" if kind == NodeKind.APP.value else "access_packages"
        old, new = keyed(self.before, family), keyed(self.after, family)
        self.nodes[key] = (family, old.get(ref), new.get(ref))


def _edges(scope: _Scope) -> tuple[tuple[EdgeClose, ...], tuple[EdgeRecord, ...]]:
    """The edge identities whose count differs among the edges of the touched owners."""
    had: Counter[EdgeIdentity] = Counter()
    has: Counter[EdgeIdentity] = Counter()
    sample: dict[EdgeIdentity, EdgeRecord] = {}
    for family, key in scope.owners:
        b = keyed(scope.before, family).get(key)
        a = keyed(scope.after, family).get(key)
        if b is not None:
            for e in owned_edges(scope.before, family, b):
                ident = _identity(e)
                had[ident] += 1
                sample.setdefault(ident, e)
        if a is not None:
            for e in owned_edges(scope.after, family, a):
                ident = _identity(e)
                has[ident] += 1
                sample[ident] = e
    close = tuple(
        EdgeClose(kind=i[0], source=i[1], target=i[2], props=sample[i].props, count=n)
        for i, n in had.items()
        if has[i] != n
    )
    create = tuple(sample[i] for i, n in has.items() if had[i] != n for _ in range(n))
    return close, create


@dataclass
class _HeldMoves:
    """Per holder: the items of a held family that leave it (their stored data) and that
    enter it (family key, item after), for the keys a change touches."""

    leaving: dict[str, list[Any]] = field(default_factory=lambda: defaultdict(list))
    entering: dict[str, list[tuple[Key, Any]]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def of(cls, scope: _Scope, family: str) -> _HeldMoves:
        moves = cls()
        old, new = keyed(scope.before, family), keyed(scope.after, family)
        for key in scope.keys.get(family, ()):
            b, a = old.get(key), new.get(key)
            if b is not None:
                moves.leaving[holder_key(scope.before, family, b)].append(codec.to_data(b))
            if a is not None:
                moves.entering[holder_key(scope.after, family, a)].append((key, a))
        return moves


def _held(
    scope: _Scope,
    stored: StoredVersions,
    place: Placement,
    moves: _HeldMoves,
    holder: str,
    family: str,
) -> list[Any]:
    """The `[order key, data]` entries `holder` holds after the change, in World order."""
    entries = stored.entries(holder, family)
    leaving, entering = moves.leaving.get(holder, ()), moves.entering.get(holder, ())
    if not leaving and not entering:
        return entries
    for data in leaving:
        entries = _without(entries, data)
    old = keyed(scope.before, family)
    for key, item in entering:
        order = place.keys.get((family, key))
        if order is None:  # kept its place: the stored key of its version before
            b = old.get(key)
            if b is None:
                raise NeedsWhole(f"an item of `{family}` has no position")
            order = stored.held_key(scope.before, family, b)
        entries.append([order, codec.to_data(item)])
    entries.sort(key=lambda e: int(e[0]))
    return entries


def _without(entries: list[list[Any]], data: Any) -> list[list[Any]]:
    """`entries` without the first one holding `data`."""
    for i, entry in enumerate(entries):
        if entry[1] == data:
            return entries[:i] + entries[i + 1 :]
    return entries


def _record(
    scope: _Scope,
    stored: StoredVersions,
    place: Placement,
    moves: Mapping[str, _HeldMoves],
    key: str,
    family: str,
    after: Any,
) -> NodeRecord:
    """The node `key` after the change, with stored order keys."""
    if key == WORLD_KEY:
        held = {HELD_PROPS[f]: _held(scope, stored, place, moves[f], key, f) for f in HELD_PROPS}
        return meta_node(scope.after, {name: e for name, e in held.items() if e})
    kind = FIELD_KINDS[family]
    fam_key = FAMILIES[family].key(after)
    order = place.keys.get((family, fam_key))
    if order is None:
        order = stored.ord(key)
    held_family = _HELD_BY.get(kind)
    entries = (
        []
        if held_family is None
        else _held(scope, stored, place, moves[held_family], key, held_family)
    )
    own = {HELD_PROPS[held_family]: entries} if held_family is not None and entries else {}
    return entity_node(kind, after, ord=order, held=own)


def plan_delta(before: World, after: World, changes: ChangeSet, fetch: Fetch) -> VersionDelta:
    """The versions and edges that turn the base snapshot (`before`, whose node versions
    `fetch` reads) into the snapshot of `after = apply_changes(before, changes)`.

    Raises `NeedsWhole` when the change cannot be written as versions.
    """
    scope = _Scope(before, after)
    scope.visit(changes)
    place = Placement(before, after, scope.placed)
    needed = place.plan()
    stored = StoredVersions(fetch(sorted(set(scope.nodes) | needed)))
    place.assign(stored)
    moves = {family: _HeldMoves.of(scope, family) for family in HELD_PROPS}
    close: list[str] = []
    removed: list[str] = []
    moved: list[str] = []
    create: list[NodeRecord] = []
    for key, (family, _b, a) in scope.nodes.items():
        had = stored.nodes.get(key)
        if key != WORLD_KEY and a is None:
            if had is not None:
                close.append(key)
                removed.append(key)
            continue
        record = _record(scope, stored, place, moves, key, family, a)
        if had is not None and dict(had.props) == dict(record.props):
            continue
        if had is not None:
            close.append(key)
            moved.append(key)
        create.append(record)
    close_edges, create_edges = _edges(scope)
    return VersionDelta(
        close=tuple(close),
        removed=tuple(removed),
        moved=tuple(moved),
        create=tuple(create),
        close_edges=close_edges,
        create_edges=create_edges,
    )
