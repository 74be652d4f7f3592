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

Edges. The observed edges of `graphmodel.schema.kinds`, derived from entity fields, each obeying
`EDGE_RULES`. An edge is emitted only when both ends are nodes: a dangling reference stays in
the entity's `data` but has no edge. A member ref names a user if one exists, else a group.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from types import MappingProxyType
from typing import Any, Final, Literal

from graphmodel.errors import Conflict
from graphmodel.schema import codec
from graphmodel.schema.entities import App, AppRoleAssignment, Channel, Group, Team, Tenant, User
from graphmodel.schema.governance import (
    AccessPackage,
    AccessPackageAssignment,
    ConditionalAccessPolicy,
    ConnectedOrganization,
    Invitation,
)
from graphmodel.schema.kinds import EdgeKind, NodeKind
from graphmodel.schema.world import World
from graphmodel.stores.base import EdgeRecord, MetaKind, NodeRecord, PropValue

__all__ = [
    "NO_PROPS",
    "WORLD_KEY",
    "check_node_keys",
    "graph_to_world",
    "iter_edges",
    "iter_nodes",
    "node_entity",
    "node_key",
    "sorted_edges",
    "world_to_graph",
]

WORLD_KEY: Final = "World:meta"

# (kind, World field, entity class) in World field order.
_ENTITIES: Final[tuple[tuple[NodeKind, str, type[Any]], ...]] = (
    (NodeKind.TENANT, "tenants", Tenant),
    (NodeKind.USER, "users", User),
    (NodeKind.GROUP, "groups", Group),
    (NodeKind.APP, "apps", App),
    (NodeKind.TEAM, "teams", Team),
    (NodeKind.CHANNEL, "channels", Channel),
    (NodeKind.CONDITIONAL_ACCESS_POLICY, "conditional_access", ConditionalAccessPolicy),
    (NodeKind.CONNECTED_ORGANIZATION, "connected_organizations", ConnectedOrganization),
    (NodeKind.ACCESS_PACKAGE, "access_packages", AccessPackage),
    (NodeKind.INVITATION, "invitations", Invitation),
)
_BY_KIND: Final = {kind: (field, cls) for kind, field, cls in _ENTITIES}
_EDGE_LISTS: Final = frozenset({"members", "sharedWithTeams", "resources"})
_ASSIGNMENTS: Final = "appRoleAssignments"
_PACKAGE_ASSIGNMENTS: Final = "packageAssignments"
NO_PROPS: Final[Mapping[str, PropValue]] = MappingProxyType({})
"""The props of most edges, shared: an edge per membership must not cost a dict each."""


def node_key(kind: NodeKind | MetaKind, ref: str) -> str:
    """The key of the node for the entity `ref` of `kind`.

    Examples
    --------
    >>> node_key(NodeKind.USER, "contoso/alice")
    'User:contoso/alice'
    """
    return f"{kind.value}:{ref}"


def _json(data: object) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def _ref(entity: Any) -> str:
    if isinstance(entity, Invitation):
        return f"{entity.tenant}/{entity.id}"
    return str(entity.ref)


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


def _by_owner(items: Sequence[Any], owner: Callable[[Any], str | None]) -> dict[str, list[object]]:
    """`[position, data]` of each item, grouped by owner node key (`WORLD_KEY` when absent)."""
    grouped: dict[str, list[object]] = {}
    for i, item in enumerate(items):
        grouped.setdefault(owner(item) or WORLD_KEY, []).append([i, codec.to_data(item)])
    return grouped


def check_node_keys(world: World) -> None:
    """Raise `Conflict` when two entities of `world` map to the same node key.

    Why on its own: a store that keeps no node rows (the memory store writes the World) must
    refuse the same Worlds as one that does (`iter_nodes`), so the conformance suite holds.
    """
    for kind, field, _cls in _ENTITIES:
        seen: set[str] = set()
        for entity in getattr(world, field):
            ref = _ref(entity)
            if ref in seen:
                raise Conflict(f"two entities map to the node key `{node_key(kind, ref)}`")
            seen.add(ref)


def iter_nodes(world: World) -> Iterator[NodeRecord]:
    """The nodes of `world`, entity kinds in World field order, then the `World:meta` node.

    Raises `Conflict` when two entities map to the same key.

    Examples
    --------
    >>> from graphmodel.schema import Tenant
    >>> [n.key for n in iter_nodes(World(tenants=(Tenant(name="t", id="1", domains=("t.com",)),)))]
    ['Tenant:t', 'World:meta']
    """
    apps, packages = world.app_by_ref, world.access_package_by_ref
    held = {
        _ASSIGNMENTS: _by_owner(
            world.assignments, lambda a: node_key(NodeKind.APP, a.app) if a.app in apps else None
        ),
        _PACKAGE_ASSIGNMENTS: _by_owner(
            world.access_package_assignments,
            lambda p: (
                node_key(NodeKind.ACCESS_PACKAGE, p.package) if p.package in packages else None
            ),
        ),
    }
    seen: set[str] = set()
    for kind, field, _cls in _ENTITIES:
        for i, entity in enumerate(getattr(world, field)):
            ref = _ref(entity)
            key = node_key(kind, ref)
            if key in seen:
                raise Conflict(f"two entities map to the node key `{key}`")
            seen.add(key)
            data = codec.to_data(entity)
            props = _readable(data)
            props.update(ref=ref, ord=i, data=_json(data))
            props.update({name: _json(by[key]) for name, by in held.items() if key in by})
            yield NodeRecord(key=key, kind=kind, props=props)
    meta = {"asOf": codec.to_data(world.as_of), "title": world.title, "source": world.source}
    props = _readable(meta)
    props["data"] = _json(meta)
    props.update({name: _json(by[WORLD_KEY]) for name, by in held.items() if WORLD_KEY in by})
    yield NodeRecord(key=WORLD_KEY, kind=MetaKind.WORLD, props=props)


