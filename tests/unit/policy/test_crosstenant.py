"""Unit tests of cross-tenant settings semantics (R3, R5, R7, R8, R10) on plain schema values.

Write tests here as small tables: build a B2BSetting with `_setting`, then assert what `allows`
answers for a user inside/outside the targets and an app inside/outside the targets.
"""

from __future__ import annotations

import itertools

import pytest

from graphmodel.policy.crosstenant import (
    AppFacts,
    admits_anyone,
    allows,
    allows_some_app,
    effective_setting,
    effective_trust,
)
from graphmodel.schema import (
    AccessType,
    B2BSetting,
    BuiltinApp,
    CrossTenantAccessDefault,
    CrossTenantAccessPartner,
    CrossTenantAccessPolicy,
    InboundTrust,
    Section,
    Target,
    TargetConfiguration,
    TargetType,
    Tenant,
)
from graphmodel.schema.builtin import BUILTIN_APP_IDS
from graphmodel.schema.xtap import b2b_setting

A, B = AccessType.ALLOWED, AccessType.BLOCKED
G1 = "g1-object-id"
A1 = "a1-app-id"


def _setting(
    users: AccessType, user_targets: list[str], apps: AccessType, app_targets: list[str]
) -> B2BSetting:
    return B2BSetting(
        users_and_groups=TargetConfiguration(
            access_type=users,
            targets=tuple(Target(target=t, target_type=TargetType.GROUP) for t in user_targets),
        ),
        applications=TargetConfiguration(
            access_type=apps,
            targets=tuple(
                Target(target=t, target_type=TargetType.APPLICATION) for t in app_targets
            ),
        ),
    )


IN_G1 = {"user-1", G1}
NOT_G1 = {"user-2"}
APP_A1 = AppFacts(A1)
OTHER_APP = AppFacts("other-app-id")


# The documented rows of "Interpreting the API response" (R7), g1 x a1 in every combination.
@pytest.mark.parametrize(
    ("users", "apps", "g1_a1", "g1_other", "rest_a1", "rest_other"),
    [
        (A, A, True, False, False, False),  # allow g1 / allow a1: g1 only a1, others nothing
        (A, B, False, True, False, False),  # allow g1 / block a1: g1 every app except a1
        (B, A, False, False, True, False),  # block g1 / allow a1: g1 nothing, others only a1
        (B, B, False, True, True, True),  # block g1 / block a1: only the intersection blocked
    ],
)
def test_truth_table(
    users: AccessType,
    apps: AccessType,
    g1_a1: bool,
    g1_other: bool,
    rest_a1: bool,
    rest_other: bool,
) -> None:
    s = _setting(users, [G1], apps, [A1])
    assert allows(s, IN_G1, APP_A1) is g1_a1
    assert allows(s, IN_G1, OTHER_APP) is g1_other
    assert allows(s, NOT_G1, APP_A1) is rest_a1
    assert allows(s, NOT_G1, OTHER_APP) is rest_other


def test_blocked_group_on_all_applications_leaves_everyone_else_every_app() -> None:
    s = _setting(B, [G1], B, ["AllApplications"])
    assert not allows(s, IN_G1, APP_A1)
    assert allows(s, NOT_G1, APP_A1) and allows(s, NOT_G1, OTHER_APP)


def test_targets_in_one_list_are_ored() -> None:
    s = _setting(A, ["g2", G1], A, ["x", A1])
    assert allows(s, IN_G1, APP_A1)
    assert not allows(s, NOT_G1, APP_A1)


def test_dangling_ids_never_match() -> None:
    s = _setting(A, ["deleted-group"], A, ["AllApplications"])
    assert not allows(s, IN_G1, APP_A1)


@pytest.mark.parametrize("builtin", [BuiltinApp.EXCHANGE, BuiltinApp.SHAREPOINT, BuiltinApp.TEAMS])
def test_office365_keyword_covers_suite_members(builtin: BuiltinApp) -> None:
    s = _setting(A, ["AllUsers"], B, ["Office365"])
    assert not allows(s, NOT_G1, AppFacts(BUILTIN_APP_IDS[builtin], builtin))
    assert allows(s, NOT_G1, AppFacts("line-of-business"))


