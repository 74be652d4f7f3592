"""The part of a snapshot one `check` reads, fetched by key instead of whole (partial reads).

Why: a one-shot `tenantgraph check --store neo4j` read every node of the snapshot over Bolt to
answer one question (11-19 s at 100k users). The engine evaluates a World, not a store, so
`check_world` gathers a small World holding every entity the engine can consult for this pair
and the unchanged engine decides on it. It must give exactly the verdict of the whole World
(tests/unit/stores/test_neighbourhood.py compares both over every scenario and sampled pairs of
generated worlds), so what it gathers follows the engine's lookups (check.py, object_route.py,
direct_route.py, grants.py, lifecycle.py), complete wherever the engine enumerates:

- the principal's object, its home identity (`guest_of` / `synced_from`), and every user
  object representing that identity in the resource tenant (`representation_in`: the last
  one in World order wins, so all of them);
- both tenants (policies, Teams policy, entitlement settings, domains), the resource, the
  registration behind an app (`instanceOf`), the service principals of a registration in the
  principal's tenant (home-app route, L35/L36), the first-party Teams apps of the resource
  tenant (`teams_app`: the first in World order), the channel's team and the teams it is
  shared with, the Conditional Access policies of both tenants;
- every group above the principal and above each candidate subject (transitive membership:
  XTAP object ids, CA targeting, direct memberships for assignment), app role assignments
  (held by the app nodes), the principal's access packages (its `HAS_ASSIGNMENT` edges) and
  the groups those packages grant.

When the principal, the resource or one of the two tenants is missing, the answer is None:
the caller reads the whole World, so an unknown ref gets the same error and suggestion.
Entities beyond these are harmless (the index is rebuilt from what was gathered); a missing
one would change a verdict, which is what the differential test is for.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from graphmodel.errors import StoreIncompatible
from graphmodel.schema.entities import App, Channel, User
from graphmodel.schema.enums import BuiltinApp
from graphmodel.schema.governance import AccessPackage
from graphmodel.schema.kinds import EdgeKind, NodeKind
from graphmodel.schema.world import World
from graphmodel.stores.base import NodeRecord
from graphmodel.stores.graphmap import WORLD_KEY, graph_to_world, node_entity, node_key
from graphmodel.stores.lookups import Direction, GraphLookups

__all__ = ["check_world"]

_IDENTITY_EDGES = frozenset({EdgeKind.GUEST_OF, EdgeKind.SYNCED_FROM})


class _Gathered:
    """The nodes fetched so far, by key, with their entities decoded once."""

    def __init__(self, lookups: GraphLookups, snapshot_id: int) -> None:
        self.lookups = lookups
        self.snapshot_id = snapshot_id
        self.nodes: dict[str, NodeRecord] = {}
        self._entities: dict[str, Any] = {}

    def fetch(self, keys: Iterable[str]) -> None:
        missing = sorted({k for k in keys if k not in self.nodes})
        if missing:
            self.add(self.lookups.nodes_by_key(self.snapshot_id, missing))

    def add(self, nodes: Iterable[NodeRecord]) -> None:
        for node in nodes:
            self.nodes.setdefault(node.key, node)

    def entity(self, kind: NodeKind, ref: str) -> Any:
        key = node_key(kind, ref)
        if key not in self._entities:
            node = self.nodes.get(key)
            self._entities[key] = None if node is None else node_entity(node)
        return self._entities[key]

    def neighbours(
        self, keys: Collection[str], kinds: Collection[EdgeKind], direction: Direction
    ) -> list[str]:
        """Keys at the other end of the given nodes' edges of these kinds."""
        if not keys:
            return []
        edges = self.lookups.edges_of(self.snapshot_id, keys, kinds, direction)
        return sorted({e.target if direction == "out" else e.source for e in edges})


def _of_tenant(keys: Iterable[str], kind: NodeKind, tenant: str) -> list[str]:
    """The keys of `kind` whose ref starts with `tenant/` (a superset of that tenant's)."""
    prefix = node_key(kind, f"{tenant}/")
    return [k for k in keys if k.startswith(prefix)]


