"""The naive baseline: networkx `all_simple_paths` from principal to resource over the whole
access graph, then the same policy evaluation on every path found.

Why this baseline: it is the obvious design (issue 8) — a graph of every observed membership,
assignment, guest and channel edge, path search per question, gates per path — and the one the
design's "Scale plan" rules out. It shares the engine's policy code on purpose (the route
functions of `graphmodel.engine`, private ones included), so the comparison isolates the cost of
path enumeration and per-path evaluation, and its answers cross-check the engine's.

Graph (path direction, as the engine's hops run): home identity -> guest / synced object;
user/group -> group (MEMBER_OF); principal -> app (ASSIGNED_TO); every user -> its tenant node
and tenant node -> each app without assignment required (sign-in; the tenant hop is contracted
away when paths are compared); Global Administrator -> each assignment-required app of its
tenant; object -> access package -> group/app; user -> team -> standard channel; member ->
channel; shared-with team -> channel; service principal -> its multitenant registration.

A path counts only if its shape is a grant the rules accept (L37: a direct assignment or DIRECT
membership of an assigned group, never nesting; L20: a valid package assignment; L25: channel
membership by type); then its route (member / B2B collaboration / direct connect / home service
principal / B2C) is evaluated with the engine's gate functions. The best allowing path decides,
as in `check`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx

from graphmodel.engine.check import _b2c_route, _home_app_route  # the same gates, on purpose
from graphmodel.engine.direct_route import direct_connect_route
from graphmodel.engine.index import WorldIndex
from graphmodel.engine.object_route import object_route
from graphmodel.engine.route import Resource, RouteResult
from graphmodel.policy.apps import is_multitenant_registration
from graphmodel.schema.entities import App, Channel, User
from graphmodel.schema.enums import DirectoryRole, MembershipType, TenantType, Via
from graphmodel.schema.verdict import Decision, Mfa

__all__ = ["CUTOFF", "NaiveAnswer", "NaiveGraph"]

CUTOFF = 6  # edges; the longest grant path has 4 (principal, guest, package, group, app)
_TENANT = "tenant:"
_MFA_RANK = {Mfa.NONE: 0, Mfa.HOME: 1, Mfa.RESOURCE: 2}
_ROUTE_ORDER = {Via.MEMBER: 0, Via.B2B_COLLABORATION: 1, Via.B2B_DIRECT_CONNECT: 2, Via.B2C: 3}


@dataclass(slots=True)
class NaiveAnswer:
    """The baseline's decision, MFA location, and every valid allowing path (node refs)."""

    decision: Decision
    mfa: Mfa
    paths: set[tuple[str, ...]] = field(default_factory=set)
    enumerated: int = 0  # simple paths networkx produced


