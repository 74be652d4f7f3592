"""Which snapshots `prune` keeps: one rule for every backend.

Why shared: `tenantgraph prune --keep N --keep-days D` must mean the same on the memory store
and on Neo4j. The newest snapshot is always kept; `keep` keeps the newest N; `keep_days` keeps
every snapshot younger than D days; given both, a snapshot either rule keeps stays.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from graphmodel.stores.base import SnapshotInfo

__all__ = ["kept_count"]


def kept_count(
    newest_first: Sequence[SnapshotInfo],
    *,
    keep: int | None,
    keep_days: float | None,
    now: datetime | None = None,
) -> int:
    """How many of `newest_first` (newest first) to keep: at least one when there is one.

    Examples
    --------
    >>> t = datetime(2026, 1, 10, tzinfo=UTC)
    >>> snaps = [SnapshotInfo(id=i, created_at=t - timedelta(days=i), source="") for i in range(5)]
    >>> kept_count(snaps, keep=2, keep_days=None)
    2
    >>> kept_count(snaps, keep=None, keep_days=2.5, now=t)
    3
    """
    if not newest_first:
        return 0
    kept = max(1, keep or 0)
    if keep_days is not None:
        cutoff = (now or datetime.now(UTC)) - timedelta(days=keep_days)
        kept = max(kept, sum(1 for s in newest_first if s.created_at >= cutoff))
    return min(kept, len(newest_first))
