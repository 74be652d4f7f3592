"""Small, hand-built answers for the export tests: no store, no engine, only schema values.

Names include characters that break naive writers (quotes, `<`, `#`, `|`, `&`, spaces), so every
format test also proves its escaping. Tests count from these values, never from literals.
"""

from __future__ import annotations

from graphmodel.export import WhoResult
from graphmodel.schema import Cloud, EdgeKind, Tenant, TrustEdge, Via
from graphmodel.schema.enums import PrincipalKind
from graphmodel.schema.ids import derive_id
from graphmodel.schema.verdict import (
    AccessPath,
    Decision,
    Hop,
    Mfa,
    Reason,
    ReasonCode,
    Side,
    Verdict,
)

ODD = 'we"ird <co> #1|&x'  # a tenant handle no format may choke on


def tenants() -> list[Tenant]:
    def t(name: str, cloud: Cloud = Cloud.GLOBAL) -> Tenant:
        return Tenant(
            name=name, id=derive_id("tenant", name), domains=(f"{name}.example",), cloud=cloud
        )

    # `lonely` has no trust edge: it must still be a node of the trust graph.
    return [t("contoso"), t("fabrikam"), t("litware", Cloud.USGOV), t(ODD), t("lonely")]


def trust_edges() -> list[TrustEdge]:
    def e(kind: EdgeKind, source: str, target: str, scope: str = "all") -> TrustEdge:
        return TrustEdge(
            kind=kind,
            source=source,
            target=target,
            rule="R12",
            policy=f"crossTenantAccess.partners[{target}]",
            scope=scope,
            source_url="https://learn.microsoft.com/entra/external-id/cross-tenant-access-overview",
        )

    return [
        e(EdgeKind.B2B_COLLAB_OUT, "fabrikam", "contoso"),
        e(EdgeKind.B2B_COLLAB_IN, "contoso", "fabrikam", "partial"),
        # parallel edges of other kinds between the same two tenants
        e(EdgeKind.TRUSTS_MFA, "contoso", "fabrikam"),
        e(EdgeKind.DIRECT_CONNECT_MUTUAL, "contoso", "fabrikam"),
        e(EdgeKind.DIRECT_CONNECT_MUTUAL, "fabrikam", "contoso"),
        e(EdgeKind.CROSS_CLOUD_ENABLED, "contoso", "litware"),
        e(EdgeKind.SYNCS_USERS_TO, ODD, "contoso"),
        # an exact duplicate: exports show it once
        e(EdgeKind.TRUSTS_MFA, "contoso", "fabrikam"),
    ]


def distinct_trust_edges() -> list[TrustEdge]:
    return list({e.key: e for e in trust_edges()}.values())


def _hop(source: str, target: str, edge: EdgeKind, rule: str, policy: str | None = None) -> Hop:
    return Hop(source=source, target=target, edge=edge, rule=rule, policy=policy)


def allow_verdict() -> Verdict:
    """Two paths that share their first hop (so edges dedupe) and end in one app."""
    first = _hop("fabrikam/bob", "contoso/bob", EdgeKind.GUEST_OF, "R12", "xtap.inbound")
    return Verdict(
        principal="fabrikam/bob",
        resource="contoso/payroll",
        via=Via.B2B_COLLABORATION,
        decision=Decision.ALLOW,
        mfa=Mfa.HOME,
        paths=(
            AccessPath(
                via=Via.B2B_COLLABORATION,
                hops=(
                    first,
                    _hop("contoso/bob", 'contoso/fin "ance"', EdgeKind.MEMBER_OF, "L37"),
                    _hop('contoso/fin "ance"', "contoso/payroll", EdgeKind.ASSIGNED_TO, "L37"),
                ),
            ),
            AccessPath(
                via=Via.B2B_COLLABORATION,
                hops=(first, _hop("contoso/bob", "contoso/payroll", EdgeKind.ASSIGNED_TO, "L37")),
            ),
        ),
        reasons=(
            Reason(
                code=ReasonCode.MFA_TRUSTED,
                rule="R29",
                tenant="contoso",
                policy="crossTenantAccess.partners[fabrikam].inboundTrust",
                message="`contoso` trusts MFA performed in `fabrikam`",
                side=Side.RESOURCE,
            ),
        ),
    )


def deny_verdict() -> Verdict:
    return Verdict(
        principal="fabrikam/finn",
        resource="contoso/payroll",
        via=Via.B2B_COLLABORATION,
        decision=Decision.DENY,
        reasons=(
            Reason(
                code=ReasonCode.INBOUND_BLOCKED,
                rule="R12",
                tenant="contoso",
                policy="crossTenantAccess.partners[fabrikam].b2bCollaborationInbound",
                message='`contoso`\'s inbound setting does not admit `fabrikam/finn`, "really"',
                side=Side.RESOURCE,
            ),
        ),
    )


def channel_verdict(principal: str) -> Verdict:
    """A path that runs against stored edge directions (team -[CHANNEL_OF]-> channel)."""
    return Verdict(
        principal=principal,
        resource="contoso/launch/general",
        via=Via.MEMBER,
        decision=Decision.ALLOW,
        paths=(
            AccessPath(
                via=Via.MEMBER,
                hops=(
                    _hop(principal, "contoso/launch", EdgeKind.TEAM_MEMBER, "L25"),
                    _hop("contoso/launch", "contoso/launch/general", EdgeKind.CHANNEL_OF, "L25"),
                ),
            ),
        ),
    )


def who_results() -> list[WhoResult]:
    bob = allow_verdict()
    pending = Verdict(
        principal="fabrikam/dan",
        resource="contoso/payroll",
        via=Via.B2B_COLLABORATION,
        decision=Decision.PENDING,
        mfa=Mfa.HOME,
        paths=(
            AccessPath(
                via=Via.B2B_COLLABORATION,
                hops=(
                    _hop("fabrikam/dan", "contoso/dan", EdgeKind.GUEST_OF, "R12"),
                    _hop("contoso/dan", "contoso/payroll", EdgeKind.ASSIGNED_TO, "L37"),
                ),
            ),
        ),
        reasons=(
            Reason(
                code=ReasonCode.INVITATION_PENDING,
                rule="L8",
                tenant="contoso",
                policy=None,
                message="invitation not redeemed",
            ),
        ),
    )
    return [
        WhoResult("fabrikam/bob", bob, PrincipalKind.B2B_GUEST),
        WhoResult("fabrikam/dan", pending),  # a caller that does not say what it is
    ]


def hop_keys(verdicts: list[Verdict]) -> set[tuple[str, str, str]]:
    """Distinct (source, target, edge kind) of every hop: what a graph export must draw."""
    return {(h.source, h.target, h.edge.value) for v in verdicts for p in v.paths for h in p.hops}


def path_refs(verdicts: list[Verdict]) -> set[str]:
    refs = {r for v in verdicts for r in (v.principal, v.resource)}
    return refs | {n for v in verdicts for p in v.paths for n in p.nodes}
