"""Suppressions, zones of trust and the finding history, in a small sqlite file of their own.

Why a separate file (`<db>.audit.sqlite` next to the graph store's file): the graph store holds
immutable snapshots of the directory, and its protocol knows nothing of audits; suppressions and
zones are the auditor's decisions, not directory facts, and must survive new snapshots and work
whatever the graph backend is (memory or Neo4j). Keying the file to the store's path keeps each
store's decisions with it.

Tables (schema version 1)::

    suppressions(fingerprint PK, reason, owner, created_at, since_snapshot)
    zones(name PK, tenants JSON, description, updated_at)
    audits(profile, snapshot_id, snapshot_created)            -- which snapshots are recorded
    audited_checks(profile, snapshot_id, check_id, snapshot_created)  -- ... for some checks
    sightings(profile, snapshot_id, fingerprint, check_id, severity, tenant, subject, message)

`audits`/`sightings` are a cache of which findings each snapshot had under one *profile* (zone
tenants, options and catalogue version hashed): findings are a pure function of a snapshot, so
the cache can always be rebuilt. A snapshot id whose creation time differs from the recorded one
(the graph store was recreated) is treated as unrecorded. An audit of some checks only
(`audit --check`) records those checks (`audited_checks`), so it neither wipes nor fakes the
sightings of the others.

A store opened `read_only` never creates or writes the file (what-if must leave every file
untouched); reads of a missing file see no suppressions, zones or history.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from graphmodel.audit.model import Finding, Severity, Suppression, Zone
from graphmodel.errors import StoreUnavailable
from graphmodel.stores.sqlite_errors import map_sqlite_errors

__all__ = ["AuditStore", "Sighting", "audit_db_path"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS suppressions (
    fingerprint TEXT PRIMARY KEY, reason TEXT NOT NULL, owner TEXT NOT NULL,
    created_at TEXT NOT NULL, since_snapshot INTEGER);
CREATE TABLE IF NOT EXISTS zones (
    name TEXT PRIMARY KEY, tenants TEXT NOT NULL, description TEXT NOT NULL,
    updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS audits (
    profile TEXT NOT NULL, snapshot_id INTEGER NOT NULL, snapshot_created TEXT NOT NULL,
    PRIMARY KEY (profile, snapshot_id));
CREATE TABLE IF NOT EXISTS audited_checks (
    profile TEXT NOT NULL, snapshot_id INTEGER NOT NULL, check_id TEXT NOT NULL,
    snapshot_created TEXT NOT NULL, PRIMARY KEY (profile, snapshot_id, check_id));
CREATE TABLE IF NOT EXISTS sightings (
    profile TEXT NOT NULL, snapshot_id INTEGER NOT NULL, fingerprint TEXT NOT NULL,
    check_id TEXT NOT NULL, severity TEXT NOT NULL, tenant TEXT NOT NULL, subject TEXT NOT NULL,
    message TEXT NOT NULL, PRIMARY KEY (profile, snapshot_id, fingerprint));
INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', '1');
"""


def audit_db_path(db: str | os.PathLike[str] | None) -> str | None:
    """The audit file of a graph store file: `<db>.audit.sqlite` (None for an in-memory store).

    Examples
    --------
    >>> audit_db_path("tenantgraph.db")
    'tenantgraph.db.audit.sqlite'
    >>> audit_db_path(None) is None
    True
    """
    if db is None or str(db) == ":memory:":
        return None
    return f"{os.fspath(db)}.audit.sqlite"


@dataclass(frozen=True, slots=True, kw_only=True)
class Sighting:
    """A finding as the history remembers it (no exposures)."""

    fingerprint: str
    check: str
    severity: Severity
    tenant: str
    subject: str
    message: str


