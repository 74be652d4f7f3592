"""The one mapping between a World and a property graph, shared by every backend.

Why one module: the memory store and the Neo4j store must hold the same nodes, keys, props and
edges, or the conformance suite could not compare them. Backends only move these records.

Nodes. Every entity becomes one node keyed `f"{kind}:{ref}"` (`Tenant:contoso`,
`User:contoso/alice`, `Channel:contoso/team/chan`, `Invitation:contoso/<id>`). Its props are
readable scalars for Cypher users (the entity's top-level scalar fields in camelCase, lists of
scalars except member lists, which are edges) plus three bookkeeping props:

- `ref`: the entity's handle; `ord`: its position in the World tuple (restores the order);
- `data`: compact JSON of `codec.to_data(entity)`, the lossless source of truth.

App role assignments are kept, with their World position, as the JSON prop `appRoleAssignments`
of the app node they point at; access-package assignments as `packageAssignments` of their
package node. One `World:meta` node (`MetaKind.WORLD`) carries `as_of`, `title`, `source` and
any assignment whose owner node is absent. So `graph_to_world(world_to_graph(w)[0]) == w`.

Edges (`graphedges`, re-exported here). The observed edges of `graphmodel.schema.kinds`, derived
from entity fields, each obeying `EDGE_RULES`. An edge is emitted only when both ends are nodes:
a dangling reference stays in the entity's `data` but has no edge. A member ref names a user if
one exists, else a group.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from functools import partial
from types import MappingProxyType
from typing import Any, Final, Literal

from graphmodel.errors import Conflict
from graphmodel.schema import codec
from graphmodel.schema.entities import AppRoleAssignment
from graphmodel.schema.governance import AccessPackageAssignment
from graphmodel.schema.kinds import NodeKind
from graphmodel.schema.world import World
from graphmodel.stores.base import EdgeRecord, MetaKind, NodeRecord, PropValue
from graphmodel.stores.graphedges import iter_edges, owned_edges
from graphmodel.stores.graphkeys import (
    ENTITY_FIELDS,
    FIELD_KINDS,
    NO_PROPS,
    WORLD_KEY,
    entity_ref,
    node_key,
)

__all__ = [
    "FIELD_KINDS",
    "HELD_PROPS",
    "NO_PROPS",
    "WORLD_KEY",
    "check_node_keys",
    "entity_key",
    "entity_node",
    "graph_to_world",
    "holder_key",
    "iter_edges",
    "iter_nodes",
    "meta_node",
    "node_entity",
    "node_key",
    "owned_edges",
    "sorted_edges",
    "world_to_graph",
]

_BY_KIND: Final = {kind: (field, cls) for kind, field, cls in ENTITY_FIELDS}
_EDGE_LISTS: Final = frozenset({"members", "sharedWithTeams", "resources"})
_ASSIGNMENTS: Final = "appRoleAssignments"
_PACKAGE_ASSIGNMENTS: Final = "packageAssignments"
HELD_PROPS: Final = {
    "assignments": _ASSIGNMENTS,
    "access_package_assignments": _PACKAGE_ASSIGNMENTS,
}
"""The World fields kept as JSON props of their owner node, and those props' names."""
NO_HELD: Final[Mapping[str, Sequence[object]]] = MappingProxyType({})


def _json(data: object) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def _readable(data: Mapping[str, Any]) -> dict[str, PropValue]:
    props: dict[str, PropValue] = {}
    for name, value in data.items():
        if isinstance(value, str | int | float):
            props[name] = value
        elif (
            isinstance(value, list)
            and value
            and name not in _EDGE_LISTS
            and all(isinstance(v, str | int | float) for v in value)
        ):
            props[name] = tuple(value)
    return props


def _by_owner(
    items: Sequence[Any], owner: Callable[[Any], str | None], scale: int
) -> dict[str, list[object]]:
    """`[position, data]` of each item, grouped by owner node key (`WORLD_KEY` when absent)."""
    grouped: dict[str, list[object]] = {}
    for i, item in enumerate(items):
        grouped.setdefault(owner(item) or WORLD_KEY, []).append([i * scale, codec.to_data(item)])
    return grouped