def _edge(
    kind: EdgeKind, source: str, target: str, props: Mapping[str, PropValue] | None = None
) -> EdgeRecord:
    return EdgeRecord(
        source=source, target=target, kind=kind, props=dict(props) if props else NO_PROPS
    )


def iter_edges(world: World) -> Iterator[EdgeRecord]:
    """The observed edges of `world`, in World order; dangling references give no edge.

    Examples
    --------
    >>> from graphmodel.schema import Tenant, User
    >>> w = World(tenants=(Tenant(name="t", id="1", domains=("t.com",)),),
    ...           users=(User(tenant="t", name="a", id="2", user_principal_name="a@t.com"),))
    >>> [(e.source, e.kind.value, e.target) for e in iter_edges(w)]
    [('User:t/a', 'HOMED_IN', 'Tenant:t')]
    """
    k = NodeKind
    tenants, users, groups = world.tenant_by_name, world.user_by_ref, world.group_by_ref
    apps, teams, packages = world.app_by_ref, world.team_by_ref, world.access_package_by_ref

    def homed(source: str, tenant: str) -> Iterator[EdgeRecord]:
        if tenant in tenants:
            yield _edge(EdgeKind.HOMED_IN, source, node_key(k.TENANT, tenant))

    def principal(ref: str) -> str | None:
        if ref in users:
            return node_key(k.USER, ref)
        return node_key(k.GROUP, ref) if ref in groups else None

    for u in world.users:
        key = node_key(k.USER, u.ref)
        yield from homed(key, u.tenant)
        if u.guest_of is not None and u.guest_of in users:
            yield _edge(EdgeKind.GUEST_OF, key, node_key(k.USER, u.guest_of))
        if u.synced_from is not None and u.synced_from in users:
            yield _edge(EdgeKind.SYNCED_FROM, key, node_key(k.USER, u.synced_from))
    for g in world.groups:
        key = node_key(k.GROUP, g.ref)
        yield from homed(key, g.tenant)
        for member in g.members:
            if (source := principal(member)) is not None:
                yield _edge(EdgeKind.MEMBER_OF, source, key)
    for a in world.apps:
        key = node_key(k.APP, a.ref)
        yield from homed(key, a.tenant)
        if a.instance_of is not None and a.instance_of in apps:
            yield _edge(EdgeKind.INSTANCE_OF, key, node_key(k.APP, a.instance_of))
    for asg in world.assignments:
        if (source := principal(asg.principal)) is not None and asg.app in apps:
            props = {"appRoleId": asg.app_role_id}
            yield _edge(EdgeKind.ASSIGNED_TO, source, node_key(k.APP, asg.app), props)
    for t in world.teams:
        key = node_key(k.TEAM, t.ref)
        yield from homed(key, t.tenant)
        for member in t.members:
            if member in users:
                yield _edge(EdgeKind.TEAM_MEMBER, node_key(k.USER, member), key)
    for c in world.channels:
        key = node_key(k.CHANNEL, c.ref)
        yield from homed(key, c.tenant)
        if c.team_ref in teams:
            yield _edge(EdgeKind.CHANNEL_OF, key, node_key(k.TEAM, c.team_ref))
        for member in c.members:
            if member in users:
                yield _edge(EdgeKind.CHANNEL_MEMBER, node_key(k.USER, member), key)
        for team in c.shared_with_teams:
            if team in teams:
                yield _edge(EdgeKind.SHARED_WITH_TEAM, key, node_key(k.TEAM, team))
    for p in world.conditional_access:
        yield from homed(node_key(k.CONDITIONAL_ACCESS_POLICY, p.ref), p.tenant)
    for o in world.connected_organizations:
        key = node_key(k.CONNECTED_ORGANIZATION, o.ref)
        yield from homed(key, o.tenant)
        if o.identity_tenant in tenants:
            yield _edge(EdgeKind.CONNECTED_ORG, key, node_key(k.TENANT, o.identity_tenant))
    for pkg in world.access_packages:
        key = node_key(k.ACCESS_PACKAGE, pkg.ref)
        yield from homed(key, pkg.tenant)
        for res in pkg.resources:
            if res in groups or res in apps:
                target = node_key(k.GROUP if res in groups else k.APP, res)
                yield _edge(EdgeKind.GRANTS, key, target)
    for pa in world.access_package_assignments:
        if pa.target in users and pa.package in packages:
            props = {"state": pa.state.value}
            if pa.expires is not None:
                props["expires"] = pa.expires.isoformat()
            source, target = node_key(k.USER, pa.target), node_key(k.ACCESS_PACKAGE, pa.package)
            yield _edge(EdgeKind.HAS_ASSIGNMENT, source, target, props)
    for inv in world.invitations:
        yield from homed(node_key(k.INVITATION, _ref(inv)), inv.tenant)


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
    buckets: dict[NodeKind, list[tuple[int, Any]]] = {kind: [] for kind, _f, _c in _ENTITIES}
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
    >>> es = [EdgeRecord(source="b", target="x", kind=EdgeKind.MEMBER_OF),
    ...       EdgeRecord(source="a", target="x", kind=EdgeKind.MEMBER_OF)]
    >>> [e.source for e in sorted_edges(es, by="source")]
    ['a', 'b']
    """

    def order(e: EdgeRecord) -> tuple[str, str, str]:
        other = e.source if by == "source" else e.target
        return (e.kind.value, other, json.dumps(dict(e.props), sort_keys=True) if e.props else "")

    return sorted(edges, key=order)
