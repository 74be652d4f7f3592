"""The memory store's durability: snapshots in one sqlite file (stdlib `sqlite3`).

Why sqlite: one file, crash-safe transactions (WAL, `synchronous=FULL`), and SQL for ad-hoc
inspection, with no server. The in-memory graph is rebuilt from the newest snapshot at open.

Schema (version 1; `meta.schema_version`). Every snapshot is a full copy; rows are never
updated except the trust edges of the current snapshot (`replace_trust_edges`)::

    meta(key TEXT PRIMARY KEY, value TEXT)             -- schema_version; generation (a
                                                       -- counter every write bumps)
    snapshots(id INTEGER PRIMARY KEY AUTOINCREMENT,    -- ids grow, never reused
              created_at TEXT,                         -- ISO 8601, UTC
              source TEXT, title TEXT, counts TEXT)    -- counts: JSON object
    nodes(snapshot_id, key, kind, props, data)         -- props: JSON of the readable props,
                                                       -- data: the node's `data` prop (JSON)
    edges(snapshot_id, source, target, kind, props)    -- props: JSON object or NULL
    trust_edges(snapshot_id, kind, source, target, rule, policy, scope, source_url)

Queries look like `SELECT json_extract(data, '$.userType') FROM nodes WHERE snapshot_id = ?
AND kind = 'User'`. A snapshot row is inserted in the same transaction as its nodes, so the
newest row of `snapshots` is always complete: a crash mid-write leaves the previous one current.

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
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final, cast

from graphmodel.errors import Conflict, SnapshotNotFound, StoreIncompatible, StoreUnavailable
from graphmodel.schema.kinds import EdgeKind, NodeKind
from graphmodel.schema.trust import TrustEdge
from graphmodel.stores.base import EdgeRecord, MetaKind, NodeRecord, PropValue, SnapshotInfo
from graphmodel.stores.graphmap import NO_PROPS

__all__ = ["SCHEMA_VERSION", "Head", "SnapshotDb", "SnapshotTx"]

SCHEMA_VERSION: Final = 1

_SCHEMA: Final = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE snapshots (
    id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL,
    source TEXT NOT NULL, title TEXT, counts TEXT NOT NULL);
CREATE TABLE nodes (
    snapshot_id INTEGER NOT NULL REFERENCES snapshots(id), key TEXT NOT NULL,
    kind TEXT NOT NULL, props TEXT NOT NULL, data TEXT NOT NULL, UNIQUE (snapshot_id, key));
CREATE INDEX nodes_by_kind ON nodes (snapshot_id, kind);
CREATE TABLE edges (
    snapshot_id INTEGER NOT NULL REFERENCES snapshots(id), source TEXT NOT NULL,
    target TEXT NOT NULL, kind TEXT NOT NULL, props TEXT);
CREATE INDEX edges_by_source ON edges (snapshot_id, source, kind);
CREATE TABLE trust_edges (
    snapshot_id INTEGER NOT NULL REFERENCES snapshots(id), kind TEXT NOT NULL,
    source TEXT NOT NULL, target TEXT NOT NULL, rule TEXT NOT NULL, policy TEXT NOT NULL,
    scope TEXT NOT NULL, source_url TEXT NOT NULL, PRIMARY KEY (snapshot_id, kind, source, target));
"""
_SNAPSHOT_COLUMNS: Final = "id, created_at, source, title, counts"
_TRUST_COLUMNS: Final = "kind, source, target, rule, policy, scope, source_url"
_NODE_KINDS: Final[dict[str, NodeKind | MetaKind]] = {k.value: k for k in (*NodeKind, *MetaKind)}
_EDGE_KINDS: Final = {k.value: k for k in EdgeKind}


@contextmanager
def _mapped(name: str) -> Iterator[None]:
    """Translate sqlite exceptions at the edge of the store (P8)."""
    try:
        yield
    except sqlite3.IntegrityError as exc:
        raise Conflict(f"store file `{name}` refused the write: {exc}") from exc
    except sqlite3.OperationalError as exc:
        raise StoreUnavailable(f"store file `{name}` is unavailable: {exc}") from exc
    except sqlite3.DatabaseError as exc:
        raise StoreIncompatible(f"store file `{name}` cannot be read: {exc}") from exc
    except sqlite3.Error as exc:
        raise StoreUnavailable(f"store file `{name}` is unavailable: {exc}") from exc


