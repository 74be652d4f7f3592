"""Routes through a user object in the resource tenant: members and B2B collaboration users.

Gate order (lifecycle.md §2I): cloud (R35) -> account state (L13, L22, L30) -> cross-tenant
settings at sign-in (R2, R12, R16, R17; not for non-Entra guests, R1) -> app / channel gates
(L37, L25, R21/L26) -> redemption (L7, L8, re-checking the domain list L4) -> Conditional Access
with inbound trust (R27-R32). Every failing gate is reported.
"""

from __future__ import annotations

from graphmodel.engine.ca_reach import collaboration_also
from graphmodel.engine.grants import app_grant_hops, channel_grant_hops, hop
from graphmodel.engine.index import WorldIndex
from graphmodel.engine.lifecycle import lifecycle_gate
from graphmodel.engine.route import Resource, RouteResult
from graphmodel.policy.apps import app_enabled_gate, audience_gate
from graphmodel.policy.clouds import cloud_gate
from graphmodel.policy.collaboration import domain_gate
from graphmodel.policy.conditional_access import (
    CaSubject,
    SubjectKind,
    evaluate_conditional_access,
)
from graphmodel.policy.crosstenant import (
    AppFacts,
    allows,
    automatic_redemption,
    effective_setting,
    effective_trust,
)
from graphmodel.policy.reasons import reason
from graphmodel.schema.builtin import TERMS_OF_USE_APP_ID
from graphmodel.schema.entities import App, Channel, Tenant, User
from graphmodel.schema.enums import (
    BuiltinApp,
    ExternalUserState,
    ExternalUserType,
    GrantControl,
    MembershipType,
    UserType,
    Via,
)
from graphmodel.schema.kinds import EdgeKind
from graphmodel.schema.verdict import AccessPath, Hop, Reason, ReasonCode, Side
from graphmodel.schema.xtap import Section

__all__ = [
    "automatic_redemption_note",
    "home_account_gate",
    "object_grants",
    "object_route",
    "xtap_gate",
]


def xtap_gate(
    ix: WorldIndex,
    principal: User,
    home: Tenant,
    resource: Tenant,
    app: App,
    *,
    outbound: Section,
    inbound: Section,
    rule: str,
) -> tuple[list[Reason], str]:
    """R2: home outbound and resource inbound must both admit user x app (each per R7).

    Returns the failures (outbound first, I3) and the inbound policy path for the path's hop.
    """
    ids = ix.xtap_object_ids(principal)
    facts = AppFacts.of(app)
    failures: list[Reason] = []
    out = effective_setting(home, resource, outbound)
    inb = effective_setting(resource, home, inbound)
    if not allows(out.setting, ids, facts):
        failures.append(
            reason(
                ReasonCode.OUTBOUND_BLOCKED,
                rule,
                f"`{home.name}`'s {outbound.value} setting for `{resource.name}` does not allow "
                f"`{principal.ref}` to use `{app.name}`",
                tenant=home.name,
                policy=out.policy,
                side=Side.HOME,
            )
        )
    if not allows(inb.setting, ids, facts):
        failures.append(
            reason(
                ReasonCode.INBOUND_BLOCKED,
                rule,
                f"`{resource.name}`'s {inbound.value} setting for `{home.name}` does not admit "
                f"`{principal.ref}` to `{app.name}`",
                tenant=resource.name,
                policy=inb.policy,
                side=Side.RESOURCE,
            )
        )
    return failures, inb.policy


def _subject_kind(ix: WorldIndex, subject: User, principal: User) -> SubjectKind:
    if subject is principal and subject.guest_of is None and subject.synced_from is None:
        if not ix.is_entra_identity(subject) and subject.user_type == UserType.GUEST:
            return SubjectKind.COLLABORATION_NON_ENTRA
        return SubjectKind.MEMBER
    return SubjectKind.COLLABORATION


def _external_type(kind: SubjectKind, subject: User) -> ExternalUserType | None:
    if kind == SubjectKind.MEMBER:
        return ExternalUserType.INTERNAL_GUEST if subject.user_type == UserType.GUEST else None
    if subject.user_type == UserType.GUEST:
        return ExternalUserType.B2B_COLLABORATION_GUEST
    return ExternalUserType.B2B_COLLABORATION_MEMBER


