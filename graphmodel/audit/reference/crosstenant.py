"""Cross-tenant access checks, the reference way: a verdict for every pair, every exposure kept.

What each check looks for, and why, is said once, in `graphmodel.audit.checks.crosstenant`
(whose catalogue entries and small helpers these share). The finding logic here is the
audit as it was before issue 23, independent of the counted checks it is compared with.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphmodel.audit.checks.crosstenant import (
    CLOUD_NO_PARTNER,
    DC_NO_CA,
    DC_ONE_WAY,
    DEFAULT_OPEN,
    TRUST_BY_DEFAULT,
    TRUST_CODES,
    TRUST_EDGES,
    trusted_claims,
)
from graphmodel.audit.model import Exposure, Finding
from graphmodel.audit.reference.context import AuditContext, Check, make_finding
from graphmodel.engine import check
from graphmodel.policy.clouds import CLOUD_ENDPOINTS
from graphmodel.policy.conditional_access import (
    CaSubject,
    SubjectKind,
    evaluate_conditional_access,
)
from graphmodel.policy.crosstenant import effective_setting, effective_trust, is_wide_open
from graphmodel.schema.enums import ExternalUserType, IdentityProviderKind, MembershipType, Via
from graphmodel.schema.kinds import EdgeKind
from graphmodel.schema.trust import TrustEdge
from graphmodel.schema.verdict import Decision
from graphmodel.schema.xtap import Section

__all__ = ["CHECKS"]


def _default_open(ctx: AuditContext) -> Iterator[Finding]:
    section = Section.B2B_COLLABORATION_INBOUND
    for t in ctx.workforce_tenants():
        if not is_wide_open(t.cross_tenant_access.default.b2b_collaboration_inbound):
            continue
        exposures: list[Exposure] = []
        for ref in ctx.resources_of(t.name):
            for v in ctx.reach(ref):
                home = ctx.principal(v.principal)
                if v.via != Via.B2B_COLLABORATION or home.tenant == t.name:
                    continue
                if home.identity_provider != IdentityProviderKind.ENTRA:
                    continue
                if not effective_setting(t, ctx.ix.tenants[home.tenant], section).from_partner:
                    exposures.append(ctx.exposure(v))
        yield make_finding(
            DEFAULT_OPEN,
            tenant=t.name,
            subject=t.name,
            message=f"`{t.name}`'s default inbound B2B collaboration admits every user of every "
            "organisation to every app",
            policy=f"crossTenantAccess.default.{section.value}",
            exposures=exposures,
        )


def _trust_by_default(ctx: AuditContext) -> Iterator[Finding]:
    policy = "crossTenantAccess.default.inboundTrust"
    for t in ctx.workforce_tenants():
        claims = trusted_claims(t.cross_tenant_access.default.inbound_trust)
        if not claims:
            continue
        edges: dict[str, list[TrustEdge]] = {}
        for e in ctx.trust_edges:
            if e.kind in TRUST_EDGES and e.source == t.name and e.policy == policy:
                edges.setdefault(e.target, []).append(e)
        exposures = [
            Exposure(object=other, trust=tuple(es), detail=f"`{other}` is trusted by the default")
            for other, es in edges.items()
        ]
        for ref in ctx.resources_of(t.name):
            for v in ctx.reach(ref):
                used = [
                    r.code.value
                    for r in v.reasons
                    if r.code in TRUST_CODES and r.tenant == t.name and r.policy == policy
                ]
                if used:
                    exposures.append(ctx.exposure(v, detail="relies on " + ", ".join(used)))
        yield make_finding(
            TRUST_BY_DEFAULT,
            tenant=t.name,
            subject=t.name,
            message=f"`{t.name}` trusts {', '.join(claims)} claims from every tenant by default",
            policy=policy,
            exposures=exposures,
        )


def _channel_waiters(ctx: AuditContext, host: str, home: str) -> list[Exposure]:
    """Members homed in `home` of `host`'s shared channels, with their current verdict."""
    out: list[Exposure] = []
    for ch in ctx.world.channels:
        if ch.tenant != host or ch.membership_type != MembershipType.SHARED:
            continue
        members = {m for m in ch.members if m.startswith(home + "/")}
        for team in ch.shared_with_teams:
            members.update(m for m in ctx.ix.team_members.get(team, ()) if m.startswith(home + "/"))
        for m in sorted(members):
            if m not in ctx.ix.users:
                continue
            v = check(ctx.ix, m, ch.ref, via=Via.B2B_DIRECT_CONNECT)
            why = ", ".join(dict.fromkeys(v.codes)) or v.decision.value
            out.append(ctx.exposure(v, detail=f"{v.decision.value}: {why}"))
    return out


