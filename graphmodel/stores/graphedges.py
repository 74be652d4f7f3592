"""The edges of the graph mapping: which entity's fields make each edge, and whose name a ref.

Why per entity: every observed edge is made by the fields of one entity, its *owner* (a user
its `HOMED_IN` and `GUEST_OF` edges, a group the `MEMBER_OF` edges of its members, an app role
assignment its `ASSIGNED_TO` edge), and exists only while both ends are nodes. A store that
writes only what a change touched recomputes the edges of the owners the change touched, plus
those whose references the change made or unmade (`referencing_owners`); `iter_edges` is the
same owners' edges over the whole World, so the two never disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping
from typing import Any, Final

from graphmodel.schema.entities import App, AppRoleAssignment, Channel, Group, Team, User
from graphmodel.schema.governance import (
    AccessPackage,
    AccessPackageAssignment,
    ConditionalAccessPolicy,
    ConnectedOrganization,
    Invitation,
)
from graphmodel.schema.kinds import EdgeKind, NodeKind
from graphmodel.schema.world import World
from graphmodel.stores.base import EdgeRecord, PropValue
from graphmodel.stores.graphkeys import NO_PROPS, entity_ref, node_key

__all__ = ["EDGE_OWNERS", "iter_edges", "owned_edges", "referencing_owners"]


def _edge(
    kind: EdgeKind, source: str, target: str, props: Mapping[str, PropValue] | None = None
) -> EdgeRecord:
    return EdgeRecord(
        source=source, target=target, kind=kind, props=dict(props) if props else NO_PROPS
    )


_K = NodeKind


def _homed(world: World, source: str, tenant: str) -> Iterator[EdgeRecord]:
    if tenant in world.tenant_by_name:
        yield _edge(EdgeKind.HOMED_IN, source, node_key(_K.TENANT, tenant))


def _principal(world: World, ref: str) -> str | None:
    """The node a member or assignment ref names: a user if one exists, else a group."""
    if ref in world.user_by_ref:
        return node_key(_K.USER, ref)
    return node_key(_K.GROUP, ref) if ref in world.group_by_ref else None


def _user_edges(world: World, u: User) -> Iterator[EdgeRecord]:
    key, users = node_key(_K.USER, u.ref), world.user_by_ref
    yield from _homed(world, key, u.tenant)
    if u.guest_of is not None and u.guest_of in users:
        yield _edge(EdgeKind.GUEST_OF, key, node_key(_K.USER, u.guest_of))
    if u.synced_from is not None and u.synced_from in users:
        yield _edge(EdgeKind.SYNCED_FROM, key, node_key(_K.USER, u.synced_from))


def _group_edges(world: World, g: Group) -> Iterator[EdgeRecord]:
    key = node_key(_K.GROUP, g.ref)
    yield from _homed(world, key, g.tenant)
    for member in g.members:
        if (source := _principal(world, member)) is not None:
            yield _edge(EdgeKind.MEMBER_OF, source, key)


def _app_edges(world: World, a: App) -> Iterator[EdgeRecord]:
    key = node_key(_K.APP, a.ref)
    yield from _homed(world, key, a.tenant)
    if a.instance_of is not None and a.instance_of in world.app_by_ref:
        yield _edge(EdgeKind.INSTANCE_OF, key, node_key(_K.APP, a.instance_of))


def _assignment_edges(world: World, asg: AppRoleAssignment) -> Iterator[EdgeRecord]:
    if (source := _principal(world, asg.principal)) is not None and asg.app in world.app_by_ref:
        props = {"appRoleId": asg.app_role_id}
        yield _edge(EdgeKind.ASSIGNED_TO, source, node_key(_K.APP, asg.app), props)


def _team_edges(world: World, t: Team) -> Iterator[EdgeRecord]:
    key, users = node_key(_K.TEAM, t.ref), world.user_by_ref
    yield from _homed(world, key, t.tenant)
    for member in t.members:
        if member in users:
            yield _edge(EdgeKind.TEAM_MEMBER, node_key(_K.USER, member), key)


def _channel_edges(world: World, c: Channel) -> Iterator[EdgeRecord]:
    key, users, teams = node_key(_K.CHANNEL, c.ref), world.user_by_ref, world.team_by_ref
    yield from _homed(world, key, c.tenant)
    if c.team_ref in teams:
        yield _edge(EdgeKind.CHANNEL_OF, key, node_key(_K.TEAM, c.team_ref))
    for member in c.members:
        if member in users:
            yield _edge(EdgeKind.CHANNEL_MEMBER, node_key(_K.USER, member), key)
    for team in c.shared_with_teams:
        if team in teams:
            yield _edge(EdgeKind.SHARED_WITH_TEAM, key, node_key(_K.TEAM, team))


def _policy_edges(world: World, p: ConditionalAccessPolicy) -> Iterator[EdgeRecord]:
    yield from _homed(world, node_key(_K.CONDITIONAL_ACCESS_POLICY, p.ref), p.tenant)


def _organization_edges(world: World, o: ConnectedOrganization) -> Iterator[EdgeRecord]:
    key = node_key(_K.CONNECTED_ORGANIZATION, o.ref)
    yield from _homed(world, key, o.tenant)
    if o.identity_tenant in world.tenant_by_name:
        yield _edge(EdgeKind.CONNECTED_ORG, key, node_key(_K.TENANT, o.identity_tenant))


def _package_edges(world: World, pkg: AccessPackage) -> Iterator[EdgeRecord]:
    key, groups, apps = node_key(_K.ACCESS_PACKAGE, pkg.ref), world.group_by_ref, world.app_by_ref
    yield from _homed(world, key, pkg.tenant)
    for res in pkg.resources:
        if res in groups or res in apps:
            yield _edge(EdgeKind.GRANTS, key, node_key(_K.GROUP if res in groups else _K.APP, res))


def _package_assignment_edges(world: World, pa: AccessPackageAssignment) -> Iterator[EdgeRecord]:
    if pa.target in world.user_by_ref and pa.package in world.access_package_by_ref:
        props = {"state": pa.state.value}
        if pa.expires is not None:
            props["expires"] = pa.expires.isoformat()
        source, target = node_key(_K.USER, pa.target), node_key(_K.ACCESS_PACKAGE, pa.package)
        yield _edge(EdgeKind.HAS_ASSIGNMENT, source, target, props)


def _invitation_edges(world: World, inv: Invitation) -> Iterator[EdgeRecord]:
    yield from _homed(world, node_key(_K.INVITATION, entity_ref(inv)), inv.tenant)


_OWNERS: Final[dict[str, Callable[[World, Any], Iterator[EdgeRecord]]]] = {
    "users": _user_edges,
    "groups": _group_edges,
    "apps": _app_edges,
    "assignments": _assignment_edges,
    "teams": _team_edges,
    "channels": _channel_edges,
    "conditional_access": _policy_edges,
    "connected_organizations": _organization_edges,
    "access_packages": _package_edges,
    "access_package_assignments": _package_assignment_edges,
    "invitations": _invitation_edges,
}
"""Every edge is made by one entity's fields (its *owner*), per World field, in emission order."""
EDGE_OWNERS: Final = frozenset(_OWNERS)
"""The World fields whose entities own edges (every field but `tenants`)."""


