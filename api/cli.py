"""CLI commands of the API, plugged into `tenantgraph` via the `tenantgraph.commands` entry point.

- `tenantgraph serve [--host 127.0.0.1] [--port 8000] [--db FILE] [--store memory|neo4j]
  [--tokens FILE] [--no-auth] [--demo] [--workers N]` runs the API with uvicorn (hardening
  flags: `api.serve_flags`; Entra ID sign-in: `api.oidc_config`; metrics, log format,
  graceful timeout and `--config FILE`: `api.ops_flags`). Authentication is on unless
  `--no-auth` is given (loopback only); `--demo` loads `fixtures/demo.yaml` when the store
  holds no snapshot yet (an existing store is never overwritten) and prints what it loaded.
  `--workers N` (default: the number of cores) starts N processes on one port
  (`api.workers`); each holds its own copy of the current snapshot, and all answer from the
  newest one. SIGTERM drains in-flight requests (`--graceful-timeout`) and exits 0.
- `tenantgraph token create --role reader|auditor|admin [--tenant T ...] [--name N]
  [--expires 90d|2027-01-31]` prints a new token once; `token list` (with each expiry) and
  `token revoke ID` manage them. The token file defaults to `<db>.tokens.sqlite` next to
  the memory store's database (`--tokens FILE` to choose).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import sys
from datetime import UTC, datetime, timedelta
from importlib.resources import files
from pathlib import Path
from typing import Any

import uvicorn

from api.auth import (
    Role,
    TokenInfo,
    TokenStore,
    tokens_path_for,
)
from api.oidc_config import OidcConfig, add_oidc_arguments, oidc_config
from api.ops_flags import Operations, add_operations_arguments, shared_metrics_dir
from api.requestlog import log_config
from api.serve_flags import (
    SWITCH_INTERVAL_S,
    ServeSecurity,
    add_security_arguments,
    history_policy,
    no_auth_refusal,
)
from api.settings import config_file
from api.workers import SERVE_ENV, ServeOptions, cursor_key
from graphmodel.cli.common import (
    Command,
    add_store_arguments,
    check_store_from_args,
    open_service,
    parse_time,
)
from graphmodel.errors import GraphModelError
from graphmodel.service import GraphService
from graphmodel.service.management import Management

__all__ = ["COMMANDS", "load_demo"]


def _token_store(args: argparse.Namespace) -> TokenStore:
    return TokenStore(args.tokens or tokens_path_for(args.db))


def load_demo(service: GraphService) -> str:
    """Load `fixtures/demo.yaml` into an empty store; a line saying what happened."""
    current = service.current_snapshot()
    if current is not None:
        return f"demo: the store already holds snapshot {current.id}; not loading the demo world"
    resource = files("fixtures") / "demo.yaml"
    loaded = Management(service).load_world_text(
        resource.read_text("utf-8"), file="fixtures/demo.yaml"
    )
    for w in loaded.warnings:
        print(f"warning: {w.render()}", file=sys.stderr)
    info = loaded.snapshot
    counts = ", ".join(f"{v} {k}" for k, v in info.counts.items())
    title = loaded.value.title or "demo world"
    return f"demo: loaded fixtures/demo.yaml ({title}) as snapshot {info.id}: {counts}"


def _configure_serve(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="TCP port (8000)")
    add_store_arguments(parser)
    parser.add_argument("--tokens", help="token file (default: <db>.tokens.sqlite)")
    parser.add_argument(
        "--no-auth",
        action="store_true",
        help="disable authentication: every request is an admin (local demo only)",
    )
    parser.add_argument(
        "--demo", action="store_true", help="load fixtures/demo.yaml if the store is empty"
    )
    parser.add_argument("--log-level", default="info", help="log level (info)")
    add_security_arguments(parser)
    add_operations_arguments(parser)
    add_oidc_arguments(parser)
    parser.add_argument(
        "--workers",
        type=_positive,
        default=_cores(),
        metavar="N",
        help="worker processes; each keeps its own copy of the current snapshot in memory "
        f"(default: the number of cores, {_cores()})",
    )


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"`{text}` is not a positive number")
    return value


def _serve(args: argparse.Namespace) -> int:
    refusal = no_auth_refusal(args.host) if args.no_auth else None
    if refusal is not None:
        print(refusal, file=sys.stderr)
        return 2
    if args.workers > 1 and args.store == "memory" and args.db == ":memory:":
        raise GraphModelError(
            "`--workers` above 1 needs a store every worker can open: a `--db` file or neo4j"
        )
    settings = config_file(args)
    ops = Operations.resolve(args, os.environ, settings)
    sign_in = oidc_config(args, os.environ, settings)
    if sign_in is not None and args.no_auth:
        raise GraphModelError("`--no-auth` and Entra ID sign-in (--oidc-*) exclude each other")
    service: GraphService | None = None
    if args.workers == 1 or args.demo:
        service = open_service(args, create=True, warm_indexes=True)
    else:  # every worker opens the store itself: only check here that it can
        check_store_from_args(args, create=True)
    tokens: str | None = None
    try:
        if service is not None and args.demo:
            print(load_demo(service), file=sys.stderr)
        if args.no_auth:
            print(
                "WARNING: authentication is disabled (--no-auth); anyone who can reach "
                "the port can read and change everything",
                file=sys.stderr,
            )
        else:
            tokens = str(_token_store(args).path)
            _note_no_credentials(_token_store(args), sign_in)
    except BaseException:
        if service is not None:
            service.close()
        raise
    security = ServeSecurity.from_args(args, Path(args.tokens or tokens_path_for(args.db)))
    key = cursor_key()  # set before uvicorn starts workers, so they all share it
    where = f"http://{args.host}:{args.port}/graphql"
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    running: dict[str, Any] = {
        "host": args.host,
        "port": args.port,
        "log_level": args.log_level,
        "log_config": log_config(ops.log_format, args.log_level),
        "access_log": False,  # `api.requestlog` writes one richer line per request
        "timeout_graceful_shutdown": ops.graceful_timeout,
    }
    if service is not None and args.workers == 1:
        # here, not at the top: the app costs ~1 s to import (api/__init__.py)
        from api.app import create_app
        from api.bearer import bearer_authenticator
        from api.limits import Limits

        app = create_app(
            service,
            auth=bearer_authenticator(tokens, sign_in),
            limits=Limits(),
            cursor_key=key,
            http=security.http,
            rate_limit=security.rate_limit,
            audit=security.audit,
            metrics=ops.metrics,
            metrics_token=ops.metrics_token(),
            sign_in=sign_in,
            history=history_policy(args.keep, args.keep_days),
        )
        print(f"serving GraphQL on {where}", file=sys.stderr)
        # uvicorn drains, then re-raises SIGTERM to end the process by it; end with 0 instead,
        # as `--workers N` does (docs/cli.md: a stop is not a failure)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        uvicorn.run(app, **running)
        return 0
    if service is not None:
        service.close()  # every worker opens the store itself
    options = ServeOptions.from_args(
        args, tokens, audit_log=str(security.audit.path), ops=ops, sign_in=sign_in
    )
    os.environ[SERVE_ENV] = options.to_env()
    print(f"serving GraphQL on {where} with {args.workers} workers", file=sys.stderr)
    with shared_metrics_dir(ops.metrics):
        uvicorn.run("api.workers:worker_app", factory=True, workers=args.workers, **running)
    return 0


def _note_no_credentials(store: TokenStore, sign_in: OidcConfig | None) -> None:
    if sign_in is None and not any(t.revoked_at is None for t in store.tokens()):
        print(
            f"note: no tokens in {store.path}; create one with "
            "`tenantgraph token create --role admin`",
            file=sys.stderr,
        )


def _tokens_option(parser: argparse.ArgumentParser, default: str | None) -> None:
    parser.add_argument(
        "--tokens", default=default, help="token file (default: <db>.tokens.sqlite)"
    )


def _configure_token(parser: argparse.ArgumentParser) -> None:
    add_store_arguments(parser)  # `--db`: the store whose token file to use
    _tokens_option(parser, None)
    sub = parser.add_subparsers(dest="token_command", metavar="ACTION", required=True)
    create = sub.add_parser("create", help="create a token and print it (shown only once)")
    create.add_argument("--role", required=True, choices=[r.value for r in Role])
    create.add_argument(
        "--tenant",
        action="append",
        default=[],
        metavar="T",
        help="scope the token to this tenant (repeat for several)",
    )
    create.add_argument("--name", default="", help="a label to recognise the token by")
    create.add_argument(
        "--expires",
        type=_expiry,
        metavar="WHEN",
        help="the token stops working after this: a duration (90d, 12h, 30m) or an ISO 8601 "
        "date or time (default: never)",
    )
    listing = sub.add_parser("list", help="list tokens (never the secrets)")
    listing.add_argument("--json", action="store_true", help="print JSON")
    revoke = sub.add_parser("revoke", help="revoke a token by id")
    revoke.add_argument("id", help="token id, as `token list` shows it")
    for action in (create, listing, revoke):  # `token create --tokens F` = `token --tokens F`
        _tokens_option(action, argparse.SUPPRESS)


def _token(args: argparse.Namespace) -> int:
    store = _token_store(args)
    if args.token_command == "create":
        info, token = store.create(
            Role(args.role), tenants=args.tenant, name=args.name, expires_at=args.expires
        )
        scope = ", ".join(info.tenants) or "all tenants"
        until = f", expires {info.expires_at}" if info.expires_at else ""
        print(
            f"created token {info.id} ({info.role.value}, {scope}{until}) in {store.path}",
            file=sys.stderr,
        )
        print("store it now: it is not shown again", file=sys.stderr)
        print(token)
        return 0
    if args.token_command == "list":
        tokens = store.tokens()
        if args.json:
            print(json.dumps([_as_dict(t) for t in tokens], indent=2))
            return 0
        if not tokens:
            print(f"no tokens in {store.path}; create one with "
                  "`tenantgraph token create --role reader`", file=sys.stderr)
            return 0
        print(_token_table(tokens))
        return 0
    if not store.revoke(args.id):
        print(f"error: no active token `{args.id}` in {store.path}", file=sys.stderr)
        return 2
    print(f"revoked token {args.id}", file=sys.stderr)
    return 0


def _state(t: TokenInfo) -> str:
    """`active`, `revoked <when>` or `expired <when>`."""
    if t.revoked_at:
        return f"revoked {t.revoked_at}"
    return f"expired {t.expires_at}" if t.expired() else "active"


def _token_table(tokens: list[TokenInfo]) -> str:
    """`token list` as a table with a header row; columns as wide as their longest cell."""
    header = ("ID", "ROLE", "TENANTS", "CREATED", "EXPIRES", "STATE", "NAME")
    rows = [header] + [
        (
            t.id,
            t.role.value,
            ",".join(t.tenants) or "*",
            t.created_at,
            t.expires_at or "never",
            _state(t),
            t.name,
        )
        for t in tokens
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header) - 1)]
    lines = (
        "  ".join([*(c.ljust(w) for c, w in zip(row[:-1], widths, strict=True)), row[-1]])
        for row in rows
    )
    return "\n".join(line.rstrip() for line in lines)


def _as_dict(t: TokenInfo) -> dict[str, object]:
    return {
        "id": t.id,
        "role": t.role.name,  # as the API spells it
        "tenants": list(t.tenants),
        "name": t.name,
        "createdAt": t.created_at,
        "revokedAt": t.revoked_at,
        "expiresAt": t.expires_at,
        "expired": t.expired(),
    }


_DURATION = re.compile(r"(\d+)([dhm])")
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}


def _expiry(text: str) -> datetime:
    """`--expires`: a duration from now (`90d`, `12h`, `30m`) or an ISO 8601 time (UTC)."""
    found = _DURATION.fullmatch(text.strip())
    if found:
        return datetime.now(UTC) + timedelta(**{_UNITS[found.group(2)]: int(found.group(1))})
    return parse_time(text)


COMMANDS: tuple[Command, ...] = (
    Command("serve", "serve the GraphQL API (uvicorn)", _configure_serve, _serve),
    Command("token", "create, list and revoke API tokens", _configure_token, _token),
)
