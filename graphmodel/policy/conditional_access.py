"""Conditional Access in the resource tenant, with cross-tenant inbound trust.

Rules: R27 (CA is evaluated in addition to cross-tenant settings; `block` denies), R28 (trust
never grants access, it only changes how requirements are met), R29 (MFA for B2B collaboration:
trusted -> performed at home, else in the resource tenant; non-Entra guests always in the
resource tenant, R1), R22 (direct connect + MFA needs MFA trust, else deny), R30 (phishing-
resistant / passwordless strength without MFA trust cannot be met [INFERENCE]), R31 (device
claims only through the matching trust flag, never implied by the other), R23/R32 (controls an
external user cannot satisfy: approved/compliant client app, password change; terms of use for
direct connect [INFERENCE]).
Sources: https://learn.microsoft.com/entra/external-id/authentication-conditional-access ,
https://learn.microsoft.com/entra/external-id/b2b-direct-connect-overview

Who a policy targets (conditionalAccessUsers): included by some include entry and excluded by no
exclude entry, where each side is read with its own settings only — its guest or external user
types and tenants (`include/excludeGuestsOrExternalUsers`) and its roles — so an exclusion
removes exactly what it names. Source:
https://learn.microsoft.com/graph/api/resources/conditionalaccessguestsorexternalusers

Cross-application between the two routes of one person (R43). Microsoft Learn, "Conditional
Access: Users, groups, agents, and workload identities", the note under "Include users":

    "When targeting policies to B2B direct connect external users, these policies are applied to
    B2B collaboration users accessing Teams or SharePoint Online who are also eligible for B2B
    direct connect. The same applies for policies targeted to B2B collaboration external users,
    meaning users accessing Teams shared channels have B2B collaboration policies apply if they
    also have a guest user presence in the tenant."

Source: https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-users-groups
The routes hand the subject the other route's type in `CaSubject.also` (with why it applies);
a policy naming that type in `guestOrExternalUserTypes` applies as if it named the subject's own,
and every reason the policy produces says which policy applied through which route.
[INFERENCE] (xtap.md R43): an exclusion naming the other type exempts the same people — the
note speaks of targeting only.

Conventions (scenarios.md): sessions and devices are not modelled — a principal signs in from a
compliant, hybrid-joined device of its home tenant, so a device requirement depends only on
whether the resource tenant trusts that claim; members satisfy every control at home.
Every applicable policy must be satisfied (AND across policies); within a policy the grant
operator decides. With OR, the engine picks the option needing the least: no MFA, then MFA at
home, then MFA in the resource tenant.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from graphmodel.policy.reasons import reason
from graphmodel.schema.builtin import OFFICE365_SUITE
from graphmodel.schema.entities import App
from graphmodel.schema.enums import (
    CaState,
    DirectoryRole,
    ExternalUserType,
    GrantControl,
    GrantOperator,
)
from graphmodel.schema.governance import ConditionalAccessPolicy
from graphmodel.schema.kinds import EdgeKind
from graphmodel.schema.trust import TRUST_RULES
from graphmodel.schema.verdict import Mfa, Reason, ReasonCode, Side
from graphmodel.schema.xtap import InboundTrust

__all__ = ["AlsoTargeted", "CaOutcome", "CaSubject", "SubjectKind", "evaluate_conditional_access"]


class SubjectKind(StrEnum):
    MEMBER = "member"  # the tenant's own user (incl. internal guests): not external
    COLLABORATION = "collaboration"  # B2B collaboration user with an Entra home tenant
    COLLABORATION_NON_ENTRA = "collaboration_non_entra"  # social / OTP / MSA guest
    DIRECT_CONNECT = "direct_connect"


@dataclass(frozen=True, slots=True, kw_only=True)
class AlsoTargeted:
    """An external user type of the person's other route that policies also reach this sign-in
    through (R43), and why, as a clause for reason messages (`"... eligible for B2B direct
    connect ..."`)."""

    external_type: ExternalUserType
    because: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CaSubject:
    """Who signs in, as CA sees them.

    `object_refs` = the user object's ref and its (transitive) group refs in the resource
    tenant; empty for a direct connect user, who has no object there. `roles` = the directory
    roles that object holds there (none for a direct connect user).
    """

    kind: SubjectKind
    external_type: ExternalUserType | None
    home_tenant: str | None
    object_refs: frozenset[str]
    roles: frozenset[DirectoryRole] = frozenset()
    trust: InboundTrust | None = None
    trust_policy: str | None = None
    also: tuple[AlsoTargeted, ...] = ()  # R43: the other route's type, when it reaches here


@dataclass(slots=True)
class CaOutcome:
    failures: list[Reason] = field(default_factory=list)
    notes: list[Reason] = field(default_factory=list)
    mfa: Mfa = Mfa.NONE
    applied: list[str] = field(default_factory=list)
    controls: list[str] = field(default_factory=list)  # the controls the subject satisfies


_RANK = {Mfa.NONE: 0, Mfa.HOME: 1, Mfa.RESOURCE: 2}


@dataclass(frozen=True, slots=True)
class _Control:
    ok: bool
    mfa: Mfa = Mfa.NONE
    failure: Reason | None = None
    note: Reason | None = None


def _external_match(
    types: tuple[ExternalUserType, ...] | None, tenants: tuple[str, ...] | None, s: CaSubject
) -> bool:
    """Whether `s` is one of the guests or external users a setting names (None = all); a type
    the subject is `also` targeted by (R43) counts as its own."""
    if s.external_type is None:
        return False
    if tenants is not None and s.home_tenant not in tenants:
        return False
    if types is None or s.external_type in types:
        return True
    return any(a.external_type in types for a in s.also)


def _users_match(
    values: Sequence[str],
    s: CaSubject,
    *,
    types: tuple[ExternalUserType, ...] | None,
    tenants: tuple[str, ...] | None,
    roles: tuple[DirectoryRole, ...],
) -> bool:
    """Whether one side (include or exclude) names `s`; `GuestsOrExternalUsers` is narrowed by
    that side's own types and tenants, and roles are that side's own, never the other side's."""
    if not s.roles.isdisjoint(roles):
        return True
    for value in values:
        if value == "All" or value in s.object_refs:
            return True
        if value == "GuestsOrExternalUsers" and _external_match(types, tenants, s):
            return True
    return False


