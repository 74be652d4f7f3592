"""Audit a snapshot that differs from the last audited one: re-run only what a change touched.

Why per check and per tenant: every finding belongs to one tenant, and each check declares what
it reads (`Reads`): entity kinds whose change in a tenant can change that tenant's findings,
kinds whose change anywhere can change everyone's, and whether it counts who reaches what. An
access check is re-run for the tenants whose resources the impact table (`graphmodel.audit
.impact`, the same table what-if uses) says a change can reach — a principal-wide rectangle
reaches only the tenants where the person has a foothold (`resources_near`). Every other finding
of the previous run is kept as it was: unaffected inputs give the same finding.

The entry point takes the list of `EntityChange` records, so it is fed by `diff_worlds` between
the two snapshots' Worlds today and can be fed by the store's change sets when they exist.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import replace

from graphmodel.audit.checks import CATALOGUE, Check, Reads, by_report_order, run_check
from graphmodel.audit.context import AuditContext, Progress
from graphmodel.audit.impact import scope_of
from graphmodel.audit.model import (
    AuditOptions,
    Exposure,
    ExposureSource,
    Finding,
    Zone,
    fingerprint_of,
)
from graphmodel.audit.tally import built
from graphmodel.audit.worlddiff import EntityChange
from graphmodel.engine import WorldIndex, resolve_principal
from graphmodel.engine.candidates import resources_near
from graphmodel.engine.outsiders import tenant_of

__all__ = ["affected_tenants", "audit_after_changes"]


def _person_tenants(ixs: Sequence[WorldIndex], refs: Iterable[str]) -> set[str]:
    """Every tenant where one of the principals `refs` has a foothold, in either World."""
    out: set[str] = set()
    for ref in refs:
        out.add(tenant_of(ref))
        for ix in ixs:
            if ref in ix.users:
                person = resolve_principal(ix, ref)
                out.update(tenant_of(r) for r in resources_near(ix, person))
    return out


def _change_tenants(c: EntityChange, ixs: Sequence[WorldIndex]) -> set[str]:
    """The tenants whose own findings a change of `c`'s entity can change."""
    out = {c.tenant} if c.tenant is not None else {tenant_of(c.ref)}
    if c.partner is not None:
        out.add(c.partner)
    if c.kind == "user":
        out |= _person_tenants(ixs, [c.ref])
    return out


def affected_tenants(
    reads: Reads, changes: Sequence[EntityChange], before: WorldIndex, after: WorldIndex
) -> frozenset[str] | None:
    """The tenants whose findings of a check reading `reads` may differ; None = all."""
    ixs = (before, after)
    out: set[str] = set()
    relevant = [c for c in changes if c.kind in reads.kinds or c.kind in reads.world]
    if any(c.kind == "asOf" for c in changes) or any(c.kind in reads.world for c in relevant):
        return None
    for c in relevant:
        out |= _change_tenants(c, ixs)
    if reads.access and changes:
        scope = scope_of(changes, before, after)
        if scope is None:
            return None
        for rects in scope:
            for rect in rects:
                if rect.resources is not None:
                    out.update(tenant_of(r) for r in rect.resources)
                elif rect.principals is None:
                    return None
                else:
                    out |= _person_tenants(ixs, rect.principals)
    return frozenset(out)


def _restream(
    c: Check, ctx: AuditContext, tenant: str, fingerprint: str, after: str | None
) -> Iterator[Exposure]:
    """The exposures of one finding of `c` after the key `after`, recomputed in `ctx` (only
    its tenant is run)."""
    scoped = AuditContext(
        ctx.ix, zone=ctx.zone, options=ctx.options, tenants=frozenset({tenant}), exemplars=0
    )
    for d in c.run(scoped):
        if fingerprint_of(d.info.id, d.identity or d.subject) == fingerprint:
            return built(d.seeds(), after)
    if after is not None:
        raise LookupError(after)
    return iter(())


def audit_after_changes(
    previous: Mapping[str, Sequence[Finding]],
    changes: Sequence[EntityChange],
    before: WorldIndex,
    after: WorldIndex,
    *,
    zone: Zone,
    options: AuditOptions,
    exemplars: int | None,
    checks: Iterable[str] | None = None,
    progress: Progress | None = None,
) -> tuple[dict[str, list[Finding]], tuple[Finding, ...]]:
    """The findings at `after`, given every finding at `before` per check (`previous`) and the
    entity changes between the two; a check missing from `previous` runs in full.

    Returns the findings per check (the next run's `previous`) and all of them in report order.
    """
    wanted = None if checks is None else set(checks)
    ctx = AuditContext(after, zone=zone, options=options, exemplars=exemplars, progress=progress)
    out: dict[str, list[Finding]] = {}
    for c in CATALOGUE:
        cid = c.info.id
        if wanted is not None and cid not in wanted:
            continue
        before_findings = previous.get(cid)
        scope = (
            None if before_findings is None else affected_tenants(c.reads, changes, before, after)
        )
        if before_findings is None or scope is None:
            out[cid] = run_check(c, ctx)
            continue
        kept = [
            f if f.complete else replace(f, _more=_rebound(c, ctx, f))
            for f in before_findings
            if f.tenant not in scope
        ]
        rerun = AuditContext(
            after,
            zone=zone,
            options=options,
            tenants=scope,
            exemplars=exemplars,
            progress=progress,
        )
        out[cid] = kept + (run_check(c, rerun) if scope else [])
    return out, by_report_order(f for found in out.values() for f in found)


def _rebound(c: Check, ctx: AuditContext, f: Finding) -> ExposureSource:
    """A kept finding streams its exposures from the new World (the old one is let go)."""
    return lambda after: _restream(c, ctx, f.tenant, f.fingerprint, after)
