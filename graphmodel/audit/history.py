"""Finding status over snapshots: open, suppressed, resolved — keyed by fingerprint.

Why pure: the status of a finding at snapshot N depends only on the findings of snapshots up to
N and on the suppressions, so the same inputs always give the same report (a dashboard's
answer is reproducible). The service feeds in the findings of earlier snapshots (computed once
and cached in the audit file) and the suppressions.

Rules:
- a finding present at N is `suppressed` when a suppression of its fingerprint applies at N
  (made at or before N, `since_snapshot`), else `open`; `first_seen` is the first snapshot it
  appears in;
- a fingerprint seen at an earlier snapshot and absent at N is `resolved`, in the first
  snapshot after the last one that still had it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence

from graphmodel.audit.checks import CATALOGUE_VERSION
from graphmodel.audit.model import (
    AuditedFinding,
    AuditOptions,
    Finding,
    FindingStatus,
    ResolvedFinding,
    Suppression,
    Zone,
)
from graphmodel.audit.store import Sighting

__all__ = ["apply_history", "profile_of", "suppression_applies"]


def profile_of(zone: Zone, options: AuditOptions) -> str:
    """The history key: findings depend on the zone's tenants, the options and the catalogue.

    Examples
    --------
    >>> profile_of(Zone(), AuditOptions()) == profile_of(Zone(name="x"), AuditOptions())
    True
    """
    data = {
        "zone": sorted(t.lower() for t in zone.tenants),
        "pendingDays": options.pending_days,
        "unusedDays": options.unused_days,
        "asOf": None if options.as_of is None else options.as_of.isoformat(),
        "catalogue": CATALOGUE_VERSION,
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def suppression_applies(s: Suppression, snapshot: int | None) -> bool:
    """A suppression applies from the snapshot it was made at onwards."""
    return snapshot is None or s.since_snapshot is None or snapshot >= s.since_snapshot


def apply_history(
    findings: Sequence[Finding],
    *,
    snapshot: int | None,
    earlier: Mapping[int, Sequence[Sighting]],
    suppressions: Sequence[Suppression],
) -> tuple[tuple[AuditedFinding, ...], tuple[ResolvedFinding, ...]]:
    """The findings of `snapshot` with their status, and the findings resolved by it.

    `earlier` maps each earlier snapshot id (< `snapshot`) to the findings it had.
    """
    by_fp = {s.fingerprint: s for s in suppressions}
    ids = sorted(i for i in earlier if snapshot is None or i < snapshot)
    first: dict[str, int] = {}
    last: dict[str, int] = {}
    seen: dict[str, Sighting] = {}
    for i in ids:
        for s in earlier[i]:
            first.setdefault(s.fingerprint, i)
            last[s.fingerprint] = i
            seen[s.fingerprint] = s
    audited: list[AuditedFinding] = []
    for f in findings:
        sup = by_fp.get(f.fingerprint)
        applies = sup is not None and suppression_applies(sup, snapshot)
        audited.append(
            AuditedFinding(
                finding=f,
                status=FindingStatus.SUPPRESSED if applies else FindingStatus.OPEN,
                first_seen=first.get(f.fingerprint, snapshot),
                suppression=sup if applies else None,
            )
        )
    present = {f.fingerprint for f in findings}
    later = [*ids, *([snapshot] if snapshot is not None else [])]
    resolved: list[ResolvedFinding] = []
    for fp, last_id in sorted(last.items()):
        if fp in present:
            continue
        after = [i for i in later if i > last_id]
        if not after:
            continue
        s = seen[fp]
        resolved.append(
            ResolvedFinding(
                fingerprint=fp,
                check=s.check,
                severity=s.severity,
                tenant=s.tenant,
                subject=s.subject,
                message=s.message,
                last_seen=last_id,
                resolved_in=after[0],
            )
        )
    return tuple(audited), tuple(resolved)
