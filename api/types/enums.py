"""GraphQL enums for the schema's closed value sets (GraphQL values are the member names).

Why register the domain enums themselves: `strawberry.enum(cls)` returns `cls`, so annotations
can name the domain types directly (mypy sees real types) and resolvers pass domain values
through without a mapping table.
"""

from __future__ import annotations

from enum import StrEnum

import strawberry

from api.auth import Role
from graphmodel.schema.enums import (
    AccessType,
    AllowInvitesFrom,
    BuiltinApp,
    CaState,
    Cloud,
    CreationType,
    DirectoryRole,
    ExternalUserState,
    GrantControl,
    GrantOperator,
    GuestUserAccess,
    IdentityProviderKind,
    InvitationStatus,
    MembershipType,
    PrincipalKind,
    SignInAudience,
    TargetType,
    TenantType,
    UserType,
    Via,
)
from graphmodel.schema.evidence import CrossTenantAccessType, UsageDirection
from graphmodel.schema.kinds import EdgeKind, NodeKind
from graphmodel.schema.verdict import Decision, Mfa, Side
from graphmodel.service.answers import UsageFilter as Usage

__all__ = [
    "AccessType",
    "AllowInvitesFrom",
    "BuiltinApp",
    "CaState",
    "Cloud",
    "CreationType",
    "CrossTenantAccessType",
    "Decision",
    "DirectoryRole",
    "EdgeKind",
    "ExternalUserState",
    "GrantControl",
    "GrantOperator",
    "GuestUserAccess",
    "IdentityProviderKind",
    "InvitationStatus",
    "MembershipType",
    "Mfa",
    "NodeKind",
    "PrincipalKind",
    "Role",
    "Side",
    "SignInAudience",
    "TargetType",
    "TenantType",
    "TrustEdgeKind",
    "TrustScope",
    "Usage",
    "UsageDirection",
    "UserType",
    "Via",
]


class TrustEdgeKind(StrEnum):
    """The derived tenant -> tenant edge kinds: `EdgeKind` narrowed to `TRUST_EDGES`.

    Why a second enum: a client drawing the trust graph should see only the kinds a trust
    edge can have, not the directory's path edges. `tests/api/test_schema_lint.py` keeps the
    members equal to `TRUST_EDGES`.
    """

    B2B_COLLAB_OUT = EdgeKind.B2B_COLLAB_OUT.value
    B2B_COLLAB_IN = EdgeKind.B2B_COLLAB_IN.value
    DIRECT_CONNECT_OUT = EdgeKind.DIRECT_CONNECT_OUT.value
    DIRECT_CONNECT_IN = EdgeKind.DIRECT_CONNECT_IN.value
    DIRECT_CONNECT_MUTUAL = EdgeKind.DIRECT_CONNECT_MUTUAL.value
    TRUSTS_MFA = EdgeKind.TRUSTS_MFA.value
    TRUSTS_COMPLIANT_DEVICE = EdgeKind.TRUSTS_COMPLIANT_DEVICE.value
    TRUSTS_HYBRID_JOINED = EdgeKind.TRUSTS_HYBRID_JOINED.value
    SYNCS_USERS_TO = EdgeKind.SYNCS_USERS_TO.value
    CROSS_CLOUD_ENABLED = EdgeKind.CROSS_CLOUD_ENABLED.value


class TrustScope(StrEnum):
    """How much of a tenant a trust edge covers: all of it, or what targeting narrows it to."""

    ALL = "all"
    PARTIAL = "partial"


for _enum in (
    AccessType,
    AllowInvitesFrom,
    BuiltinApp,
    CaState,
    Cloud,
    CreationType,
    DirectoryRole,
    ExternalUserState,
    GrantControl,
    GrantOperator,
    GuestUserAccess,
    IdentityProviderKind,
    MembershipType,
    SignInAudience,
    TargetType,
    TenantType,
    UserType,
):
    strawberry.enum(_enum)
strawberry.enum(InvitationStatus, description="Graph invitation status")
strawberry.enum(UsageDirection, description="INBOUND: a partner's users signed in here")
strawberry.enum(CrossTenantAccessType, description="How a cross-tenant sign-in got in")
strawberry.enum(Decision, description="allow, pending (reachable after redemption), or deny")
strawberry.enum(Mfa, description="Where MFA is performed when Conditional Access requires it")
strawberry.enum(Side, description="Which tenant owns a gate: home or resource")
strawberry.enum(Via, description="How a principal reaches a resource")
strawberry.enum(
    PrincipalKind,
    description="What a principal is to a resource's tenant; B2B_GUEST, B2B_MEMBER, "
    "OTHER_TENANT and SOCIAL_GUEST are outsiders",
)
strawberry.enum(EdgeKind, description="Kinds of graph edges: directory facts and derived trust")
strawberry.enum(TrustEdgeKind, description="Kinds of derived tenant -> tenant trust edges")
strawberry.enum(NodeKind, description="Kinds of graph nodes")
strawberry.enum(Role, description="What an API token may do: read, audit, or also change")
strawberry.enum(TrustScope, description="`ALL`, or `PARTIAL` when targeting narrows the trust")
strawberry.enum(Usage, name="Usage", description="Every answer, or only used or unused access")
