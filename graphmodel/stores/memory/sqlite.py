"""The memory store's durability: snapshots in one sqlite file (stdlib `sqlite3`).

Why sqlite: one file, crash-safe transactions (WAL, `synchronous=FULL`), and SQL for ad-hoc
inspection, with no server. The in-memory graph is rebuilt from the newest snapshot at open.

Schema (version 3; `meta.schema_version`). Every snapshot is a full copy; rows are never
updated except the trust edges of the current snapshot (`replace_trust_edges`)::

    meta(key TEXT PRIMARY KEY, value TEXT)             -- schema_version; generation (a
                                                       -- counter every write bumps)
    snapshots(id INTEGER PRIMARY KEY AUTOINCREMENT,    -- ids grow, never reused
              created_at TEXT,                         -- ISO 8601, UTC
              source TEXT, title TEXT, counts TEXT)    -- counts: JSON object
    world_parts(snapshot_id, seq, field, rows)         -- the World, field by field: rows is
                                                       -- JSON keys and rows (`encoding`)
    trust_edges(snapshot_id, kind, source, target, rule, policy, scope, source_url)
    entities(snapshot_id, field, data)                 -- VIEW: one row per entity (JSON)

Version 1 stored a node row (two JSON documents) per entity and an edge row per membership;
writing and reopening a 1M-user snapshot took minutes, so version 2 stores the World once in
parts (`graphmodel.stores.memory.encoding`), and version 3 stores each part as rows of values
under one list of keys (less than half the text). The `entities` view turns both layouts back
into one JSON object per entity, so ad-hoc SQL keeps working:
`SELECT json_extract(data, '$.userType') FROM entities WHERE snapshot_id = ? AND field =
'users'`. A version 2 file is upgraded in place when it is opened (only the view and the
version change; its parts are read as they are). A snapshot row is inserted in the same
transaction as its parts, so the newest row of `snapshots` is always complete: a crash
mid-write leaves the previous one current.

Threads: one writer connection, and for files a second connection for reads, so history reads
run while a write is in progress (WAL readers see the last commit). `:memory:` has a single
connection; reads then wait for the write to finish.

Processes: any number may open the same file. Every write transaction bumps
`meta.generation`, so a process learns that someone (itself included) published by reading
`PRAGMA data_version` on a third, idle connection (no I/O when nothing changed) and then the
generation and newest snapshot id (`Head`). A write compares its base with the newest id inside
its `BEGIN IMMEDIATE` transaction, so two processes can never publish on the same base.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final, TypeVar

from graphmodel.errors import SnapshotNotFound, StoreIncompatible
from graphmodel.schema.kinds import EdgeKind
from graphmodel.schema.trust import TrustEdge
from graphmodel.stores.base import SnapshotInfo
from graphmodel.stores.sqlite_errors import map_sqlite_errors

__all__ = ["SCHEMA_VERSION", "Head", "SnapshotDb", "SnapshotTx"]

SCHEMA_VERSION: Final = 3

_SCHEMA: Final = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE snapshots (
    id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL,
    source TEXT NOT NULL, title TEXT, counts TEXT NOT NULL);
CREATE TABLE world_parts (
    snapshot_id INTEGER NOT NULL REFERENCES snapshots(id), seq INTEGER NOT NULL,
    field TEXT NOT NULL, rows TEXT NOT NULL, PRIMARY KEY (snapshot_id, seq));
CREATE TABLE trust_edges (
    snapshot_id INTEGER NOT NULL REFERENCES snapshots(id), kind TEXT NOT NULL,
    source TEXT NOT NULL, target TEXT NOT NULL, rule TEXT NOT NULL, policy TEXT NOT NULL,
    scope TEXT NOT NULL, source_url TEXT NOT NULL, PRIMARY KEY (snapshot_id, kind, source, target));
"""
# One JSON object per entity, whichever layout its part has (`encoding`): version 2 parts are
# arrays of objects; version 3 parts are {"keys", "rows"}, turned back into objects here.
_ENTITIES_VIEW: Final = """
CREATE VIEW entities AS
    SELECT p.snapshot_id AS snapshot_id, p.field AS field, e.value AS data
    FROM world_parts AS p, json_each(p.rows) AS e
    WHERE json_type(p.rows) = 'array'
    UNION ALL
    SELECT p.snapshot_id, p.field,
        (SELECT json_group_object(k.value, r.value -> k.key) FROM json_each(p.rows, '$.keys') AS k)
    FROM world_parts AS p, json_each(p.rows, '$.rows') AS r
    WHERE json_type(p.rows) = 'object'
"""
_UPGRADABLE: Final = frozenset({"2"})
"""Schema versions this build upgrades in place on open (2 -> 3: the new view; parts of
version 2 stay as they are and are still read)."""
_SNAPSHOT_COLUMNS: Final = "id, created_at, source, title, counts"
_TRUST_COLUMNS: Final = "kind, source, target, rule, policy, scope, source_url"
T = TypeVar("T")
Part = tuple[str, str]
"""One World part as stored: `(field, JSON text)` (see `encoding`)."""


