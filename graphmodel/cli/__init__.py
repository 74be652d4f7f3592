"""The `tenantgraph` command line. Sub-commands live in small modules; other packages (the API)
add theirs through the `tenantgraph.commands` entry-point group, so graphmodel never imports them.

Exit codes (`Exit`; docs/cli.md has the table per command): 0 success, 1 a check or scenario
failed (`check`: DENY), 2 invalid input or usage, an unknown id or a missing store file, 3 the
store is unavailable (retry later), 4 `check`: PENDING. With `--json`, errors are JSON on
stdout in the API's shape (`{"errors": [{"message", "extensions": {"code"}}]}`).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, entry_points, version

from graphmodel.cli import (
    audit_commands,
    data,
    export_commands,
    graph_commands,
    history_commands,
    query,
    sync_commands,
)
from graphmodel.cli.common import (
    Command,
    Exit,
    Parser,
    UsageError,
    add_global_store_arguments,
    error_json,
    run_command,
)
from graphmodel.cli.progress import start_clock

__all__ = ["build_parser", "main"]

_BUILTIN: tuple[Command, ...] = (
    *data.COMMANDS,
    *query.COMMANDS,
    *export_commands.COMMANDS,
    *audit_commands.COMMANDS,
    *graph_commands.COMMANDS,
    *history_commands.COMMANDS,
    *sync_commands.COMMANDS,
)


def _plugin_commands() -> list[Command]:
    found: list[Command] = []
    for ep in entry_points(group="tenantgraph.commands"):
        commands = ep.load()
        found.extend(commands)
    return found


def _version() -> str:
    try:
        return version("tenantgraph")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree not installed
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="tenantgraph",
        description="Who outside your company can reach which app or Teams channel, "
        "through which cross-tenant trust, and why.",
        epilog="exit codes: 0 ok, 1 failed (check: deny), 2 invalid input or unknown id, "
        "3 store unavailable, 4 check: pending (docs/cli.md)",
    )
    parser.add_argument("--version", action="version", version=f"tenantgraph {_version()}")
    add_global_store_arguments(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in sorted((*_BUILTIN, *_plugin_commands()), key=lambda c: c.name):
        command.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    start_clock(whole_process=argv is None)
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if not argv:  # a newcomer's first try: say what there is, not what is missing
        parser.print_help()
        return Exit.OK
    try:
        args = parser.parse_args(argv)
    except UsageError as exc:
        if "--json" in argv:
            print(error_json("invalid-input", str(exc)))
        else:
            exc.parser.print_usage(sys.stderr)
            print(f"{exc.parser.prog}: error: {exc}", file=sys.stderr)
        return Exit.INVALID
    except SystemExit as exc:  # --help and --version
        return exc.code if isinstance(exc.code, int) else 0
    try:
        return run_command(args)
    except BrokenPipeError:
        # the reader went away (`... | head`): stop quietly, as Unix tools do
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
