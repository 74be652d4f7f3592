"""Filters of the reverse lookups: outsiders only, route, home tenant, principal kind.

Why in the engine: a client asking "who outside the company reaches the intranet" of a tenant
with 35,000 members and 4,000 outsiders must neither page through the members nor get a
`totalCount` of everyone. The filters are applied while the stream is produced, before any
paging, so pages, cursors and counts are those of the filtered answer. The principal's part
(outsider, kind, home tenant) is tested before the pair is decided, and the batched lookup
skips whole runs of the tenant's sorted principals that cannot match (`positions`); the route
is known only once the pair is decided, so it is tested last.

Every answer a filtered lookup gives is exactly an answer of the unfiltered lookup that
`ReachFilter.keeps` accepts (`tests/unit/engine/test_reach_filter.py` proves it by property).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass

from graphmodel.engine.equivalence import TenantPrincipals
from graphmodel.engine.index import WorldIndex
from graphmodel.engine.outsiders import (
    DIRECTORY_PROVIDERS,
    OUTSIDER_KINDS,
    home_tenant,
    principal_kind,
    tenant_of,
)
from graphmodel.engine.reach import Reach
from graphmodel.schema.entities import User
from graphmodel.schema.enums import PrincipalKind, Via

__all__ = ["ReachFilter", "positions"]

_OWN_KINDS = frozenset(PrincipalKind) - OUTSIDER_KINDS


@dataclass(frozen=True, slots=True, kw_only=True)
class ReachFilter:
    """Which answers of `who_can_access` / `reachable` to keep; empty fields keep everything.

    `outsiders`: only principals that are outsiders of the resource's tenant. `via`: only
    answers whose route is one of these. `home_tenants`: only principals homed in one of these
    tenants (a social or one-time-passcode guest has no home tenant). `kinds`: only principals
    that are one of these kinds to the resource's tenant. All given fields must hold.
    """

    outsiders: bool = False
    via: frozenset[Via] = frozenset()
    home_tenants: frozenset[str] = frozenset()
    kinds: frozenset[PrincipalKind] = frozenset()

    def __post_init__(self) -> None:
        if Via.ANY in self.via:  # `any` route is no filter on the route
            object.__setattr__(self, "via", frozenset())

    @property
    def on_principal(self) -> bool:
        """Whether the filter reads the principal (else only the route)."""
        return self.outsiders or bool(self.home_tenants) or bool(self.kinds)

    @property
    def outsiders_only(self) -> bool:
        """Whether the principal's part is "outsiders" alone: `positions` is then exact."""
        return self.outsiders and not self.home_tenants and not self.kinds

    def keeps_principal(self, ix: WorldIndex, principal: User, tenant: str) -> bool:
        """The principal's part: outsider, kind and home tenant, for a resource of `tenant`."""
        if self.outsiders or self.kinds:
            kind = principal_kind(ix, principal, tenant)
            if self.outsiders and kind not in OUTSIDER_KINDS:
                return False
            if self.kinds and kind not in self.kinds:
                return False
        return not self.home_tenants or home_tenant(ix, principal) in self.home_tenants

    def keeps_route(self, via: Via) -> bool:
        """The route's part, read once the pair is decided."""
        return not self.via or via in self.via

    def keeps(self, ix: WorldIndex, reach: Reach) -> bool:
        """The whole filter on one answer (the definition the stream-time tests implement)."""
        principal = ix.users[reach.principal]
        return self.keeps_principal(ix, principal, tenant_of(reach.resource)) and (
            self.keeps_route(reach.via)
        )


def _block(refs: list[str], tenant: str) -> tuple[int, int]:
    """The run of `refs` (sorted) that are `tenant/...` refs: '/' sorts just before '0'."""
    return bisect_left(refs, tenant + "/"), bisect_left(refs, tenant + "0")


def positions(ix: WorldIndex, tp: TenantPrincipals, flt: ReachFilter, start: int) -> Iterator[int]:
    """Positions from `start` of `tp`'s sorted principals that may pass `flt`'s principal part.

    A superset, in ascending order: callers still test `keeps_principal`, except for an
    `outsiders_only` filter, where it is exact (every principal outside the tenant's own run is
    homed elsewhere, and the run's own outsiders are found once). It skips the runs that
    cannot pass — the tenant's own members for outsiders, other tenants for a home-tenant
    filter — so a filtered first page costs what it returns, not what it skips.
    """
    refs = tp.refs
    n = len(refs)
    runs: list[tuple[int, int]]
    own = _block(refs, tp.tenant)
    if flt.home_tenants:
        runs = [_block(refs, t) for t in flt.home_tenants]
        runs.extend((i, i + 1) for i in _own_outsiders(ix, tp, own))  # homes outside the world
    elif flt.outsiders or (flt.kinds and flt.kinds <= OUTSIDER_KINDS):
        found = _outsider_positions(ix, tp, own)
        for k in range(bisect_left(found, start), len(found)):
            yield found[k]
        return
    elif flt.kinds and flt.kinds <= _OWN_KINDS:
        runs = [own]
    else:
        runs = [(0, n)]
    nxt = start
    for lo, hi in sorted(runs):
        yield from range(max(lo, nxt), hi)
        nxt = max(nxt, hi)


def _outsider_positions(ix: WorldIndex, tp: TenantPrincipals, own: tuple[int, int]) -> list[int]:
    """Every outsider's position, ascending, computed once per tenant and index: a page after
    any cursor then starts with one bisection (the tenant's own outsiders may be thousands)."""
    found = tp.memo.get("outsider_positions")
    if found is None:
        found = [*range(own[0]), *_own_outsiders(ix, tp, own), *range(own[1], len(tp.refs))]
        tp.memo["outsider_positions"] = found
    return found


def _own_outsiders(ix: WorldIndex, tp: TenantPrincipals, own: tuple[int, int]) -> list[int]:
    """Positions in the tenant's own run of principals that are nonetheless outsiders (guests
    of other identity providers, guest objects whose home is not in the world); computed once
    per tenant and index.

    Why two steps: the run holds every member of the tenant (hundreds of thousands at scale).
    Its outsiders have a home reference or an identity provider outside the directory, so
    only principals with one of those are asked `principal_kind` — the one definition decides.
    """
    found = tp.memo.get("own_outsiders")
    if found is None:
        principals, tenant, directory = tp.principals, tp.tenant, DIRECTORY_PROVIDERS
        found = [
            i
            for i in range(*own)
            if (
                principals[i].guest_of is not None
                or principals[i].synced_from is not None
                or principals[i].identity_provider not in directory
            )
            and principal_kind(ix, principals[i], tenant) in OUTSIDER_KINDS
        ]
        tp.memo["own_outsiders"] = found
    return found
