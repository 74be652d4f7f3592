"""Bearer API tokens: created by the CLI, hashed at rest, checked on every request.

Why this shape: a dashboard or audit job needs a long-lived credential without an identity
provider in front of tenantgraph. A token is 32 random bytes (`tgk_` + URL-safe base64); the
token file (a small sqlite database, `<db>.tokens.sqlite` by default) keeps only its SHA-256,
so a leaked file cannot be replayed. The plain token is printed once, at creation.

Roles (`Role`): `reader` queries the current snapshot; `auditor` also reads older snapshots
(the audit trail); `admin` also runs mutations. A token may be scoped to tenants: it then sees
only those tenants' objects (see `api.scope`), and may carry an expiry (`token create
--expires`). Revocation and expiry take effect on the next request (no cache). `NoAuth` is the
explicit `--no-auth` mode: every request is an unscoped admin. Entra ID access tokens are the
other kind of bearer token (`api.oidc`); `api.bearer` accepts both.

An authenticator answers None for "no credential I know" and raises `AuthRefused` for a
credential it recognised and turned down, so the 401 can say why (`reason`: `token-expired`,
`wrong-audience`, ...) without ever echoing the token.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import secrets
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from graphmodel.service.storage import map_sqlite_errors

__all__ = [
    "AuthRefused",
    "Authenticator",
    "NoAuth",
    "Role",
    "TokenAuth",
    "TokenInfo",
    "TokenStore",
    "Viewer",
    "tokens_path_for",
]

_PREFIX = "tgk_"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS tokens (
    id TEXT PRIMARY KEY,
    hash TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    tenants TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT,
    expires_at TEXT
)
"""
_COLUMNS = "id, role, tenants, name, created_at, revoked_at, expires_at"


class AuthRefused(Exception):
    """A bearer credential that was recognised and refused: 401 (or 403 for a valid identity
    without a role), with a stable `reason` a client or an operator can act on."""

    def __init__(self, reason: str, message: str, *, status: int = 401) -> None:
        super().__init__(message)
        self.reason = reason
        self.status = status


class Role(StrEnum):
    READER = "reader"
    AUDITOR = "auditor"
    ADMIN = "admin"


