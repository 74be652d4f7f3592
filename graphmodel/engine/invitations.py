"""Invitations, guest self-service sign-up and access-package requests.

Rules: L1 (who may invite), L2/L3/R15 (domain list and cross-tenant settings at invitation:
a blocked domain wins over cross-tenant allow; an allow-listed domain still needs cross-tenant
settings to allow), R35 (clouds at invitation), L6 (an existing user is not re-invited),
L33 (self-service sign-up needs the tenant switch and a user flow attached to the app; never for
Microsoft apps; domain lists not applied [INFERENCE]), L19 (who may request an access package).
"""

from __future__ import annotations

from dataclasses import dataclass

from graphmodel.engine.index import WorldIndex
from graphmodel.engine.lifecycle import lifecycle_gate
from graphmodel.errors import NodeNotFound
from graphmodel.policy.clouds import cloud_gate
from graphmodel.policy.collaboration import domain_gate, domain_of, inviter_gate
from graphmodel.policy.crosstenant import allows_some_app, effective_setting
from graphmodel.policy.reasons import reason
from graphmodel.schema.entities import Tenant, User
from graphmodel.schema.enums import (
    AllowedTargetScope,
    ConnectedOrgState,
    IdentityProviderKind,
    TenantType,
)
from graphmodel.schema.verdict import Decision, Reason, ReasonCode, Side
from graphmodel.schema.xtap import Section

