"""The reference audit's context: every allow or pending verdict of a resource, built in full.

Why kept: this is the audit as it was before findings were counted from decisions (issue 23):
it builds a full `Verdict` (paths, reasons) for every principal of every resource and keeps
every exposure. Too slow and too large for a 100k-user world, it stays as the oracle the
differential tests and `python -m bench audit` compare `graphmodel.audit.checks` with.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property

from graphmodel.audit.exposure import access_exposure, home_label
from graphmodel.audit.model import AuditOptions, CheckInfo, Exposure, Finding, Zone, fingerprint_of
from graphmodel.engine import (
    WorldIndex,
    derive_trust_edges,
    is_outsider_ref,
    who_can_access,
)
from graphmodel.schema.entities import Tenant, User
from graphmodel.schema.enums import TenantType
from graphmodel.schema.trust import TrustEdge
from graphmodel.schema.verdict import AccessPath, Verdict

__all__ = ["AuditContext", "Check", "make_finding"]


class AuditContext:
    """One World under audit: its index, the zone of trust, options and cached reach."""

    def __init__(self, ix: WorldIndex, *, zone: Zone, options: AuditOptions) -> None:
        self.ix = ix
        self.world = ix.world
        self.zone = zone
        self.options = options
        self._reach: dict[str, tuple[Verdict, ...]] = {}

    # --- tenants ---------------------------------------------------------------------------
    def workforce_tenants(self) -> list[Tenant]:
        """Tenants whose directory configuration is audited (B2C directories are not)."""
        return [t for t in self.world.tenants if t.type == TenantType.WORKFORCE]

    def in_zone(self, home: str, resource_tenant: str) -> bool:
        """Whether access from `home` (a tenant handle) to `resource_tenant` is expected."""
        if home == resource_tenant:
            return True
        tenant = self.ix.tenants.get(home)
        if tenant is None:  # a home outside the world (or an identity provider label)
            return home.lower() in {t.lower() for t in self.zone.tenants}
        return self.zone.contains(tenant)

    @cached_property
    def trust_edges(self) -> tuple[TrustEdge, ...]:
        return tuple(derive_trust_edges(self.world))

    # --- resources and reach ----------------------------------------------------------------
    @cached_property
    def resources(self) -> tuple[str, ...]:
        """Every app and channel ref, sorted."""
        return tuple(
            sorted([a.ref for a in self.world.apps] + [c.ref for c in self.world.channels])
        )

    def resources_of(self, tenant: str) -> Iterator[str]:
        prefix = tenant + "/"
        return (r for r in self.resources if r.startswith(prefix))

    def reach(self, resource: str) -> tuple[Verdict, ...]:
        """Every allow or pending verdict for the resource, in principal order (cached)."""
        found = self._reach.get(resource)
        if found is None:
            found = tuple(r.verdict for r in who_can_access(self.ix, resource))
            self._reach[resource] = found
        return found

    def principal(self, ref: str) -> User:
        return self.ix.users[ref]

    def is_external(self, verdict: Verdict) -> bool:
        """Whether the verdict's principal is an outsider of the resource's tenant: the
        engine's one definition (`graphmodel.engine.is_outsider`, scenarios.md "Outsiders")."""
        return is_outsider_ref(self.ix, verdict.principal, verdict.resource)

    def home_label(self, verdict: Verdict) -> str:
        return home_label(self.ix, verdict.principal)

    def exposure(
        self, verdict: Verdict, *, path: AccessPath | None = None, detail: str = ""
    ) -> Exposure:
        return access_exposure(self.ix, verdict, path=path, detail=detail)


@dataclass(frozen=True, slots=True)
class Check:
    """A reference check: its catalogue entry and a function from the context to findings."""

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
    """A Finding of `info` with its fingerprint; exposures de-duplicated by key and sorted."""
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
