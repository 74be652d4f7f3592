"""The findings catalogue: every check, in report order, and the function that runs them.

Why a version: the finding history caches which fingerprints each snapshot had; when a check
changes, `CATALOGUE_VERSION` changes with it and the cache is rebuilt instead of trusted.
"""

from __future__ import annotations

from collections.abc import Iterable

from graphmodel.audit.checks import baseline, crosstenant, identities, resources, usage
from graphmodel.audit.checks._base import Check, make_finding
from graphmodel.audit.context import AuditContext
from graphmodel.audit.model import SEVERITY_RANK, AuditOptions, CheckInfo, Finding, Zone
from graphmodel.engine import WorldIndex

__all__ = [
    "CATALOGUE",
    "CATALOGUE_VERSION",
    "Check",
    "check_info",
    "make_finding",
    "run_checks",
]

CATALOGUE_VERSION = "2"
CATALOGUE: tuple[Check, ...] = (
    *baseline.CHECKS,
    *crosstenant.CHECKS,
    *identities.CHECKS,
    *resources.CHECKS,
    *usage.CHECKS,
)
_BY_ID = {c.info.id: c.info for c in CATALOGUE}


def check_info(check_id: str) -> CheckInfo | None:
    """The catalogue entry of `check_id`, or None."""
    return _BY_ID.get(check_id)


def run_checks(
    ix: WorldIndex,
    *,
    zone: Zone | None = None,
    options: AuditOptions | None = None,
    checks: Iterable[str] | None = None,
) -> tuple[Finding, ...]:
    """Every finding of the World behind `ix`, by severity, check id and subject.

    Pure: the same World, zone and options give the same findings; nothing is written.

    Examples
    --------
    >>> from graphmodel.schema import World
    >>> run_checks(WorldIndex(World()))
    ()
    """
    ctx = AuditContext(ix, zone=zone or Zone(), options=options or AuditOptions())
    wanted = None if checks is None else set(checks)
    found: list[Finding] = []
    for c in CATALOGUE:
        if wanted is None or c.info.id in wanted:
            found.extend(c.run(ctx))
    return tuple(sorted(found, key=lambda f: (SEVERITY_RANK[f.severity], f.check, f.subject)))
