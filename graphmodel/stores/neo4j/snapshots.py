"""Snapshot bookkeeping in the database: schema, namespaces, ids, publish-last, clean-up.

Layout (schema version 1)::

    (:TgMeta {schemaVersion, lastSnapshot})         one per database: the snapshot id counter
    (:TgNamespace {name, current})                  one per store; current = 0 before a write
    (:TgSnapshot {id, namespace, complete, createdAt, source, title, counts, trustGen})
    (:TgNode:<Kind> {snapshot, key, kind, ...})     the graph of one snapshot (graphmap.py)

Why publish-last: FalkorDB's rollback does not undo writes, and a large snapshot on Neo4j is
written in many batches, so neither server gives one transaction for the whole write. A write
therefore goes under a fresh snapshot id, incomplete, and only the last statement flips the
namespace's `current` pointer and marks it complete. Readers follow the pointer only, so a
failed write never shows; its nodes are removed by the writer (best effort) or, when the
process died, by the next `clean_partial` (snapshots older than the current one only: a newer
incomplete one may still be in progress elsewhere).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from graphmodel.errors import StoreIncompatible
from graphmodel.stores.base import SnapshotInfo
from graphmodel.stores.neo4j.queries import QueryName
from graphmodel.stores.neo4j.runner import Runner

__all__ = [
    "SCHEMA_VERSION",
    "StoredSnapshot",
    "allocate",
    "clean_partial",
    "current",
    "discard",
    "ensure_namespace",
    "ensure_schema",
    "get",
    "listed",
    "publish",
    "purge",
]

SCHEMA_VERSION: Final = 1
_DELETE_BATCH: Final = 2_000


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredSnapshot:
    """A snapshot row: the public `info`, the live trust-edge generation and the node count.

    `node_count` is None for a snapshot written before paged reads (read in one statement).
    """

    info: SnapshotInfo
    trust_gen: int
    node_count: int | None = None

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> StoredSnapshot:
        try:
            info = SnapshotInfo(
                id=int(row["id"]),
                created_at=datetime.fromisoformat(row["created_at"]),
                source=row["source"],
                title=row["title"],
                counts=json.loads(row["counts"]),
                request_key=row.get("request_key"),
            )
            count = row.get("node_count")
            return cls(
                info=info,
                trust_gen=int(row["trust_gen"]),
                node_count=None if count is None else int(count),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise StoreIncompatible(f"snapshot `{row.get('id')}` is unreadable: {exc}") from exc


def ensure_schema(runner: Runner) -> None:
    """Create the profile's indexes and constraints, idempotently."""
    profile = runner.profile
    existing: set[tuple[str, str]] = set()
    if profile.index_listing is not None:
        for row in runner.run(profile.index_listing):
            existing |= {(row["label"], p) for p in row["properties"]}
    for step in profile.schema:
        if step.index is None or step.index not in existing:
            runner.run(step.query)


def ensure_namespace(runner: Runner, namespace: str) -> None:
    """Create the counter node and the namespace (with no current snapshot) unless they exist."""
    params = {"schema_version": SCHEMA_VERSION, "namespace": namespace}
    runner.run(QueryName.ENSURE_NAMESPACE, params)


def allocate(runner: Runner, namespace: str, info: SnapshotInfo) -> int:
    """A new, incomplete snapshot with `info`'s fields (its id is ignored); returns the id.

    `info.request_key` (an idempotency key) is kept on the snapshot (`by_request`)."""
    rows = runner.run(
        QueryName.ALLOCATE_SNAPSHOT,
        {
            "schema_version": SCHEMA_VERSION,
            "namespace": namespace,
            "created_at": info.created_at.isoformat(),
            "source": info.source,
            "title": info.title,
            "counts": json.dumps(info.counts, sort_keys=True),
            "request_key": info.request_key,
        },
    )
    if not rows:
        raise StoreIncompatible("the database has no tenantgraph counter node `TgMeta`")
    return int(rows[0]["id"])


def publish(
    runner: Runner, namespace: str, snapshot_id: int, *, base: int | None, nodes: int
) -> tuple[bool, int | None]:
    """Make the snapshot complete and current, atomically on the server, if allowed.

    Allowed when no newer snapshot is current and, unless `base` is None (any base), the
    current snapshot is `base` (0: none yet). Returns (published, the id that was current
    before; None when there was none).
    """
    params = {
        "namespace": namespace,
        "snapshot": snapshot_id,
        "base": -1 if base is None else base,
        "nodes": nodes,
    }
    rows = runner.run(QueryName.PUBLISH_SNAPSHOT, params)
    if not rows:
        raise StoreIncompatible(f"namespace `{namespace}` or snapshot `{snapshot_id}` vanished")
    before = int(rows[0]["current"] or 0)
    return bool(rows[0]["published"]), before or None


def discard(runner: Runner, snapshot_id: int) -> None:
    """Delete a snapshot's nodes and edges (in batches), then the snapshot itself."""
    params = {"snapshot": snapshot_id, "limit": _DELETE_BATCH}
    while runner.run(QueryName.DELETE_SNAPSHOT_NODES, params)[0]["deleted"]:
        pass
    while runner.run(QueryName.DELETE_SNAPSHOT_TEXTS, params)[0]["deleted"]:
        pass
    runner.run(QueryName.DELETE_SNAPSHOT, {"snapshot": snapshot_id})


def clean_partial(runner: Runner, namespace: str) -> list[int]:
    """Discard incomplete snapshots older than the current one; returns their ids."""
    rows = runner.run(QueryName.LIST_SNAPSHOT_STATES, {"namespace": namespace})
    stale = sorted(r["id"] for r in rows if not r["complete"] and r["id"] < r["current"])
    for snapshot_id in stale:
        discard(runner, snapshot_id)
    return stale


def purge(runner: Runner, namespace: str) -> None:
    """Delete every snapshot of the namespace (history included) and the namespace itself."""
    rows = runner.run(QueryName.LIST_SNAPSHOT_STATES, {"namespace": namespace})
    for row in rows:
        discard(runner, row["id"])
    runner.run(QueryName.DELETE_NAMESPACE, {"namespace": namespace})


def current(runner: Runner, namespace: str) -> StoredSnapshot | None:
    """The namespace's current snapshot, or None before the first write."""
    rows = runner.run(QueryName.GET_CURRENT_SNAPSHOT, {"namespace": namespace})
    return StoredSnapshot.of(rows[0]) if rows else None


def get(runner: Runner, namespace: str, snapshot_id: int) -> StoredSnapshot | None:
    """A published snapshot of the namespace by id, or None."""
    rows = runner.run(QueryName.GET_SNAPSHOT, {"namespace": namespace, "snapshot": snapshot_id})
    return StoredSnapshot.of(rows[0]) if rows else None


def by_request(runner: Runner, namespace: str, request_key: str) -> int | None:
    """The id of the published snapshot written under `request_key`, if any."""
    params = {"namespace": namespace, "request_key": request_key}
    rows = runner.run(QueryName.FIND_SNAPSHOT_BY_REQUEST, params)
    return int(rows[0]["id"]) if rows else None


def listed(runner: Runner, namespace: str) -> list[SnapshotInfo]:
    """Every published snapshot of the namespace, newest first."""
    rows = runner.run(QueryName.LIST_SNAPSHOTS, {"namespace": namespace})
    return [StoredSnapshot.of(r).info for r in rows]
