"""The append-only audit log of API mutations: who ran what, on which snapshot, with what result.

Why sqlite next to the tokens: with several worker processes an in-memory log would be split and
lost on restart; a small sqlite file, written in one short transaction per mutation, is shared
by every worker and survives a kill. Triggers refuse UPDATE and DELETE, so the log can only
grow through this module (deleting the file is an operator's act, outside the API).

Each entry: time, token id and role (`no-auth` under `--no-auth`), the mutation fields the
operation ran, its variables (JSON, cut at `MAX_VARIABLES` characters), the snapshot the request
ended on (the one a successful mutation wrote), `ok` or the first error code, and its `owners`:
the tenants the request was authorised on (`Scope.require*`), whose change it is. A scoped admin
reads only entries owned by its own tenants; an entry without owners (a world upload, an older
log) is read by unscoped admins only. Admins read it through the `auditLog` query
(`api.queries.audit_log`).

A log that cannot be written (a full disk, a read-only file, a lock held too long) is a coded
error in the answer (`store-full`, `store-unavailable`) and one line in the server log, never a
traceback or sqlite's bare text.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from graphql import DocumentNode, FieldNode, GraphQLError, OperationDefinitionNode
from starlette.concurrency import run_in_threadpool
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from graphmodel.errors import StoreError
from graphmodel.service.storage import map_sqlite_errors

__all__ = ["MAX_VARIABLES", "AuditEntry", "AuditLog", "RecordMutations", "audit_path_for"]

log = logging.getLogger("tenantgraph.api.audit")
MAX_VARIABLES = 4_000
_SCHEMA = """
CREATE TABLE IF NOT EXISTS mutations (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    token_id TEXT NOT NULL,
    role TEXT NOT NULL,
    fields TEXT NOT NULL,
    variables TEXT NOT NULL,
    snapshot INTEGER,
    outcome TEXT NOT NULL,
    owners TEXT
);
CREATE TRIGGER IF NOT EXISTS mutations_no_update BEFORE UPDATE ON mutations
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS mutations_no_delete BEFORE DELETE ON mutations
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditEntry:
    seq: int
    at: str
    token_id: str
    role: str
    fields: tuple[str, ...]
    variables: str
    snapshot: int | None
    outcome: str
    owners: tuple[str, ...] | None = None  # the tenants it changed; None: unknown (everyone's)


def audit_path_for(tokens: str | Path) -> Path:
    """The audit log next to a token file (`x.tokens.sqlite` → `x.audit.sqlite`)."""
    path = Path(tokens)
    name = path.name.removesuffix(".sqlite").removesuffix(".tokens")
    return path.with_name(f"{name}.audit.sqlite")


class AuditLog:
    """The log file. Each call opens its own connection, so it is safe from any thread."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        with self._connect() as conn:
            conn.executescript(_SCHEMA)
            columns = {row[1] for row in conn.execute("PRAGMA table_info(mutations)")}
            if "owners" not in columns:  # a log from before owners were recorded
                conn.execute("ALTER TABLE mutations ADD COLUMN owners TEXT")

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with (
            map_sqlite_errors(str(self.path), what="audit log"),
            closing(sqlite3.connect(self.path, timeout=10.0)) as conn,
            conn,
        ):
            yield conn

    def append(
        self,
        *,
        token_id: str,
        role: str,
        fields: tuple[str, ...],
        variables: object,
        snapshot: int | None,
        outcome: str,
        owners: list[str] | None = None,
    ) -> None:
        text = json.dumps(variables, sort_keys=True, default=str)
        if len(text) > MAX_VARIABLES:
            text = text[:MAX_VARIABLES] + "…"
        with self._connect() as conn:
            conn.execute(
                "INSERT INTO mutations "
                "(at, token_id, role, fields, variables, snapshot, outcome, owners) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    datetime.now(UTC).isoformat(timespec="milliseconds"),
                    token_id,
                    role,
                    json.dumps(list(fields)),
                    text,
                    snapshot,
                    outcome,
                    None if owners is None else json.dumps(owners),
                ),
            )

    def entries(
        self,
        *,
        limit: int = 100,
        before: int | None = None,
        tenants: frozenset[str] | None = None,
    ) -> list[AuditEntry]:
        """The newest `limit` entries (before sequence number `before`), newest first; with
        `tenants`, only those of mutations that changed nothing but those tenants."""
        scoped = (
            ""
            if tenants is None
            else " AND owners IS NOT NULL AND json_array_length(owners) > 0 AND NOT EXISTS "
            "(SELECT 1 FROM json_each(owners) WHERE value NOT IN "
            "(SELECT value FROM json_each(?)))"
        )
        params: tuple[object, ...] = (before if before is not None else 1 << 62,)
        if tenants is not None:
            params += (json.dumps(sorted(tenants)),)
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT seq, at, token_id, role, fields, variables, snapshot, outcome, owners "
                f"FROM mutations WHERE seq < ?{scoped} ORDER BY seq DESC LIMIT ?",
                (*params, limit),
            ).fetchall()
        return [
            AuditEntry(
                seq=seq,
                at=at,
                token_id=token,
                role=role,
                fields=tuple(json.loads(fields)),
                variables=variables,
                snapshot=snapshot,
                outcome=outcome,
                owners=None if owners is None else tuple(json.loads(owners)),
            )
            for seq, at, token, role, fields, variables, snapshot, outcome, owners in rows
        ]


class RecordMutations(SchemaExtension):
    """After each mutation operation, append who ran which fields, on which snapshot, and how
    it ended (a refused or failed mutation is logged too: attempts matter in an audit)."""

    async def on_operation(self) -> AsyncIterator[None]:
        yield
        ec = self.execution_context
        ctx = ec.context
        audit = getattr(ctx, "audit", None)
        if audit is None or ec.graphql_document is None:
            return
        try:
            if ec.operation_type is not OperationType.MUTATION:
                return
        except RuntimeError:  # no such operation: nothing ran
            return
        errors = getattr(ec.result, "errors", None) or ec.pre_execution_errors or ()
        outcome = "ok"
        if errors:
            outcome = str((errors[0].extensions or {}).get("code", "error"))
        viewer = ctx.viewer
        fields = _mutation_fields(ec.graphql_document, ec.operation_name)
        owners = sorted(ctx.required_tenants()) or None
        try:
            await run_in_threadpool(
                audit.append,
                token_id=viewer.token_id or "no-auth",
                role=viewer.role.value,
                fields=fields,
                variables=ec.variables or {},
                snapshot=ctx.pinned,
                outcome=outcome,
                owners=owners,
            )
        except StoreError as exc:
            log.error(
                "the mutation %s (token %s, %s) was not recorded: %s",
                ",".join(fields),
                viewer.token_id or "no-auth",
                outcome,
                exc,
            )
            _report(
                ec.result,
                GraphQLError(
                    f"the audit log could not record this mutation ({outcome}): {exc}",
                    extensions={"code": exc.code},
                ),
            )


def _report(result: object, error: GraphQLError) -> None:
    """Add `error` to an execution result's errors (the data stays: the mutation ran)."""
    if result is not None and hasattr(result, "errors"):
        result.errors = [*(result.errors or ()), error]


def _mutation_fields(document: DocumentNode, name: str | None) -> tuple[str, ...]:
    for d in document.definitions:
        if not isinstance(d, OperationDefinitionNode):
            continue
        if name is None or (d.name is not None and d.name.value == name):
            return tuple(
                s.name.value for s in d.selection_set.selections if isinstance(s, FieldNode)
            )
    return ()
