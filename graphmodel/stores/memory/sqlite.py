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

import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from graphmodel.errors import StoreIncompatible
from graphmodel.schema.trust import TrustEdge
from graphmodel.stores.base import SnapshotInfo
from graphmodel.stores.memory.rows import (
    Chain,
    Head,
    Part,
    SnapshotTx,
    StoredChange,
    chain_rows,
    delta_row,
    head_of,
    stored_change,
    trust_rows,
)
from graphmodel.stores.memory.schema import SCHEMA_VERSION, UPGRADABLE, create, upgrade
from graphmodel.stores.sqlite_errors import map_sqlite_errors

__all__ = ["SCHEMA_VERSION", "Chain", "Head", "Part", "SnapshotDb", "SnapshotTx", "StoredChange"]

T = TypeVar("T")


@contextmanager
def _mapped(name: str) -> Iterator[None]:
    """Translate sqlite exceptions at the edge of the store (P8; `sqlite_errors`)."""
    with map_sqlite_errors(name):
        yield


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
            return head_of(conn)

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

    def chain(self, snapshot_id: int) -> tuple[int, int]:
        """(changes, their bytes) reading `snapshot_id` replays after its nearest checkpoint."""
        with self._read() as conn:
            return SnapshotTx(conn).chain(snapshot_id)

    def depth(self, snapshot_id: int) -> int:
        return self.chain(snapshot_id)[0]

    def anchor_bytes(self, snapshot_id: int) -> int:
        """The stored size of the newest checkpoint at or before `snapshot_id` (0: none)."""
        with self._read() as conn:
            row = conn.execute(
                "SELECT stored_bytes FROM snapshots WHERE checkpoint = 1 AND id <= ?"
                " ORDER BY id DESC LIMIT 1",
                (snapshot_id,),
            ).fetchone()
            return 0 if row is None else int(row[0])

    def _snapshot(self, conn: sqlite3.Connection, snapshot_id: int) -> SnapshotInfo:
        return SnapshotTx(conn).info(snapshot_id)

    def load(
        self, snapshot_id: int, decode: Callable[[Iterable[Part]], T]
    ) -> tuple[SnapshotInfo, T, Chain]:
        """What reading a snapshot takes, in one read transaction: its row, its nearest
        checkpoint's World decoded by `decode` (parts streamed in write order, one in memory at
        a time) and the checkpoint's trust edges and the changes after it (`Chain`).
        Raises `SnapshotNotFound`."""
        with self._read() as conn:
            info = self._snapshot(conn, snapshot_id)
            rows = chain_rows(conn, snapshot_id)
            checkpoint = rows[-1][0]
            world = decode(self._parts(conn, checkpoint))
            chain = Chain(
                checkpoint=self._snapshot(conn, checkpoint),
                trust=self._trust(conn, checkpoint),
                changes=[stored_change(conn, row) for row in reversed(rows[:-1])],
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
                row = delta_row(conn, sid)
                if row is None or row[1] is None or row[3] is None or sid < base_id:
                    return None
                found.append(stored_change(conn, row))
                sid = row[1]
            found.reverse()
            return found

    def _parts(self, conn: sqlite3.Connection, snapshot_id: int) -> Iterator[Part]:
        # A cursor, not a generator: a decoder that stops early leaves nothing to finalise
        # after the transaction ends.
        cursor: Iterator[Part] = conn.execute(
            "SELECT field, rows FROM world_parts WHERE snapshot_id = ? ORDER BY seq",
            (snapshot_id,),
        )
        return cursor

    def _trust(self, conn: sqlite3.Connection, snapshot_id: int) -> list[TrustEdge]:
        return trust_rows(conn, snapshot_id)

    def check_integrity(self) -> str:
        """`PRAGMA integrity_check`: `ok` or the first problems sqlite found."""
        with self._read() as conn:
            return "\n".join(r[0] for r in conn.execute("PRAGMA integrity_check"))

    def vacuum(self) -> None:
        """Give the space of deleted snapshots back to the file system (rewrites the file;
        needs as much free space as the file's size, and waits for other writers)."""
        with self._write_lock, _mapped(self.name):
            self._writer.execute("VACUUM")
