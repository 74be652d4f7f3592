"""Snapshot bookkeeping in the database: schema, namespaces, ids, publish-last, clean-up.

Layout (schema version 2; `cypher/README.md` draws it)::

    (:TgMeta {schemaVersion, lastSnapshot})         one per database: the snapshot id counter
    (:TgNamespace {name, current, writer?, writerUntil?})   one per store; current = 0 before a
                                                    write; writer: the change holding its lease
                                                    (0 or absent: nobody)
    (:TgSnapshot {id, namespace, complete, createdAt, source, title, counts, trustGen,
                  nodeCount, seqEnd, line?, base?, gap?})
    (:TgNode:<Kind> {snapshot, from?, to?, key, kind, seq, ...})   node versions (graphmap.py)

A snapshot written whole starts a *line* (its own id); one written as a change continues its
base's line (`line`, `base`). A node or edge version carries the range of its line's
snapshots it is valid in: `from` (absent: the line's start) inclusive, `to` (absent: open)
exclusive. Schema 1 is schema 2 with one line per snapshot and no ranges: it is read as it
is, and `ensure_namespace` only raises the counter's version (`upgrade_schema`).

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
from graphmodel.stores.neo4j.runner import Row, Runner
from graphmodel.stores.neo4j.writer import SEQ_BITS

__all__ = [
    "DELETE_BATCH",
    "SCHEMA_VERSION",
    "Published",
    "StoredSnapshot",
    "allocate",
    "current",
    "discard",
    "discard_line",
    "ensure_namespace",
    "ensure_schema",
    "get",
    "listed",
    "publish",
    "purge",
    "states",
    "stored",
]

SCHEMA_VERSION: Final = 2
DELETE_BATCH: Final = 2_000


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredSnapshot:
    """A snapshot row: the public `info`, the live trust-edge generation and the node count.

    `node_count` is None for a snapshot written before paged reads (read in one statement).
    `line` is the whole write its versions descend from (its own id when written whole),
    `gap` the line's order-key scale (1: written before order keys), `seq_end` the end of the
    line's `seq` numbers it sees (None: written before changes, `seq` ends at its node count).
    """

    info: SnapshotInfo
    trust_gen: int
    node_count: int | None = None
    line: int = 0
    gap: int = 1
    seq_end: int | None = None

    @property
    def seq_stop(self) -> int | None:
        """The first `seq` past this snapshot's versions (None: written before paged reads)."""
        if self.seq_end is not None:
            return self.seq_end
        if self.node_count is None:
            return None
        return (self.line << SEQ_BITS) + self.node_count

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
                base=None if row.get("base") is None else int(row["base"]),
            )
            count, seq_end = row.get("node_count"), row.get("seq_end")
            return cls(
                info=info,
                trust_gen=int(row["trust_gen"]),
                node_count=None if count is None else int(count),
                line=int(row.get("line") or info.id),
                gap=int(row.get("gap") or 1),
                seq_end=None if seq_end is None else int(seq_end),
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
    """Create the counter node and the namespace (with no current snapshot) unless they exist.

    A database of schema 1 is raised to schema 2 first (nothing else changes: see the module
    docstring); one of a newer schema is refused with `StoreIncompatible`.
    """
    rows = runner.run(QueryName.UPGRADE_SCHEMA, {"schema_version": SCHEMA_VERSION})
    newer = [int(r["found"]) for r in rows if int(r["found"] or 0) > SCHEMA_VERSION]
    if newer:
        raise StoreIncompatible(
            f"the database holds tenantgraph schema {max(newer)}; this version reads "
            f"schema {SCHEMA_VERSION} and older: upgrade tenantgraph"
        )
    params = {"schema_version": SCHEMA_VERSION, "namespace": namespace}
    runner.run(QueryName.ENSURE_NAMESPACE, params)


def allocate(
    runner: Runner,
    namespace: str,
    info: SnapshotInfo,
    *,
    base: StoredSnapshot | None = None,
    gap: int = 1,
) -> int:
    """A new, incomplete snapshot with `info`'s fields (its id is ignored); returns the id.

    `info.request_key` (an idempotency key) is kept on the snapshot (`by_request`). `base`:
    the snapshot a change is written on (None: a whole write, with order-key scale `gap`).
    """
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
            "line": None if base is None else base.line,
            "base": None if base is None else base.info.id,
            "gap": gap if base is None else base.gap,
            "trust_gen": 0 if base is None else base.trust_gen,
        },
    )
    if not rows:
        raise StoreIncompatible("the database has no tenantgraph counter node `TgMeta`")
    return int(rows[0]["id"])