def _users_apply(pol: ConditionalAccessPolicy, s: CaSubject) -> bool:
    u = pol.users
    included = _users_match(
        u.include,
        s,
        types=u.guest_or_external_user_types,
        tenants=u.external_tenants,
        roles=u.include_roles,
    )
    return included and not _users_match(
        u.exclude,
        s,
        types=u.exclude_guest_or_external_user_types,
        tenants=u.exclude_external_tenants,
        roles=u.exclude_roles,
    )


def _app_match(values: Sequence[str], app: App) -> bool:
    for value in values:
        if value == "All" or value == app.ref:
            return True
        if value == "Office365" and app.builtin in OFFICE365_SUITE:
            return True
    return False


def _applies(pol: ConditionalAccessPolicy, s: CaSubject, app: App) -> bool:
    if pol.state != CaState.ENABLED:
        return False
    if not _users_apply(pol, s):
        return False
    return _app_match(pol.applications.include, app) and not _app_match(
        pol.applications.exclude, app
    )


_TYPE_LABELS = {
    ExternalUserType.B2B_COLLABORATION_GUEST: "B2B collaboration guest users",
    ExternalUserType.B2B_COLLABORATION_MEMBER: "B2B collaboration member users",
    ExternalUserType.B2B_DIRECT_CONNECT_USER: "B2B direct connect users",
}


