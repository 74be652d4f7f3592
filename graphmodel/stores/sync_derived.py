"""Derived trust edges in the store: their graph form, their rules, and the ensure-then-sweep plan.

Why here: every backend implements `replace_trust_edges` the same way (P12): load the derived
edges it holds, keep the ones the derivation re-asserts, create the new ones, delete the rest.
The plan is computed once, here, so a rerun with the same edges is a no-op on every backend.
The derivation itself (which edges exist) belongs to the engine, not to the store.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from graphmodel.errors import Conflict
from graphmodel.schema.kinds import TRUST_EDGES, NodeKind
from graphmodel.schema.trust import TrustEdge
from graphmodel.schema.world import World
from graphmodel.stores.base import DeriveStats, EdgeRecord, PropValue
from graphmodel.stores.graphmap import node_key

__all__ = [
    "TrustPlan",
    "check_trust_edges",
    "plan_trust_sync",
    "record_to_trust",
    "trust_to_record",
]

_TENANT_PREFIX = node_key(NodeKind.TENANT, "")


def trust_to_record(edge: TrustEdge) -> EdgeRecord:
    """The graph edge of a trust edge: tenant node to tenant node, props say why it exists.

    Examples
    --------
    >>> from graphmodel.schema import EdgeKind
    >>> e = TrustEdge(kind=EdgeKind.TRUSTS_MFA, source="a", target="b", rule="R9", policy="p")
    >>> r = trust_to_record(e)
    >>> (r.source, r.target, r.props["rule"])
    ('Tenant:a', 'Tenant:b', 'R9')
    >>> record_to_trust(r) == e
    True
    """
    props: dict[str, PropValue] = {
        "rule": edge.rule,
        "policy": edge.policy,
        "scope": edge.scope,
        "sourceUrl": edge.source_url,
    }
    return EdgeRecord(
        source=_TENANT_PREFIX + edge.source,
        target=_TENANT_PREFIX + edge.target,
        kind=edge.kind,
        props=props,
    )


def record_to_trust(record: EdgeRecord) -> TrustEdge:
    """The inverse of `trust_to_record`; raises ValueError when a prop is missing."""

    def text(name: str) -> str:
        value = record.props.get(name)
        if not isinstance(value, str):
            raise ValueError(f"trust edge `{record.source} -> {record.target}` lacks `{name}`")
        return value

    return TrustEdge(
        kind=record.kind,
        source=record.source.removeprefix(_TENANT_PREFIX),
        target=record.target.removeprefix(_TENANT_PREFIX),
        rule=text("rule"),
        policy=text("policy"),
        scope=text("scope"),
        source_url=text("sourceUrl"),
    )


def check_trust_edges(world: World, edges: Sequence[TrustEdge]) -> None:
    """Raise `Conflict` unless every edge is a trust kind between tenants of `world`, key-unique.

    Examples
    --------
    >>> from graphmodel.schema import EdgeKind
    >>> check_trust_edges(World(), [])
    >>> e = TrustEdge(kind=EdgeKind.TRUSTS_MFA, source="a", target="b", rule="R9", policy="p")
    >>> check_trust_edges(World(), [e])
    Traceback (most recent call last):
    graphmodel.errors.Conflict: trust edge `TRUSTS_MFA a -> b`: tenant `a` is not in the snapshot
    """
    seen: set[tuple[str, str, str]] = set()
    for e in edges:
        name = f"trust edge `{e.kind.value} {e.source} -> {e.target}`"
        if e.kind not in TRUST_EDGES:
            raise Conflict(f"{name}: `{e.kind.value}` is not a derived trust kind")
        for end in (e.source, e.target):
            if end not in world.tenant_by_name:
                raise Conflict(f"{name}: tenant `{end}` is not in the snapshot")
        if e.key in seen:
            raise Conflict(f"{name}: two edges share this key")
        seen.add(e.key)


@dataclass(frozen=True, slots=True, kw_only=True)
class TrustPlan:
    """What a backend must do to make the wanted edges its derived edges."""

    create: tuple[TrustEdge, ...]
    delete: tuple[TrustEdge, ...]
    update: tuple[TrustEdge, ...]  # the new version of an edge whose key is kept
    unchanged: int
    result: tuple[TrustEdge, ...]  # the edges after the plan ran, sorted by key

    @property
    def is_noop(self) -> bool:
        return not (self.create or self.delete or self.update)

    @property
    def stats(self) -> DeriveStats:
        return DeriveStats(
            created=len(self.create),
            deleted=len(self.delete),
            unchanged=self.unchanged,
            updated=len(self.update),
        )


def plan_trust_sync(current: Iterable[TrustEdge], wanted: Sequence[TrustEdge]) -> TrustPlan:
    """Ensure every wanted edge, then sweep the current ones nobody re-asserted.

    Edges are matched by key (kind, source, target); a matched edge whose rule, policy, scope
    or source URL changed is an update. `wanted` must be key-unique (`check_trust_edges`).

    Examples
    --------
    >>> from graphmodel.schema import EdgeKind
    >>> a = TrustEdge(kind=EdgeKind.TRUSTS_MFA, source="a", target="b", rule="R9", policy="p")
    >>> b = TrustEdge(kind=EdgeKind.TRUSTS_MFA, source="b", target="a", rule="R9", policy="p")
    >>> plan_trust_sync([a], [b]).stats
    DeriveStats(created=1, deleted=1, unchanged=0, updated=0)
    >>> plan_trust_sync([a], [a]).is_noop
    True
    """
    have = {e.key: e for e in current}
    want = {e.key: e for e in wanted}
    create = tuple(e for k, e in want.items() if k not in have)
    update = tuple(e for k, e in want.items() if k in have and have[k] != e)
    delete = tuple(e for k, e in have.items() if k not in want)
    unchanged = sum(1 for k, e in want.items() if have.get(k) == e)
    result = tuple(want[k] for k in sorted(want))
    return TrustPlan(
        create=create, delete=delete, update=update, unchanged=unchanged, result=result
    )
