"""Which trust edges an access crosses: the effective sections a verdict's route relied on.

Why recompute rather than read the stored trust graph: a what-if runs on a modified World that
was never stored, and the derived edges (`engine.derive`) exist only for related tenant pairs,
while a verdict always names its two tenants. So the edges are rebuilt here from the same policy
functions the engine uses (`effective_setting`, `effective_trust`), for exactly the home and
resource tenant of the verdict: B2B collaboration crosses the home tenant's outbound and the
resource tenant's inbound section (R2, R12); direct connect the two direct-connect sections
(R19); a trusted MFA or device claim adds the resource tenant's trust edge (R29 MFA, R31
device claims: `TRUST_RULES`, the rules the verdict's notes cite).
Members, B2C consumers and non-Entra guests cross none (R1).
"""

from __future__ import annotations

from graphmodel.engine.index import WorldIndex
from graphmodel.policy.crosstenant import effective_setting, effective_trust, is_wide_open
from graphmodel.schema.enums import IdentityProviderKind, Via
from graphmodel.schema.kinds import EdgeKind
from graphmodel.schema.rules import rule_source
from graphmodel.schema.trust import TRUST_RULES, TrustEdge
from graphmodel.schema.verdict import ReasonCode, Verdict
from graphmodel.schema.xtap import Section

__all__ = ["render_edge", "trust_of"]

_SECTIONS = {
    Via.B2B_COLLABORATION: (
        (EdgeKind.B2B_COLLAB_OUT, Section.B2B_COLLABORATION_OUTBOUND, "R12", True),
        (EdgeKind.B2B_COLLAB_IN, Section.B2B_COLLABORATION_INBOUND, "R12", False),
    ),
    Via.B2B_DIRECT_CONNECT: (
        (EdgeKind.DIRECT_CONNECT_OUT, Section.B2B_DIRECT_CONNECT_OUTBOUND, "R19", True),
        (EdgeKind.DIRECT_CONNECT_IN, Section.B2B_DIRECT_CONNECT_INBOUND, "R19", False),
    ),
}


def trust_of(ix: WorldIndex, verdict: Verdict) -> tuple[TrustEdge, ...]:
    """The trust edges the verdict's route crosses (empty for same-tenant and non-Entra access)."""
    principal = ix.users.get(verdict.principal)
    tenant_name = verdict.resource.split("/", 1)[0]
    resource = ix.tenants.get(tenant_name)
    if principal is None or resource is None or principal.tenant == resource.name:
        return ()
    if principal.identity_provider != IdentityProviderKind.ENTRA:
        return ()
    home = ix.tenants[principal.tenant]
    out: list[TrustEdge] = []
    for kind, section, rule, outbound in _SECTIONS.get(verdict.via, ()):
        owner, other = (home, resource) if outbound else (resource, home)
        eff = effective_setting(owner, other, section)
        out.append(
            TrustEdge(
                kind=kind,
                source=owner.name,
                target=other.name,
                rule=rule,
                policy=eff.policy,
                scope="all" if is_wide_open(eff.setting) else "partial",
                source_url=rule_source(rule) or "",
            )
        )
    codes = {r.code for r in verdict.reasons}
    if out and (ReasonCode.MFA_TRUSTED in codes or ReasonCode.DEVICE_TRUSTED in codes):
        trust, policy = effective_trust(resource, home)
        flags = (
            (trust.is_mfa_accepted and ReasonCode.MFA_TRUSTED in codes, EdgeKind.TRUSTS_MFA),
            (
                trust.is_compliant_device_accepted and ReasonCode.DEVICE_TRUSTED in codes,
                EdgeKind.TRUSTS_COMPLIANT_DEVICE,
            ),
            (
                trust.is_hybrid_azure_ad_joined_device_accepted
                and ReasonCode.DEVICE_TRUSTED in codes,
                EdgeKind.TRUSTS_HYBRID_JOINED,
            ),
        )
        out.extend(
            TrustEdge(
                kind=kind,
                source=resource.name,
                target=home.name,
                rule=TRUST_RULES[kind],
                policy=policy,
                source_url=rule_source(TRUST_RULES[kind]) or "",
            )
            for used, kind in flags
            if used
        )
    return tuple(out)


def render_edge(edge: TrustEdge) -> str:
    """`B2B_COLLAB_IN contoso->fabrikam R12 (crossTenantAccess.partners[fabrikam]....)`: the
    rule is the one the trust graph and the verdict's notes cite for the same trust.

    Examples
    --------
    >>> render_edge(TrustEdge(kind=EdgeKind.TRUSTS_MFA, source="a", target="b", rule="R29",
    ...                       policy="crossTenantAccess.default.inboundTrust"))
    'TRUSTS_MFA a->b R29 (crossTenantAccess.default.inboundTrust)'
    """
    return f"{edge.kind.value} {edge.source}->{edge.target} {edge.rule} ({edge.policy})"
