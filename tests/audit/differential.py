"""The differential comparison of the audit with its reference oracle (shared by the tests
and the slow S-world test): findings, severities, messages, exposure counts and exposures."""

from __future__ import annotations

from typing import Any

from graphmodel.audit import AuditOptions, Finding, Zone, run_checks
from graphmodel.audit.reference import run_reference_checks
from graphmodel.engine import WorldIndex


def comparable(f: Finding, *, exposures: bool) -> dict[str, Any]:
    row: dict[str, Any] = {
        "check": f.check,
        "severity": f.severity,
        "tenant": f.tenant,
        "subject": f.subject,
        "fingerprint": f.fingerprint,
        "message": f.message,
        "policy": f.policy,
        "counts": f.counts,
    }
    if exposures:
        row["exposures"] = list(f.all_exposures())
    return row


def differences(
    ix: WorldIndex,
    *,
    zone: Zone | None = None,
    options: AuditOptions | None = None,
    exemplars: int | None = 3,
    exposures: bool = True,
) -> list[tuple[dict[str, Any] | None, dict[str, Any] | None]]:
    """(reference, new) rows that differ, by fingerprint; empty when both agree."""
    ref = {
        f.fingerprint: comparable(f, exposures=exposures)
        for f in run_reference_checks(ix, zone=zone, options=options)
    }
    new = {
        f.fingerprint: comparable(f, exposures=exposures)
        for f in run_checks(ix, zone=zone, options=options, exemplars=exemplars)
    }
    return [
        (ref.get(fp), new.get(fp))
        for fp in sorted(ref.keys() | new.keys())
        if ref.get(fp) != new.get(fp)
    ]
