"""The reference audit: the checks as they were before issue 23, kept as a slow oracle.

Why keep a second implementation: the production checks (`graphmodel.audit.checks`) count
exposures from the engine's decisions and build full verdicts only for the exemplars they
show; these build a verdict for every pair and keep every exposure. Both must give the same
findings, severities and exposure counts — `tests/audit/test_differential.py` compares them on
every audit test world and generated worlds, and `python -m bench audit` times both. Never used
by the product itself.
"""

from __future__ import annotations

from collections.abc import Iterable

from graphmodel.audit.model import SEVERITY_RANK, AuditOptions, Finding, Zone
from graphmodel.audit.reference import baseline, crosstenant, identities, resources, usage
from graphmodel.audit.reference.context import AuditContext, Check
from graphmodel.engine import WorldIndex

__all__ = ["REFERENCE", "run_reference_checks"]

REFERENCE: tuple[Check, ...] = (
    *baseline.CHECKS,
    *crosstenant.CHECKS,
    *identities.CHECKS,
    *resources.CHECKS,
    *usage.CHECKS,
)


def run_reference_checks(
    ix: WorldIndex,
    *,
    zone: Zone | None = None,
    options: AuditOptions | None = None,
    checks: Iterable[str] | None = None,
) -> tuple[Finding, ...]:
    """Every finding with every exposure, by severity, check id and subject (the old way)."""
    ctx = AuditContext(ix, zone=zone or Zone(), options=options or AuditOptions())
    wanted = None if checks is None else set(checks)
    found: list[Finding] = []
    for c in REFERENCE:
        if wanted is None or c.info.id in wanted:
            found.extend(c.run(ctx))
    return tuple(sorted(found, key=lambda f: (SEVERITY_RANK[f.severity], f.check, f.subject)))