def _prop(value: Any) -> PropValue:
    return tuple(value) if isinstance(value, list) else cast(PropValue, value)


def _props(text: str | None) -> Mapping[str, PropValue]:
    return {k: _prop(v) for k, v in json.loads(text).items()} if text else NO_PROPS


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

    def add_nodes(self, snapshot_id: int, nodes: Iterable[NodeRecord]) -> None:
        rows = []
        for n in nodes:
            props = {k: v for k, v in n.props.items() if k != "data"}
            rows.append((snapshot_id, n.key, n.kind.value, json.dumps(props), n.props["data"]))
        self._conn.executemany(
            "INSERT INTO nodes (snapshot_id, key, kind, props, data) VALUES (?, ?, ?, ?, ?)", rows
        )

    def add_edges(self, snapshot_id: int, edges: Iterable[EdgeRecord]) -> None:
        rows = [
            (
                snapshot_id,
                e.source,
                e.target,
                e.kind.value,
                json.dumps(dict(e.props)) if e.props else None,
            )
            for e in edges
        ]
        self._conn.executemany(
            "INSERT INTO edges (snapshot_id, source, target, kind, props) VALUES (?, ?, ?, ?, ?)",
            rows,
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
                        self._writer.execute(
                            "INSERT INTO meta (key, value) VALUES ('schema_version', ?)",
                            (str(SCHEMA_VERSION),),
                        )
            if "meta" not in tables():
                raise StoreIncompatible(f"file `{self.name}` is not a tenantgraph store")
            row = self._writer.execute(
                "SELECT value FROM meta WHERE key = 'schema_version'"
            ).fetchone()
        if row is None or row[0] != str(SCHEMA_VERSION):
            found = "none" if row is None else row[0]
            raise StoreIncompatible(
                f"store file `{self.name}` has schema version `{found}`, "
                f"this build reads version `{SCHEMA_VERSION}`"
            )

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

    def load_nodes(self, snapshot_id: int) -> list[NodeRecord]:
        """Every node of a snapshot in write order; raises `SnapshotNotFound`."""
        with self._read() as conn:
            self._snapshot(conn, snapshot_id)
            return self._nodes(conn, snapshot_id)

    def _nodes(self, conn: sqlite3.Connection, snapshot_id: int) -> list[NodeRecord]:
        rows = conn.execute(
            "SELECT key, kind, props, data FROM nodes WHERE snapshot_id = ? ORDER BY rowid",
            (snapshot_id,),
        )
        out = []
        for key, kind, props, data in rows:
            record = NodeRecord(
                key=key, kind=_NODE_KINDS[kind], props={**_props(props), "data": data}
            )
            out.append(record)
        return out

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

    def load(self, snapshot_id: int) -> tuple[SnapshotInfo, list[NodeRecord], list[TrustEdge]]:
        """A snapshot's row, nodes and trust edges, read in one transaction.

        Observed edges are not read: they are a projection of the nodes' entities
        (`graphmap.iter_edges`), so the in-memory view derives them when it needs them.
        Raises `SnapshotNotFound`.
        """
        with self._read() as conn:
            info = self._snapshot(conn, snapshot_id)
            return info, self._nodes(conn, snapshot_id), self._trust(conn, snapshot_id)

    def load_edges(self, snapshot_id: int) -> list[EdgeRecord]:
        """The observed edges of a snapshot as stored (for checks and tools)."""
        with self._read() as conn:
            self._snapshot(conn, snapshot_id)
            rows = conn.execute(
                "SELECT source, target, kind, props FROM edges WHERE snapshot_id = ?",
                (snapshot_id,),
            )
            return [
                EdgeRecord(source=s, target=t, kind=_EDGE_KINDS[k], props=_props(p))
                for s, t, k, p in rows
            ]

    def check_integrity(self) -> str:
        """`PRAGMA integrity_check`: `ok` or the first problems sqlite found."""
        with self._read() as conn:
            return "\n".join(r[0] for r in conn.execute("PRAGMA integrity_check"))