def holder_key(world: World, family: str, item: Any) -> str:
    """The node holding `item` of `family` (`assignments` or `access_package_assignments`) in
    `world`: its app or access package node, or `World:meta` when that is absent."""
    if family == "assignments":
        return node_key(NodeKind.APP, item.app) if item.app in world.app_by_ref else WORLD_KEY
    if item.package in world.access_package_by_ref:
        return node_key(NodeKind.ACCESS_PACKAGE, item.package)
    return WORLD_KEY


def entity_key(family: str, entity: Any) -> str:
    """The node key of `entity` of World field `family` (an entity family, not assignments)."""
    return node_key(FIELD_KINDS[family], entity_ref(entity))


def entity_node(
    kind: NodeKind, entity: Any, *, ord: int, held: Mapping[str, Sequence[object]] = NO_HELD
) -> NodeRecord:
    """The node of one entity at World position `ord`, holding the `[position, data]` entries
    of `held` (by prop name: `appRoleAssignments`, `packageAssignments`)."""
    ref = entity_ref(entity)
    data = codec.to_data(entity)
    props = _readable(data)
    props.update(ref=ref, ord=ord, data=_json(data))
    props.update({name: _json(entries) for name, entries in held.items()})
    return NodeRecord(key=node_key(kind, ref), kind=kind, props=props)


def meta_node(world: World, held: Mapping[str, Sequence[object]] = NO_HELD) -> NodeRecord:
    """The `World:meta` node of `world`, holding the entries of `held` (assignments whose
    owner node is absent)."""
    meta = {"asOf": codec.to_data(world.as_of), "title": world.title, "source": world.source}
    props = _readable(meta)
    props["data"] = _json(meta)
    props.update({name: _json(entries) for name, entries in held.items()})
    return NodeRecord(key=WORLD_KEY, kind=MetaKind.WORLD, props=props)


def check_node_keys(world: World) -> None:
    """Raise `Conflict` when two entities of `world` map to the same node key.

    Why on its own: a store that keeps no node rows (the memory store writes the World) must
    refuse the same Worlds as one that does (`iter_nodes`), so the conformance suite holds.
    """
    for kind, field, _cls in ENTITY_FIELDS:
        seen: set[str] = set()
        for entity in getattr(world, field):
            ref = entity_ref(entity)
            if ref in seen:
                raise Conflict(f"two entities map to the node key `{node_key(kind, ref)}`")
            seen.add(ref)


def iter_nodes(world: World, *, scale: int = 1) -> Iterator[NodeRecord]:
    """The nodes of `world`, entity kinds in World field order, then the `World:meta` node.

    Raises `Conflict` when two entities map to the same key. `scale` multiplies every position
    (`ord`, and those of held assignments): a store that inserts between positions later
    leaves that much room (positions only order, `graph_to_world` needs no more).

    Examples
    --------
    >>> from graphmodel.schema import Tenant
    >>> [n.key for n in iter_nodes(World(tenants=(Tenant(name="t", id="1", domains=("t.com",)),)))]
    ['Tenant:t', 'World:meta']
    """
    held = {
        name: _by_owner(getattr(world, family), partial(holder_key, world, family), scale)
        for family, name in HELD_PROPS.items()
    }
    seen: set[str] = set()
    for kind, field, _cls in ENTITY_FIELDS:
        for i, entity in enumerate(getattr(world, field)):
            key = node_key(kind, entity_ref(entity))
            if key in seen:
                raise Conflict(f"two entities map to the node key `{key}`")
            seen.add(key)
            own = {name: by[key] for name, by in held.items() if key in by}
            yield entity_node(kind, entity, ord=i * scale, held=own)
    yield meta_node(world, {name: by[WORLD_KEY] for name, by in held.items() if WORLD_KEY in by})


def world_to_graph(world: World) -> tuple[list[NodeRecord], list[EdgeRecord]]:
    """All nodes and observed edges of `world` (see the module docstring for the mapping).

    Examples
    --------
    >>> nodes, edges = world_to_graph(World(title="empty"))
    >>> [n.key for n in nodes], edges
    (['World:meta'], [])
    """
    return list(iter_nodes(world)), list(iter_edges(world))


