"""The access-change feed of one new snapshot: outsiders' paths gained and lost, and why.

Why the snapshot diff pipeline, narrowed: the answer is exactly `accessDiff` between the
previous and the new snapshot (entity changes -> impact scope -> engine verdicts on both sides,
`whatif.compare_worlds` without the findings), kept only where the principal is an outsider of
the resource (`engine.is_outsider_ref`, judged on the side that reaches). Each change names the
entity changes that explain it (the policy, membership or account behind it) and the trust
edges its route crosses.

Why grouping: one policy change can open a tenant to every outsider. The changes are grouped
by (what explains them, gained/lost/changed, resource tenant); a group that moves more than
`group_over` principals becomes ONE event naming its cause and counting principals and
resources (a few principals are kept as a sample); smaller groups stay one event per path, so
a guest added to a group is reported as the paths it gained.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from graphmodel.audit.access import AccessChange, AccessChangeKind, access_changes
from graphmodel.audit.impact import scope_of
from graphmodel.audit.whatif import explain_access
from graphmodel.audit.worlddiff import EntityChange, diff_worlds
from graphmodel.changes import ChangeSet
from graphmodel.engine import WorldIndex, is_outsider_ref
from graphmodel.schema.codec import to_data
from graphmodel.schema.enums import Via
from graphmodel.schema.trust import TrustEdge

__all__ = [
    "GROUP_OVER",
    "FeedEvent",
    "cause_label",
    "count_principals",
    "event_json",
    "feed_events",
]

GROUP_OVER = 20
"""A cause moving more principals than this (per change kind and resource tenant) is one event."""
MAX_CAUSES = 20  # entity changes named per event (a clock change explains every pair)
MAX_TRUST = 20  # distinct trust edges named by a grouped event
SAMPLE = 5  # principals named by a grouped event
_POLICY_KINDS = ("crossTenantAccess", "conditionalAccess", "connectedOrganization",
                 "accessPackage")
_SETTING_KINDS = ("tenant", "app")
_GATED = frozenset({"crossTenantAccess", "conditionalAccess"})  # kind = its reasons' policy prefix


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedEvent:
    """One feed entry: one outsider's path (`access`), or one cause that moved many at once.

    `tenant` is the resource tenant (what a tenant-scoped reader may see); `causes` the entity
    changes that explain it; `principals` / `resources` how many it covers (1 / 1 for a path).
    """

    change: AccessChangeKind
    tenant: str
    access: AccessChange | None = None
    causes: tuple[EntityChange, ...] = ()
    cause_count: int = 0
    principals: int = 1
    resources: int = 1
    via: Via | None = None
    trust: tuple[TrustEdge, ...] = ()
    sample: tuple[str, ...] = ()

    @property
    def grouped(self) -> bool:
        return self.access is None

    @property
    def policy(self) -> str | None:
        """The policy this event names: its first policy cause; else the gate that flipped (the
        policy of the denying side's first reason); else the policy of the trust edge crossed
        into the resource tenant (its inbound setting), else of any edge."""
        for c in self.causes:
            if _is_policy(c):
                return cause_label(c)
        if self.access is not None:
            for r in self.access.reasons:
                if r.policy:
                    return r.policy
        inbound = [e for e in self.trust if e.source == self.tenant]
        edges = inbound or list(self.trust)
        return edges[0].policy if edges else None


def _is_policy(c: EntityChange) -> bool:
    """A policy object or a tenant/app setting (not a whole tenant or app added or removed)."""
    return c.kind in _POLICY_KINDS or (c.kind in _SETTING_KINDS and c.field is not None)


def _relevant(why: tuple[int, ...], entities: Sequence[EntityChange],
              c: AccessChange) -> tuple[int, ...]:
    """The causes of `c` its denying side can bear out: a cross-tenant access or Conditional
    Access change explains the move only when a gate of that kind denied on the other side
    (the impact scope is conservative: a partner change covers every pair between two tenants,
    also those that moved because a guest joined a group). Unchanged when nothing is left."""
    if not c.reasons:
        return why
    gates = {(r.policy or "").split(".", 1)[0].split("[", 1)[0] for r in c.reasons}
    kept = tuple(i for i in why if entities[i].kind not in _GATED or entities[i].kind in gates)
    return kept or why


def cause_label(c: EntityChange) -> str:
    """`crossTenantAccess contoso partners[fabrikam].b2bCollaborationInbound (changed)`."""
    field = f" {c.field}" if c.field else ""
    return f"{c.kind} {c.ref}{field} ({c.op.value})"


def _reaching(before: WorldIndex, after: WorldIndex, c: AccessChange) -> WorldIndex:
    return before if c.change == AccessChangeKind.LOST else after


def feed_events(
    before: WorldIndex,
    after: WorldIndex,
    *,
    group_over: int = GROUP_OVER,
    changes: ChangeSet | None = None,
) -> tuple[FeedEvent, ...]:
    """The outsider access changes from `before` to `after`, grouped (module docstring).

    `changes`: the ChangeSet between them when the store knows it, so only what changed is
    compared."""
    entities = diff_worlds(before.world, after.world, changes)
    if not entities:
        return ()
    scopes = scope_of(entities, before, after)
    rects = None if scopes is None else [r for rs in scopes for r in rs]
    found = explain_access(access_changes(before, after, rects), scopes, len(entities))
    groups: dict[tuple[tuple[int, ...], AccessChangeKind, str], list[AccessChange]] = {}
    for c in found:
        if is_outsider_ref(_reaching(before, after, c), c.principal, c.resource):
            key = (_relevant(c.explained_by, entities, c), c.change, c.resource.split("/", 1)[0])
            groups.setdefault(key, []).append(c)
    out: list[FeedEvent] = []
    for (why, kind, tenant), items in groups.items():
        causes = tuple(entities[i] for i in why[:MAX_CAUSES])
        principals = sorted({c.principal for c in items})
        if len(principals) > group_over:
            trust = tuple(dict.fromkeys(e for c in items for e in c.trust))
            vias = {c.via for c in items}
            out.append(FeedEvent(
                change=kind, tenant=tenant, causes=causes, cause_count=len(why),
                principals=len(principals), resources=len({c.resource for c in items}),
                via=vias.pop() if len(vias) == 1 else None, trust=trust[:MAX_TRUST],
                sample=tuple(principals[:SAMPLE])))
        else:
            out.extend(FeedEvent(change=kind, tenant=tenant, access=c, causes=causes,
                                 cause_count=len(why), via=c.via, trust=c.trust)
                       for c in items)
    return tuple(out)


def event_json(
    event: FeedEvent, *, seq: int, snapshot: int, previous: int | None, at: datetime
) -> dict[str, Any]:
    """The event as webhooks, JSON lines and `changes --json` carry it (docs/sync.md)."""
    a = event.access
    return {
        "id": seq,
        "type": f"access.{event.change.value}",
        "snapshot": snapshot,
        "previousSnapshot": previous,
        "at": at.isoformat(),
        "tenant": event.tenant,
        "grouped": event.grouped,
        "principal": None if a is None else a.principal,
        "resource": None if a is None else a.resource,
        "before": None if a is None else a.before.value,
        "after": None if a is None else a.after.value,
        "route": None if event.via is None else event.via.value,
        "policy": event.policy,
        "trust": [to_data(e) for e in event.trust],
        "causes": [to_data(c) for c in event.causes],
        "causeCount": event.cause_count,
        "principals": event.principals,
        "resources": event.resources,
        "sample": list(event.sample),
        "path": None if a is None or a.path is None else to_data(a.path),
    }


def count_principals(events: Sequence[FeedEvent]) -> int:
    """How many principal-resource moves the events stand for (grouped ones counted whole)."""
    return sum(e.principals if e.grouped else 1 for e in events)