def _groups_above(got: _Gathered, refs: Iterable[str]) -> None:
    """Fetch every group that holds one of `refs` as a member, transitively.

    A member ref becomes an edge from the user with that ref, or else from the group, so both
    keys are asked for at each level.
    """
    seen = set(refs)
    frontier = sorted(seen)
    group_prefix = node_key(NodeKind.GROUP, "")
    while frontier:
        keys = [node_key(kind, r) for r in frontier for kind in (NodeKind.USER, NodeKind.GROUP)]
        found = got.neighbours(keys, (EdgeKind.MEMBER_OF,), "out")
        got.fetch(found)
        frontier = sorted({k.removeprefix(group_prefix) for k in found} - seen)
        seen.update(frontier)


def _resource_side(got: _Gathered, resource: App | Channel, home_tenant: str) -> None:
    """The registration and service principals of an app; the teams of a channel."""
    if isinstance(resource, App):
        if resource.instance_of is not None:
            got.fetch([node_key(NodeKind.APP, resource.instance_of)])
        sps = got.neighbours([node_key(NodeKind.APP, resource.ref)], (EdgeKind.INSTANCE_OF,), "in")
        got.fetch(_of_tenant(sps, NodeKind.APP, home_tenant))
    else:
        teams = (resource.team_ref, *resource.shared_with_teams)
        got.fetch(node_key(NodeKind.TEAM, t) for t in teams)


def _packages(got: _Gathered, principal: User) -> None:
    """The principal's access packages and the groups they grant."""
    user_key = node_key(NodeKind.USER, principal.ref)
    packages = got.neighbours([user_key], (EdgeKind.HAS_ASSIGNMENT,), "out")
    got.fetch(packages)
    granted: list[str] = []
    for key in packages:
        node = got.nodes.get(key)
        if node is not None:
            package: AccessPackage = node_entity(node)
            granted += [node_key(NodeKind.GROUP, r) for r in package.resources]
    got.fetch(granted)


def check_world(
    lookups: GraphLookups, snapshot_id: int, principal_ref: str, resource_ref: str
) -> World | None:
    """A World holding what `check(principal_ref, resource_ref)` consults in the snapshot.

    None when the principal, the resource or one of their tenants is not in the snapshot (the
    caller reads the whole World, which gives the error and its suggestion). Raises
    `StoreIncompatible` when a gathered node does not decode.
    """
    got = _Gathered(lookups, snapshot_id)
    try:
        got.fetch(
            [
                node_key(NodeKind.USER, principal_ref),
                node_key(NodeKind.APP, resource_ref),
                node_key(NodeKind.CHANNEL, resource_ref),
                WORLD_KEY,
            ]
        )
        named: User | None = got.entity(NodeKind.USER, principal_ref)
        resource: App | Channel | None = got.entity(NodeKind.APP, resource_ref) or got.entity(
            NodeKind.CHANNEL, resource_ref
        )
        if named is None or resource is None:
            return None
        principal = named
        home = named.guest_of or named.synced_from
        if home is not None:
            got.fetch([node_key(NodeKind.USER, home)])
            principal = got.entity(NodeKind.USER, home) or named
        home_tenant, resource_tenant = principal.tenant, resource.tenant
        tenants = [node_key(NodeKind.TENANT, t) for t in (home_tenant, resource_tenant)]
        got.fetch(tenants)
        if any(t not in got.nodes for t in tenants):
            return None
        principal_key = node_key(NodeKind.USER, principal.ref)
        objects = got.neighbours([principal_key], _IDENTITY_EDGES, "in")
        subjects = _of_tenant(objects, NodeKind.USER, resource_tenant)
        got.fetch(subjects)
        _resource_side(got, resource, home_tenant)
        for tenant in {home_tenant, resource_tenant}:
            got.add(lookups.homed_nodes(snapshot_id, tenant, NodeKind.CONDITIONAL_ACCESS_POLICY))
        got.add(lookups.builtin_apps(snapshot_id, resource_tenant, BuiltinApp.TEAMS))
        _packages(got, principal)
        user_prefix = node_key(NodeKind.USER, "")
        _groups_above(got, [principal.ref, *(k.removeprefix(user_prefix) for k in subjects)])
        return graph_to_world(got.nodes.values())
    except (ValueError, KeyError, TypeError) as exc:
        raise StoreIncompatible(f"snapshot `{snapshot_id}` is unreadable: {exc}") from exc