def _text(props: Mapping[str, PropValue], name: str, key: str) -> str:
    value = props.get(name)
    if not isinstance(value, str):
        raise ValueError(f"node `{key}` has no text prop `{name}`")
    return value


def _entries(props: Mapping[str, PropValue], name: str, key: str) -> list[tuple[int, Any]]:
    if name not in props:
        return []
    return [(int(i), data) for i, data in json.loads(_text(props, name, key))]


def node_entity(node: NodeRecord) -> Any:
    """The entity an entity node stands for, decoded from its `data` prop.

    Raises ValueError for the `World:meta` node or a node without `data`.

    Examples
    --------
    >>> from graphmodel.schema import Tenant
    >>> node = next(iter_nodes(World(tenants=(Tenant(name="t", id="1", domains=("t.com",)),))))
    >>> node_entity(node).name
    't'
    """
    if isinstance(node.kind, MetaKind):
        raise ValueError(f"node `{node.key}` is not an entity")
    data = json.loads(_text(node.props, "data", node.key))
    return codec.from_data(_BY_KIND[node.kind][1], data)


def graph_to_world(nodes: Iterable[NodeRecord]) -> World:
    """Rebuild the World from its nodes (any order); the inverse of `world_to_graph`.

    Raises ValueError when a node lacks its `data` or `ord` prop or the data does not decode.

    Examples
    --------
    >>> w = World(title="t")
    >>> graph_to_world(reversed(world_to_graph(w)[0])) == w
    True
    """
    buckets: dict[NodeKind, list[tuple[int, Any]]] = {kind: [] for kind, _f, _c in ENTITY_FIELDS}
    assignments: list[tuple[int, Any]] = []
    package_assignments: list[tuple[int, Any]] = []
    fields: dict[str, Any] = {}
    for node in nodes:
        data = json.loads(_text(node.props, "data", node.key))
        if isinstance(node.kind, MetaKind):
            as_of = data["asOf"]
            fields["as_of"] = None if as_of is None else datetime.fromisoformat(as_of)
            fields.update(title=data["title"], source=data["source"])
        else:
            ord_ = node.props.get("ord")
            if not isinstance(ord_, int):
                raise ValueError(f"node `{node.key}` has no int prop `ord`")
            buckets[node.kind].append((ord_, codec.from_data(_BY_KIND[node.kind][1], data)))
        assignments += _entries(node.props, _ASSIGNMENTS, node.key)
        package_assignments += _entries(node.props, _PACKAGE_ASSIGNMENTS, node.key)
    for kind, (field, _cls) in _BY_KIND.items():
        fields[field] = tuple(e for _i, e in sorted(buckets[kind], key=lambda p: p[0]))
    fields["assignments"] = tuple(
        codec.from_data(AppRoleAssignment, d) for _i, d in sorted(assignments, key=lambda p: p[0])
    )
    fields["access_package_assignments"] = tuple(
        codec.from_data(AccessPackageAssignment, d)
        for _i, d in sorted(package_assignments, key=lambda p: p[0])
    )
    return World(**fields)


def sorted_edges(
    edges: Iterable[EdgeRecord], *, by: Literal["source", "target"]
) -> list[EdgeRecord]:
    """Edges in contract order: kind, then the other end (`by`), then props as canonical JSON.

    Examples
    --------
    >>> from graphmodel.schema import EdgeKind
    >>> es = [EdgeRecord(source="b", target="x", kind=EdgeKind.MEMBER_OF),
    ...       EdgeRecord(source="a", target="x", kind=EdgeKind.MEMBER_OF)]
    >>> [e.source for e in sorted_edges(es, by="source")]
    ['a', 'b']
    """

    def order(e: EdgeRecord) -> tuple[str, str, str]:
        other = e.source if by == "source" else e.target
        return (e.kind.value, other, json.dumps(dict(e.props), sort_keys=True) if e.props else "")

    return sorted(edges, key=order)
