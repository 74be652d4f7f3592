"""Evidence of use joined with the model: when a principal last used a resource or a partner.

Why here: the audit's unused-access findings, the who-can-access / reachable answers ("last
used") and the what-if proposal all ask the same two questions of the tenants' aggregated
sign-ins, and they must agree. A sign-in between two tenants is logged by both (the resource
tenant inbound, the home tenant outbound), so evidence for one (user, resource) pair may come
from either tenant's `signIns`; the latest wins.

"Used" means a successful sign-in recorded no more than `days` before the clock (`now`). The
evidence is cross-tenant sign-ins, so it speaks for external principals only; callers never
call a member's access unused.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from graphmodel.schema.entities import Tenant
from graphmodel.schema.evidence import SignInUsage, UsageDirection

__all__ = [
    "DEFAULT_UNUSED_DAYS",
    "Direction",
    "PartnerUsage",
    "UsageFilter",
    "UsageIndex",
    "older_than",
]

DEFAULT_UNUSED_DAYS = 90
"""The default look-back of evidence-of-use findings (IAM Access Analyzer's and Maester's 90)."""


class UsageFilter(StrEnum):
    """Which answers of a reverse lookup to keep: all, or only the (un)used ones."""

    ANY = "any"
    USED = "used"  # a recorded sign-in within the look-back
    UNUSED = "unused"  # none recorded within the look-back ("possible" but not used access)

    def keeps(self, last_used: datetime | None, now: datetime, days: int) -> bool:
        if self is UsageFilter.ANY:
            return True
        used = last_used is not None and now - last_used <= timedelta(days=days)
        return used if self is UsageFilter.USED else not used


Direction = UsageDirection  # the schema's closed set, so the API can expose it as an enum


@dataclass(frozen=True, slots=True, kw_only=True)
class PartnerUsage:
    """Cross-tenant sign-ins between `tenant` and `partner` in one direction, aggregated."""

    tenant: str
    partner: str
    direction: Direction
    last: datetime
    first: datetime | None
    count: int | None  # None when some entry gave no count
    users: int


def older_than(when: datetime | None, now: datetime, days: int) -> bool:
    """Whether `when` is more than `days` before `now` (None is unknown, never old)."""
    return when is not None and now - when > timedelta(days=days)


def _tenant_of(ref: str) -> str:
    return ref.split("/", 1)[0]


class UsageIndex:
    """Every tenant's sign-in aggregates, looked up by (user, resource) and by partner."""

    def __init__(self, tenants: Iterable[Tenant]) -> None:
        self._pairs: dict[tuple[str, str], datetime] = {}
        self._by_tenant: dict[str, tuple[SignInUsage, ...]] = {}
        for t in tenants:
            self._by_tenant[t.name] = t.sign_ins
            for s in t.sign_ins:
                key = (s.user, s.resource)
                seen = self._pairs.get(key)
                if seen is None or s.last > seen:
                    self._pairs[key] = s.last

    def last_used(self, user: str, resource: str) -> datetime | None:
        """The latest successful sign-in of home identity `user` to `resource`, if recorded."""
        return self._pairs.get((user, resource))

    def entries(self, tenant: str) -> tuple[SignInUsage, ...]:
        """`tenant`'s own sign-in aggregates (what its logs recorded)."""
        return self._by_tenant.get(tenant, ())

    def last_from_partner(
        self, tenant: str, partner: str, direction: Direction = Direction.INBOUND
    ) -> datetime | None:
        """The latest sign-in in `tenant`'s logs between it and `partner` in `direction`."""
        found = [
            u.last
            for u in self.partners(tenant)
            if u.partner == partner and u.direction == direction
        ]
        return max(found) if found else None

    def partners(self, tenant: str) -> list[PartnerUsage]:
        """`tenant`'s sign-ins aggregated per partner tenant and direction, sorted."""
        groups: dict[tuple[str, Direction], list[SignInUsage]] = {}
        for s in self.entries(tenant):
            inbound = _tenant_of(s.user) != tenant
            partner = _tenant_of(s.user) if inbound else _tenant_of(s.resource)
            direction = Direction.INBOUND if inbound else Direction.OUTBOUND
            groups.setdefault((partner, direction), []).append(s)
        out: list[PartnerUsage] = []
        for (partner, direction), items in sorted(groups.items()):
            firsts = [s.first for s in items if s.first is not None]
            counts = [s.count for s in items]
            out.append(
                PartnerUsage(
                    tenant=tenant,
                    partner=partner,
                    direction=direction,
                    last=max(s.last for s in items),
                    first=min(firsts) if len(firsts) == len(items) else None,
                    count=None if None in counts else sum(c for c in counts if c is not None),
                    users=len({s.user for s in items}),
                )
            )
        return out
