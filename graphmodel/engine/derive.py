"""Derived tenant -> tenant trust edges (the trust graph), each with its rule and policy object.

Pure: `derive_trust_edges(world)` returns the same set for the same world, so the store's
ensure-then-sweep is idempotent. Pairs considered: every ordered pair of tenants in the world
that is *related* — one names the other in a partner entry, or an object of one lives in or
points at the other (guest / synced objects, channel members, shared-with teams, consented
service principals, connected organizations). Unrelated tenants would only repeat Microsoft's
defaults for every pair, which hides the trust that matters.
"""

from __future__ import annotations

from itertools import permutations

from graphmodel.policy.clouds import cross_cloud_enabled, same_cloud
from graphmodel.policy.crosstenant import (
    EffectiveSection,
    admits_anyone,
    effective_setting,
    effective_trust,
    is_wide_open,
)
from graphmodel.schema.entities import Tenant
from graphmodel.schema.kinds import EdgeKind
from graphmodel.schema.rules import rule_source
from graphmodel.schema.trust import TRUST_RULES, TrustEdge
from graphmodel.schema.world import World
from graphmodel.schema.xtap import Section

__all__ = ["derive_trust_edges", "related_pairs"]


def related_pairs(world: World) -> set[frozenset[str]]:
    """Unordered tenant pairs with configuration or objects linking them."""
    by_id = {t.id: t.name for t in world.tenants}
    pairs: set[frozenset[str]] = set()

    def link(a: str, b: str) -> None:
        if a != b and a in world.tenant_by_name and b in world.tenant_by_name:
            pairs.add(frozenset({a, b}))

    for t in world.tenants:
        for p in t.cross_tenant_access.partners:
            if p.tenant_id in by_id:
                link(t.name, by_id[p.tenant_id])
    for u in world.users:
        if u.home_ref is not None:
            link(u.tenant, u.home_ref.split("/", 1)[0])
    for c in world.channels:
        for m in (*c.members, *c.shared_with_teams):
            link(c.tenant, m.split("/", 1)[0])
    for a in world.apps:
        if a.instance_of is not None:
            link(a.tenant, a.instance_of.split("/", 1)[0])
    for o in world.connected_organizations:
        link(o.tenant, o.identity_tenant)
    return pairs


def _section_edge(
    kind: EdgeKind, source: Tenant, target: Tenant, eff: EffectiveSection, rule: str
) -> TrustEdge | None:
    if not admits_anyone(eff.setting):
        return None
    return TrustEdge(
        kind=kind,
        source=source.name,
        target=target.name,
        rule=rule,
        policy=eff.policy,
        scope="all" if is_wide_open(eff.setting) else "partial",
        source_url=rule_source(rule) or "",
    )


def _pair_edges(a: Tenant, b: Tenant) -> list[TrustEdge]:
    """Edges owned by `a` about `b` (a's outbound/inbound/trust), plus mutual direct connect."""
    out: list[TrustEdge] = []
    cross = not same_cloud(a, b)
    if cross and cross_cloud_enabled(a, b):
        out.append(
            TrustEdge(
                kind=EdgeKind.CROSS_CLOUD_ENABLED,
                source=a.name,
                target=b.name,
                rule="R35",
                policy=f"crossTenantAccess.partners[{b.name}]",
                source_url=rule_source("R35") or "",
            )
        )
    collab_ok = not cross or (cross_cloud_enabled(a, b) and cross_cloud_enabled(b, a))
    specs = [
        (EdgeKind.B2B_COLLAB_OUT, Section.B2B_COLLABORATION_OUTBOUND, "R12", collab_ok),
        (EdgeKind.B2B_COLLAB_IN, Section.B2B_COLLABORATION_INBOUND, "R12", collab_ok),
        (EdgeKind.DIRECT_CONNECT_OUT, Section.B2B_DIRECT_CONNECT_OUTBOUND, "R19", not cross),
        (EdgeKind.DIRECT_CONNECT_IN, Section.B2B_DIRECT_CONNECT_INBOUND, "R19", not cross),
    ]
    for kind, section, rule, possible in specs:
        if possible:
            edge = _section_edge(kind, a, b, effective_setting(a, b, section), rule)
            if edge is not None:
                out.append(edge)
    trust, policy = effective_trust(a, b)
    for flag, kind in (
        (trust.is_mfa_accepted, EdgeKind.TRUSTS_MFA),
        (trust.is_compliant_device_accepted, EdgeKind.TRUSTS_COMPLIANT_DEVICE),
        (trust.is_hybrid_azure_ad_joined_device_accepted, EdgeKind.TRUSTS_HYBRID_JOINED),
    ):
        if flag:
            out.append(
                TrustEdge(
                    kind=kind,
                    source=a.name,
                    target=b.name,
                    rule=TRUST_RULES[kind],
                    policy=policy,
                    source_url=rule_source(TRUST_RULES[kind]) or "",
                )
            )
    partner = a.cross_tenant_access.partner(b.id)
    if (
        partner is not None
        and partner.identity_synchronization is not None
        and partner.identity_synchronization.is_sync_allowed
    ):
        out.append(
            TrustEdge(
                kind=EdgeKind.SYNCS_USERS_TO,
                source=b.name,
                target=a.name,
                rule="L29",
                policy=f"crossTenantAccess.partners[{b.name}].identitySynchronization",
                source_url=rule_source("L29") or "",
            )
        )
    return out


def derive_trust_edges(world: World) -> list[TrustEdge]:
    """Every derived trust edge of the world, sorted by (kind, source, target)."""
    tenants = world.tenant_by_name
    pairs = related_pairs(world)
    edges: list[TrustEdge] = []
    for a_name, b_name in permutations(sorted(tenants), 2):
        if frozenset({a_name, b_name}) not in pairs:
            continue
        edges.extend(_pair_edges(tenants[a_name], tenants[b_name]))
    present = {(e.kind, e.source, e.target) for e in edges}
    for e in list(edges):
        # DIRECT_CONNECT_MUTUAL resource -> home: the resource admits the home tenant inbound
        # and the home tenant lets its users out (R19); drawn from the resource tenant.
        if (
            e.kind == EdgeKind.DIRECT_CONNECT_IN
            and (
                EdgeKind.DIRECT_CONNECT_OUT,
                e.target,
                e.source,
            )
            in present
        ):
            edges.append(
                TrustEdge(
                    kind=EdgeKind.DIRECT_CONNECT_MUTUAL,
                    source=e.source,
                    target=e.target,
                    rule="R19",
                    policy=e.policy,
                    source_url=rule_source("R19") or "",
                )
            )
    return sorted(edges, key=lambda e: e.key)