class AuditStore:
    """The audit file; `path=None` keeps everything in memory (tests, stores without a file)."""

    def __init__(self, path: str | os.PathLike[str] | None, *, read_only: bool = False) -> None:
        self.path = None if path is None else os.fspath(path)
        self.read_only = read_only
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        with self._mapped():
            if self.path is None:
                self._conn = sqlite3.connect(":memory:", check_same_thread=False)
            elif not read_only:
                self._conn = sqlite3.connect(self.path, check_same_thread=False, timeout=5.0)
            elif Path(self.path).exists():
                uri = Path(self.path).resolve().as_uri() + "?mode=ro"
                self._conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
            if self._conn is not None and not (read_only and self.path is not None):
                self._conn.executescript(_SCHEMA)
                self._conn.commit()

    # --- plumbing --------------------------------------------------------------------------
    @contextmanager
    def _mapped(self) -> Iterator[None]:
        with map_sqlite_errors(self.path or ":memory:", what="audit file"):
            yield

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        if self._conn is None:
            return []
        with self._lock, self._mapped():
            try:
                return list(self._conn.execute(sql, params))
            except sqlite3.OperationalError as exc:
                if "no such table" in str(exc):  # a read-only file from before this schema
                    return []
                raise

    def _write(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> None:
        if self.read_only or self._conn is None:
            raise StoreUnavailable(f"audit file `{self.path}` is open read-only")
        with self._lock, self._mapped(), self._conn:
            for sql, params in statements:
                self._conn.execute(sql, params)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- suppressions ----------------------------------------------------------------------
    def suppress(self, s: Suppression) -> None:
        """Add or replace the suppression of `s.fingerprint`."""
        self._write(
            [
                (
                    "INSERT OR REPLACE INTO suppressions VALUES (?, ?, ?, ?, ?)",
                    (s.fingerprint, s.reason, s.owner, s.created_at.isoformat(), s.since_snapshot),
                )
            ]
        )

    def unsuppress(self, fingerprint: str) -> bool:
        """Remove a suppression; False when there was none."""
        found = bool(self._rows("SELECT 1 FROM suppressions WHERE fingerprint = ?", (fingerprint,)))
        if found:
            self._write([("DELETE FROM suppressions WHERE fingerprint = ?", (fingerprint,))])
        return found

    def suppressions(self) -> list[Suppression]:
        """Every suppression, oldest first."""
        return [
            Suppression(
                fingerprint=fp,
                reason=reason,
                owner=owner,
                created_at=datetime.fromisoformat(created),
                since_snapshot=since,
            )
            for fp, reason, owner, created, since in self._rows(
                "SELECT fingerprint, reason, owner, created_at, since_snapshot FROM suppressions "
                "ORDER BY created_at, fingerprint"
            )
        ]

    # --- zones -----------------------------------------------------------------------------
    def set_zone(self, zone: Zone, *, now: datetime) -> None:
        self._write(
            [
                (
                    "INSERT OR REPLACE INTO zones VALUES (?, ?, ?, ?)",
                    (zone.name, json.dumps(list(zone.tenants)), zone.description, now.isoformat()),
                )
            ]
        )

    def zone(self, name: str) -> Zone | None:
        rows = self._rows("SELECT name, tenants, description FROM zones WHERE name = ?", (name,))
        if not rows:
            return None
        zname, tenants, description = rows[0]
        return Zone(name=zname, tenants=tuple(json.loads(tenants)), description=description)

    def zones(self) -> list[Zone]:
        return [
            Zone(name=n, tenants=tuple(json.loads(t)), description=d)
            for n, t, d in self._rows("SELECT name, tenants, description FROM zones ORDER BY name")
        ]

    def remove_zone(self, name: str) -> bool:
        found = self.zone(name) is not None
        if found:
            self._write([("DELETE FROM zones WHERE name = ?", (name,))])
        return found

    # --- history ---------------------------------------------------------------------------
    def sightings(
        self,
        profile: str,
        snapshot_id: int,
        created: datetime,
        checks: Collection[str] | None = None,
    ) -> list[Sighting] | None:
        """The recorded findings of a snapshot (of `checks` only, None = all), or None when
        they were not (validly) recorded."""
        key = (profile, snapshot_id)
        whole = self._rows(
            "SELECT snapshot_created FROM audits WHERE profile = ? AND snapshot_id = ?", key
        )
        if not (whole and whole[0][0] == created.isoformat()):
            if checks is None:
                return None
            done = {
                c
                for c, when in self._rows(
                    "SELECT check_id, snapshot_created FROM audited_checks "
                    "WHERE profile = ? AND snapshot_id = ?",
                    key,
                )
                if when == created.isoformat()
            }
            if not set(checks) <= done:
                return None
        rows = self._rows(
            f"SELECT {_SIGHTING} FROM sightings WHERE profile = ? AND snapshot_id = ? "
            "ORDER BY fingerprint",
            key,
        )
        return [_sighting(row) for row in rows if checks is None or row[1] in checks]

    def record(
        self,
        profile: str,
        snapshot_id: int,
        created: datetime,
        findings: Sequence[Finding],
        checks: Collection[str] | None = None,
    ) -> None:
        """Remember which findings a snapshot had (replacing an earlier record of it); with
        `checks`, only for those checks (the others' records are kept)."""
        key = (profile, snapshot_id)
        when = created.isoformat()
        statements: list[tuple[str, Sequence[Any]]] = []
        if checks is None:
            statements += [
                ("DELETE FROM sightings WHERE profile = ? AND snapshot_id = ?", key),
                ("INSERT OR REPLACE INTO audits VALUES (?, ?, ?)", (*key, when)),
            ]
        else:
            for c in checks:
                statements += [
                    (
                        "DELETE FROM sightings WHERE profile = ? AND snapshot_id = ? "
                        "AND check_id = ?",
                        (*key, c),
                    ),
                    ("INSERT OR REPLACE INTO audited_checks VALUES (?, ?, ?, ?)", (*key, c, when)),
                ]
        statements.extend(
            (
                "INSERT OR REPLACE INTO sightings VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (*key, f.fingerprint, f.check, f.severity.value, f.tenant, f.subject, f.message),
            )
            for f in findings
        )
        self._write(statements)

    def sighting(self, profile: str, fingerprint: str) -> Sighting | None:
        """The latest recorded sighting of a fingerprint (which check and tenant found it)."""
        rows = self._rows(
            f"SELECT {_SIGHTING} FROM sightings WHERE profile = ? AND fingerprint = ? "
            "ORDER BY snapshot_id DESC LIMIT 1",
            (profile, fingerprint),
        )
        return _sighting(rows[0]) if rows else None


_SIGHTING = "fingerprint, check_id, severity, tenant, subject, message"  # a Sighting's columns


def _sighting(row: Sequence[Any]) -> Sighting:
    fp, check, sev, tenant, subject, message = row
    return Sighting(
        fingerprint=fp,
        check=check,
        severity=Severity(sev),
        tenant=tenant,
        subject=subject,
        message=message,
    )
