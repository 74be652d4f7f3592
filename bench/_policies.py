"""Policies of a generated world: cross-tenant access, Conditional Access, governance.

Why these shapes: the engine promises to evaluate cross-tenant guards once per tenant pair and
per user only where targeting is user/group-scoped, so partner entries mix wide-open sections
with group-scoped and app-scoped ones (inbound allow-lists of the partner's groups, outbound
blocks of one own group, group-scoped direct connect); CA mixes user-independent policies
(MFA for guests, Office 365 MFA) with group-targeted ones, with and without MFA trust.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime

from bench._people import Draft, Gen, TenantDraft
from graphmodel.schema import (
    AccessPackage,
    AccessPackageAssignment,
    AccessPackageAssignmentState,
    AccessPackagePolicy,
    AccessType,
    AllowedTargetScope,
    AutomaticUserConsentSettings,
    B2BSetting,
    CaApplications,
    CaState,
    CaUsers,
    Cloud,
    ConditionalAccessPolicy,
    ConnectedOrganization,
    CrossTenantAccessDefault,
    CrossTenantAccessPartner,
    CrossTenantAccessPolicy,
    ExternalCollaboration,
    ExternalUserType,
    GrantOperator,
    IdentitySynchronization,
    InboundTrust,
    Keyword,
    Target,
    TargetConfiguration,
    TargetType,
    TeamsPolicy,
    TenantType,
)
from graphmodel.schema.ids import derive_id

__all__ = ["AS_OF", "make_conditional_access", "make_governance", "tenant_settings"]

AS_OF = datetime(2026, 1, 1, tzinfo=UTC)


def _config(access: AccessType, targets: list[tuple[str, TargetType]]) -> TargetConfiguration:
    return TargetConfiguration(
        access_type=access,
        targets=tuple(Target(target=t, target_type=k) for t, k in targets),
    )


def _setting(
    access: AccessType,
    users: list[tuple[str, TargetType]] | None = None,
    apps: list[str] | None = None,
    app_access: AccessType | None = None,
) -> B2BSetting:
    return B2BSetting(
        users_and_groups=_config(access, users or [(Keyword.ALL_USERS, TargetType.USER)]),
        applications=_config(
            app_access or access,
            [(a, TargetType.APPLICATION) for a in (apps or [Keyword.ALL_APPLICATIONS])],
        ),
    )


def _groups(rng: random.Random, t: TenantDraft, k: int) -> list[tuple[str, TargetType]]:
    ids = [t.group_ids[ref] for ref in rng.sample(t.leaf_groups, min(k, len(t.leaf_groups)))]
    return [(i, TargetType.GROUP) for i in ids]


def _partner(rng: random.Random, t: TenantDraft, p: TenantDraft) -> CrossTenantAccessPartner:
    r = rng.random()
    inbound: B2BSetting | None = None
    if r < 0.25 and p.leaf_groups:
        inbound = _setting(AccessType.ALLOWED, users=_groups(rng, p, 1 + int(rng.random() * 2)))
    elif r < 0.35 and len(t.apps) > 1:
        picks = rng.sample(t.apps, min(len(t.apps), 1 + int(rng.random() * 3)))
        inbound = _setting(AccessType.ALLOWED, apps=[a.app_id for a in picks])
    elif r < 0.42:
        inbound = _setting(AccessType.BLOCKED)
    outbound = None
    if rng.random() < 0.1 and t.leaf_groups:
        outbound = _setting(AccessType.BLOCKED, users=_groups(rng, t, 1))
    dc_in = dc_out = None
    r = rng.random()
    if r < 0.5:
        dc_in, dc_out = _setting(AccessType.ALLOWED), _setting(AccessType.ALLOWED)
    elif r < 0.6 and p.leaf_groups and t.leaf_groups:
        dc_in = _setting(AccessType.ALLOWED, users=_groups(rng, p, 2))
        dc_out = _setting(AccessType.ALLOWED, users=_groups(rng, t, 2))
    trust = None
    if rng.random() < 0.5:
        trust = InboundTrust(
            is_mfa_accepted=True,
            is_compliant_device_accepted=rng.random() < 0.3,
            is_hybrid_azure_ad_joined_device_accepted=rng.random() < 0.2,
        )
    consent = rng.random() < 0.1
    return CrossTenantAccessPartner(
        tenant_id=p.id,
        inbound_trust=trust,
        b2b_collaboration_inbound=inbound,
        b2b_collaboration_outbound=outbound,
        b2b_direct_connect_inbound=dc_in,
        b2b_direct_connect_outbound=dc_out,
        automatic_user_consent_settings=AutomaticUserConsentSettings(
            inbound_allowed=consent or None, outbound_allowed=consent or None
        ),
        identity_synchronization=IdentitySynchronization(is_sync_allowed=True)
        if p.index in t.synced_from
        else None,
    )


def _default(rng: random.Random) -> CrossTenantAccessDefault:
    r = rng.random()
    return CrossTenantAccessDefault(
        is_service_default=False,
        inbound_trust=InboundTrust(is_mfa_accepted=rng.random() < 0.1),
        b2b_collaboration_inbound=_setting(AccessType.BLOCKED if r < 0.08 else AccessType.ALLOWED),
        b2b_collaboration_outbound=_setting(
            AccessType.BLOCKED if 0.08 <= r < 0.11 else AccessType.ALLOWED
        ),
        b2b_direct_connect_inbound=_setting(AccessType.BLOCKED),
        b2b_direct_connect_outbound=_setting(AccessType.BLOCKED),
    )


def tenant_settings(
    gen: Gen, draft: Draft
) -> dict[int, tuple[CrossTenantAccessPolicy, ExternalCollaboration, TeamsPolicy]]:
    """Per tenant: cross-tenant access (default + partners), collaboration and Teams policy."""
    rng = gen.rng
    tenants = draft.tenants
    out: dict[int, tuple[CrossTenantAccessPolicy, ExternalCollaboration, TeamsPolicy]] = {}
    linked: dict[int, set[int]] = {t.index: set(t.partners) | t.synced_from for t in tenants}
    for t in tenants:
        for p in t.partners:
            linked[p].add(t.index)
    for t in tenants:
        if t.type != TenantType.WORKFORCE:
            out[t.index] = (CrossTenantAccessPolicy(), ExternalCollaboration(), TeamsPolicy())
            continue
        configured = t.index < 30 or rng.random() < 0.4
        partners = sorted(linked[t.index]) if configured else sorted(t.synced_from)
        endpoints: tuple[str, ...] = ()
        if t.cloud == Cloud.USGOV:
            endpoints = ("microsoftonline.com",)
        elif t.index == 0:
            endpoints = ("microsoftonline.us",)
        default = _default(rng) if rng.random() < 0.3 else CrossTenantAccessDefault()
        xtap = CrossTenantAccessPolicy(
            default=default,
            partners=tuple(_partner(rng, t, tenants[i]) for i in partners if i != t.index),
            allowed_cloud_endpoints=endpoints,
        )
        r = rng.random()
        domains = [tenants[i].domain for i in t.partners[:2]]
        collab = ExternalCollaboration(
            blocked_domains=tuple(domains[:1]) if r < 0.1 else None,
            allowed_domains=tuple(domains) if 0.1 <= r < 0.15 else None,
        )
        teams = TeamsPolicy(
            allow_user_to_participate_in_external_shared_channel=rng.random() >= 0.03
        )
        out[t.index] = (xtap, collab, teams)
    return out


def _ca(
    t: TenantDraft, name: str, users: CaUsers, apps: CaApplications, grant: list[str], **kw: object
) -> None:
    t.ca.append(
        ConditionalAccessPolicy(
            tenant=t.name,
            name=name,
            id=derive_id("ca", t.name, name),
            users=users,
            applications=apps,
            grant=tuple(grant),
            **kw,  # type: ignore[arg-type]
        )
    )


def make_conditional_access(gen: Gen, draft: Draft) -> None:
    """0-8 policies per workforce tenant: guests MFA, group-scoped device/strength, app blocks."""
    rng = gen.rng
    all_apps = CaApplications(include=("All",))
    for t in draft.tenants:
        if t.type != TenantType.WORKFORCE:
            continue
        leaf = t.leaf_groups
        if rng.random() < 0.6:
            _ca(t, "mfa-guests", CaUsers(include=("GuestsOrExternalUsers",)), all_apps, ["mfa"])
        if rng.random() < 0.3 and leaf:
            users = CaUsers(include=("All",), exclude=(rng.choice(leaf),))
            _ca(t, "mfa-office", users, CaApplications(include=("Office365",)), ["mfa"])
        if rng.random() < 0.2 and leaf:
            users = CaUsers(include=(rng.choice(leaf),))
            _ca(t, "device-group", users, all_apps, ["compliantDevice"])
        if rng.random() < 0.15 and leaf:
            users = CaUsers(include=(rng.choice(leaf),))
            _ca(t, "strong-admins", users, all_apps, ["authStrength:phishingResistant"])
        if rng.random() < 0.2 and len(t.apps) > 2:
            apps = CaApplications(include=(rng.choice(t.apps[2:]).ref,))
            _ca(t, "block-app", CaUsers(include=("All",)), apps, ["block"])
        if rng.random() < 0.2:
            _ca(
                t,
                "audit-all",
                CaUsers(include=("All",)),
                all_apps,
                ["block"],
                state=CaState.REPORT_ONLY,
            )
        if rng.random() < 0.05:
            users = CaUsers(
                include=("GuestsOrExternalUsers",),
                guest_or_external_user_types=(ExternalUserType.B2B_DIRECT_CONNECT_USER,),
            )
            _ca(t, "dc-terms", users, all_apps, ["termsOfUse"])
        if rng.random() < 0.1 and t.partners:
            users = CaUsers(
                include=("GuestsOrExternalUsers",),
                external_tenants=(draft.tenants[t.partners[0]].name,),
            )
            _ca(
                t,
                "partner-strict",
                users,
                all_apps,
                ["mfa", "compliantDevice"],
                grant_operator=GrantOperator.AND,
            )


def make_governance(gen: Gen, draft: Draft) -> None:
    """Connected organizations and access packages (with external assignments) in big tenants."""
    rng = gen.rng
    tenants = draft.tenants
    for t in tenants[:30]:
        if t.type != TenantType.WORKFORCE or rng.random() >= 0.5 or not t.leaf_groups:
            continue
        for p in t.partners[:2]:
            name = f"org-{tenants[p].name}"
            t.orgs.append(
                ConnectedOrganization(
                    tenant=t.name,
                    name=name,
                    id=derive_id("connectedOrganization", t.name, name),
                    identity_tenant=tenants[p].name,
                )
            )
        resources = [rng.choice(t.leaf_groups), rng.choice(t.apps).ref]
        package = AccessPackage(
            tenant=t.name,
            name="partner-pack",
            id=derive_id("accessPackage", t.name, "partner-pack"),
            resources=tuple(dict.fromkeys(resources)),
            policies=(
                AccessPackagePolicy(
                    allowed_target_scope=AllowedTargetScope.ALL_CONFIGURED_CONNECTED_ORGANIZATION_USERS,
                    expiration="P90D",
                ),
            ),
        )
        t.packages.append(package)
        homes = [u.guest_of for u in t.externals if u.guest_of is not None]
        for home in rng.sample(homes, min(len(homes), 3 + int(rng.random() * 8))):
            expired = rng.random() < 0.2
            t.package_assignments.append(
                AccessPackageAssignment(
                    package=package.ref,
                    target=home,
                    state=AccessPackageAssignmentState.EXPIRED
                    if expired
                    else AccessPackageAssignmentState.DELIVERED,
                    expires=datetime(2025, 6, 1, tzinfo=UTC) if expired else None,
                )
            )
