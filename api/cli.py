"""CLI commands of the API, plugged into `tenantgraph` via the `tenantgraph.commands` entry point.

- `tenantgraph serve [--host 127.0.0.1] [--port 8000] [--db FILE] [--store memory|neo4j]
  [--tokens FILE] [--no-auth] [--demo] [--workers N]` runs the API with uvicorn (`--workers`:
  N processes on one port, each opening the store). Authentication is on unless
  `--no-auth` is given; `--demo` loads `fixtures/demo.yaml` when the store holds no snapshot yet
  (an existing store is never overwritten) and prints what it loaded.
- `tenantgraph token create --role reader|auditor|admin [--tenant T ...] [--name N]` prints a
  new token once; `token list` and `token revoke ID` manage them. The token file defaults to
  `<db>.tokens.sqlite` next to the memory store's database (`--tokens FILE` to choose).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from importlib.resources import files

import uvicorn
from starlette.applications import Starlette

from api.app import create_app
from api.auth import (
    Authenticator,
    NoAuth,
    Role,
    TokenAuth,
    TokenInfo,
    TokenStore,
    tokens_path_for,
)
from api.limits import Limits
from graphmodel.cli._common import DEFAULT_DB, Command, add_store_arguments, open_service
from graphmodel.ingest import load_world_text_with_warnings
from graphmodel.service import GraphService

__all__ = ["COMMANDS", "load_demo"]

_LOOPBACK = {"127.0.0.1", "::1", "localhost"}
_WORKER_ARGS = "TENANTGRAPH_SERVE_ARGS"


def _token_store(args: argparse.Namespace) -> TokenStore:
    return TokenStore(args.tokens or tokens_path_for(args.db))


def load_demo(service: GraphService) -> str:
    """Load `fixtures/demo.yaml` into an empty store; a line saying what happened."""
    current = service.current_snapshot()
    if current is not None:
        return f"demo: the store already holds snapshot {current.id}; not loading the demo world"
    resource = files("fixtures") / "demo.yaml"
    world, warnings = load_world_text_with_warnings(
        resource.read_text("utf-8"), file="fixtures/demo.yaml"
    )
    for w in warnings:
        print(f"warning: {w.render()}", file=sys.stderr)
    info = service.load_world(world, source="fixtures/demo.yaml")
    counts = ", ".join(f"{v} {k}" for k, v in info.counts.items())
    title = world.title or "demo world"
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
    parser.add_argument("--log-level", default="info", help="uvicorn log level (info)")
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="server processes sharing the port, each with its own copy of the snapshot (1)",
    )


def _authenticator(args: argparse.Namespace, *, quiet: bool = False) -> Authenticator:
    if args.no_auth:
        if not quiet:
            where = "" if args.host in _LOOPBACK else f" ON {args.host}, NOT ONLY LOCALHOST"
            print(
                f"WARNING: authentication is disabled (--no-auth){where}; anyone who can reach "
                "the port can read and change everything",
                file=sys.stderr,
            )
        return NoAuth()
    store = _token_store(args)
    if not quiet and not any(t.revoked_at is None for t in store.tokens()):
        print(
            f"note: no tokens in {store.path}; create one with "
            "`tenantgraph token create --role admin`",
            file=sys.stderr,
        )
    return TokenAuth(store)


def worker_app() -> Starlette:
    """The app of one `serve --workers N` process (uvicorn calls it in each worker).

    Why a factory: uvicorn starts workers as fresh processes that import the app by name; each
    opens the store itself. The parent passes its arguments in `_WORKER_ARGS`.
    """
    args = argparse.Namespace(**json.loads(os.environ[_WORKER_ARGS]))
    auth = _authenticator(args, quiet=True)
    return create_app(lambda: open_service(args), auth=auth, limits=Limits())


def _serve(args: argparse.Namespace) -> int:
    if args.workers < 1:
        print("error: --workers must be at least 1", file=sys.stderr)
        return 2
    service = open_service(args)
    try:
        if args.demo:
            print(load_demo(service), file=sys.stderr)
        auth = _authenticator(args)
    except BaseException:
        service.store.close()
        raise
    print(f"serving GraphQL on http://{args.host}:{args.port}/graphql", file=sys.stderr)
    if args.workers > 1:
        service.store.close()  # each worker opens the store on its own
        os.environ[_WORKER_ARGS] = json.dumps(vars(args), default=str)
        uvicorn.run(
            f"{__name__}:worker_app",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_level=args.log_level,
        )
        return 0
    app = create_app(service, auth=auth, limits=Limits())
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level)
    return 0


def _configure_token(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", default=None, help="store database whose token file to use")
    parser.add_argument("--tokens", help="token file (default: <db>.tokens.sqlite)")
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
    listing = sub.add_parser("list", help="list tokens (never the secrets)")
    listing.add_argument("--json", action="store_true", help="print JSON")
    revoke = sub.add_parser("revoke", help="revoke a token by id")
    revoke.add_argument("id", help="token id, as `token list` shows it")


def _token(args: argparse.Namespace) -> int:
    if args.db is None:
        args.db = DEFAULT_DB
    store = _token_store(args)
    if args.token_command == "create":
        info, token = store.create(Role(args.role), tenants=args.tenant, name=args.name)
        scope = ", ".join(info.tenants) or "all tenants"
        print(
            f"created token {info.id} ({info.role.value}, {scope}) in {store.path}", file=sys.stderr
        )
        print("store it now: it is not shown again", file=sys.stderr)
        print(token)
        return 0
    if args.token_command == "list":
        tokens = store.tokens()
        if args.json:
            print(json.dumps([_as_dict(t) for t in tokens], indent=2))
            return 0
        for t in tokens:
            state = f"revoked {t.revoked_at}" if t.revoked_at else "active"
            scope = ",".join(t.tenants) or "*"
            print(f"{t.id}  {t.role.value:<8} {scope:<24} {t.created_at}  {state}  {t.name}")
        return 0
    if not store.revoke(args.id):
        print(f"error: no active token `{args.id}` in {store.path}", file=sys.stderr)
        return 2
    print(f"revoked token {args.id}", file=sys.stderr)
    return 0


def _as_dict(t: TokenInfo) -> dict[str, object]:
    return {
        "id": t.id,
        "role": t.role.value,
        "tenants": list(t.tenants),
        "name": t.name,
        "createdAt": t.created_at,
        "revokedAt": t.revoked_at,
    }


COMMANDS: tuple[Command, ...] = (
    Command("serve", "serve the GraphQL API (uvicorn)", _configure_serve, _serve),
    Command("token", "create, list and revoke API tokens", _configure_token, _token),
)