@dataclass(frozen=True, slots=True)
class Published:
    """What `publish` did: published, the id current before (None: none), and the snapshot
    an earlier write with the same idempotency key made (None: none, or no key)."""

    published: bool
    before: int | None
    replayed: int | None = None


def publish(
    runner: Runner,
    namespace: str,
    snapshot_id: int,
    *,
    base: int | None,
    nodes: int,
    seq_end: int,
    request_key: str | None = None,
    leased: bool = False,
) -> Published:
    """Make the snapshot complete and current, atomically on the server, if allowed.

    Allowed when no newer snapshot is current, unless `base` is None (any base) the current
    snapshot is `base` (0: none yet), no published snapshot carries `request_key`, and, for a
    change (`leased`), the write still holds the namespace's writer lease (released here).
    """
    params = {
        "namespace": namespace,
        "snapshot": snapshot_id,
        "base": -1 if base is None else base,
        "nodes": nodes,
        "seq_end": seq_end,
        "request_key": request_key,
        "leased": leased,
    }
    rows = runner.run(QueryName.PUBLISH_SNAPSHOT, params)
    if not rows:
        raise StoreIncompatible(f"namespace `{namespace}` or snapshot `{snapshot_id}` vanished")
    before = int(rows[0]["current"] or 0)
    replayed = rows[0].get("replayed")
    return Published(
        bool(rows[0]["published"]), before or None, None if replayed is None else int(replayed)
    )


def discard_line(runner: Runner, line: int) -> None:
    """Delete every node version (with its edges) and text part of a line, in batches."""
    params = {"snapshot": line, "limit": DELETE_BATCH}
    while runner.run(QueryName.DELETE_SNAPSHOT_NODES, params)[0]["deleted"]:
        pass
    while runner.run(QueryName.DELETE_SNAPSHOT_TEXTS, params)[0]["deleted"]:
        pass


def discard(runner: Runner, snapshot_id: int) -> None:
    """Delete a snapshot written whole: its line's nodes and edges, then the snapshot itself."""
    discard_line(runner, snapshot_id)
    runner.run(QueryName.DELETE_SNAPSHOT, {"snapshot": snapshot_id})


def states(runner: Runner, namespace: str) -> list[Row]:
    """Every snapshot row of the namespace, finished or not: `id`, `complete`, `current`,
    `line`, `base` (None: written whole) and `writer` (the lease holder, 0 when none)."""
    return runner.run(QueryName.LIST_SNAPSHOT_STATES, {"namespace": namespace})


def purge(runner: Runner, namespace: str) -> None:
    """Delete every snapshot of the namespace (history included) and the namespace itself."""
    rows = states(runner, namespace)
    for line in sorted({int(r["line"]) for r in rows}):
        discard_line(runner, line)
    for row in rows:
        runner.run(QueryName.DELETE_SNAPSHOT, {"snapshot": row["id"]})
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


def stored(runner: Runner, namespace: str) -> list[StoredSnapshot]:
    """Every published snapshot row of the namespace, newest first."""
    rows = runner.run(QueryName.LIST_SNAPSHOTS, {"namespace": namespace})
    return [StoredSnapshot.of(r) for r in rows]


def listed(runner: Runner, namespace: str) -> list[SnapshotInfo]:
    """Every published snapshot of the namespace, newest first."""
    return [s.info for s in stored(runner, namespace)]