def test_all_microsoft_apps_matches_first_party_only() -> None:
    s = _setting(A, ["AllUsers"], A, ["AllMicrosoftApps"])
    portal = BuiltinApp.AZURE_PORTAL
    assert allows(s, NOT_G1, AppFacts(BUILTIN_APP_IDS[portal], portal))
    assert not allows(s, NOT_G1, AppFacts("line-of-business"))


def _tenant(name: str, policy: CrossTenantAccessPolicy) -> Tenant:
    return Tenant(name=name, id=f"{name}-id", domains=(f"{name}.com",), cross_tenant_access=policy)


def test_partner_section_replaces_default_without_merging() -> None:
    default = CrossTenantAccessDefault(
        is_service_default=False,
        b2b_collaboration_inbound=_setting(A, ["g-default"], A, ["AllApplications"]),
    )
    partner = CrossTenantAccessPartner(
        tenant_id="fabrikam-id",
        b2b_collaboration_inbound=_setting(A, ["g-partner"], A, ["AllApplications"]),
    )
    contoso = _tenant("contoso", CrossTenantAccessPolicy(default=default, partners=(partner,)))
    fabrikam = _tenant("fabrikam", CrossTenantAccessPolicy())
    eff = effective_setting(contoso, fabrikam, Section.B2B_COLLABORATION_INBOUND)
    assert eff.from_partner
    assert eff.policy == "crossTenantAccess.partners[fabrikam].b2bCollaborationInbound"
    assert allows(eff.setting, {"g-partner"}, APP_A1)
    assert not allows(eff.setting, {"g-default"}, APP_A1)  # the default list is not unioned


def test_null_partner_section_follows_the_default() -> None:
    default = CrossTenantAccessDefault(
        is_service_default=False, b2b_collaboration_outbound=b2b_setting(AccessType.BLOCKED)
    )
    contoso = _tenant(
        "contoso",
        CrossTenantAccessPolicy(
            default=default, partners=(CrossTenantAccessPartner(tenant_id="fabrikam-id"),)
        ),
    )
    fabrikam = _tenant("fabrikam", CrossTenantAccessPolicy())
    eff = effective_setting(contoso, fabrikam, Section.B2B_COLLABORATION_OUTBOUND)
    assert not eff.from_partner
    assert not allows(eff.setting, NOT_G1, APP_A1)


def test_trust_partner_replaces_default_trust() -> None:
    default = CrossTenantAccessDefault(inbound_trust=InboundTrust(is_mfa_accepted=True))
    partner = CrossTenantAccessPartner(tenant_id="fabrikam-id", inbound_trust=InboundTrust())
    contoso = _tenant("contoso", CrossTenantAccessPolicy(default=default, partners=(partner,)))
    trust, policy = effective_trust(contoso, _tenant("fabrikam", CrossTenantAccessPolicy()))
    assert not trust.is_mfa_accepted and policy.endswith("partners[fabrikam].inboundTrust")
    trust, policy = effective_trust(contoso, _tenant("litware", CrossTenantAccessPolicy()))
    assert trust.is_mfa_accepted and policy == "crossTenantAccess.default.inboundTrust"


@pytest.mark.parametrize(("users", "apps"), list(itertools.product([A, B], [A, B])))
def test_allows_some_app_agrees_with_allows_over_a_finite_app_universe(
    users: AccessType, apps: AccessType
) -> None:
    s = _setting(users, [G1], apps, [A1])
    universe = [APP_A1, OTHER_APP]
    for ids in (IN_G1, NOT_G1):
        assert allows_some_app(s, ids) == any(allows(s, ids, app) for app in universe)


def test_admits_anyone() -> None:
    assert admits_anyone(b2b_setting(AccessType.ALLOWED))
    assert not admits_anyone(b2b_setting(AccessType.BLOCKED))
    assert admits_anyone(_setting(B, [G1], B, ["AllApplications"]))  # everyone but g1
    assert not admits_anyone(_setting(A, ["AllUsers"], B, ["AllApplications"]))  # R11 invalid
