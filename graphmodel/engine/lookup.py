"""Reverse questions: who can reach a resource, and what a principal can reach.

The public entry points. Candidates come from the indexes (`graphmodel.engine.candidates`)
and each is decided by `check` — there is no second decision path. Below `EXACT_BELOW` users
(every scenario-sized world) each candidate gets its own `check`; above it the candidates are
decided once per equivalence class of pairs, the class members reusing that decision
(`graphmodel.engine.reverse`), which `tests/unit/engine/test_reverse_lookup.py` proves equal
to the per-candidate answers. Results stream in a deterministic order so callers can page with
a cursor without materialising everything. A `ReachFilter` is applied in the stream, before
paging: a principal it refuses is not decided at all, a route it refuses is dropped once decided.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphmodel.engine import reverse
from graphmodel.engine.candidates import candidates_for, near_items
from graphmodel.engine.check import CheckLimits, check, resolve_principal, resolve_resource
from graphmodel.engine.index import WorldIndex
from graphmodel.engine.reach import Reach
from graphmodel.engine.reach_filter import ReachFilter
from graphmodel.schema.verdict import Decision

__all__ = [
    "EXACT_BELOW",
    "Reach",
    "ReachFilter",
    "candidates_for",
    "decide",
    "reachable",
    "who_can_access",
    "who_can_access_decided",
]

# Worlds smaller than this many users answer reverse questions with one `check` per candidate:
# it costs milliseconds there, and keeps the batched classes an optimisation of large worlds.
EXACT_BELOW = 20_000
_OPEN = ReachFilter()


def who_can_access(
    ix: WorldIndex,
    resource_ref: str,
    *,
    include_pending: bool = True,
    after: str | None = None,
    limits: CheckLimits | None = None,
    filters: ReachFilter = _OPEN,
) -> Iterator[Reach]:
    """Principals whose verdict is allow (and pending, unless excluded), in ref order, those
    `filters` keeps only.

    `after` is an exclusive cursor: the principal ref of the last item of the previous page.
    Raises NodeNotFound for an unknown resource (when iteration starts).
    """
    if len(ix.users) >= EXACT_BELOW:
        return reverse.who_can_access(
            ix,
            resource_ref,
            include_pending=include_pending,
            after=after,
            limits=limits,
            filters=filters,
        )
    return _exact_who(ix, resource_ref, include_pending, after, limits, filters)


def who_can_access_decided(
    ix: WorldIndex, resource_ref: str, *, filters: ReachFilter = _OPEN
) -> Iterator[Reach]:
    """`who_can_access` decided per equivalence class at every world size: for callers that
    count answers and explain only a few (the audits), since an answer's verdict is computed
    only when read. Same answers (the batched lookup is proven equal to per-candidate `check`
    by the reverse-lookup tests).
    """
    return reverse.who_can_access(ix, resource_ref, filters=filters)


def decide(ix: WorldIndex, principal_ref: str, resource_ref: str) -> Reach:
    """One pair's answer (allow, pending or deny) decided through its equivalence class at
    every world size; its verdict is computed on first read (`reverse.decide`)."""
    return reverse.decide(ix, principal_ref, resource_ref)


def reachable(
    ix: WorldIndex,
    principal_ref: str,
    *,
    include_denied: bool = False,
    after: str | None = None,
    limits: CheckLimits | None = None,
    filters: ReachFilter = _OPEN,
) -> Iterator[Reach]:
    """Resources the principal can reach (allow or pending), in ref order; denials optional;
    those `filters` keeps only (the principal as it is to each resource's tenant).

    Raises NodeNotFound for an unknown principal (when iteration starts).
    """
    if len(ix.users) >= EXACT_BELOW:
        return reverse.reachable(
            ix,
            principal_ref,
            include_denied=include_denied,
            after=after,
            limits=limits,
            filters=filters,
        )
    return _exact_reachable(ix, principal_ref, include_denied, after, limits, filters)


def _exact_who(
    ix: WorldIndex,
    resource_ref: str,
    include_pending: bool,
    after: str | None,
    limits: CheckLimits | None,
    filters: ReachFilter,
) -> Iterator[Reach]:
    tenant = resolve_resource(ix, resource_ref).tenant
    for ref in candidates_for(ix, resource_ref):
        if after is not None and ref <= after:
            continue
        if filters.on_principal and not filters.keeps_principal(ix, ix.users[ref], tenant):
            continue
        verdict = check(ix, ref, resource_ref, limits=limits)
        if (
            verdict.decision == Decision.ALLOW
            or (include_pending and verdict.decision == Decision.PENDING)
        ) and filters.keeps_route(verdict.via):
            yield Reach(verdict.principal, resource_ref, verdict, ix=ix, limits=limits)


def _exact_reachable(
    ix: WorldIndex,
    principal_ref: str,
    include_denied: bool,
    after: str | None,
    limits: CheckLimits | None,
    filters: ReachFilter,
) -> Iterator[Reach]:
    person = resolve_principal(ix, principal_ref)
    for ref, resource in near_items(ix, person):
        if after is not None and ref <= after:
            continue
        if filters.on_principal and not filters.keeps_principal(ix, person, resource.tenant):
            continue
        verdict = check(ix, principal_ref, ref, limits=limits)
        if (include_denied or verdict.decision != Decision.DENY) and filters.keeps_route(
            verdict.via
        ):
            yield Reach(verdict.principal, ref, verdict, ix=ix, limits=limits)
