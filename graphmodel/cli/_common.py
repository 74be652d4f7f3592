"""Shared CLI plumbing: store options, opening the service, turning errors into exit codes."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from graphmodel.errors import GraphModelError, StoreUnavailable, WorldInvalid
from graphmodel.service import GraphService
from graphmodel.stores import GraphStore, open_store

__all__ = [
    "DEFAULT_DB",
    "Command",
    "add_clock_argument",
    "add_store_arguments",
    "open_service",
    "open_store_from_args",
    "parse_time",
    "run_command",
]

DEFAULT_DB = os.environ.get("TENANTGRAPH_DB", "tenantgraph.db")
Handler = Callable[[argparse.Namespace], int]


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
        parser.set_defaults(handler=self.handler)


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
    """`--store memory|neo4j`, `--db FILE` for memory, `--uri/--user/--password-env` for neo4j."""
    g = parser.add_argument_group("store")
    g.add_argument("--store", choices=("memory", "neo4j"), default="memory", help="backend")
    g.add_argument(
        "--db", default=DEFAULT_DB, help=f"sqlite file of the memory store ({DEFAULT_DB})"
    )
    g.add_argument("--uri", help="Bolt URI of the neo4j store, e.g. bolt://127.0.0.1:7687")
    g.add_argument("--user", default=None, help="neo4j user (omit for no auth)")
    g.add_argument(
        "--password-env",
        default="NEO4J_PASSWORD",
        help="environment variable holding the neo4j password (NEO4J_PASSWORD)",
    )


def open_store_from_args(args: argparse.Namespace) -> GraphStore:
    if args.store == "neo4j":
        importlib.import_module("graphmodel.stores.neo4j")
        if not args.uri:
            raise GraphModelError("`--store neo4j` needs `--uri bolt://host:port`")
        return open_store(
            "neo4j",
            uri=args.uri,
            user=args.user,
            password=os.environ.get(args.password_env),
        )
    return open_store("memory", path=args.db)


def open_service(args: argparse.Namespace) -> GraphService:
    return GraphService(open_store_from_args(args))


def run_command(args: argparse.Namespace) -> int:
    """Run the chosen handler; expected errors print one clear line, never a traceback."""
    handler: Handler = args.handler
    try:
        return handler(args)
    except WorldInvalid as exc:
        for issue in exc.issues:
            print(issue.render(), file=sys.stderr)
        print(f"error: {len(exc.issues)} problem(s) found", file=sys.stderr)
        return 2
    except StoreUnavailable as exc:
        print(f"error: {exc} (retry when the store is reachable)", file=sys.stderr)
        return 3
    except (GraphModelError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
