"""Conditional Access across the two routes of one person (R43), at the policy layer.

Microsoft Learn, "Conditional Access: Users, groups, agents, and workload identities", the note
under "Include users": policies targeting B2B direct connect users also apply to B2B
collaboration users accessing Teams or SharePoint Online who are eligible for direct connect,
and policies targeting B2B collaboration users apply to direct connect users of Teams shared
channels who also have a guest object in the tenant. The routes hand that other type to the
policy layer as `CaSubject.also`; these tests drive `evaluate_conditional_access` directly.
"""

from __future__ import annotations

from graphmodel.policy.conditional_access import (
    AlsoTargeted,
    CaSubject,
    SubjectKind,
    evaluate_conditional_access,
)
from graphmodel.schema import App, BuiltinApp, CaApplications, CaUsers, ConditionalAccessPolicy
from graphmodel.schema.enums import ExternalUserType
from graphmodel.schema.verdict import Mfa, ReasonCode
from graphmodel.schema.xtap import InboundTrust

T = ExternalUserType
GUESTS = "GuestsOrExternalUsers"
TEAMS = App(tenant="contoso", name="teams", id="t-id", app_id="t-app", builtin=BuiltinApp.TEAMS)
ELIGIBLE = AlsoTargeted(
    external_type=T.B2B_DIRECT_CONNECT_USER, because="bob is eligible for B2B direct connect"
)
PRESENT = AlsoTargeted(
    external_type=T.B2B_COLLABORATION_GUEST, because="frank also has a guest object"
)


def policy(
    name: str,
    grant: str,
    types: tuple[ExternalUserType, ...] | None,
    *,
    exclude: tuple[ExternalUserType, ...] | None = None,
    tenants: tuple[str, ...] | None = None,
) -> ConditionalAccessPolicy:
    return ConditionalAccessPolicy(
        tenant="contoso",
        name=name,
        id=f"{name}-id",
        users=CaUsers(
            include=(GUESTS,),
            guest_or_external_user_types=types,
            external_tenants=tenants,
            exclude=(GUESTS,) if exclude is not None else (),
            exclude_guest_or_external_user_types=exclude,
        ),
        applications=CaApplications(include=("All",)),
        grant=(grant,),
    )


def collaboration(*also: AlsoTargeted, trust: InboundTrust | None = None) -> CaSubject:
    return CaSubject(
        kind=SubjectKind.COLLABORATION,
        external_type=T.B2B_COLLABORATION_GUEST,
        home_tenant="fabrikam",
        object_refs=frozenset({"contoso/bob"}),
        trust=trust,
        trust_policy="crossTenantAccess.partners[fabrikam].inboundTrust",
        also=also,
    )


def direct_connect(*also: AlsoTargeted) -> CaSubject:
    return CaSubject(
        kind=SubjectKind.DIRECT_CONNECT,
        external_type=T.B2B_DIRECT_CONNECT_USER,
        home_tenant="fabrikam",
        object_refs=frozenset(),
        also=also,
    )


def test_a_direct_connect_policy_reaches_an_eligible_collaboration_user() -> None:
    block = policy("block-dc", "block", (T.B2B_DIRECT_CONNECT_USER,))
    out = evaluate_conditional_access([block], collaboration(ELIGIBLE), TEAMS, "contoso")
    assert out.applied == ["block-dc"]
    (failure,) = out.failures
    assert failure.code == ReasonCode.CA_BLOCK and failure.policy == "conditionalAccess[block-dc]"
    # the reason says which policy applied through which route
    assert "`block-dc` targets B2B direct connect users" in failure.message
    assert "bob is eligible for B2B direct connect" in failure.message
    assert "R43" in failure.message


def test_without_the_other_route_the_policy_does_not_apply() -> None:
    block = policy("block-dc", "block", (T.B2B_DIRECT_CONNECT_USER,))
    out = evaluate_conditional_access([block], collaboration(), TEAMS, "contoso")
    assert out.applied == [] and out.failures == []


def test_a_collaboration_policy_reaches_a_direct_connect_user_with_a_guest_object() -> None:
    mfa = policy("mfa-guests", "mfa", (T.B2B_COLLABORATION_GUEST,))
    out = evaluate_conditional_access([mfa], direct_connect(PRESENT), TEAMS, "contoso")
    (failure,) = out.failures  # direct connect + MFA without MFA trust (R22)
    assert failure.code == ReasonCode.MFA_NOT_TRUSTED
    assert "`mfa-guests` targets B2B collaboration guest users" in failure.message
    assert "frank also has a guest object" in failure.message
    assert evaluate_conditional_access([mfa], direct_connect(), TEAMS, "contoso").applied == []


def test_the_other_type_must_be_the_one_named() -> None:
    """A guest object is a B2B collaboration *guest*: a policy for members does not reach it."""
    members = policy("block-members", "block", (T.B2B_COLLABORATION_MEMBER,))
    out = evaluate_conditional_access([members], direct_connect(PRESENT), TEAMS, "contoso")
    assert out.applied == []


def test_a_policy_for_the_subjects_own_type_carries_no_route_note() -> None:
    for types in ((T.B2B_COLLABORATION_GUEST, T.B2B_DIRECT_CONNECT_USER), None):
        block = policy("block-all", "block", types)
        out = evaluate_conditional_access([block], collaboration(ELIGIBLE), TEAMS, "contoso")
        (failure,) = out.failures
        assert failure.message == "`block-all` blocks access"


def test_notes_of_an_allowed_sign_in_say_the_route_too() -> None:
    """MFA trusted: the policy is met, and its `mfa_trusted` note names the route."""
    mfa = policy("mfa-dc", "mfa", (T.B2B_DIRECT_CONNECT_USER,))
    subject = collaboration(ELIGIBLE, trust=InboundTrust(is_mfa_accepted=True))
    out = evaluate_conditional_access([mfa], subject, TEAMS, "contoso")
    assert out.failures == [] and out.mfa == Mfa.HOME
    (note,) = out.notes
    assert note.code == ReasonCode.MFA_TRUSTED and "`mfa-dc` targets" in note.message
    # without trust the collaboration user performs MFA in the resource tenant (R29)
    out = evaluate_conditional_access([mfa], collaboration(ELIGIBLE), TEAMS, "contoso")
    assert out.applied == ["mfa-dc"] and out.mfa == Mfa.RESOURCE


def test_an_exclusion_of_the_other_type_exempts_the_same_people() -> None:
    """[INFERENCE] (xtap.md R43): the note speaks of targeting; exclusion is read alike."""
    pol = policy("block-external-but-dc", "block", None, exclude=(T.B2B_DIRECT_CONNECT_USER,))
    assert (
        evaluate_conditional_access([pol], collaboration(ELIGIBLE), TEAMS, "contoso").applied == []
    )
    assert evaluate_conditional_access([pol], collaboration(), TEAMS, "contoso").applied == [
        "block-external-but-dc"
    ]


def test_the_tenant_filter_still_holds() -> None:
    pol = policy("block-dc-litware", "block", (T.B2B_DIRECT_CONNECT_USER,), tenants=("litware",))
    assert (
        evaluate_conditional_access([pol], collaboration(ELIGIBLE), TEAMS, "contoso").applied == []
    )