def _through(pol: ConditionalAccessPolicy, s: CaSubject, app: App) -> AlsoTargeted | None:
    """The `also` type through which `pol` applies to `s` when it would not apply to `s`'s own
    type alone (R43); None when it applies on its own (or `s` has no other route)."""
    if not s.also or _applies(pol, replace(s, also=()), app):
        return None
    return next((a for a in s.also if _applies(pol, replace(s, also=(a,)), app)), None)


def _route_note(r: Reason, pol: str, through: AlsoTargeted) -> Reason:
    """`r` with the route `pol` applied through in its message: the reason says which policy
    applied through which route (the code vocabulary of reasons.md is fixed)."""
    label = _TYPE_LABELS.get(through.external_type, through.external_type.value)
    return replace(
        r,
        message=f"{r.message} (`{pol}` targets {label}; it applies to this sign-in because "
        f"{through.because}, R43)",
    )


def _mfa(s: CaSubject, pol: str, tenant: str, *, strong: bool) -> _Control:
    trusted = s.trust is not None and s.trust.is_mfa_accepted
    note = reason(
        ReasonCode.MFA_TRUSTED,
        TRUST_RULES[EdgeKind.TRUSTS_MFA],
        f"`{tenant}` trusts MFA performed in `{s.home_tenant}`",
        tenant=tenant,
        policy=s.trust_policy,
        side=Side.RESOURCE,
    )
    if s.kind == SubjectKind.MEMBER:
        return _Control(True, Mfa.HOME)
    if s.kind == SubjectKind.DIRECT_CONNECT:
        if trusted:
            return _Control(True, Mfa.HOME, note=note)
        return _Control(
            False,
            failure=reason(
                ReasonCode.MFA_NOT_TRUSTED,
                "R22",
                f"`{pol}` requires MFA and a direct connect user can only satisfy it with MFA "
                f"from `{s.home_tenant}`, which `{tenant}` does not trust",
                tenant=tenant,
                policy=s.trust_policy,
                side=Side.RESOURCE,
            ),
        )
    if s.kind == SubjectKind.COLLABORATION and trusted:
        return _Control(True, Mfa.HOME, note=note)
    if strong:
        return _Control(
            False,
            failure=reason(
                ReasonCode.CONTROL_UNSATISFIABLE,
                "R30",
                f"`{pol}` requires a phishing-resistant strength; without MFA trust the guest "
                f"performs MFA in `{tenant}`, where no such method is available",
                tenant=tenant,
                policy=f"conditionalAccess[{pol}]",
                side=Side.RESOURCE,
            ),
        )
    return _Control(True, Mfa.RESOURCE)


def _device(s: CaSubject, pol: str, tenant: str, control: GrantControl) -> _Control:
    if s.kind == SubjectKind.MEMBER:
        return _Control(True)
    compliant = control == GrantControl.COMPLIANT_DEVICE
    label = "compliant device" if compliant else "hybrid-joined device"
    trusted = s.trust is not None and (
        s.trust.is_compliant_device_accepted
        if compliant
        else s.trust.is_hybrid_azure_ad_joined_device_accepted
    )
    if s.kind != SubjectKind.COLLABORATION_NON_ENTRA and trusted:
        return _Control(
            True,
            note=reason(
                ReasonCode.DEVICE_TRUSTED,
                TRUST_RULES[
                    EdgeKind.TRUSTS_COMPLIANT_DEVICE if compliant else EdgeKind.TRUSTS_HYBRID_JOINED
                ],
                f"`{tenant}` trusts the {label} claim of `{s.home_tenant}`",
                tenant=tenant,
                policy=s.trust_policy,
                side=Side.RESOURCE,
            ),
        )
    return _Control(
        False,
        failure=reason(
            ReasonCode.DEVICE_NOT_TRUSTED,
            "R31",
            f"`{pol}` requires a {label} and `{tenant}` does not trust that claim from "
            f"{f'`{s.home_tenant}`' if s.home_tenant else 'this identity provider'}",
            tenant=tenant,
            policy=s.trust_policy or f"conditionalAccess[{pol}]",
            side=Side.RESOURCE,
        ),
    )


