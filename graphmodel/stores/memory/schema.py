"""The memory store file's tables, and the in-place upgrade of files older builds wrote.

Schema version 4 (`meta.schema_version`)::

    meta(key TEXT PRIMARY KEY, value TEXT)             -- schema_version; generation (a
                                                       -- counter every write bumps)
    snapshots(id INTEGER PRIMARY KEY AUTOINCREMENT,    -- ids grow, never reused
              created_at TEXT,                         -- ISO 8601, UTC
              source TEXT, title TEXT, counts TEXT,    -- counts: JSON object
              base_id INTEGER,                         -- NULL: stored whole; else the snapshot
                                                       -- `changes` applies to
              checkpoint INTEGER,                      -- 1: world_parts + trust_edges hold it
                                                       -- whole (readable without its base)
              changes TEXT,                            -- the ChangeSet on base_id (JSON,
                                                       -- graphmodel.changes.codec)
              trust_delta TEXT,                        -- its derived trust edges' change on
                                                       -- base_id's (JSON); NULL: the same
              stored_bytes INTEGER,                    -- text this snapshot keeps on disk
              request_key TEXT UNIQUE,                 -- idempotency key of the write
              depth INTEGER,                           -- changes replayed after its nearest
              chain_bytes INTEGER)                     -- checkpoint, and their bytes
    world_parts(snapshot_id, seq, field, rows)         -- a whole World, field by field: rows
                                                       -- is JSON keys and rows (`encoding`)
    trust_edges(snapshot_id, kind, source, target, rule, policy, scope, source_url)
    entities(snapshot_id, field, data)                 -- VIEW: one row per entity of a
                                                       -- snapshot stored whole (JSON)

Why deltas (version 4): a one-member change used to copy the whole World (228 MB at 1M
users). Now a write stores the change, and every so often a *checkpoint* stores a snapshot
whole, so reading any snapshot decodes one checkpoint and at most a bounded chain of changes.

Upgrades: version 2 and 3 files are upgraded in place when opened (the new columns are added,
every old snapshot is a checkpoint, `stored_bytes` is filled once from its parts); only the
view, the columns and the version change, old parts are read as they are.
"""

from __future__ import annotations

import sqlite3
from typing import Final

__all__ = ["SCHEMA", "SCHEMA_VERSION", "UPGRADABLE", "create", "upgrade"]

SCHEMA_VERSION: Final = 4
UPGRADABLE: Final = frozenset({"2", "3"})

SCHEMA: Final = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE snapshots (
    id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL,
    source TEXT NOT NULL, title TEXT, counts TEXT NOT NULL,
    base_id INTEGER, checkpoint INTEGER NOT NULL DEFAULT 1, changes TEXT, trust_delta TEXT,
    stored_bytes INTEGER NOT NULL DEFAULT 0, request_key TEXT,
    depth INTEGER NOT NULL DEFAULT 0, chain_bytes INTEGER NOT NULL DEFAULT 0);
CREATE UNIQUE INDEX snapshots_request_key ON snapshots (request_key);
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
ENTITIES_VIEW: Final = """
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
_NEW_COLUMNS: Final = (
    ("base_id", "INTEGER"),
    ("checkpoint", "INTEGER NOT NULL DEFAULT 1"),
    ("changes", "TEXT"),
    ("trust_delta", "TEXT"),
    ("stored_bytes", "INTEGER NOT NULL DEFAULT 0"),
    ("request_key", "TEXT"),
    ("depth", "INTEGER NOT NULL DEFAULT 0"),
    ("chain_bytes", "INTEGER NOT NULL DEFAULT 0"),
)


def create(conn: sqlite3.Connection) -> None:
    """Create the tables of a new store (inside the caller's write transaction)."""
    for statement in filter(str.strip, SCHEMA.split(";")):
        conn.execute(statement)
    conn.execute(ENTITIES_VIEW)
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
    )


def upgrade(conn: sqlite3.Connection) -> None:
    """Upgrade a version 2 or 3 file to version 4 (inside the caller's write transaction)."""
    conn.execute("DROP VIEW IF EXISTS entities")
    conn.execute(ENTITIES_VIEW)
    have = {row[1] for row in conn.execute("PRAGMA table_info(snapshots)")}
    for name, decl in _NEW_COLUMNS:
        if name not in have:
            conn.execute(f"ALTER TABLE snapshots ADD COLUMN {name} {decl}")
    conn.execute(
        "CREATE UNIQUE INDEX IF NOT EXISTS snapshots_request_key ON snapshots (request_key)"
    )
    conn.execute(
        "UPDATE snapshots SET stored_bytes = "
        " coalesce((SELECT sum(length(rows)) FROM world_parts WHERE snapshot_id = id), 0)"
        " + coalesce((SELECT sum(length(kind) + length(source) + length(target) + length(rule)"
        "   + length(policy) + length(scope) + length(source_url))"
        "   FROM trust_edges WHERE snapshot_id = id), 0)"
        " WHERE checkpoint = 1 AND stored_bytes = 0"
    )
    conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION),))
