"""The statements over the memory store's snapshot tables (see `schema`): rows in, rows out.

Why apart from `sqlite`: `sqlite.SnapshotDb` owns connections, transactions and the change
signal; this module says what one transaction reads and writes — a snapshot row stored whole or
as a change, its parts and trust edges, the chain of changes back to the nearest checkpoint.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from graphmodel.errors import RequestReplayed, SnapshotNotFound, StoreIncompatible
from graphmodel.schema.kinds import EdgeKind
from graphmodel.schema.trust import TrustEdge
from graphmodel.stores.base import SnapshotInfo

__all__ = [
    "Chain",
    "Head",
    "Part",
    "SnapshotTx",
    "StoredChange",
    "chain_rows",
    "delta_row",
    "head_of",
    "stored_change",
    "trust_rows",
]

_SNAPSHOT_COLUMNS: Final = (
    "id, created_at, source, title, counts, base_id, stored_bytes, request_key"
)
_DELTA_COLUMNS: Final = "id, base_id, checkpoint, changes, trust_delta"
_TRUST_COLUMNS: Final = "kind, source, target, rule, policy, scope, source_url"
Part = tuple[str, str]
"""One World part as stored: `(field, JSON text)` (see `encoding`)."""



def _info(row: tuple[Any, ...]) -> SnapshotInfo:
    sid, created_at, source, title, counts, base_id, stored_bytes, request_key = row
    return SnapshotInfo(
        id=sid,
        created_at=datetime.fromisoformat(created_at),
        source=source,
        title=title,
        counts=json.loads(counts),
        base=base_id,
        stored_bytes=stored_bytes,
        request_key=request_key,
    )


@dataclass(frozen=True, slots=True)
class StoredChange:
    """A snapshot stored as a change: its row, the ChangeSet text on its base and the change
    of its trust edges (None: the base's)."""

    info: SnapshotInfo
    changes: str
    trust_delta: str | None


@dataclass(frozen=True, slots=True)
class Chain:
    """What reading one snapshot takes: its nearest checkpoint (decoded by the caller while
    the read transaction lasts) and the stored changes from there, oldest first."""

    checkpoint: SnapshotInfo
    trust: list[TrustEdge]
    changes: list[StoredChange]


@dataclass(frozen=True, slots=True)
class Head:
    """What is published: the write counter and the newest snapshot id (None: none yet)."""

    generation: int
    snapshot: int | None


def head_of(conn: sqlite3.Connection) -> Head:
    """The head as `conn` sees it (inside a transaction: consistent with its other reads)."""
    row = conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
    latest = conn.execute("SELECT max(id) FROM snapshots").fetchone()
    return Head(generation=0 if row is None else int(row[0]), snapshot=latest[0])


class SnapshotTx:
    """The statements of one write transaction; obtained from `SnapshotDb.write()`."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def head(self) -> Head:
        """The published head, as of this transaction (no other process can change it now)."""
        return head_of(self._conn)

    def publish(self, head: Head) -> int:
        """Bump the generation read as `head`; returns the new one (call last, once per tx)."""
        generation = head.generation + 1
        self._conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('generation', ?)", (str(generation),)
        )
        return generation

    def add_snapshot(
        self,
        *,
        created_at: datetime,
        source: str,
        title: str | None,
        counts: dict[str, int],
        base_id: int | None = None,
        changes: str | None = None,
        trust_delta: str | None = None,
        request_key: str | None = None,
    ) -> int:
        """A snapshot row: stored whole (`changes` None; add its parts and trust edges) or as
        `changes` on `base_id` (its depth and chain bytes follow the base's)."""
        checkpoint = changes is None
        size = len(changes or "") + len(trust_delta or "")
        depth, chain = 0, 0
        if not checkpoint and base_id is not None:
            found = self._conn.execute(
                "SELECT depth, chain_bytes FROM snapshots WHERE id = ?", (base_id,)
            ).fetchone()
            if found is not None:
                depth, chain = found[0] + 1, found[1] + size
        cur = self._conn.execute(
            "INSERT INTO snapshots (created_at, source, title, counts, base_id, checkpoint,"
            " changes, trust_delta, stored_bytes, request_key, depth, chain_bytes)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                created_at.isoformat(),
                source,
                title,
                json.dumps(counts),
                base_id,
                int(checkpoint),
                changes,
                trust_delta,
                size,
                request_key,
                depth,
                chain,
            ),
        )
        assert cur.lastrowid is not None  # INVARIANT: an INSERT into a rowid table sets it
        return cur.lastrowid

    def info(self, snapshot_id: int) -> SnapshotInfo:
        """A snapshot's row as this transaction sees it."""
        row = self._conn.execute(
            f"SELECT {_SNAPSHOT_COLUMNS} FROM snapshots WHERE id = ?", (snapshot_id,)
        ).fetchone()
        if row is None:
            raise SnapshotNotFound(snapshot_id)
        return _info(row)

    def snapshots(self) -> list[SnapshotInfo]:
        """Every snapshot row, newest first."""
        rows = self._conn.execute(f"SELECT {_SNAPSHOT_COLUMNS} FROM snapshots ORDER BY id DESC")
        return [_info(r) for r in rows]

    def by_request(self, request_key: str) -> SnapshotInfo | None:
        """The snapshot written under `request_key`, if any."""
        row = self._conn.execute(
            f"SELECT {_SNAPSHOT_COLUMNS} FROM snapshots WHERE request_key = ?", (request_key,)
        ).fetchone()
        return None if row is None else _info(row)

    def refuse_replay(self, request_key: str | None) -> None:
        """Raise `RequestReplayed` when a snapshot was already written under `request_key`."""
        if request_key is not None:
            done = self.by_request(request_key)
            if done is not None:
                raise RequestReplayed(request_key, done.id)

    def add_parts(self, snapshot_id: int, parts: Iterable[tuple[int, str, str]]) -> None:
        """World parts `(seq, field, rows)` of a snapshot (see `encoding.encode_world`).

        A part already there is kept: parts are a deterministic encoding of one World, so a
        checkpoint written again (another process, or after an interrupted attempt) is the same.
        """
        rows = [(snapshot_id, seq, field, text) for seq, field, text in parts]
        self._conn.executemany(
            "INSERT OR IGNORE INTO world_parts (snapshot_id, seq, field, rows)"
            " VALUES (?, ?, ?, ?)",
            rows,
        )

    def add_trust(self, snapshot_id: int, edges: Iterable[TrustEdge]) -> None:
        rows = [
            (snapshot_id, e.kind.value, e.source, e.target, e.rule, e.policy, e.scope, e.source_url)
            for e in edges
        ]
        self._conn.executemany(
            f"INSERT OR REPLACE INTO trust_edges (snapshot_id, {_TRUST_COLUMNS})"
            " VALUES (?,?,?,?,?,?,?,?)",
            rows,
        )

    def delete_trust(self, snapshot_id: int, edges: Iterable[TrustEdge]) -> None:
        self._conn.executemany(
            "DELETE FROM trust_edges WHERE snapshot_id = ? AND kind = ? AND source = ?"
            " AND target = ?",
            [(snapshot_id, *e.key) for e in edges],
        )

    def set_trust_delta(self, snapshot_id: int, trust_delta: str | None) -> None:
        """Replace the trust edges' change of a snapshot stored as a change."""
        self._conn.execute(
            "UPDATE snapshots SET stored_bytes = stored_bytes - length(coalesce(trust_delta, ''))"
            " + ?, trust_delta = ? WHERE id = ?",
            (len(trust_delta or ""), trust_delta, snapshot_id),
        )

    def mark_checkpoint(self, snapshot_id: int) -> bool:
        """Record that `snapshot_id`'s parts and trust edges now hold it whole, and count them in
        its size; False (its rows deleted) when the snapshot itself is gone (pruned meanwhile)."""
        updated = self._conn.execute(
            "UPDATE snapshots SET checkpoint = 1, depth = 0, chain_bytes = 0, stored_bytes ="
            " coalesce(length(changes), 0) + coalesce(length(trust_delta), 0)"
            " + coalesce((SELECT sum(length(rows)) FROM world_parts WHERE snapshot_id = ?), 0)"
            " + coalesce((SELECT sum(length(kind) + length(source) + length(target)"
            "   + length(rule) + length(policy) + length(scope) + length(source_url))"
            "   FROM trust_edges WHERE snapshot_id = ?), 0) WHERE id = ?",
            (snapshot_id, snapshot_id, snapshot_id),
        ).rowcount
        if not updated:
            for table in ("world_parts", "trust_edges"):
                self._conn.execute(f"DELETE FROM {table} WHERE snapshot_id = ?", (snapshot_id,))
        return bool(updated)

    def depth(self, snapshot_id: int | None) -> int:
        """How many changes reading `snapshot_id` replays after its nearest checkpoint."""
        return self.chain(snapshot_id)[0]

    def chain(self, snapshot_id: int | None) -> tuple[int, int]:
        """(changes, their bytes) replayed after `snapshot_id`'s nearest checkpoint."""
        if snapshot_id is None:
            return 0, 0
        row = self._conn.execute(
            "SELECT depth, chain_bytes FROM snapshots WHERE id = ?", (snapshot_id,)
        ).fetchone()
        if row is None:
            raise SnapshotNotFound(snapshot_id)
        return int(row[0]), int(row[1])

    def delete_before(self, snapshot_id: int) -> int:
        """Delete every snapshot older than `snapshot_id`; returns how many went."""
        for table in ("world_parts", "trust_edges"):
            self._conn.execute(f"DELETE FROM {table} WHERE snapshot_id < ?", (snapshot_id,))
        cur = self._conn.execute("DELETE FROM snapshots WHERE id < ?", (snapshot_id,))
        return cur.rowcount


def chain_rows(conn: sqlite3.Connection, snapshot_id: int) -> list[tuple[Any, ...]]:
    """The rows `_DELTA_COLUMNS` from `snapshot_id` back to its nearest checkpoint (inclusive),
    newest first. Raises `SnapshotNotFound` for an id the file does not hold, and
    `StoreIncompatible` when the chain is broken (a base that is gone, with no checkpoint)."""
    rows: list[tuple[Any, ...]] = []
    sid: int | None = snapshot_id
    while sid is not None:
        row = delta_row(conn, sid)
        if row is None:
            if not rows:
                raise SnapshotNotFound(snapshot_id)
            raise StoreIncompatible(
                f"snapshot `{snapshot_id}` needs snapshot `{sid}`, which the file no longer holds"
            )
        rows.append(row)
        if row[2]:  # a checkpoint
            return rows
        sid = row[1]
    raise StoreIncompatible(f"snapshot `{snapshot_id}` has no stored base")



def stored_change(conn: sqlite3.Connection, row: tuple[Any, ...]) -> StoredChange:
    """The `StoredChange` of a row of `_DELTA_COLUMNS`."""
    sid, _base, _checkpoint, changes, trust_delta = row
    return StoredChange(SnapshotTx(conn).info(sid), changes, trust_delta)


def delta_row(conn: sqlite3.Connection, snapshot_id: int) -> tuple[Any, ...] | None:
    """The row `_DELTA_COLUMNS` of one snapshot, or None."""
    row: tuple[Any, ...] | None = conn.execute(
        f"SELECT {_DELTA_COLUMNS} FROM snapshots WHERE id = ?", (snapshot_id,)
    ).fetchone()
    return row


def trust_rows(conn: sqlite3.Connection, snapshot_id: int) -> list[TrustEdge]:
    """The trust edge rows stored for a checkpoint, sorted by key."""
    rows = conn.execute(
        f"SELECT {_TRUST_COLUMNS} FROM trust_edges WHERE snapshot_id = ?"
        " ORDER BY kind, source, target",
        (snapshot_id,),
    )
    return [
        TrustEdge(
            kind=EdgeKind(k), source=s, target=t, rule=r, policy=p, scope=sc, source_url=u
        )
        for k, s, t, r, p, sc, u in rows
    ]
