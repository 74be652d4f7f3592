"""Cross-tenant access settings: effective section resolution and the user x app rule.

Rules: R2 (home outbound and resource inbound must both allow), R3 (partner section replaces the
default section, no merge; a null section inherits), R5 (user/group targets are object ids of
the user's home tenant, membership transitive [INFERENCE]), R7 (the documented truth table of a
B2BSetting — blocked x blocked blocks only the intersection), R8 (targets within a list are
OR-ed), R9 (an app target matches the app id), R10 (Office365 / AllMicrosoftApps keywords),
R40 (dangling ids never match).
Sources: https://learn.microsoft.com/graph/api/resources/crosstenantaccesspolicy-overview ,
https://learn.microsoft.com/entra/external-id/cross-tenant-access-settings-b2b-collaboration
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from graphmodel.schema.builtin import OFFICE365_SUITE
from graphmodel.schema.entities import App, Tenant
from graphmodel.schema.enums import AccessType, BuiltinApp
from graphmodel.schema.xtap import (
    B2BSetting,
    CrossTenantAccessPartner,
    InboundTrust,
    Keyword,
    Section,
    TargetConfiguration,
)

__all__ = [
    "AppFacts",
    "EffectiveSection",
    "admits_anyone",
    "allows",
    "allows_some_app",
    "app_matches",
    "automatic_redemption",
    "effective_setting",
    "effective_trust",
    "is_wide_open",
    "user_matches",
]


@dataclass(frozen=True, slots=True)
class AppFacts:
    """What app targets are matched against: the app id and whether it is first-party."""

    app_id: str
    builtin: BuiltinApp | None = None

    @classmethod
    def of(cls, app: App) -> AppFacts:
        return cls(app.app_id, app.builtin)


@dataclass(frozen=True, slots=True)
class EffectiveSection:
    """A resolved section plus where it came from, for explanations (R3)."""

    setting: B2BSetting
    policy: str  # e.g. `crossTenantAccess.partners[fabrikam].b2bCollaborationInbound`
    from_partner: bool


_ATTR = {
    Section.B2B_COLLABORATION_INBOUND: "b2b_collaboration_inbound",
    Section.B2B_COLLABORATION_OUTBOUND: "b2b_collaboration_outbound",
    Section.B2B_DIRECT_CONNECT_INBOUND: "b2b_direct_connect_inbound",
    Section.B2B_DIRECT_CONNECT_OUTBOUND: "b2b_direct_connect_outbound",
}


def effective_setting(owner: Tenant, other: Tenant, section: Section) -> EffectiveSection:
    """`eff(owner -> other, section)`: the partner section if set, else the default (R3).

    There is no merge: a non-null partner section fully replaces the default section.
    """
    policy = owner.cross_tenant_access
    attr = _ATTR[section]
    partner: CrossTenantAccessPartner | None = policy.partner(other.id)
    if partner is not None:
        value: B2BSetting | None = getattr(partner, attr)
        if value is not None:
            return EffectiveSection(
                value, f"crossTenantAccess.partners[{other.name}].{section.value}", True
            )
    default: B2BSetting = getattr(policy.default, attr)
    return EffectiveSection(default, f"crossTenantAccess.default.{section.value}", False)


def effective_trust(owner: Tenant, other: Tenant) -> tuple[InboundTrust, str]:
    """`eff(owner -> other, inboundTrust)` and the policy path it came from (R3, R28)."""
    partner = owner.cross_tenant_access.partner(other.id)
    if partner is not None and partner.inbound_trust is not None:
        return partner.inbound_trust, f"crossTenantAccess.partners[{other.name}].inboundTrust"
    return owner.cross_tenant_access.default.inbound_trust, "crossTenantAccess.default.inboundTrust"


def automatic_redemption(home: Tenant, resource: Tenant) -> bool:
    """R18: consent prompt suppressed only if home outbound AND resource inbound allow it."""
    out = home.cross_tenant_access.partner(resource.id)
    inb = resource.cross_tenant_access.partner(home.id)
    return bool(
        out is not None
        and out.automatic_user_consent_settings.outbound_allowed
        and inb is not None
        and inb.automatic_user_consent_settings.inbound_allowed
    )


def user_matches(config: TargetConfiguration, user_object_ids: Collection[str]) -> bool:
    """R5/R8: the user matches when any target is AllUsers or one of its (group) object ids.

    `user_object_ids` = the user's own id plus the ids of every group it is in (transitively)
    in its home tenant. Dangling ids simply never match (R40).
    """
    return any(t.target == Keyword.ALL_USERS or t.target in user_object_ids for t in config.targets)


def app_matches(config: TargetConfiguration, app: AppFacts) -> bool:
    """R9/R10: an application target matches the app id, or a keyword covering the app."""
    for t in config.targets:
        target = t.target
        if target == Keyword.ALL_APPLICATIONS or target == app.app_id:
            return True
        if target == Keyword.OFFICE365 and app.builtin in OFFICE365_SUITE:
            return True
        if target == Keyword.ALL_MICROSOFT_APPS and app.builtin is not None:
            return True
    return False


def allows(setting: B2BSetting, user_object_ids: Collection[str], app: AppFacts) -> bool:
    """R7: whether one B2BSetting admits this user x app (the documented truth table).

    Examples
    --------
    Blocking group g1 on all applications still admits every other user to every app:

    >>> from graphmodel.schema.xtap import Target, TargetConfiguration as TC
    >>> from graphmodel.schema.enums import AccessType as A, TargetType as T
    >>> g1 = Target(target="g1", target_type=T.GROUP)
    >>> s = B2BSetting(
    ...     users_and_groups=TC(access_type=A.BLOCKED, targets=(g1,)),
    ...     applications=TC(access_type=A.BLOCKED,
    ...                     targets=(Target(target="AllApplications", target_type=T.APPLICATION),)))
    >>> allows(s, {"u2"}, AppFacts("a1")), allows(s, {"u1", "g1"}, AppFacts("a1"))
    (True, False)
    """
    u = user_matches(setting.users_and_groups, user_object_ids)
    a = app_matches(setting.applications, app)
    users_allowed = setting.users_and_groups.access_type == AccessType.ALLOWED
    apps_allowed = setting.applications.access_type == AccessType.ALLOWED
    if users_allowed and apps_allowed:
        return u and a
    if users_allowed:
        return u and not a
    if apps_allowed:
        return not u and a
    return not (u and a)


def _blocks_every_app(config: TargetConfiguration) -> bool:
    return config.access_type == AccessType.BLOCKED and any(
        t.target == Keyword.ALL_APPLICATIONS for t in config.targets
    )


def _some_app_for(setting: B2BSetting, u: bool) -> bool:
    users_allowed = setting.users_and_groups.access_type == AccessType.ALLOWED
    apps = setting.applications
    some_app = (
        bool(apps.targets)
        if apps.access_type == AccessType.ALLOWED
        else not _blocks_every_app(apps)
    )
    if users_allowed:
        return u and some_app
    if apps.access_type == AccessType.ALLOWED:
        return not u and some_app
    return not (u and _blocks_every_app(apps))


def allows_some_app(setting: B2BSetting, user_object_ids: Collection[str]) -> bool:
    """Whether the setting admits this user for at least one application (invitations, R15)."""
    return _some_app_for(setting, user_matches(setting.users_and_groups, user_object_ids))


def admits_anyone(setting: B2BSetting) -> bool:
    """Whether some user x app passes the section (a trust edge exists at all)."""
    targets = setting.users_and_groups.targets
    someone_matches = bool(targets)
    someone_does_not = not any(t.target == Keyword.ALL_USERS for t in targets)
    return (someone_matches and _some_app_for(setting, True)) or (
        someone_does_not and _some_app_for(setting, False)
    )


def is_wide_open(setting: B2BSetting) -> bool:
    """True when the section admits every user to every app (AllUsers x AllApplications allowed)."""
    ug, ap = setting.users_and_groups, setting.applications
    return (
        ug.access_type == AccessType.ALLOWED
        and any(t.target == Keyword.ALL_USERS for t in ug.targets)
        and ap.access_type == AccessType.ALLOWED
        and any(t.target == Keyword.ALL_APPLICATIONS for t in ap.targets)
    )
