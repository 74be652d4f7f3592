"""Access-path audits, what-if and history over the engine's verdicts.

`run_checks` turns one World into findings (the catalogue in `checks`); `whatif` applies a change
set to a copy of a World and returns the access diff and the findings that appear or disappear;
`diff_access` compares two Worlds (two snapshots) and explains the access changes by the entity
changes behind them. Everything here is pure over Worlds; persistence of suppressions, zones
and the finding history is in `graphmodel.audit.store`.
"""

from graphmodel.audit.checks import CATALOGUE, CATALOGUE_VERSION, check_info, run_checks
from graphmodel.audit.model import (
    DEFAULT_EXEMPLARS,
    SEVERITY_RANK,
    AuditedFinding,
    AuditOptions,
    AuditReport,
    CheckInfo,
    Exposure,
    ExposureCounts,
    Finding,
    FindingStatus,
    ResolvedFinding,
    Severity,
    Suppression,
    Zone,
    fingerprint_of,
)

__all__ = [
    "CATALOGUE",
    "CATALOGUE_VERSION",
    "DEFAULT_EXEMPLARS",
    "SEVERITY_RANK",
    "AuditOptions",
    "AuditReport",
    "AuditedFinding",
    "CheckInfo",
    "Exposure",
    "ExposureCounts",
    "Finding",
    "FindingStatus",
    "ResolvedFinding",
    "Severity",
    "Suppression",
    "Zone",
    "check_info",
    "fingerprint_of",
    "run_checks",
]