__all__ = ["Answer", "can_invite", "can_request", "can_sign_up"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Answer:
    """The verdict of a yes/no administrative question (invite, sign up, request)."""

    decision: Decision
    reasons: tuple[Reason, ...] = ()

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(r.code.value for r in self.reasons)


def _answer(failures: list[Reason]) -> Answer:
    return Answer(decision=Decision.DENY if failures else Decision.ALLOW, reasons=tuple(failures))


def can_invite(ix: WorldIndex, invitee: str, inviter_ref: str) -> Answer:
    """May `inviter_ref` invite `invitee` (a user handle or an email address) as a new guest?"""
    inviter = ix.users.get(inviter_ref)
    if inviter is None:
        raise NodeNotFound(inviter_ref, kind="inviter")
    tenant = ix.tenants[inviter.tenant]
    person: User | None = None
    if "@" in invitee:
        address = invitee
        home = ix.tenant_of_domain(domain_of(address))
        person = ix.user_by_mail(address)  # indexed: the first match in world order
    else:
        found = ix.users.get(invitee)
        if found is None:
            raise NodeNotFound(invitee, kind="invitee")
        person = ix.home_identity(found)
        address = person.mail or person.user_principal_name
        home = ix.tenants[person.tenant] if ix.is_entra_identity(person) else None
    failures = inviter_gate(tenant, inviter)
    exists = (
        domain_of(address) in (d.lower() for d in tenant.domains)
        or (person is not None and person.tenant == tenant.name)
        or (person is not None and ix.representation_in(person, tenant.name) is not None)
    )
    if exists:
        failures.append(
            reason(
                ReasonCode.ALREADY_EXISTS,
                "L6",
                f"`{address}` already has a user object in `{tenant.name}`; reset its redemption "
                "instead of inviting again",
                tenant=tenant.name,
                side=Side.RESOURCE,
            )
        )
    failures.extend(domain_gate(tenant, address))
    if home is not None and home.name != tenant.name and home.type == TenantType.WORKFORCE:
        cloud = cloud_gate(home, tenant, direct_connect=False)
        failures.extend(cloud)
        if not cloud:
            failures.extend(_xtap_at_invitation(ix, person, home, tenant))
    return _answer(failures)


def _xtap_at_invitation(
    ix: WorldIndex, person: User | None, home: Tenant, resource: Tenant
) -> list[Reason]:
    """R15: cross-tenant settings that block the invitee for every app block the invitation."""
    ids = ix.xtap_object_ids(person) if person is not None else frozenset()
    who = person.ref if person is not None else f"users of `{home.name}`"
    out: list[Reason] = []
    outbound = effective_setting(home, resource, Section.B2B_COLLABORATION_OUTBOUND)
    if not allows_some_app(outbound.setting, ids):
        out.append(
            reason(
                ReasonCode.OUTBOUND_BLOCKED,
                "R15",
                f"`{home.name}` blocks B2B collaboration outbound to `{resource.name}` for {who}",
                tenant=home.name,
                policy=outbound.policy,
                side=Side.HOME,
            )
        )
    inbound = effective_setting(resource, home, Section.B2B_COLLABORATION_INBOUND)
    if not allows_some_app(inbound.setting, ids):
        out.append(
            reason(
                ReasonCode.INBOUND_BLOCKED,
                "R15",
                f"`{resource.name}` blocks B2B collaboration inbound from `{home.name}` for {who}",
                tenant=resource.name,
                policy=inbound.policy,
                side=Side.RESOURCE,
            )
        )
    return out


def can_sign_up(ix: WorldIndex, email: str, app_ref: str, identity_provider: str) -> Answer:
    """L33: may a new guest create an account for `app_ref` through self-service sign-up?"""
    app = ix.apps.get(app_ref)
    if app is None:
        raise NodeNotFound(app_ref, kind="app")
    tenant = ix.tenants[app.tenant]
    settings = tenant.external_collaboration.self_service_sign_up
    failures: list[Reason] = []
    policy = "externalCollaboration.selfServiceSignUp"
    if not settings.enabled:
        why = f"self-service sign-up is disabled in `{tenant.name}`"
    elif app.builtin is not None:
        why = f"`{app.ref}` is a Microsoft app; user flows cannot be attached to it"
    elif app.ref not in settings.apps:
        why = f"no self-service sign-up user flow is attached to `{app.ref}`"
    else:
        why = ""
    if why:
        failures.append(
            reason(ReasonCode.SIGN_UP_DISABLED, "L33", why, tenant=tenant.name, policy=policy)
        )
    kinds = {p.kind.value for p in tenant.identity_providers}
    builtin_idps = {
        IdentityProviderKind.EMAIL_OTP.value,
        IdentityProviderKind.ENTRA.value,
        IdentityProviderKind.MICROSOFT_ACCOUNT.value,
    }
    if identity_provider not in kinds and identity_provider not in builtin_idps:
        failures.append(
            reason(
                ReasonCode.SIGN_UP_DISABLED,
                "L33",
                f"`{tenant.name}` has no `{identity_provider}` identity provider configured",
                tenant=tenant.name,
                policy="identityProviders",
            )
        )
    if ix.has_mail_in(tenant.name, email):
        failures.append(
            reason(
                ReasonCode.ALREADY_EXISTS,
                "L6",
                f"`{email}` already has an account in `{tenant.name}`",
                tenant=tenant.name,
            )
        )
    return _answer(failures)


def can_request(ix: WorldIndex, requester_ref: str, package_ref: str) -> Answer:
    """L19: whether some policy of the access package admits this requester."""
    package = ix.packages.get(package_ref)
    if package is None:
        raise NodeNotFound(package_ref, kind="access package")
    found = ix.users.get(requester_ref)
    if found is None:
        raise NodeNotFound(requester_ref, kind="requester")
    person = ix.home_identity(found)
    tenant = package.tenant
    internal = person.tenant == tenant
    guest = ix.representation_in(person, tenant)
    has_object = internal or guest is not None
    if guest is not None and (not guest.account_enabled or lifecycle_gate(ix, guest, person)):
        return _answer(
            [
                reason(
                    ReasonCode.NOT_REQUESTABLE,
                    "L22",
                    f"`{guest.ref}` is blocked from signing in to `{tenant}`, so it cannot "
                    "request access packages",
                    tenant=tenant,
                    policy=f"users[{guest.name}].accountEnabled",
                    side=Side.RESOURCE,
                )
            ]
        )
    orgs = {o.ref: o for o in ix.connected_orgs.get(tenant, [])}
    for pol in package.policies:
        scope = pol.allowed_target_scope
        if scope == AllowedTargetScope.ALL_MEMBER_USERS and internal:
            return _answer([])
        if scope == AllowedTargetScope.ALL_DIRECTORY_USERS and has_object:
            return _answer([])
        if internal or not package.catalog_externally_visible:
            continue
        if scope == AllowedTargetScope.ALL_EXTERNAL_USERS:
            return _answer([])
        if scope == AllowedTargetScope.ALL_CONFIGURED_CONNECTED_ORGANIZATION_USERS and any(
            o.identity_tenant == person.tenant and o.state == ConnectedOrgState.CONFIGURED
            for o in orgs.values()
        ):
            return _answer([])
        if scope == AllowedTargetScope.SPECIFIC_CONNECTED_ORGANIZATION_USERS and any(
            orgs[o].identity_tenant == person.tenant
            for o in pol.specific_allowed_targets
            if o in orgs
        ):
            return _answer([])
    return _answer(
        [
            reason(
                ReasonCode.NOT_REQUESTABLE,
                "L19",
                f"no policy of `{package.ref}` admits `{person.ref}` (scope, connected "
                "organization state or catalog visibility)",
                tenant=tenant,
                policy=f"accessPackages[{package.name}].policies",
                side=Side.RESOURCE,
            )
        ]
    )
