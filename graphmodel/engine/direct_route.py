"""B2B direct connect: an external participant reaches a shared channel with its home identity.

L25 (all of: shared channel; mutual direct-connect enablement R19/R20 evaluated per R7 with the
Teams app; direct membership or membership of a shared-with team; an Entra work account; Teams
channel policies on both sides; the resource tenant's Conditional Access with trust R22/R23/R31),
L24 (no user object in the resource tenant), R21 (direct connect serves only shared channels),
R24 (never across clouds), L13 (a home account disabled cannot authenticate).
Sources: https://learn.microsoft.com/entra/external-id/b2b-direct-connect-overview ,
https://learn.microsoft.com/microsoftteams/shared-channels
"""

from __future__ import annotations

from graphmodel.engine.ca_reach import direct_connect_also
from graphmodel.engine.grants import hop, shared_team_hops
from graphmodel.engine.index import WorldIndex
from graphmodel.engine.object_route import (
    automatic_redemption_note,
    home_account_gate,
    xtap_gate,
)
from graphmodel.engine.route import Resource, RouteResult
from graphmodel.policy.clouds import cloud_gate
from graphmodel.policy.conditional_access import (
    CaSubject,
    SubjectKind,
    evaluate_conditional_access,
)
from graphmodel.policy.crosstenant import effective_trust
from graphmodel.policy.reasons import reason
from graphmodel.schema.entities import App, User
from graphmodel.schema.enums import ExternalUserType, MembershipType, Via
from graphmodel.schema.kinds import EdgeKind
from graphmodel.schema.verdict import AccessPath, Hop, Reason, ReasonCode, Side
from graphmodel.schema.xtap import Section

__all__ = ["direct_connect_route"]


def _fail(result: RouteResult, item: Reason) -> RouteResult:
    result.failures.append(item)
    return result


def direct_connect_route(ix: WorldIndex, principal: User, resource: Resource) -> RouteResult:
    """Evaluate B2B direct connect from `principal`'s home tenant to `resource`."""
    result = RouteResult(via=Via.B2B_DIRECT_CONNECT)
    res_tenant = ix.tenants[resource.tenant]
    if not ix.is_entra_identity(principal):
        return _fail(
            result,
            reason(
                ReasonCode.NOT_ENTRA_IDENTITY,
                "L25",
                f"`{principal.ref}` signs in with `{principal.identity_provider.value}`; direct "
                "connect needs a Microsoft Entra work account",
                tenant=principal.tenant,
                side=Side.HOME,
            ),
        )
    if isinstance(resource, App):
        return _fail(
            result,
            reason(
                ReasonCode.NO_ACCOUNT,
                "R21",
                f"B2B direct connect reaches only Teams shared channels; `{resource.ref}` needs a "
                f"user object for `{principal.ref}` in `{resource.tenant}`",
                tenant=resource.tenant,
                side=Side.RESOURCE,
            ),
        )
    if principal.tenant == resource.tenant:
        return _fail(
            result,
            reason(
                ReasonCode.NOT_CHANNEL_MEMBER,
                "L25",
                f"`{principal.ref}` is in the host tenant; direct connect is for external users",
                tenant=resource.tenant,
                side=Side.RESOURCE,
            ),
        )
    home = ix.tenants[principal.tenant]
    app = ix.teams_app(resource.tenant)
    cloud = cloud_gate(home, res_tenant, direct_connect=True)
    result.failures.extend(cloud)
    inbound_policy = None
    if not cloud:
        xtap, inbound_policy = xtap_gate(
            ix,
            principal,
            home,
            res_tenant,
            app,
            outbound=Section.B2B_DIRECT_CONNECT_OUTBOUND,
            inbound=Section.B2B_DIRECT_CONNECT_INBOUND,
            rule="R19",
        )
        result.failures.extend(xtap)
    result.failures.extend(home_account_gate(principal))
    grants: list[list[Hop]] = []
    if resource.membership_type != MembershipType.SHARED:
        result.failures.append(
            reason(
                ReasonCode.NOT_CHANNEL_MEMBER,
                "L25",
                f"`{resource.ref}` is a {resource.membership_type.value} channel; direct connect "
                "users reach only shared channels they were added to",
                tenant=resource.tenant,
                policy=f"channels[{resource.ref}].membershipType",
                side=Side.RESOURCE,
            )
        )
    else:
        if principal.ref in resource.members:
            grants.append(
                [
                    hop(
                        principal.ref,
                        resource.ref,
                        EdgeKind.CHANNEL_MEMBER,
                        "L25",
                        inbound_policy,
                    )
                ]
            )
        grants.extend(shared_team_hops(ix, principal.ref, resource))
        if not grants:
            result.failures.append(
                reason(
                    ReasonCode.NOT_CHANNEL_MEMBER,
                    "L25",
                    f"`{principal.ref}` is neither a member of `{resource.ref}` nor of a team it "
                    "is shared with",
                    tenant=resource.tenant,
                    policy=f"channels[{resource.ref}].members",
                    side=Side.RESOURCE,
                )
            )
    if not home.teams_policy.allow_user_to_participate_in_external_shared_channel:
        result.failures.append(
            reason(
                ReasonCode.TEAMS_POLICY_BLOCKS,
                "L25",
                f"`{home.name}`'s Teams policy forbids its users to join external shared channels",
                tenant=home.name,
                policy="teamsPolicy.allowUserToParticipateInExternalSharedChannel",
                side=Side.HOME,
            )
        )
    if not res_tenant.teams_policy.allow_channel_sharing_to_external_user:
        result.failures.append(
            reason(
                ReasonCode.TEAMS_POLICY_BLOCKS,
                "L25",
                f"`{res_tenant.name}`'s Teams policy forbids sharing channels with external users",
                tenant=res_tenant.name,
                policy="teamsPolicy.allowChannelSharingToExternalUser",
                side=Side.RESOURCE,
            )
        )
    trust, trust_policy = effective_trust(res_tenant, home)
    ca = evaluate_conditional_access(
        ix.ca_by_tenant.get(resource.tenant, []),
        CaSubject(
            kind=SubjectKind.DIRECT_CONNECT,
            external_type=ExternalUserType.B2B_DIRECT_CONNECT_USER,
            home_tenant=home.name,
            object_refs=frozenset(),
            trust=trust,
            trust_policy=trust_policy,
            also=direct_connect_also(ix, principal, resource.tenant),
        ),
        app,
        resource.tenant,
    )
    result.apply(ca)
    result.notes.extend(automatic_redemption_note(home, res_tenant))
    result.paths = [AccessPath(via=Via.B2B_DIRECT_CONNECT, hops=tuple(g)) for g in grants]
    return result
