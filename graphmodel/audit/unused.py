"""The "remove unused access" proposal: a change set that cuts only access nobody used.

Why a proposal and a proof: removing unused access is the cheapest risk reduction there is
(IAM Access Analyzer's unused-access findings), but only if it costs no one anything. So the
proposal is an ordinary change set (the YAML `tenantgraph whatif` takes, to review and apply
by hand), built from the evidence-of-use findings, together with the what-if diff of applying
it and the list of *used* accesses it loses — which is empty, by construction:

- a stale guest (`guest.stale-with-paths`) is disabled (reversible, unlike deleting it);
- an unused partner trust (`partner.unused-trust`) has its admitting inbound sections blocked;
- an unused app assignment (`assignment.unused`) is removed where it was granted to the guest:
  the direct assignment, its membership of the assigned group, or its access-package
  assignment (expired).

When the candidate changes together cut no used access they are the proposal (one diff).
Otherwise every candidate is tried alone; one that would cut an access *used* within the
look-back (a recorded sign-in of that principal to that resource), or an access of the
resource tenant's own members (whose use sign-in evidence does not cover), is dropped and
listed in `skipped` (a group membership may carry used access to another app). The kept
changes are then applied together and checked again, dropping the last ones until no used
access is lost.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

import yaml

from graphmodel.audit.access import AccessChange, AccessChangeKind, access_changes
from graphmodel.audit.changeset import apply_change_text
from graphmodel.audit.checks import run_checks
from graphmodel.audit.checks.usage import admitting_inbound_sections
from graphmodel.audit.impact import scope_of
from graphmodel.audit.model import AuditOptions, Finding, Zone
from graphmodel.audit.whatif import FindingDelta, WorldDiff, what_if
from graphmodel.audit.worlddiff import diff_worlds
from graphmodel.engine import WorldIndex, older_than
from graphmodel.schema.kinds import EdgeKind

__all__ = ["UNUSED_CHECKS", "UnusedAccessProposal", "propose_unused_removal"]

UNUSED_CHECKS = ("guest.stale-with-paths", "partner.unused-trust", "assignment.unused")
Change = dict[str, dict[str, str]]


@dataclass(frozen=True, slots=True, kw_only=True)
class UnusedAccessProposal:
    """The change set, its what-if diff, what it removes and the used access it loses (none)."""

    changes: str  # change-set YAML; empty `changes: []` when there is nothing to remove
    count: int
    diff: WorldDiff
    removed: tuple[AccessChange, ...]  # access lost by the change set: all of it unused
    used_lost: tuple[AccessChange, ...]  # lost access used (or of members): empty, the proof
    skipped: tuple[str, ...]  # candidate changes left out because they would cut used access


def _used(ix: WorldIndex, days: int, c: AccessChange) -> bool:
    """Whether losing `c` could cost someone: used within `days`, or not knowable.

    Sign-in evidence covers cross-tenant access only, so a principal of the resource's own
    tenant losing access counts as used (unknown is never "unused").
    """
    if c.principal.split("/", 1)[0] == c.resource.split("/", 1)[0]:
        return True
    last = ix.usage.last_used(c.principal, c.resource)
    return last is not None and not older_than(last, ix.now, days)


def _text(changes: Iterable[Change], title: str) -> str:
    return yaml.safe_dump({"title": title, "changes": list(changes)}, sort_keys=False)


def _lost(ix: WorldIndex, changes: list[Change]) -> list[AccessChange]:
    """The access `changes` would cut (before allow or pending, after worse)."""
    applied = apply_change_text(ix.world, _text(changes, "probe"))
    after = WorldIndex(applied.world, now=ix.now)
    entities = diff_worlds(ix.world, after.world)
    scopes = scope_of(entities, ix, after)
    rects = None if scopes is None else [r for rs in scopes for r in rs]
    return [c for c in access_changes(ix, after, rects) if c.change != AccessChangeKind.GAINED]


def _grant_change(ix: WorldIndex, f: Finding) -> Change | None:
    """Where the unused assignment was granted to the guest: the first grant hop from it.

    A direct assignment is removed, a group membership removed, an access-package assignment
    expired; the hops after it (group to app, package to group) are shared with others.
    """
    exposure = f.exposures[0] if f.exposures else None
    if exposure is None or exposure.path is None:
        return None
    for h in exposure.path.hops:
        if h.edge == EdgeKind.ASSIGNED_TO:
            return {"removeAssignment": {"app": h.target, "principal": h.source}}
        if h.edge == EdgeKind.MEMBER_OF:
            return {"removeGroupMember": {"group": h.target, "member": h.source}}
        if h.edge == EdgeKind.HAS_ASSIGNMENT:
            target = next(
                (
                    pa.target
                    for pa in ix.package_assignments_by_package.get(h.target, ())
                    if pa.target in (h.source, exposure.principal)
                ),
                None,
            )
            if target is None:
                return None
            return {"expireAssignment": {"accessPackage": h.target, "target": target}}
    return None


def _candidates(ix: WorldIndex, findings: Iterable[Finding]) -> list[Change]:
    out: list[Change] = []
    for f in findings:
        found: list[Change] = []
        if f.check == "guest.stale-with-paths":
            found = [{"disableUser": {"user": f.subject}}]
        elif f.check == "partner.unused-trust":
            tenant = ix.tenants[f.tenant]
            partner = next(
                (
                    p
                    for p in tenant.cross_tenant_access.partners
                    if p.tenant_id == f.subject
                    or (
                        ix.tenant_by_id.get(p.tenant_id) is not None
                        and ix.tenant_by_id[p.tenant_id].name == f.subject
                    )
                ),
                None,
            )
            sections = [] if partner is None else admitting_inbound_sections(tenant, partner)
            found = [
                {"blockSection": {"tenant": f.tenant, "partner": f.subject, "section": s}}
                for s in sections
            ]
        elif f.check == "assignment.unused":
            change = _grant_change(ix, f)
            found = [] if change is None else [change]
        out.extend(c for c in found if c not in out)
    return out


def _describe(change: Change) -> str:
    (op, body), *_ = change.items()
    return f"{op} " + ", ".join(f"{k}={v}" for k, v in body.items())


def propose_unused_removal(
    ix: WorldIndex,
    *,
    options: AuditOptions | None = None,
    zone: Zone | None = None,
    tenants: Iterable[str] | None = None,
) -> UnusedAccessProposal:
    """The change set removing access unused for `options.unused_days`, with its proof."""
    opts = options or AuditOptions()
    days = opts.unused_days
    wanted = None if tenants is None else set(tenants)
    findings = [
        f
        for f in run_checks(ix, zone=zone, options=opts, checks=UNUSED_CHECKS)
        if wanted is None or f.tenant in wanted
    ]
    candidates = _candidates(ix, findings)
    kept: list[Change] = []
    skipped: list[str] = []
    if candidates and not any(_used(ix, days, c) for c in _lost(ix, candidates)):
        kept = candidates  # the usual case: one diff proves the whole set
    else:
        for change in candidates:
            if any(_used(ix, days, c) for c in _lost(ix, [change])):
                skipped.append(_describe(change))
            else:
                kept.append(change)
    while kept and any(_used(ix, days, c) for c in _lost(ix, kept)):
        skipped.append(_describe(kept.pop()))  # removals that only together cut used access
    title = f"remove access unused for {days} days (as of {ix.now:%Y-%m-%d})"
    text = _text(kept, title)
    if kept:
        diff = what_if(ix, text, file="<remove-unused>", zone=zone, options=opts)
    else:  # nothing to remove (a change set must list a change to be applied)
        diff = WorldDiff(entities=(), access=(), findings=FindingDelta())
    lost = tuple(c for c in diff.access if c.change != AccessChangeKind.GAINED)
    return UnusedAccessProposal(
        changes=text,
        count=len(kept),
        diff=replace(diff, title=title),
        removed=lost,
        used_lost=tuple(c for c in lost if _used(ix, days, c)),
        skipped=tuple(skipped),
    )