def home_account_gate(principal: User) -> list[Reason]:
    """L13 [INFERENCE]: a home account that is disabled cannot authenticate anywhere."""
    if principal.account_enabled:
        return []
    return [
        reason(
            ReasonCode.ACCOUNT_DISABLED,
            "L13",
            f"the home account `{principal.ref}` is disabled, so it cannot authenticate",
            tenant=principal.tenant,
            policy=f"users[{principal.name}].accountEnabled",
            side=Side.HOME,
        )
    ]


def _account_gates(ix: WorldIndex, subject: User, principal: User) -> list[Reason]:
    out: list[Reason] = []
    if not subject.account_enabled:
        out.append(
            reason(
                ReasonCode.ACCOUNT_DISABLED,
                "L30" if subject.synced_from else "L13",
                f"`{subject.ref}` is disabled for sign-in in `{subject.tenant}`",
                tenant=subject.tenant,
                policy=f"users[{subject.name}].accountEnabled",
                side=Side.RESOURCE,
            )
        )
    if subject is not principal:
        out.extend(home_account_gate(principal))
    if subject is not principal:
        out.extend(lifecycle_gate(ix, subject, principal))
    return out


def object_grants(
    ix: WorldIndex, subject: User, principal: User, resource: Resource
) -> list[list[Hop]]:
    """The grant hop lists of the route through `subject` without evaluating a gate: each path
    of the route is its entry hop (a B2B collaboration user's guest or synced object) then one
    of these. Empty when nothing grants the resource, or for a B2B collaboration user on a
    shared channel (R21)."""
    return _grants(ix, subject, principal, resource, _subject_kind(ix, subject, principal))


def _grants(
    ix: WorldIndex, subject: User, principal: User, resource: Resource, kind: SubjectKind
) -> list[list[Hop]]:
    if isinstance(resource, App):
        return app_grant_hops(ix, subject, principal, resource)
    if resource.membership_type == MembershipType.SHARED and kind != SubjectKind.MEMBER:
        return []
    return channel_grant_hops(ix, subject, resource)


def _resource_gates(
    ix: WorldIndex, subject: User, principal: User, resource: Resource, kind: SubjectKind
) -> tuple[list[Reason], list[list[Hop]]]:
    grants = _grants(ix, subject, principal, resource, kind)
    if isinstance(resource, Channel):
        if resource.membership_type == MembershipType.SHARED and kind != SubjectKind.MEMBER:
            return [
                reason(
                    ReasonCode.GUEST_IN_SHARED_CHANNEL,
                    "L26" if subject.synced_from else "R21",
                    f"`{subject.ref}` is a B2B collaboration user; shared channels are reachable "
                    "only through B2B direct connect with the home identity",
                    tenant=resource.tenant,
                    policy=f"channels[{resource.ref}]",
                    side=Side.RESOURCE,
                )
            ], []
        if not grants:
            return [_not_member(subject, resource)], []
        return [], grants
    failures = app_enabled_gate(resource)
    failures.extend(
        audience_gate(
            ix.registration_of(resource), subject.identity_provider, directory_object=True
        )
    )
    if not grants:
        failures.append(
            reason(
                ReasonCode.NOT_ASSIGNED,
                "L37",
                f"`{resource.ref}` requires assignment and `{subject.ref}` has none (directly, "
                "or as a direct member of an assigned group)",
                tenant=resource.tenant,
                policy=f"apps[{resource.name}].appRoleAssignmentRequired",
                side=Side.RESOURCE,
            )
        )
    return failures, grants


def _not_member(subject: User, channel: Channel) -> Reason:
    what = "team" if channel.membership_type == MembershipType.STANDARD else "channel"
    return reason(
        ReasonCode.NOT_CHANNEL_MEMBER,
        "L25",
        f"`{subject.ref}` is not a member of the {what} of `{channel.ref}` "
        f"({channel.membership_type.value} channel)",
        tenant=channel.tenant,
        policy=f"channels[{channel.ref}].members",
        side=Side.RESOURCE,
    )


def _redemption(
    ix: WorldIndex, subject: User, principal: User
) -> tuple[list[Reason], list[Reason]]:
    """L8: an unredeemed guest is pending; redemption re-checks the domain list (L4)."""
    if subject.external_user_state != ExternalUserState.PENDING_ACCEPTANCE:
        return [], []
    pending = [
        reason(
            ReasonCode.INVITATION_PENDING,
            "L8",
            f"`{subject.ref}` has not redeemed its invitation; access starts after redemption",
            tenant=subject.tenant,
            policy=f"users[{subject.name}].externalUserState",
            side=Side.RESOURCE,
        )
    ]
    address = principal.mail or principal.user_principal_name
    return pending, domain_gate(ix.tenants[subject.tenant], address, rule="L4")


