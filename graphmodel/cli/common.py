"""Shared CLI plumbing: global store options, opening the service, errors into exit codes.

Store options are global: `tenantgraph --db X check ...` and `tenantgraph check ... --db X`
mean the same, and every one has an environment variable (`STORE_ENV`), so a shell that
exports `TENANTGRAPH_DB` once needs no flag at all. The main parser holds the defaults; every
sub-command, down to the nested ones (`token create`, `zone set`), repeats the options with
`SUPPRESS` defaults (`accept_global_options`), so a value given after the sub-command wins and
an absent one leaves the global value alone.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import IntEnum
from pathlib import Path
from typing import Any, NoReturn

from graphmodel.errors import (
    GraphModelError,
    StoreFull,
    StoreNotFound,
    StoreUnavailable,
    WorldInvalid,
    error_extensions,
)
from graphmodel.schema.suggest import closest
from graphmodel.service import GraphService
from graphmodel.stores import GraphStore, check_store, open_store

__all__ = [
    "DEFAULT_DB",
    "STORE_CHOICES",
    "STORE_ENV",
    "Command",
    "Exit",
    "Parser",
    "UsageError",
    "accept_global_options",
    "add_clock_argument",
    "add_global_store_arguments",
    "add_store_arguments",
    "check_store_from_args",
    "error_json",
    "open_service",
    "open_store_from_args",
    "parse_time",
    "run_command",
    "store_options_from_args",
]

DEFAULT_DB = "tenantgraph.db"
STORE_CHOICES = ("memory", "neo4j")
# option dest -> environment variable that gives its default
STORE_ENV: dict[str, str] = {
    "store": "TENANTGRAPH_STORE",
    "db": "TENANTGRAPH_DB",
    "uri": "TENANTGRAPH_URI",
    "user": "TENANTGRAPH_USER",
    "password_env": "TENANTGRAPH_PASSWORD_ENV",
}
Handler = Callable[[argparse.Namespace], int]


class Exit(IntEnum):
    """Exit codes shared by every command (docs/cli.md has the table per command)."""

    OK = 0
    FAILED = 1  # a check, scenario or `--fail-on` threshold failed; `check`: DENY
    INVALID = 2  # bad usage or input, an unknown id, a missing store file
    UNAVAILABLE = 3  # the store (or Microsoft Graph) cannot be reached or written: retry later
    PENDING = 4  # `check`: PENDING (reachable once the invitation is redeemed)
    INTERRUPTED = 130


class UsageError(Exception):
    """A command line argparse rejects; raised instead of exiting so `--json` can report it."""

    def __init__(self, parser: argparse.ArgumentParser, message: str) -> None:
        super().__init__(message)
        self.parser = parser


class Parser(argparse.ArgumentParser):
    """argparse that raises `UsageError` and suggests the closest choice for a mistyped one
    (`chek` -> `check`); sub-command parsers inherit the class."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(self, message)

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        # argparse's own hook for `choices`; only the message is ours
        choices = action.choices
        if choices is None or value in choices:
            return
        names = [str(c) for c in choices]
        close = closest(str(value), names)
        hint = f"; did you mean `{close}`?" if close else ""
        if isinstance(action, argparse._SubParsersAction):
            listed = f"`{self.prog} --help` lists them"
            raise argparse.ArgumentError(None, f"unknown command `{value}`{hint} ({listed})")
        message = f"invalid choice `{value}`{hint} (choose from {', '.join(names)})"
        raise argparse.ArgumentError(action, message)


@dataclass(frozen=True, slots=True)
class Command:
    """A sub-command: its name, help line, how to add its arguments and what runs it."""

    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    handler: Handler

    def register(self, sub: Any) -> None:
        parser = sub.add_parser(self.name, help=self.help, description=self.help)
        self.configure(parser)
        accept_global_options(parser)
        parser.set_defaults(handler=self.handler)


def _store_group(
    parser: argparse.ArgumentParser, defaults: Mapping[str, str | None] | None
) -> None:
    """The five store options; `defaults=None` adds them with `SUPPRESS` (sub-commands)."""

    def default(dest: str) -> Any:
        return argparse.SUPPRESS if defaults is None else defaults[dest]

    env = STORE_ENV
    g = parser.add_argument_group("store (global: before or after the command)")
    g.add_argument(
        "--store",
        choices=STORE_CHOICES,
        default=default("store"),
        help=f"backend: memory (sqlite file) or neo4j (Bolt) [${env['store']}, memory]",
    )
    g.add_argument(
        "--db",
        metavar="FILE",
        default=default("db"),
        help=f"sqlite file of the memory store [${env['db']}, {DEFAULT_DB}]",
    )
    g.add_argument(
        "--uri",
        default=default("uri"),
        help=f"Bolt URI of the neo4j store, e.g. bolt://127.0.0.1:7687 [${env['uri']}]",
    )
    g.add_argument(
        "--user",
        default=default("user"),
        help=f"neo4j user; omit for no authentication [${env['user']}]",
    )
    g.add_argument(
        "--password-env",
        metavar="VAR",
        default=default("password_env"),
        help="environment variable holding the neo4j password "
        f"[${env['password_env']}, NEO4J_PASSWORD]",
    )


def add_global_store_arguments(
    parser: argparse.ArgumentParser, environ: Mapping[str, str] | None = None
) -> None:
    """The store options of the main parser, their defaults read from the environment now."""
    environ = os.environ if environ is None else environ
    fallback: dict[str, str | None] = {
        "store": "memory",
        "db": DEFAULT_DB,
        "uri": None,
        "user": None,
        "password_env": "NEO4J_PASSWORD",
    }
    defaults = {dest: environ.get(var) or fallback[dest] for dest, var in STORE_ENV.items()}
    _store_group(parser, defaults)