@contextmanager
def _mapped(name: str) -> Iterator[None]:
    """Translate sqlite exceptions at the edge of the store (P8; `sqlite_errors`)."""
    with map_sqlite_errors(name):
        yield


def _info(row: tuple[Any, ...]) -> SnapshotInfo:
    sid, created_at, source, title, counts = row
    return SnapshotInfo(
        id=sid,
        created_at=datetime.fromisoformat(created_at),
        source=source,
        title=title,
        counts=json.loads(counts),
    )


@dataclass(frozen=True, slots=True)
class Head:
    """What is published: the write counter and the newest snapshot id (None: none yet)."""

    generation: int
    snapshot: int | None


def _head(conn: sqlite3.Connection) -> Head:
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
        return _head(self._conn)

    def publish(self, head: Head) -> int:
        """Bump the generation read as `head`; returns the new one (call last, once per tx)."""
        generation = head.generation + 1
        self._conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('generation', ?)", (str(generation),)
        )
        return generation

    def add_snapshot(
        self, *, created_at: datetime, source: str, title: str | None, counts: dict[str, int]
    ) -> int:
        cur = self._conn.execute(
            "INSERT INTO snapshots (created_at, source, title, counts) VALUES (?, ?, ?, ?)",
            (created_at.isoformat(), source, title, json.dumps(counts)),
        )
        assert cur.lastrowid is not None  # INVARIANT: an INSERT into a rowid table sets it
        return cur.lastrowid

    def add_parts(self, snapshot_id: int, parts: Iterable[tuple[int, str, str]]) -> None:
        """World parts `(seq, field, rows)` of a snapshot (see `encoding.encode_world`)."""
        self._conn.executemany(
            "INSERT INTO world_parts (snapshot_id, seq, field, rows) VALUES (?, ?, ?, ?)",
            [(snapshot_id, seq, field, rows) for seq, field, rows in parts],
        )

    def add_trust(self, snapshot_id: int, edges: Iterable[TrustEdge]) -> None:
        rows = [
            (snapshot_id, e.kind.value, e.source, e.target, e.rule, e.policy, e.scope, e.source_url)
            for e in edges
        ]
        self._conn.executemany(
            f"INSERT INTO trust_edges (snapshot_id, {_TRUST_COLUMNS}) VALUES (?,?,?,?,?,?,?,?)",
            rows,
        )

    def delete_trust(self, snapshot_id: int, edges: Iterable[TrustEdge]) -> None:
        self._conn.executemany(
            "DELETE FROM trust_edges WHERE snapshot_id = ? AND kind = ? AND source = ?"
            " AND target = ?",
            [(snapshot_id, *e.key) for e in edges],
        )


