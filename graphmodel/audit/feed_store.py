"""Where the access-change feed is kept: a sqlite file next to the store, shared by processes.

Why a file of its own (`<db>.changes.sqlite`, like the audit file and the token file): a sync
process writes snapshots and computes their feed, while several API workers and the CLI read
it; the graph store protocol knows nothing of feeds, and the feed must survive restarts and
work whatever the graph backend is. Every call opens its own connection (WAL journal, so
readers never wait for the writer), which makes the store safe from any thread or process.

Computed once: a snapshot's events are inserted in one transaction together with the snapshot
row (primary key), so a second process that computed the same snapshot concurrently inserts
nothing; a short lease (`claim`) keeps two processes from doing that work at all in the common
case. A snapshot id whose creation time differs from the recorded one (the graph store was
recreated) drops the recorded feed from that snapshot on.

Delivery is a durable outbox: each sink (a webhook URL, a JSON-lines file) has a cursor, the
last event it received; a sink that fails keeps its cursor and a time to try again, so events
are delivered in order, at least once, whenever the sink comes back, even across restarts.

Tables (schema version 1)::

    snapshots(snapshot_id PK, created, previous, computed_at, events)
    events(seq PK AUTOINCREMENT, snapshot_id, tenant, kind, body JSON)
    claims(snapshot_id PK, owner, until)
    sinks(name PK, last_seq, attempts, next_at, last_error)
    dead_letters(sink, seq, at, error)
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from graphmodel.audit.feed import FeedEvent
from graphmodel.errors import StoreUnavailable
from graphmodel.schema.codec import from_data, to_data

__all__ = ["FeedRecord", "FeedStore", "SinkState", "feed_db_path"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS snapshots (
    snapshot_id INTEGER PRIMARY KEY, created TEXT NOT NULL, previous INTEGER,
    computed_at TEXT NOT NULL, events INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, snapshot_id INTEGER NOT NULL, tenant TEXT NOT NULL,
    kind TEXT NOT NULL, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS events_by_snapshot ON events (snapshot_id);
CREATE TABLE IF NOT EXISTS claims (
    snapshot_id INTEGER PRIMARY KEY, owner TEXT NOT NULL, until TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sinks (
    name TEXT PRIMARY KEY, last_seq INTEGER NOT NULL, attempts INTEGER NOT NULL,
    next_at TEXT, last_error TEXT);
CREATE TABLE IF NOT EXISTS dead_letters (
    sink TEXT NOT NULL, seq INTEGER NOT NULL, at TEXT NOT NULL, error TEXT NOT NULL);
INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', '1');
"""


def feed_db_path(db: str | None) -> str | None:
    """The feed file of a graph store file: `<db>.changes.sqlite` (None for no file).

    Examples
    --------
    >>> feed_db_path("tenantgraph.db")
    'tenantgraph.db.changes.sqlite'
    """
    if db is None or db == ":memory:":
        return None
    return f"{db}.changes.sqlite"


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedRecord:
    """One stored event: its place in the feed, the snapshot it belongs to, and the event."""

    seq: int
    snapshot: int
    previous: int | None
    at: datetime  # the snapshot's creation time
    event: FeedEvent


@dataclass(frozen=True, slots=True, kw_only=True)
class SinkState:
    name: str
    last_seq: int
    attempts: int
    next_at: datetime | None
    last_error: str | None