class NaiveGraph:
    """The whole access graph of a World in one networkx DiGraph (see the module docstring)."""

    def __init__(self, ix: WorldIndex) -> None:
        self.ix = ix
        g: nx.DiGraph[str] = nx.DiGraph()
        w = ix.world
        add = g.add_edge
        for u in w.users:
            ref = u.ref
            add(ref, _TENANT + u.tenant)
            home = u.guest_of or u.synced_from
            if home is not None and home in ix.users:
                add(home, ref)
            if DirectoryRole.GLOBAL_ADMINISTRATOR in u.roles:
                for app in ix.apps_by_tenant.get(u.tenant, ()):
                    if app.app_role_assignment_required:
                        add(ref, app.ref)
        for grp in w.groups:
            for m in grp.members:
                add(m, grp.ref)
        for a in w.assignments:
            add(a.principal, a.app)
        for app in w.apps:
            if not app.app_role_assignment_required:
                add(_TENANT + app.tenant, app.ref)
            if app.instance_of is not None and app.instance_of in ix.apps:
                add(app.ref, app.instance_of)
        for pa in w.access_package_assignments:
            pkg = ix.packages.get(pa.package)
            person = ix.users.get(pa.target)
            if pkg is None or person is None:
                continue
            subject = (
                person if person.tenant == pkg.tenant else ix.representation_in(person, pkg.tenant)
            )
            if subject is not None:
                add(subject.ref, pkg.ref)
        for pkg in w.access_packages:
            for r in pkg.resources:
                add(pkg.ref, r)
        for team in w.teams:
            for m in team.members:
                add(m, team.ref)
        for c in w.channels:
            if c.membership_type == MembershipType.STANDARD:
                add(c.team_ref, c.ref)
            for m in c.members:
                add(m, c.ref)
            for t in c.shared_with_teams:
                add(t, c.ref)
        self.graph = g

    # --- grant shapes -----------------------------------------------------------------------
    def _app_grant_ok(self, subject: User, principal: User, nodes: list[str], app: App) -> bool:
        """L37 / L20: is `nodes` (subject first, app last) a grant of `app` to `subject`?"""
        ix = self.ix
        if not app.app_role_assignment_required:
            return len(nodes) == 2
        assigned = ix.assignees.get(app.ref, ())
        if len(nodes) == 2:  # direct assignment, or the Global Administrator exemption
            return True
        mid = nodes[1]
        if len(nodes) == 3 and mid in ix.groups:
            return mid in assigned and mid in ix.direct_groups.get(nodes[0], ())
        pkg = ix.packages.get(mid)
        if pkg is None or pkg.tenant != app.tenant:
            return False
        valid = any(
            ix.assignment_valid(pa)
            for pa in ix.package_assignments.get(principal.ref, ())
            if pa.package == pkg.ref
        )
        if len(nodes) == 3:
            return valid
        return len(nodes) == 4 and valid and nodes[2] in assigned

    def _channel_grant_ok(self, nodes: list[str], channel: Channel, *, direct: bool) -> bool:
        """L25: member of the channel, of the team (standard), or of a shared-with team."""
        if len(nodes) == 2:
            if direct:
                return channel.membership_type == MembershipType.SHARED
            return channel.membership_type != MembershipType.STANDARD
        if len(nodes) != 3:
            return False
        team = nodes[1]
        if channel.membership_type == MembershipType.STANDARD:
            return not direct and team == channel.team_ref
        return channel.membership_type == MembershipType.SHARED and team in (
            channel.shared_with_teams
        )

    def _route_of(
        self, principal: User, nodes: list[str], resource: Resource
    ) -> RouteResult | None:
        """The route a path takes, evaluated with the engine's gates; None: not a valid grant."""
        ix = self.ix
        tenant = resource.tenant
        consumer = ix.is_b2c_consumer(principal)
        if consumer or (ix.tenants[tenant].type == TenantType.B2C and principal.tenant != tenant):
            return _b2c_route(ix, principal, resource) if len(nodes) <= 3 else None
        second = ix.users.get(nodes[1]) if len(nodes) > 2 else None
        if second is not None and ix.home_identity(second) is principal and second.tenant == tenant:
            subject, grant = second, nodes[1:]
        elif principal.tenant == tenant:
            subject, grant = principal, nodes
        else:
            subject, grant = None, nodes
        if subject is not None:
            ok = (
                self._app_grant_ok(subject, principal, grant, resource)
                if isinstance(resource, App)
                else self._channel_grant_ok(grant, resource, direct=False)
            )
            return object_route(ix, principal, subject, resource) if ok else None
        if isinstance(resource, App):
            sp = ix.apps.get(nodes[-2]) if len(nodes) >= 2 else None
            if (
                sp is not None
                and is_multitenant_registration(resource)
                and sp.instance_of == resource.ref
                and sp.tenant == principal.tenant
                and self._app_grant_ok(principal, principal, nodes[:-1], sp)
            ):
                return _home_app_route(ix, principal, resource)
            return None
        if self._channel_grant_ok(nodes, resource, direct=True):
            return direct_connect_route(ix, principal, resource)
        return None

    def decide(self, principal_ref: str, resource_ref: str) -> NaiveAnswer:
        """Enumerate every simple path (up to CUTOFF edges), evaluate each, pick the best."""
        ix = self.ix
        principal = ix.home_identity(ix.users[principal_ref])
        resource: Resource = ix.apps.get(resource_ref) or ix.channels[resource_ref]
        allowed: list[RouteResult] = []
        pending = False
        answer = NaiveAnswer(decision=Decision.DENY, mfa=Mfa.NONE)
        if principal.ref not in self.graph or resource.ref not in self.graph:
            return answer
        for raw in nx.all_simple_paths(self.graph, principal.ref, resource.ref, cutoff=CUTOFF):
            answer.enumerated += 1
            nodes = [n for n in raw if not n.startswith(_TENANT)]
            if len(nodes) < 2:
                continue
            route = self._route_of(principal, nodes, resource)
            if route is None:
                continue
            if route.decision == Decision.ALLOW:
                allowed.append(route)
                answer.paths.add(tuple(nodes))
            elif route.decision == Decision.PENDING:
                pending = True
        if allowed:
            best = min(allowed, key=lambda r: (_MFA_RANK[r.mfa], _ROUTE_ORDER[r.via]))
            answer.decision, answer.mfa = Decision.ALLOW, best.mfa
        elif pending:
            answer.decision = Decision.PENDING
        return answer