class SnapshotDb:
    """A tenantgraph sqlite file (or `:memory:` database) holding the snapshot history."""

    def __init__(self, path: str | os.PathLike[str] | None, *, timeout: float = 5.0) -> None:
        self.name = ":memory:" if path is None else os.fspath(path)
        self.durable = self.name != ":memory:"
        if self.durable:
            folder = Path(self.name).parent
            if not folder.is_dir():
                raise StoreIncompatible(
                    f"cannot open store file `{self.name}`: directory `{folder}` does not exist"
                )
            if Path(self.name).is_dir():
                raise StoreIncompatible(f"cannot open store file `{self.name}`: it is a directory")
        self._write_lock = threading.RLock()
        self._writer = self._connect(timeout)
        try:
            self._init_schema()
            self._reader = self._connect(timeout) if self.durable else self._writer
            # an idle connection whose `PRAGMA data_version` moves when anyone else commits
            self._signal = self._connect(timeout) if self.durable else None
        except BaseException:
            self._writer.close()
            raise
        self._read_lock = self._write_lock if self._reader is self._writer else threading.Lock()
        self._signal_lock = threading.Lock()
        self._data_version: int | None = None

    def _connect(self, timeout: float) -> sqlite3.Connection:
        with _mapped(self.name):
            conn = sqlite3.connect(
                self.name, timeout=timeout, isolation_level=None, check_same_thread=False
            )
            try:
                if self.durable:
                    conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=FULL")
            except BaseException:
                conn.close()
                raise
        return conn

    def _init_schema(self) -> None:
        def tables() -> set[str]:
            return {r[0] for r in self._writer.execute("SELECT name FROM sqlite_master")}

        with _mapped(self.name):
            if not tables():
                with self.write():
                    if not tables():  # INVARIANT: rechecked under the write lock of the file
                        for statement in filter(str.strip, _SCHEMA.split(";")):
                            self._writer.execute(statement)
                        self._writer.execute(_ENTITIES_VIEW)
                        self._writer.execute(
                            "INSERT INTO meta (key, value) VALUES ('schema_version', ?)",
                            (str(SCHEMA_VERSION),),
                        )
            if "meta" not in tables():
                raise StoreIncompatible(f"file `{self.name}` is not a tenantgraph store")
            row = self._version()
            if row is not None and row[0] in _UPGRADABLE:
                with self.write():
                    row = self._version()
                    if row is not None and row[0] in _UPGRADABLE:  # INVARIANT: rechecked
                        self._writer.execute("DROP VIEW IF EXISTS entities")
                        self._writer.execute(_ENTITIES_VIEW)
                        self._writer.execute(
                            "UPDATE meta SET value = ? WHERE key = 'schema_version'",
                            (str(SCHEMA_VERSION),),
                        )
                        row = (str(SCHEMA_VERSION),)
        if row is None or row[0] != str(SCHEMA_VERSION):
            found = "none" if row is None else row[0]
            raise StoreIncompatible(
                f"store file `{self.name}` has schema version `{found}`, "
                f"this build reads version `{SCHEMA_VERSION}`"
            )

    def _version(self) -> tuple[str] | None:
        row: tuple[str] | None = self._writer.execute(
            "SELECT value FROM meta WHERE key = 'schema_version'"
        ).fetchone()
        return row

    def close(self) -> None:
        with self._write_lock, self._read_lock, self._signal_lock:
            if self._signal is not None:
                self._signal.close()
            if self._reader is not self._writer:
                self._reader.close()
            self._writer.close()

    def changed(self) -> bool:
        """Whether any connection committed since the previous call (True on the first call).

        One `PRAGMA data_version` on an idle connection: no file I/O when nothing changed.
        `:memory:` has no other writers: always False after the first call.
        """
        with self._signal_lock, _mapped(self.name):
            if self._signal is None:
                first = self._data_version is None
                self._data_version = 0
                return first
            version = int(self._signal.execute("PRAGMA data_version").fetchone()[0])
            changed = version != self._data_version
            self._data_version = version
            return changed

    def moved(self) -> bool:
        """Whether `changed()` would return True now; consumes nothing (no file I/O)."""
        with self._signal_lock, _mapped(self.name):
            if self._signal is None or self._data_version is None:
                return self._data_version is None
            version = int(self._signal.execute("PRAGMA data_version").fetchone()[0])
            return version != self._data_version

    def head(self) -> Head:
        """The published head: generation and newest snapshot id, read in one transaction."""
        with self._read() as conn:
            return _head(conn)

    @contextmanager
    def write(self) -> Iterator[SnapshotTx]:
        """One `BEGIN IMMEDIATE` ... `COMMIT` transaction; any exception rolls it back."""
        with self._write_lock, _mapped(self.name):
            self._writer.execute("BEGIN IMMEDIATE")
            try:
                yield SnapshotTx(self._writer)
                self._writer.execute("COMMIT")
            except BaseException:
                if self._writer.in_transaction:  # sqlite may have rolled back on its own
                    self._writer.execute("ROLLBACK")
                raise

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: every query inside sees the same committed state."""
        with self._read_lock, _mapped(self.name):
            self._reader.execute("BEGIN")
            try:
                yield self._reader
            finally:
                self._reader.execute("COMMIT")

    def snapshots(self) -> list[SnapshotInfo]:
        with self._read() as conn:
            rows = conn.execute(f"SELECT {_SNAPSHOT_COLUMNS} FROM snapshots ORDER BY id DESC")
            return [_info(r) for r in rows]

    def snapshot(self, snapshot_id: int) -> SnapshotInfo:
        """The snapshot row; raises `SnapshotNotFound`."""
        with self._read() as conn:
            return self._snapshot(conn, snapshot_id)

    def _snapshot(self, conn: sqlite3.Connection, snapshot_id: int) -> SnapshotInfo:
        row = conn.execute(
            f"SELECT {_SNAPSHOT_COLUMNS} FROM snapshots WHERE id = ?", (snapshot_id,)
        ).fetchone()
        if row is None:
            raise SnapshotNotFound(snapshot_id)
        return _info(row)

    def latest(self) -> SnapshotInfo | None:
        with self._read() as conn:
            row = conn.execute(
                f"SELECT {_SNAPSHOT_COLUMNS} FROM snapshots ORDER BY id DESC LIMIT 1"
            ).fetchone()
            return None if row is None else _info(row)

    def load_world(self, snapshot_id: int, decode: Callable[[Iterable[Part]], T]) -> T:
        """`decode` applied to a snapshot's World parts in write order, streamed from one read
        transaction (one part in memory at a time); raises `SnapshotNotFound`."""
        with self._read() as conn:
            self._snapshot(conn, snapshot_id)
            return decode(self._parts(conn, snapshot_id))

    def _parts(self, conn: sqlite3.Connection, snapshot_id: int) -> Iterator[Part]:
        # A cursor, not a generator: a decoder that stops early leaves nothing to finalise
        # after the transaction ends.
        cursor: Iterator[Part] = conn.execute(
            "SELECT field, rows FROM world_parts WHERE snapshot_id = ? ORDER BY seq",
            (snapshot_id,),
        )
        return cursor

    def load_trust(self, snapshot_id: int) -> list[TrustEdge]:
        """The trust edges of a snapshot, sorted by key; raises `SnapshotNotFound`."""
        with self._read() as conn:
            self._snapshot(conn, snapshot_id)
            return self._trust(conn, snapshot_id)

    def _trust(self, conn: sqlite3.Connection, snapshot_id: int) -> list[TrustEdge]:
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

    def load(
        self, snapshot_id: int, decode: Callable[[Iterable[Part]], T]
    ) -> tuple[SnapshotInfo, T, list[TrustEdge]]:
        """A snapshot's row, decoded World parts and trust edges, read in one transaction.
        Raises `SnapshotNotFound`."""
        with self._read() as conn:
            info = self._snapshot(conn, snapshot_id)
            world = decode(self._parts(conn, snapshot_id))
            return info, world, self._trust(conn, snapshot_id)

    def check_integrity(self) -> str:
        """`PRAGMA integrity_check`: `ok` or the first problems sqlite found."""
        with self._read() as conn:
            return "\n".join(r[0] for r in conn.execute("PRAGMA integrity_check"))
