"""The memory store's durability: snapshots in one sqlite file (stdlib `sqlite3`).

Why sqlite: one file, crash-safe transactions (WAL, `synchronous=FULL`), and SQL for ad-hoc
inspection, with no server. The in-memory graph is rebuilt from the newest snapshot at open.

The tables, their versions and the in-place upgrade of older files are in `schema`: every
snapshot is either stored whole (its World in `world_parts`, its trust edges in `trust_edges`:
a *checkpoint*) or as the change from its base snapshot (`snapshots.changes`), and reading
one means decoding its nearest checkpoint and the changes after it (`load`). A snapshot row
is inserted in the same transaction as what it stores, so the newest row of `snapshots` is
always complete: a crash mid-write leaves the previous one current.

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

from graphmodel.errors import Conflict, SnapshotNotFound, StoreIncompatible, StoreUnavailable
from graphmodel.schema.kinds import EdgeKind
from graphmodel.schema.trust import TrustEdge
from graphmodel.stores.base import SnapshotInfo
from graphmodel.stores.memory.schema import SCHEMA_VERSION, UPGRADABLE, create, upgrade

__all__ = ["SCHEMA_VERSION", "Chain", "Head", "SnapshotDb", "SnapshotTx", "StoredChange"]


_SNAPSHOT_COLUMNS: Final = (
    "id, created_at, source, title, counts, base_id, stored_bytes, request_key"
)
_DELTA_COLUMNS: Final = "id, base_id, checkpoint, changes, trust_delta"
_TRUST_COLUMNS: Final = "kind, source, target, rule, policy, scope, source_url"
T = TypeVar("T")
Part = tuple[str, str]
"""One World part as stored: `(field, JSON text)` (see `encoding`)."""


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
        `changes` on `base_id`."""
        checkpoint = changes is None
        size = len(changes or "") + len(trust_delta or "")
        cur = self._conn.execute(
            "INSERT INTO snapshots (created_at, source, title, counts, base_id, checkpoint,"
            " changes, trust_delta, stored_bytes, request_key) VALUES (?,?,?,?,?,?,?,?,?,?)",
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

    def add_parts(self, snapshot_id: int, parts: Iterable[tuple[int, str, str]]) -> None:
        """World parts `(seq, field, rows)` of a snapshot (see `encoding.encode_world`)."""
        rows = [(snapshot_id, seq, field, text) for seq, field, text in parts]
        self._conn.executemany(
            "INSERT INTO world_parts (snapshot_id, seq, field, rows) VALUES (?, ?, ?, ?)", rows
        )
        self._grow(snapshot_id, sum(len(text) for *_, text in rows))

    def add_trust(self, snapshot_id: int, edges: Iterable[TrustEdge]) -> None:
        rows = [
            (snapshot_id, e.kind.value, e.source, e.target, e.rule, e.policy, e.scope, e.source_url)
            for e in edges
        ]
        self._conn.executemany(
            f"INSERT INTO trust_edges (snapshot_id, {_TRUST_COLUMNS}) VALUES (?,?,?,?,?,?,?,?)",
            rows,
        )
        self._grow(snapshot_id, sum(len(str(v)) for row in rows for v in row[1:]))

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

    def mark_checkpoint(self, snapshot_id: int) -> None:
        """Record that `snapshot_id`'s parts and trust edges now hold it whole."""
        self._conn.execute("UPDATE snapshots SET checkpoint = 1 WHERE id = ?", (snapshot_id,))

    def depth(self, snapshot_id: int | None) -> int:
        """How many changes reading `snapshot_id` applies after its nearest checkpoint."""
        return 0 if snapshot_id is None else len(_chain_rows(self._conn, snapshot_id)) - 1

    def delete_before(self, snapshot_id: int) -> int:
        """Delete every snapshot older than `snapshot_id`; returns how many went."""
        for table in ("world_parts", "trust_edges"):
            self._conn.execute(f"DELETE FROM {table} WHERE snapshot_id < ?", (snapshot_id,))
        cur = self._conn.execute("DELETE FROM snapshots WHERE id < ?", (snapshot_id,))
        return cur.rowcount

    def _grow(self, snapshot_id: int, size: int) -> None:
        self._conn.execute(
            "UPDATE snapshots SET stored_bytes = stored_bytes + ? WHERE id = ?",
            (size, snapshot_id),
        )


def _chain_rows(conn: sqlite3.Connection, snapshot_id: int) -> list[tuple[Any, ...]]:
    """The rows `_DELTA_COLUMNS` from `snapshot_id` back to its nearest checkpoint (inclusive),
    newest first. Raises `SnapshotNotFound` for an id the file does not hold, and
    `StoreIncompatible` when the chain is broken (a base that is gone, with no checkpoint)."""
    rows: list[tuple[Any, ...]] = []
    sid: int | None = snapshot_id
    while sid is not None:
        row = conn.execute(
            f"SELECT {_DELTA_COLUMNS} FROM snapshots WHERE id = ?", (sid,)
        ).fetchone()
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
                        create(self._writer)
            if "meta" not in tables():
                raise StoreIncompatible(f"file `{self.name}` is not a tenantgraph store")
            row = self._version()
            if row is not None and row[0] in UPGRADABLE:
                with self.write():
                    row = self._version()
                    if row is not None and row[0] in UPGRADABLE:  # INVARIANT: rechecked
                        upgrade(self._writer)
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
            return SnapshotTx(conn).snapshots()

    def snapshot(self, snapshot_id: int) -> SnapshotInfo:
        """The snapshot row; raises `SnapshotNotFound`."""
        with self._read() as conn:
            return self._snapshot(conn, snapshot_id)

    def by_request(self, request_key: str) -> SnapshotInfo | None:
        """The snapshot written under `request_key`, if any."""
        with self._read() as conn:
            return SnapshotTx(conn).by_request(request_key)

    def depth(self, snapshot_id: int) -> int:
        """How many changes reading `snapshot_id` applies after its nearest checkpoint."""
        with self._read() as conn:
            return SnapshotTx(conn).depth(snapshot_id)

    def _snapshot(self, conn: sqlite3.Connection, snapshot_id: int) -> SnapshotInfo:
        return SnapshotTx(conn).info(snapshot_id)

    def latest(self) -> SnapshotInfo | None:
        with self._read() as conn:
            row = conn.execute(
                f"SELECT {_SNAPSHOT_COLUMNS} FROM snapshots ORDER BY id DESC LIMIT 1"
            ).fetchone()
            return None if row is None else _info(row)

    def load(
        self, snapshot_id: int, decode: Callable[[Iterable[Part]], T]
    ) -> tuple[SnapshotInfo, T, Chain]:
        """What reading a snapshot takes, in one read transaction: its row, its nearest
        checkpoint's World decoded by `decode` (parts streamed in write order, one in memory at
        a time) and the checkpoint's trust edges and the changes after it (`Chain`).
        Raises `SnapshotNotFound`."""
        with self._read() as conn:
            info = self._snapshot(conn, snapshot_id)
            rows = _chain_rows(conn, snapshot_id)
            checkpoint = rows[-1][0]
            world = decode(self._parts(conn, checkpoint))
            chain = Chain(
                checkpoint=self._snapshot(conn, checkpoint),
                trust=self._trust(conn, checkpoint),
                changes=[self._stored(conn, row) for row in reversed(rows[:-1])],
            )
            return info, world, chain

    def changes_after(self, base_id: int, snapshot_id: int) -> list[StoredChange] | None:
        """The stored changes leading from `base_id` to `snapshot_id`, oldest first; None when
        `snapshot_id` is not reached from `base_id` by changes alone (a snapshot stored whole
        in between, or `base_id` is not an ancestor)."""
        with self._read() as conn:
            found: list[StoredChange] = []
            sid = snapshot_id
            while sid != base_id:
                row = conn.execute(
                    f"SELECT {_DELTA_COLUMNS} FROM snapshots WHERE id = ?", (sid,)
                ).fetchone()
                if row is None or row[1] is None or row[3] is None or sid < base_id:
                    return None
                found.append(self._stored(conn, row))
                sid = row[1]
            found.reverse()
            return found

    def _stored(self, conn: sqlite3.Connection, row: tuple[Any, ...]) -> StoredChange:
        sid, _base, _checkpoint, changes, trust_delta = row
        return StoredChange(self._snapshot(conn, sid), changes, trust_delta)

    def _parts(self, conn: sqlite3.Connection, snapshot_id: int) -> Iterator[Part]:
        # A cursor, not a generator: a decoder that stops early leaves nothing to finalise
        # after the transaction ends.
        cursor: Iterator[Part] = conn.execute(
            "SELECT field, rows FROM world_parts WHERE snapshot_id = ? ORDER BY seq",
            (snapshot_id,),
        )
        return cursor

    def load_trust_rows(self, snapshot_id: int) -> list[TrustEdge]:
        """The trust edge rows stored for a checkpoint, sorted by key."""
        with self._read() as conn:
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

    def check_integrity(self) -> str:
        """`PRAGMA integrity_check`: `ok` or the first problems sqlite found."""
        with self._read() as conn:
            return "\n".join(r[0] for r in conn.execute("PRAGMA integrity_check"))

    def vacuum(self) -> None:
        """Give the space of deleted snapshots back to the file system (rewrites the file;
        needs as much free space as the file's size, and waits for other writers)."""
        with self._write_lock, _mapped(self.name):
            self._writer.execute("VACUUM")
