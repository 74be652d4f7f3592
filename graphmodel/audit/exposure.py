"""How an access answer is shown in a finding: its exposure and its principal's home.

Why one home: the audit and its reference oracle (`graphmodel.audit.reference`) must show an
access the same way — which path, which trust edges, which home label — whatever logic decided
that the access counts, so the differential tests compare what the checks find, not how two
copies of these helpers format it.
"""

from __future__ import annotations

from graphmodel.audit.model import Exposure
from graphmodel.audit.trust import trust_of
from graphmodel.engine import WorldIndex, home_tenant
from graphmodel.schema.verdict import AccessPath, Verdict

__all__ = ["access_exposure", "home_label"]


def access_exposure(
    ix: WorldIndex, verdict: Verdict, *, path: AccessPath | None = None, detail: str = ""
) -> Exposure:
    """An access exposure built from a verdict: principal, resource, route, trust and one path
    (`path`, else the verdict's first)."""
    chosen = path if path is not None else (verdict.paths[0] if verdict.paths else None)
    return Exposure(
        principal=verdict.principal,
        resource=verdict.resource,
        via=verdict.via,
        decision=verdict.decision,
        trust=trust_of(ix, verdict),
        path=chosen,
        detail=detail,
    )


def home_label(ix: WorldIndex, principal: str) -> str:
    """The principal's home tenant, or `(provider)` for a guest without an Entra home."""
    user = ix.users[principal]
    home = home_tenant(ix, user)
    return home if home is not None else f"({user.identity_provider.value})"
