"""The result types of the service's questions, named here so adapters need not import the engine.

Why: the API converts these to GraphQL types and must name them in annotations, but `api/` may
import only `graphmodel.service` (and schema, errors, export); the engine stays an internal
layer. `Answer` is the verdict of invite / sign-up / request questions; `Reach` is one item of
`who_can_access` / `reachable`; `CheckLimits` bounds one check; `SnapshotInfo` describes a
stored snapshot.
"""

from __future__ import annotations

from graphmodel.engine import Answer, CheckLimits, Reach, UsageFilter
from graphmodel.stores.base import SnapshotInfo

__all__ = ["Answer", "CheckLimits", "Reach", "SnapshotInfo", "UsageFilter"]