@dataclass(frozen=True, slots=True, kw_only=True)
class Viewer:
    """Who is asking: a role and, for a scoped token, the tenants it may see (None = all)."""

    role: Role
    tenants: frozenset[str] | None = None
    token_id: str | None = None

    @property
    def can_mutate(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def can_read_history(self) -> bool:
        return self.role in (Role.AUDITOR, Role.ADMIN)


@dataclass(frozen=True, slots=True, kw_only=True)
class TokenInfo:
    id: str
    role: Role
    tenants: tuple[str, ...]
    name: str
    created_at: str
    revoked_at: str | None = None
    expires_at: str | None = None  # ISO 8601 UTC; None = never

    def expired(self, now: datetime | None = None) -> bool:
        if self.expires_at is None:
            return False
        return datetime.fromisoformat(self.expires_at) <= (now or datetime.now(UTC))

    def viewer(self) -> Viewer:
        return Viewer(
            role=self.role,
            tenants=frozenset(self.tenants) if self.tenants else None,
            token_id=self.id,
        )


def tokens_path_for(db: str | Path) -> Path:
    """The default token file next to a store's database file."""
    return Path(f"{db}.tokens.sqlite")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class TokenStore:
    """The token file. Each call opens its own connection, so it is safe from any thread."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._migrated = False  # `expires_at` checked once per process, not per request

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """A connection in one transaction; sqlite errors become coded store errors (a full
        disk is `store-full`), so `token create` on a full disk says so instead of a traceback."""
        with (
            map_sqlite_errors(str(self.path), what="token file"),
            closing(sqlite3.connect(self.path, timeout=5.0)) as conn,
        ):
            if not self._migrated:
                conn.execute(_SCHEMA)
                _add_expiry_column(conn)
                self._migrated = True
            with conn:
                yield conn

    def create(
        self,
        role: Role,
        *,
        tenants: Sequence[str] = (),
        name: str = "",
        expires_at: datetime | None = None,
    ) -> tuple[TokenInfo, str]:
        """Store a new token's hash; returns its record and the token (shown only now)."""
        token = _PREFIX + secrets.token_urlsafe(32)
        expiry = None if expires_at is None else expires_at.astimezone(UTC)
        info = TokenInfo(
            id=secrets.token_hex(4),
            role=role,
            tenants=tuple(sorted(set(tenants))),
            name=name,
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            expires_at=None if expiry is None else expiry.isoformat(timespec="seconds"),
        )
        with self._connect() as conn:
            conn.execute(
                "INSERT INTO tokens (id, hash, role, tenants, name, created_at, expires_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    info.id,
                    _digest(token),
                    info.role.value,
                    json.dumps(info.tenants),
                    name,
                    info.created_at,
                    info.expires_at,
                ),
            )
        return info, token

    def tokens(self) -> list[TokenInfo]:
        """Every token, revoked ones included, oldest first."""
        with self._connect() as conn:
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM tokens ORDER BY created_at, id"
            ).fetchall()
        return [_info(row) for row in rows]

    def revoke(self, token_id: str) -> bool:
        """Revoke a token by id; False when there is no such live token."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self._connect() as conn:
            cur = conn.execute(
                "UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                (now, token_id),
            )
        return cur.rowcount == 1

    def lookup(self, token: str) -> TokenInfo | None:
        """The unrevoked token matching `token`, or None (unknown, malformed or revoked).
        An expired one is returned: the caller says it expired (`TokenInfo.expired`)."""
        if not token.startswith(_PREFIX):
            return None
        with self._connect() as conn:
            row = conn.execute(
                f"SELECT {_COLUMNS} FROM tokens WHERE hash = ? AND revoked_at IS NULL",
                (_digest(token),),
            ).fetchone()
        return None if row is None else _info(row)


def _add_expiry_column(conn: sqlite3.Connection) -> None:
    """Token files written before tokens could expire lack `expires_at`: add it (NULL = never)."""
    columns = {row[1] for row in conn.execute("PRAGMA table_info(tokens)")}
    if "expires_at" not in columns:
        with contextlib.suppress(sqlite3.OperationalError):  # another process just added it
            conn.execute("ALTER TABLE tokens ADD COLUMN expires_at TEXT")


def _info(row: tuple[str, str, str, str, str, str | None, str | None]) -> TokenInfo:
    token_id, role, tenants, name, created, revoked, expires = row
    return TokenInfo(
        id=token_id,
        role=Role(role),
        tenants=tuple(json.loads(tenants)),
        name=name,
        created_at=created,
        revoked_at=revoked,
        expires_at=expires,
    )


class Authenticator(Protocol):
    """Turns an `Authorization` header into a Viewer (None = not authenticated); raises
    `AuthRefused` for a credential it recognised and refused."""

    @property
    def enabled(self) -> bool: ...

    def authenticate(self, authorization: str | None) -> Viewer | None: ...


class TokenAuth:
    """`Authorization: Bearer tgk_...` checked against a `TokenStore`."""

    enabled = True

    def __init__(self, store: TokenStore) -> None:
        self.store = store

    def authenticate(self, authorization: str | None) -> Viewer | None:
        if not authorization:
            return None
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        info = self.store.lookup(token.strip())
        if info is None:
            return None
        if info.expired():
            raise AuthRefused("token-expired", f"token {info.id} expired at {info.expires_at}")
        return info.viewer()


class NoAuth:
    """Authentication disabled (`--no-auth`): every request is an unscoped admin."""

    enabled = False

    def authenticate(self, authorization: str | None) -> Viewer | None:
        return Viewer(role=Role.ADMIN)
