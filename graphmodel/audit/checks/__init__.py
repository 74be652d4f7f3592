"""The findings catalogue: every check, in report order, and the function that runs them.

Why a version: the finding history caches which fingerprints each snapshot had; when a check
changes, `CATALOGUE_VERSION` changes with it and the cache is rebuilt instead of trusted.
"""

from __future__ import annotations

from collections.abc import Iterable

from graphmodel.audit.checks import baseline, crosstenant, identities, resources, usage
from graphmodel.audit.checks._base import Check, Draft, Reads, finish
from graphmodel.audit.context import AuditContext, LazyIndex, Progress
from graphmodel.audit.model import (
    SEVERITY_RANK,
    AuditOptions,
    CheckInfo,
    Finding,
    Zone,
)
from graphmodel.engine import WorldIndex

__all__ = [
    "CATALOGUE",
    "CATALOGUE_VERSION",
    "Check",
    "Draft",
    "Reads",
    "by_report_order",
    "check_info",
    "check_of",
    "run_check",
    "run_checks",
    "settings_only",
]

CATALOGUE_VERSION = "3"
CATALOGUE: tuple[Check, ...] = (
    *baseline.CHECKS,
    *crosstenant.CHECKS,
    *identities.CHECKS,
    *resources.CHECKS,
    *usage.CHECKS,
)
_BY_ID = {c.info.id: c for c in CATALOGUE}


def check_info(check_id: str) -> CheckInfo | None:
    """The catalogue entry of `check_id`, or None."""
    found = _BY_ID.get(check_id)
    return None if found is None else found.info


def check_of(check_id: str) -> Check | None:
    """The check `check_id` of the catalogue, or None."""
    return _BY_ID.get(check_id)


def run_check(c: Check, ctx: AuditContext) -> list[Finding]:
    """The findings of one check in `ctx` (unsorted), reporting progress."""
    if ctx.progress is not None:
        ctx.progress.begin(c.info.id)
    found = [f for d in c.run(ctx) if (f := finish(d, ctx.exemplars)) is not None]
    if ctx.progress is not None:
        ctx.progress.end(c.info.id, len(found), sum(f.counts.exposures for f in found))
    return found


def settings_only(checks: Iterable[str] | None) -> bool:
    """Whether `checks` (None: all) are known checks that read tenant settings alone."""
    if checks is None:
        return False
    found = [_BY_ID.get(c) for c in checks]
    return bool(found) and all(c is not None and c.reads.settings_only for c in found)


def by_report_order(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """Findings by severity, check id, subject and tenant (the report's order; a subject such
    as a partner's handle recurs across tenants, so the tenant makes the order total)."""
    return tuple(
        sorted(findings, key=lambda f: (SEVERITY_RANK[f.severity], f.check, f.subject, f.tenant))
    )


def run_checks(
    ix: WorldIndex | LazyIndex,
    *,
    zone: Zone | None = None,
    options: AuditOptions | None = None,
    checks: Iterable[str] | None = None,
    tenants: Iterable[str] | None = None,
    exemplars: int | None = None,
    progress: Progress | None = None,
) -> tuple[Finding, ...]:
    """Every finding of the World behind `ix`, by severity, check id and subject.

    Only the `checks` and `tenants` asked for are computed (None = all). `exemplars` bounds the
    exposures each finding holds in full (the rest are counted exactly and streamed by
    `Finding.all_exposures`); None holds them all, for small worlds and what-ifs. Pure: the
    same World, zone and options give the same findings; nothing is written. Given a
    `LazyIndex`, the index is built only if a check asked for needs it.

    Examples
    --------
    >>> from graphmodel.schema import World
    >>> run_checks(WorldIndex(World()))
    ()
    """
    ctx = AuditContext(
        ix,
        zone=zone or Zone(),
        options=options or AuditOptions(),
        tenants=None if tenants is None else frozenset(tenants),
        exemplars=exemplars,
        progress=progress,
    )
    wanted = None if checks is None else set(checks)
    found: list[Finding] = []
    for c in CATALOGUE:
        if wanted is None or c.info.id in wanted:
            found.extend(run_check(c, ctx))
    return by_report_order(found)