def _terms_of_use_gate(
    ix: WorldIndex, principal: User, home: Tenant, resource: Tenant
) -> list[Reason]:
    """R42 [INFERENCE]: a terms-of-use control needs the Terms of Use app allowed both ways."""
    tou = App(
        tenant=resource.name,
        name="Terms of Use",
        id=TERMS_OF_USE_APP_ID,
        app_id=TERMS_OF_USE_APP_ID,
        builtin=BuiltinApp.TERMS_OF_USE,
    )
    failures, _policy = xtap_gate(
        ix,
        principal,
        home,
        resource,
        tou,
        outbound=Section.B2B_COLLABORATION_OUTBOUND,
        inbound=Section.B2B_COLLABORATION_INBOUND,
        rule="R42",
    )
    return failures


def automatic_redemption_note(home: Tenant, resource: Tenant) -> list[Reason]:
    """R18: an annotation when both sides suppress the consent prompt (never a decision)."""
    if not automatic_redemption(home, resource):
        return []
    return [
        reason(
            ReasonCode.AUTOMATIC_REDEMPTION,
            "R18",
            f"automatic redemption is enabled by both `{home.name}` (outbound) and "
            f"`{resource.name}` (inbound): no consent prompt",
            tenant=resource.name,
            policy=f"crossTenantAccess.partners[{home.name}].automaticUserConsentSettings",
        )
    ]


def object_route(ix: WorldIndex, principal: User, subject: User, resource: Resource) -> RouteResult:
    """Evaluate access through `subject`, a user object in the resource's tenant."""
    res_tenant = ix.tenants[resource.tenant]
    kind = _subject_kind(ix, subject, principal)
    via = Via.MEMBER if kind == SubjectKind.MEMBER else Via.B2B_COLLABORATION
    result = RouteResult(via=via, subject=subject)
    app = resource if isinstance(resource, App) else ix.teams_app(resource.tenant)
    home = ix.tenants[principal.tenant]
    entry: list[Hop] = []
    trust = None
    trust_policy = None
    if kind == SubjectKind.COLLABORATION:
        cloud = cloud_gate(home, res_tenant, direct_connect=False)
        result.failures.extend(cloud)
        inbound_policy = None
        if not cloud:
            xtap, inbound_policy = xtap_gate(
                ix,
                principal,
                home,
                res_tenant,
                app,
                outbound=Section.B2B_COLLABORATION_OUTBOUND,
                inbound=Section.B2B_COLLABORATION_INBOUND,
                rule="R12" if subject.guest_of else "R17",
            )
            result.failures.extend(xtap)
        trust, trust_policy = effective_trust(res_tenant, home)
        edge = EdgeKind.GUEST_OF if subject.guest_of else EdgeKind.SYNCED_FROM
        entry = [hop(principal.ref, subject.ref, edge, "R12", inbound_policy)]
    result.failures.extend(_account_gates(ix, subject, principal))
    failures, grants = _resource_gates(ix, subject, principal, resource, kind)
    result.failures.extend(failures)
    pending, redemption_failures = _redemption(ix, subject, principal)
    result.pending.extend(pending)
    result.failures.extend(redemption_failures)
    ca = evaluate_conditional_access(
        ix.ca_by_tenant.get(resource.tenant, []),
        CaSubject(
            kind=kind,
            external_type=_external_type(kind, subject),
            home_tenant=home.name if kind == SubjectKind.COLLABORATION else None,
            object_refs=frozenset({subject.ref, *ix.transitive_groups(subject.ref)}),
            roles=frozenset(subject.roles),
            trust=trust,
            trust_policy=trust_policy,
            also=(
                collaboration_also(ix, principal, home, res_tenant, app)
                if kind == SubjectKind.COLLABORATION
                else ()
            ),
        ),
        app,
        resource.tenant,
    )
    result.apply(ca)
    if kind == SubjectKind.COLLABORATION and GrantControl.TERMS_OF_USE in ca.controls:
        result.failures.extend(_terms_of_use_gate(ix, principal, home, res_tenant))
    if kind == SubjectKind.COLLABORATION:
        result.notes.extend(automatic_redemption_note(home, res_tenant))
    result.paths = [AccessPath(via=via, hops=(*entry, *g)) for g in grants]
    return result
