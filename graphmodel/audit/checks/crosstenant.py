"""Cross-tenant access checks: defaults open wide, trust by default, direct connect, clouds.

Why these: the shipped default admits every organisation to every app (R13) and a partner entry
replaces a default section only for that partner (R3), so the default is what an unknown tenant
gets. Trusting MFA or device claims in the default accepts them from every tenant (R28, R29,
R31). Direct connect works only when both sides enable it (R19), so a one-sided configuration is
dead weight that may start working when the partner flips its side; a mutual one with no
Conditional Access on the resource side admits external users with no MFA or device control
(R22, R27). Enabling another cloud does nothing until partners there are added (R35).
The exposures are the concrete accesses each setting decides, taken from the engine's
decisions (verdicts built only for the exposures shown).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from graphmodel.audit.checks._base import (
    ACCESS,
    ACCESS_KINDS,
    SETTINGS,
    Check,
    Draft,
    Reads,
    seeds_of,
)
from graphmodel.audit.context import AuditContext
from graphmodel.audit.model import CheckInfo, Exposure, Severity
from graphmodel.audit.tally import Run, Seed, in_key_order, seed_of
from graphmodel.engine import check
from graphmodel.policy.clouds import CLOUD_ENDPOINTS
from graphmodel.policy.conditional_access import (
    CaSubject,
    SubjectKind,
    evaluate_conditional_access,
)
from graphmodel.policy.crosstenant import effective_setting, effective_trust, is_wide_open
from graphmodel.schema.entities import Tenant
from graphmodel.schema.enums import ExternalUserType, IdentityProviderKind, MembershipType, Via
from graphmodel.schema.kinds import EdgeKind
from graphmodel.schema.trust import TrustEdge
from graphmodel.schema.verdict import Decision, ReasonCode
from graphmodel.schema.xtap import InboundTrust, Section

__all__ = ["CHECKS", "TRUST_CODES", "TRUST_EDGES", "trusted_claims"]

DEFAULT_OPEN = CheckInfo(
    id="xtap.default-inbound-open",
    title="default inbound B2B collaboration open to all users and all apps",
    severity=Severity.HIGH,
    rules=("R3", "R7", "R12", "R13"),
    description="The default b2bCollaborationInbound section allows AllUsers x "
    "AllApplications, so any organisation without its own partner section reaches every app. "
    "Exposes each access of an Entra-homed guest decided by that default section.",
)
TRUST_BY_DEFAULT = CheckInfo(
    id="xtap.trust-by-default",
    title="MFA or device claims trusted from every tenant by default",
    severity=Severity.MEDIUM,
    rules=("R3", "R28", "R29", "R31"),
    description="The default inboundTrust accepts MFA, compliant-device or hybrid-joined "
    "claims, so every tenant without its own trust section satisfies Conditional Access with "
    "its own, unknown controls. Exposes the tenants trusted through the default and each access "
    "that relied on a claim trusted by the default.",
)
DC_ONE_WAY = CheckInfo(
    id="xtap.direct-connect-one-way",
    title="direct connect enabled one way only (dead configuration)",
    severity=Severity.LOW,
    rules=("R19", "R20"),
    description="One tenant enables direct connect towards a partner (inbound or outbound) but "
    "the partner's matching section admits nobody, so no shared channel works: dead "
    "configuration that starts working as soon as the partner opens its side. Exposes the "
    "partner and the shared-channel memberships waiting on it.",
)
DC_NO_CA = CheckInfo(
    id="xtap.direct-connect-no-ca",
    title="mutual direct connect with no Conditional Access",
    severity=Severity.HIGH,
    rules=("R19", "R22", "R27"),
    description="Direct connect is enabled on both sides, and no enabled Conditional Access "
    "policy of the resource tenant applies to direct connect users from the partner on Teams, "
    "so they enter shared channels with no MFA or device control. Exposes each direct connect "
    "access.",
)
CLOUD_NO_PARTNER = CheckInfo(
    id="xtap.cross-cloud-no-partner",
    title="cross-cloud collaboration enabled without partners",
    severity=Severity.LOW,
    rules=("R35",),
    description="allowedCloudEndpoints lists another Microsoft cloud, but no partner entry names "
    "a tenant of that cloud: nothing works until one is added, and the setting invites adding "
    "partners later without review. Exposes the enabled endpoint.",
)


_COLLABORATION = Via.B2B_COLLABORATION


def _default_open(ctx: AuditContext) -> Iterator[Draft]:
    section = Section.B2B_COLLABORATION_INBOUND
    for t in ctx.audited_tenants():
        if not is_wide_open(t.cross_tenant_access.default.b2b_collaboration_inbound):
            continue

        def decided(t: Tenant = t) -> Iterator[Run]:
            by_default: dict[str, bool] = {}  # home tenant -> the default section decides
            counted: dict[str, bool] = {}  # principal -> an Entra user the default admits

            def admitted_by_default(principal: str, t: Tenant = t) -> bool:
                home = ctx.principal(principal)
                if home.tenant == t.name or home.identity_provider != IdentityProviderKind.ENTRA:
                    return False
                found = by_default.get(home.tenant)
                if found is None:
                    eff = effective_setting(t, ctx.ix.tenants[home.tenant], section)
                    found = by_default[home.tenant] = not eff.from_partner
                return found

            for a in ctx.tenant_answers(t.name):
                keep: list[str] = []
                for p, d in zip(a.principals, a.decided, strict=True):
                    if d[2] != _COLLABORATION:
                        continue
                    ok = counted.get(p)
                    if ok is None:
                        ok = counted[p] = admitted_by_default(p)
                    if ok:
                        keep.append(p)
                if keep:
                    yield ctx.run(a.resource, keep)

        yield Draft(
            info=DEFAULT_OPEN,
            tenant=t.name,
            subject=t.name,
            message=f"`{t.name}`'s default inbound B2B collaboration admits every user of every "
            "organisation to every app",
            policy=f"crossTenantAccess.default.{section.value}",
            seeds=decided,
        )


TRUST_CODES = frozenset({ReasonCode.MFA_TRUSTED, ReasonCode.DEVICE_TRUSTED})
"""Reason codes of a decision that relied on a trusted claim of the home tenant."""
TRUST_EDGES = frozenset(
    {EdgeKind.TRUSTS_MFA, EdgeKind.TRUSTS_COMPLIANT_DEVICE, EdgeKind.TRUSTS_HYBRID_JOINED}
)
"""Derived trust edges of an inbound trust setting that accepts a claim."""


def trusted_claims(trust: InboundTrust) -> list[str]:
    """The claims an inbound trust setting accepts, by name (R28, R29, R31)."""
    return [
        name
        for flag, name in (
            (trust.is_mfa_accepted, "MFA"),
            (trust.is_compliant_device_accepted, "compliant-device"),
            (trust.is_hybrid_azure_ad_joined_device_accepted, "hybrid-joined-device"),
        )
        if flag
    ]


def _trust_by_default(ctx: AuditContext) -> Iterator[Draft]:
    policy = "crossTenantAccess.default.inboundTrust"
    for t in ctx.audited_tenants():
        claims = trusted_claims(t.cross_tenant_access.default.inbound_trust)
        if not claims:
            continue

        def trusted(name: str = t.name) -> Iterator[Seed]:
            edges: dict[str, list[TrustEdge]] = {}
            for e in ctx.trust_edges_from(name):
                if e.kind in TRUST_EDGES and e.policy == policy:
                    edges.setdefault(e.target, []).append(e)
            yield from in_key_order(
                seed_of(
                    Exposure(
                        object=other, trust=tuple(es), detail=f"`{other}` is trusted by the default"
                    )
                )
                for other, es in edges.items()
            )
            # which claims a decision relied on is in its reasons: the verdict is needed
            # (only outsiders' verdicts: trust is evaluated for B2B collaboration users)
            for r in ctx.tenant_reach(name):
                v = r.verdict
                used = [
                    x.code.value
                    for x in v.reasons
                    if x.code in TRUST_CODES and x.tenant == name and x.policy == policy
                ]
                if used:
                    yield ctx.verdict_seed(v, path=None, detail="relies on " + ", ".join(used))

        yield Draft(
            info=TRUST_BY_DEFAULT,
            tenant=t.name,
            subject=t.name,
            message=f"`{t.name}` trusts {', '.join(claims)} claims from every tenant by default",
            policy=policy,
            seeds=trusted,
        )


def _channel_waiters(ctx: AuditContext, host: str, home: str) -> list[Seed]:
    """Members homed in `home` of `host`'s shared channels, each with its current direct
    connect verdict (a few per channel: built up front, the detail names its reasons)."""
    out: list[Seed] = []
    for ch in ctx.ix.channels_by_tenant.get(host, ()):
        if ch.membership_type != MembershipType.SHARED:
            continue
        members = {m for m in ch.members if m.startswith(home + "/")}
        for team in ch.shared_with_teams:
            members.update(m for m in ctx.ix.team_members.get(team, ()) if m.startswith(home + "/"))
        for m in sorted(members):
            if m not in ctx.ix.users:
                continue
            v = check(ctx.ix, m, ch.ref, via=Via.B2B_DIRECT_CONNECT)
            why = ", ".join(dict.fromkeys(v.codes)) or v.decision.value
            out.append(ctx.verdict_seed(v, path=None, detail=f"{v.decision.value}: {why}"))
    return out


def _dc_one_way(ctx: AuditContext) -> Iterator[Draft]:
    present = {(e.kind, e.source, e.target) for e in ctx.trust_edges}
    for e in ctx.trust_edges:
        if not ctx.wants(e.source):
            continue
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

        def waiting(e: TrustEdge = e, host: str = host, home: str = home) -> list[Seed]:
            first = seed_of(
                Exposure(object=e.target, trust=(e,), detail="the other side is not enabled")
            )
            return in_key_order([first, *_channel_waiters(ctx, host, home)])

        yield Draft(
            info=DC_ONE_WAY,
            tenant=e.source,
            subject=subject,
            message=message,
            policy=e.policy,
            seeds=waiting,
        )


def _dc_no_ca(ctx: AuditContext) -> Iterator[Draft]:
    for e in ctx.trust_edges:
        if e.kind != EdgeKind.DIRECT_CONNECT_MUTUAL or not ctx.wants(e.source):
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

        def direct(
            e: TrustEdge = e, host: str = host.name, home: str = home.name
        ) -> Iterator[Seed]:
            yield seed_of(Exposure(object=home, trust=(e,), detail="direct connect is mutual"))
            shared = sorted(
                c.ref
                for c in ctx.ix.channels_by_tenant.get(host, ())
                if c.membership_type == MembershipType.SHARED
            )
            for ref in shared:
                for r in ctx.outsider_reach(ref):
                    if (
                        r.via == Via.B2B_DIRECT_CONNECT
                        and ctx.principal(r.principal).tenant == home
                        and r.decision == Decision.ALLOW
                    ):
                        yield ctx.seed(r)

        yield Draft(
            info=DC_NO_CA,
            tenant=host.name,
            subject=f"{host.name}<-{home.name}",
            message=f"`{host.name}` and `{home.name}` enable direct connect both ways, but no "
            f"Conditional Access policy of `{host.name}` applies to direct connect users from "
            f"`{home.name}`",
            policy=e.policy,
            seeds=direct,
        )


def _cloud_no_partner(ctx: AuditContext) -> Iterator[Draft]:
    clouds = {endpoint: cloud for cloud, endpoint in CLOUD_ENDPOINTS.items()}
    for t in ctx.audited_tenants():
        policy = t.cross_tenant_access
        for endpoint in policy.allowed_cloud_endpoints:
            cloud = clouds.get(endpoint)
            if cloud is None or cloud == t.cloud:
                continue
            known = [ctx.tenant_by_id.get(p.tenant_id) for p in policy.partners]
            if any(k is not None and k.cloud == cloud for k in known):
                continue
            unknown = sum(1 for k in known if k is None)
            detail = f"no partner entry names a tenant of `{cloud.value}`"
            if unknown:
                detail += f" ({unknown} partner id(s) name tenants outside the world)"
            exposure = Exposure(object=endpoint, detail=detail)
            yield Draft(
                info=CLOUD_NO_PARTNER,
                tenant=t.name,
                subject=f"{t.name}:{endpoint}",
                message=f"`{t.name}` enables `{endpoint}` but has no partner in that cloud",
                policy="crossTenantAccess.allowedCloudEndpoints",
                seeds=seeds_of(partial(tuple, (exposure,))),
            )


_EDGES = Reads(ACCESS_KINDS, world=SETTINGS, access=True)  # trust edges: every tenant's settings
CHECKS = (
    Check(DEFAULT_OPEN, _default_open, ACCESS),
    Check(TRUST_BY_DEFAULT, _trust_by_default, _EDGES),
    Check(DC_ONE_WAY, _dc_one_way, _EDGES),
    Check(DC_NO_CA, _dc_no_ca, _EDGES),
    Check(CLOUD_NO_PARTNER, _cloud_no_partner, Reads(world=SETTINGS)),
)
