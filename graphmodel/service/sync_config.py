"""The `tenantgraph sync` configuration: which tenants, how to sign in, where the feed goes.

Why references, never secrets: the file is read by a long-lived process and usually sits in a
repository or a configuration directory; a client secret in it would leak with it. A tenant
names an environment variable (`client_secret_env`), a file (`client_secret_file`, e.g. a
mounted secret) or a certificate file (`certificate`, PEM with key); the webhook signing secret
likewise (`secret_env` / `secret_file`). A key that looks like a secret value (`client_secret`,
`password`, `secret`...) is refused with the reason, and so is any unknown key, so a typo
cannot silently drop a setting. Relative paths are relative to the file. Format (TOML)::

    out = "exports"                      # one folder per tenant under it
    refresh = "6h"                       # optional: full re-read of data without delta
    [notify]                             # optional
    url = "https://hooks.example.com/tenantgraph"
    secret_env = "TENANTGRAPH_WEBHOOK_SECRET"
    file = "changes.jsonl"
    [[tenants]]
    name = "contoso"
    tenant_id = "84841066-274d-4ec0-a5c1-276be684bdd3"
    client_id = "00000000-0000-0000-0000-000000000001"
    client_secret_env = "CONTOSO_SECRET"
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from graphmodel.errors import QueryError
from graphmodel.ingest.collector import (
    DEFAULT_AUTHORITY_HOST,
    DEFAULT_GRAPH_URL,
    DEFAULT_REFRESH,
    AuthFailed,
    load_certificate,
)

__all__ = ["NotifyConfig", "SyncConfig", "TenantSource", "load_config", "parse_duration"]

_DURATION = re.compile(r"(\d+)\s*([smhd])")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_SECRET_KEYS = frozenset({"client_secret", "secret", "password", "private_key", "key",
                          "token", "webhook_secret", "notify_secret"})
_TENANT_KEYS = frozenset({"name", "tenant_id", "client_id", "client_secret_env",
                          "client_secret_file", "certificate", "graph_url", "authority_host",
                          "ca_bundle"})
_NOTIFY_KEYS = frozenset({"url", "secret_env", "secret_file", "file", "ca_bundle"})
_TOP_KEYS = frozenset({"out", "refresh", "notify", "tenants"})


def parse_duration(text: str) -> timedelta:
    """`15m`, `1h30m`, `90s`, `1d` -> a positive timedelta.

    Examples
    --------
    >>> parse_duration("1h30m")
    datetime.timedelta(seconds=5400)
    """
    found = _DURATION.findall(text.strip().lower())
    if not found or "".join(n + u for n, u in found) != re.sub(r"\s+", "", text.lower()):
        raise QueryError(f"`{text}` is not a duration such as 30s, 15m, 6h or 1d")
    total = timedelta(seconds=sum(int(n) * _UNITS[u] for n, u in found))
    if total <= timedelta(0):
        raise QueryError(f"duration `{text}` must be more than zero")
    return total


@dataclass(frozen=True, slots=True, kw_only=True)
class TenantSource:
    """One tenant to collect, and where its credential is (never the credential itself)."""

    name: str  # its folder under `out`
    tenant_id: str
    client_id: str
    client_secret_env: str | None = None
    client_secret_file: Path | None = None
    certificate: Path | None = None
    graph_url: str = DEFAULT_GRAPH_URL
    authority_host: str = DEFAULT_AUTHORITY_HOST
    ca_bundle: Path | None = None

    def credential(self) -> str | dict[str, str]:
        """The client secret or certificate, read now (raises AuthFailed naming the source)."""
        if self.certificate is not None:
            return load_certificate(self.certificate)
        if self.client_secret_file is not None:
            return _read_secret(self.client_secret_file, f"client secret of `{self.name}`",
                                AuthFailed)
        var = self.client_secret_env or ""
        secret = os.environ.get(var)
        if not secret:
            raise AuthFailed(f"environment variable `{var}` holding the client secret of "
                             f"`{self.name}` is not set")
        return secret


@dataclass(frozen=True, slots=True, kw_only=True)
class NotifyConfig:
    url: str | None = None
    secret_env: str | None = None
    secret_file: Path | None = None
    file: Path | None = None
    ca_bundle: Path | None = None

    def secret(self) -> bytes:
        """The webhook signing secret, read now."""
        if self.secret_file is not None:
            return _read_secret(self.secret_file, "webhook secret", QueryError).encode("utf-8")
        value = os.environ.get(self.secret_env or "")
        if not value:
            raise QueryError(f"environment variable `{self.secret_env}` holding the webhook "
                             "secret is not set" if self.secret_env else
                             "a webhook needs `--notify-secret-env` or `--notify-secret-file`")
        return value.encode("utf-8")


@dataclass(frozen=True, slots=True, kw_only=True)
class SyncConfig:
    out: Path
    tenants: tuple[TenantSource, ...]
    notify: NotifyConfig = field(default_factory=NotifyConfig)
    refresh: timedelta = DEFAULT_REFRESH


def _read_secret(path: Path, what: str, error: type[Exception]) -> str:
    try:
        value = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"cannot read the {what} from `{path}`: {exc}") from exc
    if not value:
        raise error(f"`{path}` holding the {what} is empty")
    return value


class _Reader:
    def __init__(self, file: Path) -> None:
        self.file = file

    def fail(self, where: str, msg: str) -> QueryError:
        return QueryError(f"config `{self.file}`: {where}: {msg}")

    def keys(self, where: str, table: Mapping[str, Any], allowed: frozenset[str]) -> None:
        for key in table:
            if key in _SECRET_KEYS:
                raise self.fail(where, f"`{key}` would put a secret in the file; name where it "
                                "is instead (an environment variable `..._env` or a file "
                                "`..._file`)")
            if key not in allowed:
                raise self.fail(where, f"unknown key `{key}` (known: "
                                f"{', '.join(sorted(allowed))})")

    def text(self, where: str, table: Mapping[str, Any], key: str,
             required: bool = False) -> str | None:
        value = table.get(key)
        if value is None and not required:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, f"`{key}` must be a non-empty string")
        return value.strip()

    def path(self, where: str, table: Mapping[str, Any], key: str) -> Path | None:
        value = self.text(where, table, key)
        return None if value is None else (self.file.parent / value).resolve()

    def tenant(self, i: int, table: object) -> TenantSource:
        where = f"tenants[{i}]"
        if not isinstance(table, dict):
            raise self.fail(where, "must be a table")
        self.keys(where, table, _TENANT_KEYS)
        name = self.text(where, table, "name", True) or ""
        if not _NAME.match(name):
            raise self.fail(where, f"name `{name}` must be a plain folder name")
        given = [k for k in ("client_secret_env", "client_secret_file", "certificate")
                 if k in table]
        if len(given) != 1:
            raise self.fail(where, "give exactly one of `client_secret_env`, "
                            "`client_secret_file` or `certificate`")
        return TenantSource(
            name=name,
            tenant_id=self.text(where, table, "tenant_id", True) or "",
            client_id=self.text(where, table, "client_id", True) or "",
            client_secret_env=self.text(where, table, "client_secret_env"),
            client_secret_file=self.path(where, table, "client_secret_file"),
            certificate=self.path(where, table, "certificate"),
            graph_url=self.text(where, table, "graph_url") or DEFAULT_GRAPH_URL,
            authority_host=self.text(where, table, "authority_host") or DEFAULT_AUTHORITY_HOST,
            ca_bundle=self.path(where, table, "ca_bundle"),
        )


def load_config(file: Path) -> SyncConfig:
    """Read and check a sync configuration file (raises QueryError naming file and key)."""
    r = _Reader(file)
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise QueryError(f"cannot read config `{file}`: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise QueryError(f"config `{file}` is not valid TOML: {exc}") from exc
    r.keys("top level", data, _TOP_KEYS)
    tenants = data.get("tenants")
    if not isinstance(tenants, list) or not tenants:
        raise r.fail("top level", "`[[tenants]]` must list at least one tenant")
    found = tuple(r.tenant(i, t) for i, t in enumerate(tenants))
    names = [t.name for t in found]
    if len(set(names)) != len(names):
        raise r.fail("tenants", "two tenants have the same `name`")
    notify = data.get("notify") or {}
    if not isinstance(notify, dict):
        raise r.fail("notify", "must be a table")
    r.keys("notify", notify, _NOTIFY_KEYS)
    refresh = r.text("top level", data, "refresh")
    return SyncConfig(
        out=r.path("top level", data, "out") or file.parent.resolve(),
        tenants=found,
        notify=NotifyConfig(url=r.text("notify", notify, "url"),
                            secret_env=r.text("notify", notify, "secret_env"),
                            secret_file=r.path("notify", notify, "secret_file"),
                            file=r.path("notify", notify, "file"),
                            ca_bundle=r.path("notify", notify, "ca_bundle")),
        refresh=DEFAULT_REFRESH if refresh is None else parse_duration(refresh),
    )
