"""The result types of the service's questions, named here so adapters need not import the engine.

Why: the API converts these to GraphQL types and must name them in annotations, but `api/` may
import only `graphmodel.service` (and schema, errors, export); the engine stays an internal
layer. `Answer` is the verdict of invite / sign-up / request questions; `Reach` is one item of
`who_can_access` / `reachable`, and `ReachFilter` narrows them; `CheckLimits` bounds one check;
`SnapshotInfo` describes a stored snapshot.
"""

from __future__ import annotations

from graphmodel.engine import (
    Answer,
    CheckLimits,
    PartnerUsage,
    Reach,
    ReachFilter,
    UsageFilter,
    UsageIndex,
)
from graphmodel.schema.entities import Tenant
from graphmodel.stores.base import SnapshotInfo

__all__ = [
    "Answer",
    "CheckLimits",
    "PartnerUsage",
    "Reach",
    "ReachFilter",
    "SnapshotInfo",
    "UsageFilter",
    "partner_usage",
]


def partner_usage(tenant: Tenant) -> list[PartnerUsage]:
    """The tenant's own sign-in evidence per partner tenant and direction (first/last, counts)."""
    return UsageIndex([tenant]).partners(tenant.name)