def _dc_one_way(ctx: AuditContext) -> Iterator[Finding]:
    present = {(e.kind, e.source, e.target) for e in ctx.trust_edges}
    for e in ctx.trust_edges:
        if e.kind == EdgeKind.DIRECT_CONNECT_IN:
            if (EdgeKind.DIRECT_CONNECT_OUT, e.target, e.source) in present:
                continue
            host, home = e.source, e.target
            message = (
                f"`{host}` admits direct connect users from `{home}`, but `{home}`'s outbound "
                f"direct connect settings let nobody out to `{host}`"
            )
            subject = f"{host}<-{home}"
        elif e.kind == EdgeKind.DIRECT_CONNECT_OUT:
            if (EdgeKind.DIRECT_CONNECT_IN, e.target, e.source) in present:
                continue
            host, home = e.target, e.source
            message = (
                f"`{home}` lets its users out to `{host}` by direct connect, but `{host}`'s "
                f"inbound direct connect settings admit none of them"
            )
            subject = f"{home}->{host}"
        else:
            continue
        yield make_finding(
            DC_ONE_WAY,
            tenant=e.source,
            subject=subject,
            message=message,
            policy=e.policy,
            exposures=[
                Exposure(object=e.target, trust=(e,), detail="the other side is not enabled"),
                *_channel_waiters(ctx, host, home),
            ],
        )


def _dc_no_ca(ctx: AuditContext) -> Iterator[Finding]:
    for e in ctx.trust_edges:
        if e.kind != EdgeKind.DIRECT_CONNECT_MUTUAL:
            continue
        host, home = ctx.ix.tenants[e.source], ctx.ix.tenants[e.target]
        trust, trust_policy = effective_trust(host, home)
        outcome = evaluate_conditional_access(
            ctx.ix.ca_by_tenant.get(host.name, []),
            CaSubject(
                kind=SubjectKind.DIRECT_CONNECT,
                external_type=ExternalUserType.B2B_DIRECT_CONNECT_USER,
                home_tenant=home.name,
                object_refs=frozenset(),
                trust=trust,
                trust_policy=trust_policy,
            ),
            ctx.ix.teams_app(host.name),
            host.name,
        )
        if outcome.applied:
            continue
        exposures = [Exposure(object=home.name, trust=(e,), detail="direct connect is mutual")]
        for ch in ctx.world.channels:
            if ch.tenant != host.name or ch.membership_type != MembershipType.SHARED:
                continue
            exposures.extend(
                ctx.exposure(v)
                for v in ctx.reach(ch.ref)
                if v.via == Via.B2B_DIRECT_CONNECT
                and ctx.principal(v.principal).tenant == home.name
                and v.decision == Decision.ALLOW
            )
        yield make_finding(
            DC_NO_CA,
            tenant=host.name,
            subject=f"{host.name}<-{home.name}",
            message=f"`{host.name}` and `{home.name}` enable direct connect both ways, but no "
            f"Conditional Access policy of `{host.name}` applies to direct connect users from "
            f"`{home.name}`",
            policy=e.policy,
            exposures=exposures,
        )


def _cloud_no_partner(ctx: AuditContext) -> Iterator[Finding]:
    clouds = {endpoint: cloud for cloud, endpoint in CLOUD_ENDPOINTS.items()}
    for t in ctx.workforce_tenants():
        policy = t.cross_tenant_access
        for endpoint in policy.allowed_cloud_endpoints:
            cloud = clouds.get(endpoint)
            if cloud is None or cloud == t.cloud:
                continue
            known = [ctx.ix.tenant_by_id.get(p.tenant_id) for p in policy.partners]
            if any(k is not None and k.cloud == cloud for k in known):
                continue
            unknown = sum(1 for k in known if k is None)
            detail = f"no partner entry names a tenant of `{cloud.value}`"
            if unknown:
                detail += f" ({unknown} partner id(s) name tenants outside the world)"
            yield make_finding(
                CLOUD_NO_PARTNER,
                tenant=t.name,
                subject=f"{t.name}:{endpoint}",
                message=f"`{t.name}` enables `{endpoint}` but has no partner in that cloud",
                policy="crossTenantAccess.allowedCloudEndpoints",
                exposures=[Exposure(object=endpoint, detail=detail)],
            )


CHECKS = (
    Check(DEFAULT_OPEN, _default_open),
    Check(TRUST_BY_DEFAULT, _trust_by_default),
    Check(DC_ONE_WAY, _dc_one_way),
    Check(DC_NO_CA, _dc_no_ca),
    Check(CLOUD_NO_PARTNER, _cloud_no_partner),
)