def parse_time(text: str) -> datetime:
    """An ISO 8601 date or time, UTC when no offset is given (argparse `type`)."""
    try:
        found = datetime.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"`{text}` is not an ISO 8601 date or time such as 2026-12-01 or 2026-12-01T09:00:00Z"
        ) from None
    return found.replace(tzinfo=UTC) if found.tzinfo is None else found.astimezone(UTC)


def add_clock_argument(parser: argparse.ArgumentParser) -> None:
    """`--as-of`: the evaluation clock for expiry, lifecycle deletion and staleness."""
    parser.add_argument(
        "--as-of",
        type=parse_time,
        default=None,
        metavar="TIME",
        help="evaluate as of this time (ISO 8601; default: the snapshot's asOf, else now)",
    )


def add_store_arguments(parser: argparse.ArgumentParser) -> None:
    """Accept the global store options after this sub-command too (the values are global)."""
    _store_group(parser, None)


def accept_global_options(parser: argparse.ArgumentParser) -> None:
    """Accept the store options in `parser` and every nested sub-command parser of it.

    Why: `token create --db X` must mean `--db X token create`, as the help promises, and a
    command module that forgets `add_store_arguments` must not break that promise.
    """
    if "--db" not in parser._option_string_actions:
        add_store_arguments(parser)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for nested in action.choices.values():
                accept_global_options(nested)


def store_options_from_args(
    args: argparse.Namespace, *, create: bool = False
) -> tuple[str, dict[str, object]]:
    """The store kind and `open_store` options the options name. Without `create`, a missing
    memory-store file is an error.

    Why: opening sqlite creates the file, so a read-only command with a mistyped `--db`
    would leave an empty store behind and answer "not found" about the data instead.
    """
    if args.store not in STORE_CHOICES:
        raise ValueError(
            f"unknown store `{args.store}` (from ${STORE_ENV['store']}); "
            f"expected one of {', '.join(STORE_CHOICES)}"
        )
    if args.store == "neo4j":
        importlib.import_module("graphmodel.stores.neo4j")
        if not args.uri:
            raise GraphModelError(
                f"`--store neo4j` needs `--uri bolt://host:port` (or ${STORE_ENV['uri']})"
            )
        password = os.environ.get(args.password_env)
        return "neo4j", {"uri": args.uri, "user": args.user, "password": password}
    if args.db and not create and not Path(args.db).exists():
        raise StoreNotFound(args.db)
    return "memory", {"path": args.db}


def open_store_from_args(args: argparse.Namespace, *, create: bool = False) -> GraphStore:
    """The store the options name, open (see `store_options_from_args`)."""
    kind, options = store_options_from_args(args, create=create)
    return open_store(kind, **options)


def check_store_from_args(args: argparse.Namespace, *, create: bool = False) -> None:
    """Raise what opening the store would raise, without reading a snapshot (`check_store`)."""
    kind, options = store_options_from_args(args, create=create)
    check_store(kind, **options)


def open_service(
    args: argparse.Namespace,
    *,
    create: bool = False,
    warm_indexes: bool = False,
    partial_reads: bool = False,
) -> GraphService:
    """The service over the store the options name (`create` for commands that write;
    `warm_indexes` for servers, `partial_reads` for one-shot questions: see `GraphService`)."""
    store = open_store_from_args(args, create=create)
    return GraphService(store, warm_indexes=warm_indexes, partial_reads=partial_reads)


def error_json(code: str, message: str, extensions: Mapping[str, object] | None = None) -> str:
    """An error as the API reports it: `{"errors": [{"message", "extensions": {"code"...}}]}`."""
    ext = {"code": code, **(extensions or {})}
    return json.dumps({"errors": [{"message": message, "extensions": ext}]}, indent=2)


def _fail(
    args: argparse.Namespace, message: str, exit_code: Exit, extensions: Mapping[str, object]
) -> int:
    """Report an expected error: JSON on stdout with `--json`, else one line on stderr."""
    if getattr(args, "json", False):
        ext = dict(extensions)
        print(error_json(str(ext.pop("code")), message, ext))
    else:
        print(f"error: {message}", file=sys.stderr)
    return exit_code


def run_command(args: argparse.Namespace) -> int:
    """Run the chosen handler; expected errors print one clear line (or JSON), no traceback."""
    handler: Handler = args.handler
    try:
        return handler(args)
    except WorldInvalid as exc:
        if getattr(args, "json", False):
            print(error_json(exc.code, str(exc), error_extensions(exc)))
            return Exit.INVALID
        for issue in exc.issues:
            print(issue.render(), file=sys.stderr)
        print(f"error: {len(exc.issues)} problem(s) found", file=sys.stderr)
        return Exit.INVALID
    except (StoreUnavailable, StoreFull) as exc:
        message = f"{exc} (retry when the store is reachable)" if exc.retryable else str(exc)
        return _fail(args, message, Exit.UNAVAILABLE, error_extensions(exc))
    except GraphModelError as exc:
        return _fail(args, str(exc), Exit.INVALID, error_extensions(exc))
    except ValueError as exc:
        return _fail(args, str(exc), Exit.INVALID, {"code": "invalid-input"})
    except KeyboardInterrupt:
        return _fail(args, "interrupted", Exit.INTERRUPTED, {"code": "interrupted"})
