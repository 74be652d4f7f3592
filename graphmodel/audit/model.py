"""The audit's result types: checks, findings, exposures, zones, suppressions and the report.

Why these shapes: an auditor needs, per finding, *what* is wrong (the check, its severity and
the spec rules it rests on) and — the point of an access-path audit — *who and what it exposes*:
the principals, resources and access paths, countable and pageable. Everything is a frozen
dataclass of schema values, so the JSON codec (`graphmodel.schema.codec.to_data`), the HTML
report and the GraphQL types all read the same data and nothing is re-derived for display.

At scale a finding carries only its first exposures (the *exemplars*, each with its full path)
next to exact counts of all of them (`counts`); `all_exposures()` streams the rest, recomputed on
demand, so a report never holds millions of exposures at once.

A finding's `fingerprint` is stable across snapshots: it hashes the check id and the finding's
subject (e.g. `contoso<-adatum`), never the exposures, which change from snapshot to snapshot
while the finding stays the same. Suppressions and the finding history are keyed by it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from graphmodel.schema.entities import Tenant
from graphmodel.schema.enums import Via
from graphmodel.schema.trust import TrustEdge
from graphmodel.schema.verdict import AccessPath, Decision

__all__ = [
    "DEFAULT_EXEMPLARS",
    "SEVERITY_RANK",
    "AuditOptions",
    "AuditReport",
    "AuditedFinding",
    "CheckInfo",
    "Exposure",
    "ExposureCounts",
    "ExposureSource",
    "Finding",
    "FindingStatus",
    "ResolvedFinding",
    "Severity",
    "Suppression",
    "Zone",
    "fingerprint_of",
]


class Severity(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


SEVERITY_RANK: dict[Severity, int] = {Severity.HIGH: 0, Severity.MEDIUM: 1, Severity.LOW: 2}


class FindingStatus(StrEnum):
    OPEN = "open"
    SUPPRESSED = "suppressed"
    RESOLVED = "resolved"


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckInfo:
    """One check of the catalogue: what it looks for, how bad it is, which rules it rests on."""

    id: str
    title: str
    severity: Severity
    rules: tuple[str, ...]
    description: str
    baseline: str | None = None  # e.g. `CISA SCuBA MS.AAD.8.1v1`


@dataclass(frozen=True, slots=True, kw_only=True)
class Exposure:
    """One concrete thing a finding exposes.

    An access exposure names a `principal` (home identity), a `resource` (app or channel), how
    it is reached (`via`, `decision`), the trust edges it crosses and one access `path`.
    Configuration exposures name an `object` instead (a tenant, a domain, a group, a package).
    """

    principal: str | None = None
    resource: str | None = None
    object: str | None = None
    via: Via | None = None
    decision: Decision | None = None
    trust: tuple[TrustEdge, ...] = ()
    path: AccessPath | None = None
    detail: str = ""

    @property
    def key(self) -> str:
        """The cursor of this exposure in its finding's list (unique within a finding)."""
        return "\x1f".join((self.resource or "", self.principal or "", self.object or ""))


@dataclass(frozen=True, slots=True, kw_only=True)
class ExposureCounts:
    exposures: int
    principals: int
    resources: int
    objects: int
    paths: int


