"""The shape of a check: its catalogue entry plus a function from the audit context to findings.

Why a plain record and a table instead of classes: the catalogue is data (printed by the CLI,
listed in the report, exposed over GraphQL), and each check is one small pure function over the
`AuditContext`, so adding a check is one entry in `graphmodel.audit.checks.CATALOGUE`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from graphmodel.audit.context import AuditContext
from graphmodel.audit.model import CheckInfo, Exposure, Finding, fingerprint_of

__all__ = ["Check", "make_finding"]


@dataclass(frozen=True, slots=True)
class Check:
    info: CheckInfo
    run: Callable[[AuditContext], Iterable[Finding]]


def make_finding(
    info: CheckInfo,
    *,
    tenant: str,
    subject: str,
    message: str,
    policy: str | None = None,
    exposures: Iterable[Exposure] = (),
    identity: str | None = None,
) -> Finding:
    """A Finding of `info` with its fingerprint; exposures de-duplicated by key and sorted.

    The fingerprint hashes the check id and `identity` (default: the subject); a check whose
    subject is not unique across tenants (a partner's handle) passes one that is.
    """
    unique: dict[str, Exposure] = {}
    for e in exposures:
        unique.setdefault(e.key, e)
    return Finding(
        check=info.id,
        severity=info.severity,
        rules=info.rules,
        tenant=tenant,
        subject=subject,
        fingerprint=fingerprint_of(info.id, identity or subject),
        message=message,
        policy=policy,
        exposures=tuple(unique[k] for k in sorted(unique)),
    )
