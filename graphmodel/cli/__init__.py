"""The `tenantgraph` command line. Sub-commands live in small modules; other packages (the API)
add theirs through the `tenantgraph.commands` entry-point group, so graphmodel never imports them.

Exit codes: 0 success, 1 a check or scenario failed, 2 invalid input or usage,
3 the store is unavailable (retry later).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from importlib.metadata import entry_points

from graphmodel.cli import audit_commands, data, export_commands, graph_commands, query
from graphmodel.cli._common import Command, run_command

__all__ = ["build_parser", "main"]

_BUILTIN: tuple[Command, ...] = (
    *data.COMMANDS,
    *query.COMMANDS,
    *export_commands.COMMANDS,
    *audit_commands.COMMANDS,
    *graph_commands.COMMANDS,
)


def _plugin_commands() -> list[Command]:
    found: list[Command] = []
    for ep in entry_points(group="tenantgraph.commands"):
        commands = ep.load()
        found.extend(commands)
    return found


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tenantgraph",
        description="Who outside your company can reach which app or Teams channel, "
        "through which cross-tenant trust, and why.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in sorted((*_BUILTIN, *_plugin_commands()), key=lambda c: c.name):
        command.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return run_command(args)
    except BrokenPipeError:
        # the reader went away (`... | head`): stop quietly, as Unix tools do
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