def owned_edges(world: World, family: str, entity: Any) -> Iterator[EdgeRecord]:
    """The edges `entity` of World field `family` makes in `world` (`[]` for tenants).

    Why per entity: a store that writes only what changed recomputes the edges of the entities
    a change touches; `iter_edges` is these, entity by entity, so the two never disagree.
    """
    owner = _OWNERS.get(family)
    return iter(()) if owner is None else owner(world, entity)


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
    for family, owner in _OWNERS.items():
        for entity in getattr(world, family):
            yield from owner(world, entity)


def _names(refs: frozenset[str], values: Collection[str]) -> bool:
    return bool(refs) and not refs.isdisjoint(values)


def referencing_owners(
    world: World, refs: Mapping[NodeKind, Collection[str]]
) -> Iterator[tuple[str, Any]]:
    """`(field, entity)` of every edge owner in `world` whose fields name one of `refs` (refs
    by the node kind they would name): the owners whose edges appear or vanish when those nodes
    are added or removed, since an edge needs both ends. One pass per field that can name
    them, each test a C-level set operation.
    """
    tenants = frozenset(refs.get(NodeKind.TENANT, ()))
    users = frozenset(refs.get(NodeKind.USER, ()))
    principals = users | frozenset(refs.get(NodeKind.GROUP, ()))
    apps = frozenset(refs.get(NodeKind.APP, ()))
    teams = frozenset(refs.get(NodeKind.TEAM, ()))
    packages = frozenset(refs.get(NodeKind.ACCESS_PACKAGE, ()))
    resources = frozenset(refs.get(NodeKind.GROUP, ())) | apps
    tests: dict[str, Callable[[Any], bool]] = {
        "users": lambda u: u.tenant in tenants or u.guest_of in users or u.synced_from in users,
        "groups": lambda g: g.tenant in tenants or _names(principals, g.members),
        "apps": lambda a: a.tenant in tenants or a.instance_of in apps,
        "assignments": lambda a: a.principal in principals or a.app in apps,
        "teams": lambda t: t.tenant in tenants or _names(users, t.members),
        "channels": lambda c: (
            c.tenant in tenants
            or c.team_ref in teams
            or _names(users, c.members)
            or _names(teams, c.shared_with_teams)
        ),
        "conditional_access": lambda p: p.tenant in tenants,
        "connected_organizations": lambda o: o.tenant in tenants or o.identity_tenant in tenants,
        "access_packages": lambda p: p.tenant in tenants or _names(resources, p.resources),
        "access_package_assignments": lambda p: p.target in users or p.package in packages,
        "invitations": lambda i: i.tenant in tenants,
    }
    wanted = {
        "users": tenants | users,
        "groups": tenants | principals,
        "apps": tenants | apps,
        "assignments": principals | apps,
        "teams": tenants | users,
        "channels": tenants | users | teams,
        "conditional_access": tenants,
        "connected_organizations": tenants,
        "access_packages": tenants | resources,
        "access_package_assignments": users | packages,
        "invitations": tenants,
    }
    for field, test in tests.items():
        if wanted[field]:
            yield from ((field, e) for e in getattr(world, field) if test(e))