def _unsatisfiable(pol: str, tenant: str, control: str, rule: str) -> _Control:
    return _Control(
        False,
        failure=reason(
            ReasonCode.CONTROL_UNSATISFIABLE,
            rule,
            f"`{pol}` requires `{control}`, which external users cannot satisfy",
            tenant=tenant,
            policy=f"conditionalAccess[{pol}]",
            side=Side.RESOURCE,
        ),
    )


def _control(s: CaSubject, pol: str, tenant: str, control: str) -> _Control:
    external = s.kind != SubjectKind.MEMBER
    dc = s.kind == SubjectKind.DIRECT_CONNECT
    if control == GrantControl.BLOCK:
        return _Control(
            False,
            failure=reason(
                ReasonCode.CA_BLOCK,
                "R27",
                f"`{pol}` blocks access",
                tenant=tenant,
                policy=f"conditionalAccess[{pol}]",
                side=Side.RESOURCE,
            ),
        )
    if control in (GrantControl.MFA, GrantControl.AUTH_STRENGTH_MFA):
        return _mfa(s, pol, tenant, strong=False)
    if control in (
        GrantControl.AUTH_STRENGTH_PHISHING_RESISTANT,
        GrantControl.AUTH_STRENGTH_PASSWORDLESS,
    ):
        if s.kind == SubjectKind.COLLABORATION_NON_ENTRA:
            return _unsatisfiable(pol, tenant, control, "R30")
        return _mfa(s, pol, tenant, strong=True)
    if control in (GrantControl.COMPLIANT_DEVICE, GrantControl.DOMAIN_JOINED_DEVICE):
        return _device(s, pol, tenant, GrantControl(control))
    if control == GrantControl.TERMS_OF_USE:
        return _unsatisfiable(pol, tenant, control, "R23") if dc else _Control(True)
    # approvedApplication, compliantApplication, passwordChange
    if external:
        return _unsatisfiable(pol, tenant, control, "R23" if dc else "R32")
    return _Control(True)


def _noted(c: _Control, pol: str, through: AlsoTargeted) -> _Control:
    """A control's outcome with the R43 route in each of its reasons."""
    return replace(
        c,
        failure=None if c.failure is None else _route_note(c.failure, pol, through),
        note=None if c.note is None else _route_note(c.note, pol, through),
    )


def evaluate_conditional_access(
    policies: Sequence[ConditionalAccessPolicy], subject: CaSubject, app: App, tenant: str
) -> CaOutcome:
    """Apply every enabled policy of `tenant` that targets `subject` and `app`."""
    out = CaOutcome()
    for pol in policies:
        if not _applies(pol, subject, app):
            continue
        out.applied.append(pol.name)
        named = [(c, _control(subject, pol.name, tenant, c)) for c in pol.grant]
        through = _through(pol, subject, app)
        if through is not None:
            named = [(n, _noted(c, pol.name, through)) for n, c in named]
        if not named:
            continue
        ok = [(n, c) for n, c in named if c.ok]
        failures = [c.failure for _n, c in named if c.failure is not None]
        if pol.grant_operator == GrantOperator.OR:
            if not ok:
                out.failures.extend(failures)
                continue
            chosen = [min(ok, key=lambda nc: _RANK[nc[1].mfa])]
        else:
            if len(ok) != len(named):
                out.failures.extend(failures)
                continue
            chosen = ok
        for name, c in chosen:
            out.controls.append(name)
            if _RANK[c.mfa] > _RANK[out.mfa]:
                out.mfa = c.mfa
            if c.note is not None and c.note not in out.notes:
                out.notes.append(c.note)
    if out.failures:
        out.notes.clear()
    return out