class FeedStore:
    """The feed file; `path=None` keeps everything in memory (tests, stores without a file)."""

    def __init__(self, path: str | Path | None) -> None:
        self.path = None if path is None else str(path)
        self._lock = threading.Lock()
        self._memory: sqlite3.Connection | None = None
        if self.path is None:
            self._memory = sqlite3.connect(":memory:", check_same_thread=False)
        with self._connect() as conn:
            if self.path is not None:
                conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(_SCHEMA)

    # --- plumbing --------------------------------------------------------------------------
    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            if self._memory is not None:
                with self._lock, self._memory:
                    yield self._memory
                return
            with closing(sqlite3.connect(self.path or "", timeout=30.0)) as conn, conn:
                yield conn
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"change feed file `{self.path or ':memory:'}` is "
                                   f"unavailable: {exc}") from exc

    def close(self) -> None:
        if self._memory is not None:
            self._memory.close()

    # --- snapshots -------------------------------------------------------------------------
    def recorded(self) -> dict[int, str]:
        """Snapshot id -> creation time (ISO) of every snapshot the feed has covered."""
        with self._connect() as conn:
            return dict(conn.execute("SELECT snapshot_id, created FROM snapshots"))

    def forget_from(self, snapshot_id: int) -> None:
        """Drop the feed of `snapshot_id` and later (their graph snapshots were replaced)."""
        with self._connect() as conn:
            conn.execute("DELETE FROM events WHERE snapshot_id >= ?", (snapshot_id,))
            conn.execute("DELETE FROM snapshots WHERE snapshot_id >= ?", (snapshot_id,))

    def claim(self, snapshot_id: int, owner: str, now: datetime, lease: timedelta) -> bool:
        """Take the lease to compute `snapshot_id`; False when another owner holds it."""
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            row = conn.execute("SELECT owner, until FROM claims WHERE snapshot_id = ?",
                               (snapshot_id,)).fetchone()
            if row is not None and row[0] != owner and row[1] > now.isoformat():
                return False
            conn.execute("INSERT OR REPLACE INTO claims VALUES (?, ?, ?)",
                         (snapshot_id, owner, (now + lease).isoformat()))
            return True

    def record(self, snapshot_id: int, created: datetime, previous: int | None,
               events: Sequence[FeedEvent], now: datetime) -> bool:
        """Store a snapshot's events; False (nothing stored) when it was recorded already."""
        with self._connect() as conn:
            done = conn.execute("INSERT OR IGNORE INTO snapshots VALUES (?, ?, ?, ?, ?)",
                                (snapshot_id, created.isoformat(), previous, now.isoformat(),
                                 len(events)))
            if done.rowcount == 0:
                return False
            conn.executemany(
                "INSERT INTO events (snapshot_id, tenant, kind, body) VALUES (?, ?, ?, ?)",
                [(snapshot_id, e.tenant, e.change.value, json.dumps(to_data(e)))
                 for e in events])
            conn.execute("DELETE FROM claims WHERE snapshot_id = ?", (snapshot_id,))
            return True

    # --- events ----------------------------------------------------------------------------
    def events(
        self,
        *,
        after: int | None = None,
        since_snapshot: int | None = None,
        since_time: datetime | None = None,
        tenants: Sequence[str] | None = None,
        limit: int | None = None,
    ) -> list[FeedRecord]:
        """Events in feed order: after seq `after`, of snapshots newer than `since_snapshot`
        and created after `since_time`, on resources of `tenants` (None = all)."""
        where, params = self._filter(after, since_snapshot, since_time, tenants)
        sql = ("SELECT e.seq, e.snapshot_id, s.previous, s.created, e.body FROM events e "
               f"JOIN snapshots s USING (snapshot_id) WHERE {where} ORDER BY e.seq")
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        with self._connect() as conn:
            rows = list(conn.execute(sql, params))
        return [FeedRecord(seq=seq, snapshot=sid, previous=prev,
                           at=datetime.fromisoformat(created),
                           event=from_data(FeedEvent, json.loads(body)))
                for seq, sid, prev, created, body in rows]

    def count(
        self,
        *,
        since_snapshot: int | None = None,
        since_time: datetime | None = None,
        tenants: Sequence[str] | None = None,
    ) -> int:
        where, params = self._filter(None, since_snapshot, since_time, tenants)
        with self._connect() as conn:
            row = conn.execute("SELECT COUNT(*) FROM events e JOIN snapshots s "
                               f"USING (snapshot_id) WHERE {where}", params).fetchone()
        return int(row[0])

    @staticmethod
    def _filter(after: int | None, since_snapshot: int | None, since_time: datetime | None,
                tenants: Sequence[str] | None) -> tuple[str, list[Any]]:
        clauses: list[str] = ["1 = 1"]  # each clause is a fixed text; values are parameters
        params: list[Any] = []
        if after is not None:
            clauses.append("e.seq > ?")
            params.append(after)
        if since_snapshot is not None:
            clauses.append("e.snapshot_id > ?")
            params.append(since_snapshot)
        if since_time is not None:
            clauses.append("s.created > ?")
            params.append(since_time.isoformat())
        if tenants is not None:
            clauses.append("e.tenant IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(list(tenants)))
        return " AND ".join(clauses), params

    def last_seq(self) -> int:
        with self._connect() as conn:
            row = conn.execute("SELECT MAX(seq) FROM events").fetchone()
        return int(row[0] or 0)

    # --- delivery --------------------------------------------------------------------------
    def sink(self, name: str) -> SinkState:
        """The cursor of sink `name`; a new sink starts after the newest event (no backlog)."""
        with self._connect() as conn:
            conn.execute("INSERT OR IGNORE INTO sinks VALUES (?, "
                         "(SELECT COALESCE(MAX(seq), 0) FROM events), 0, NULL, NULL)", (name,))
            row = conn.execute("SELECT last_seq, attempts, next_at, last_error FROM sinks "
                               "WHERE name = ?", (name,)).fetchone()
        last, attempts, next_at, error = row
        return SinkState(name=name, last_seq=last, attempts=attempts,
                         next_at=None if next_at is None else datetime.fromisoformat(next_at),
                         last_error=error)

    def delivered(self, name: str, seq: int) -> None:
        with self._connect() as conn:
            conn.execute("UPDATE sinks SET last_seq = MAX(last_seq, ?), attempts = 0, "
                         "next_at = NULL, last_error = NULL WHERE name = ?", (seq, name))

    def failed(self, name: str, error: str, next_at: datetime) -> None:
        with self._connect() as conn:
            conn.execute("UPDATE sinks SET attempts = attempts + 1, next_at = ?, "
                         "last_error = ? WHERE name = ?", (next_at.isoformat(), error, name))

    def give_up(self, name: str, seq: int, error: str, now: datetime) -> None:
        """Set event `seq` aside for sink `name` (the sink refused it for good) and move on."""
        with self._connect() as conn:
            conn.execute("INSERT INTO dead_letters VALUES (?, ?, ?, ?)",
                         (name, seq, now.isoformat(), error))
        self.delivered(name, seq)

    def dead_letters(self, name: str) -> list[tuple[int, str]]:
        with self._connect() as conn:
            return [(int(s), str(e)) for s, e in conn.execute(
                "SELECT seq, error FROM dead_letters WHERE sink = ? ORDER BY seq", (name,))]
