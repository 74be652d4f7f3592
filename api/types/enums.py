"""GraphQL enums for the schema's closed value sets (GraphQL values are the member names).

Why register the domain enums themselves: `strawberry.enum(cls)` returns `cls`, so annotations
can name the domain types directly (mypy sees real types) and resolvers pass domain values
through without a mapping table.
"""

from __future__ import annotations

import strawberry

from graphmodel.schema.enums import (
    AccessType,
    AllowInvitesFrom,
    BuiltinApp,
    CaState,
    Cloud,
    CreationType,
    DirectoryRole,
    ExternalUserState,
    GrantOperator,
    GuestUserAccess,
    IdentityProviderKind,
    MembershipType,
    SignInAudience,
    TargetType,
    TenantType,
    UserType,
    Via,
)
from graphmodel.schema.verdict import Decision, Mfa, Side
from graphmodel.service.answers import UsageFilter as Usage

__all__ = [
    "AccessType",
    "AllowInvitesFrom",
    "BuiltinApp",
    "CaState",
    "Cloud",
    "CreationType",
    "Decision",
    "DirectoryRole",
    "ExternalUserState",
    "GrantOperator",
    "GuestUserAccess",
    "IdentityProviderKind",
    "MembershipType",
    "Mfa",
    "Side",
    "SignInAudience",
    "TargetType",
    "TenantType",
    "Usage",
    "UserType",
    "Via",
]

for _enum in (
    AccessType,
    AllowInvitesFrom,
    BuiltinApp,
    CaState,
    Cloud,
    CreationType,
    DirectoryRole,
    ExternalUserState,
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
strawberry.enum(Decision, description="allow, pending (reachable after redemption), or deny")
strawberry.enum(Mfa, description="Where MFA is performed when Conditional Access requires it")
strawberry.enum(Side, description="Which tenant owns a gate: home or resource")
strawberry.enum(Via, description="How a principal reaches a resource")
strawberry.enum(Usage, name="Usage", description="Every answer, or only used or unused access")