ExposureSource = Callable[[str | None], Iterator[Exposure]]
"""Every exposure of one finding in key order, after the key given (None: from the first),
computed afresh on each call; LookupError when no exposure has that key."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """One instance of a check: a tenant's configuration or resource that fails it.

    `exposures` holds every exposure, or — when `_total` is set — only the first ones in key
    order (the exemplars), `_total` then counting all of them exactly and `_more` streaming
    them (the leading underscore keeps both out of the JSON codecs).
    """

    check: str
    severity: Severity
    rules: tuple[str, ...]
    tenant: str
    subject: str
    fingerprint: str
    message: str
    policy: str | None = None
    exposures: tuple[Exposure, ...] = ()
    _total: ExposureCounts | None = None
    _more: ExposureSource | None = field(default=None, compare=False, repr=False)

    @property
    def complete(self) -> bool:
        """Whether `exposures` holds every exposure (not only the exemplars)."""
        return self._total is None or self._total.exposures == len(self.exposures)

    def all_exposures(self, after: str | None = None) -> Iterator[Exposure]:
        """Every exposure in key order: the ones held, or the stream that recomputes them;
        with `after`, those after the exposure whose key it is (LookupError: no such one)."""
        if not self.complete and self._more is not None:
            return self._more(after)
        if after is None:
            return iter(self.exposures)
        keys = [e.key for e in self.exposures]
        if after not in keys:
            raise LookupError(after)
        return iter(self.exposures[keys.index(after) + 1 :])

    @property
    def counts(self) -> ExposureCounts:
        if self._total is not None:
            return self._total
        return ExposureCounts(
            exposures=len(self.exposures),
            principals=len({e.principal for e in self.exposures if e.principal}),
            resources=len({e.resource for e in self.exposures if e.resource}),
            objects=len({e.object for e in self.exposures if e.object}),
            paths=sum(1 for e in self.exposures if e.path is not None),
        )


def fingerprint_of(check: str, subject: str) -> str:
    """The stable id of a finding: 16 hex digits of sha256(check, subject).

    Examples
    --------
    >>> fingerprint_of("scuba.8.2", "contoso") == fingerprint_of("scuba.8.2", "contoso")
    True
    >>> len(fingerprint_of("scuba.8.2", "contoso"))
    16
    """
    return hashlib.sha256(f"{check}\x1f{subject}".encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True, kw_only=True)
class Zone:
    """A zone of trust: partner tenants (handles or tenant ids) whose access is expected.

    A tenant's own members are always inside; the empty zone (no name) trusts no partner, so
    every external access is outside it.
    """

    name: str = ""
    tenants: tuple[str, ...] = ()
    description: str = ""

    def contains(self, tenant: Tenant) -> bool:
        wanted = {t.lower() for t in self.tenants}
        return tenant.name.lower() in wanted or tenant.id.lower() in wanted

    @property
    def label(self) -> str:
        return self.name or "(none)"


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditOptions:
    """Tunables of the checks; they are part of the history key (`profile`).

    Both thresholds count back from the evaluation clock (the World's `asOf`, else now);
    90 days is the look-back of IAM Access Analyzer's unused-access findings.
    """

    pending_days: int = 90  # invitation.pending-with-paths
    unused_days: int = 90  # guest.stale-with-paths, partner.unused-trust, assignment.unused
    as_of: datetime | None = None  # the evaluation clock; None = the snapshot's asOf, else now


DEFAULT_EXEMPLARS = 20
"""Exposures a finding holds in full (with paths) by default; the rest are counted exactly."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Suppression:
    """An accepted finding: hidden from the open list from `since_snapshot` on, with a reason."""

    fingerprint: str
    reason: str
    owner: str
    created_at: datetime
    since_snapshot: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditedFinding:
    """A finding at one snapshot with its status and history."""

    finding: Finding
    status: FindingStatus
    first_seen: int | None = None
    suppression: Suppression | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ResolvedFinding:
    """A finding seen at an earlier snapshot that is gone at this one."""

    fingerprint: str
    check: str
    severity: Severity
    tenant: str
    subject: str
    message: str
    last_seen: int
    resolved_in: int


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditReport:
    """Everything one audit run produced, at one snapshot under one zone."""

    snapshot: int | None
    zone: Zone
    options: AuditOptions
    checks: tuple[CheckInfo, ...]
    findings: tuple[AuditedFinding, ...]
    resolved: tuple[ResolvedFinding, ...] = ()
    title: str | None = None
    as_of: datetime | None = None
    tenants: tuple[str, ...] | None = None  # the tenant filter, None = every tenant
    notes: tuple[str, ...] = field(default_factory=tuple)

    def open_findings(self) -> tuple[AuditedFinding, ...]:
        return tuple(f for f in self.findings if f.status == FindingStatus.OPEN)
