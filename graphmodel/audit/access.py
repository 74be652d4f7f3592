"""The access diff between two Worlds: who newly reaches, or no longer reaches, which resource.

Why through the engine only: each side of a pair is decided by `engine.check` on that side's
WorldIndex — the same verdicts `check` and `who` give — so a diff can never disagree with the
answers it compares. A pair is compared when it lies in the scope (`graphmodel.audit.impact`):
the candidates of each scoped resource on either side (`candidates_for`), filtered by the
scope's principals. With no scope every resource and every candidate is compared (the
reference the scoped diff is tested against).

Change kinds, by decision rank (deny < pending < allow): `gained` when the rank rises, `lost`
when it falls, `changed` when the decision stays allow/pending but where MFA happens changes
(e.g. flipping inbound trust). A principal or resource absent on one side is `deny` there.
Each change carries the route, trust edges and path of the side that reaches, and the reasons
of the other side (why it was or is denied).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum

from graphmodel.audit.impact import Rect
from graphmodel.audit.trust import trust_of
from graphmodel.engine import WorldIndex, candidates_for, check
from graphmodel.errors import NodeNotFound
from graphmodel.schema.enums import Via
from graphmodel.schema.trust import TrustEdge
from graphmodel.schema.verdict import AccessPath, Decision, Mfa, Reason, Verdict

__all__ = ["AccessChange", "AccessChangeKind", "access_changes"]

_RANK = {Decision.DENY: 0, Decision.PENDING: 1, Decision.ALLOW: 2}


class AccessChangeKind(StrEnum):
    GAINED = "gained"
    LOST = "lost"
    CHANGED = "changed"


@dataclass(frozen=True, slots=True, kw_only=True)
class AccessChange:
    """One (principal, resource) pair whose answer differs between the two sides.

    `explained_by` indexes the entity changes (of the same diff) that can affect this pair.
    """

    principal: str
    resource: str
    change: AccessChangeKind
    before: Decision
    after: Decision
    before_mfa: Mfa = Mfa.NONE
    after_mfa: Mfa = Mfa.NONE
    via: Via | None = None
    trust: tuple[TrustEdge, ...] = ()
    path: AccessPath | None = None
    reasons: tuple[Reason, ...] = ()
    explained_by: tuple[int, ...] = ()


def _verdict(ix: WorldIndex, principal: str, resource: str) -> Verdict | None:
    if principal not in ix.users:
        return None
    try:
        return check(ix, principal, resource)
    except NodeNotFound:
        return None


def _candidates(ix: WorldIndex, resource: str) -> list[str]:
    if resource not in ix.apps and resource not in ix.channels:
        return []
    return candidates_for(ix, resource)


def _resources(ix: WorldIndex) -> set[str]:
    return {a.ref for a in ix.world.apps} | {c.ref for c in ix.world.channels}


def _pairs(
    before: WorldIndex, after: WorldIndex, rects: Sequence[Rect] | None
) -> Iterator[tuple[str, str]]:
    for resource in sorted(_resources(before) | _resources(after)):
        covering = None
        if rects is not None:
            covering = [r for r in rects if r.resources is None or resource in r.resources]
            if not covering:
                continue
        people = set(_candidates(before, resource)) | set(_candidates(after, resource))
        for principal in sorted(people):
            if covering is None or any(r.covers(principal, resource) for r in covering):
                yield principal, resource


def _change(
    principal: str,
    resource: str,
    b: Verdict | None,
    a: Verdict | None,
    ixs: tuple[WorldIndex, WorldIndex],
) -> AccessChange | None:
    bd = b.decision if b is not None else Decision.DENY
    ad = a.decision if a is not None else Decision.DENY
    bm = b.mfa if b is not None else Mfa.NONE
    am = a.mfa if a is not None else Mfa.NONE
    if _RANK[ad] > _RANK[bd]:
        kind, reach, other, ix = AccessChangeKind.GAINED, a, b, ixs[1]
    elif _RANK[ad] < _RANK[bd]:
        kind, reach, other, ix = AccessChangeKind.LOST, b, a, ixs[0]
    elif bd != Decision.DENY and bm != am:
        kind, reach, other, ix = AccessChangeKind.CHANGED, a, a, ixs[1]
    else:
        return None
    assert reach is not None  # INVARIANT: the side with the higher rank is not deny
    return AccessChange(
        principal=principal,
        resource=resource,
        change=kind,
        before=bd,
        after=ad,
        before_mfa=bm,
        after_mfa=am,
        via=reach.via,
        trust=trust_of(ix, reach),
        path=reach.paths[0] if reach.paths else None,
        reasons=other.reasons if other is not None else (),
    )


def access_changes(
    before: WorldIndex, after: WorldIndex, rects: Sequence[Rect] | None = None
) -> tuple[AccessChange, ...]:
    """Every pair inside `rects` (None = every pair) whose answer differs, by resource, principal.

    Examples
    --------
    >>> from graphmodel.schema import World
    >>> access_changes(WorldIndex(World()), WorldIndex(World()))
    ()
    """
    out: list[AccessChange] = []
    for principal, resource in _pairs(before, after, rects):
        found = _change(
            principal,
            resource,
            _verdict(before, principal, resource),
            _verdict(after, principal, resource),
            (before, after),
        )
        if found is not None:
            out.append(found)
    return tuple(out)
