"""Evidence of use: sign-in activity aggregated from a tenant's sign-in logs.

Why aggregates and not log entries: an audit asks *whether* and *when* a path was last used,
not each attempt, and raw sign-in logs are large and personal. A tenant keeps one `SignInUsage`
per (user, resource, cross-tenant access type) seen in its logs (`auditLogs/signIns`) with the
first and last successful sign-in and how many there were; partner- and direction-level usage
is derived from these, so nothing is stored twice. They belong to the snapshot they were
collected with, like every other fact of the World.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

__all__ = ["CrossTenantAccessType", "SignInUsage", "UsageDirection"]


class CrossTenantAccessType(StrEnum):
    """Graph signIn.crossTenantAccessType values that cross a tenant boundary."""

    B2B_COLLABORATION = "b2bCollaboration"
    B2B_DIRECT_CONNECT = "b2bDirectConnect"


class UsageDirection(StrEnum):
    """Which way cross-tenant sign-ins between a tenant and a partner went."""

    INBOUND = "inbound"  # the partner's users signed in to this tenant's resources
    OUTBOUND = "outbound"  # this tenant's users signed in to the partner's resources


@dataclass(frozen=True, slots=True, kw_only=True)
class SignInUsage:
    """Successful sign-ins of `user` (a home identity ref) to `resource`, as one aggregate.

    `resource` is an app or channel ref. In the tenant that holds the resource the usage is
    inbound; in the user's home tenant (whose logs record it too) it is outbound.
    `first` and `count` are None when the source gave only the latest sign-in.
    """

    user: str
    resource: str
    cross_tenant_access_type: CrossTenantAccessType
    last: datetime
    first: datetime | None = None
    count: int | None = None
