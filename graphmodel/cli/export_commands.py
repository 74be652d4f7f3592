"""`tenantgraph export`: the trust graph, a verdict's paths or who-can-access, as a file.

Why one command with `--what`: the three answers share formats and store options, and a user
who exported the trust graph should only change one flag to export the path behind an answer:

    tenantgraph export --format graphml --out trust.graphml
    tenantgraph export --format mermaid --what paths --principal fabrikam/bob --resource contoso/crm
    tenantgraph export --format csv --what who --resource contoso/crm --out who.csv

`--format graph` is different: it writes a whole World (the current snapshot, `--snapshot N`, or
a world file given with `--world`) as the Microsoft Graph export layout (`docs/export-layout.md`),
one folder per tenant under `--out`, so an example can be shared, inspected with JSON tools and
imported again with `tenantgraph import`:

    tenantgraph export --format graph --world fixtures/demo.yaml --out demo-export
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from graphmodel.cli.common import Command, add_store_arguments, open_service
from graphmodel.cli.progress import Phase
from graphmodel.cli.query import VIA_HELP, parse_via
from graphmodel.export import FORMATS, ExportFormat, WhoResult
from graphmodel.ingest import load_world_file
from graphmodel.ingest.graph_export import export_world
from graphmodel.schema.enums import Via
from graphmodel.service import GraphService
from graphmodel.service.answers import ReachFilter

__all__ = ["COMMANDS"]

WHAT = ("trust", "paths", "who")
GRAPH = "graph"  # the Graph export layout (folders), not a text format
_PAGE = 1000


def _who_results(svc: GraphService, resource: str, *, outsiders: bool) -> list[WhoResult]:
    """Every page of who-can-access (outsiders only, if asked), so the export is the whole
    answer, not its first page; each principal with its kind and its object in the tenant."""
    results: list[WhoResult] = []
    after: str | None = None
    only = ReachFilter(outsiders=outsiders)
    with Phase("export who", unit="principals") as phase:
        while True:
            page = svc.who_can_access(resource, first=_PAGE, after=after, filters=only)
            results.extend(
                WhoResult(r.principal, r.verdict, r.kind, r.object_ref) for r in page.items
            )
            phase.update(len(page.items))
            if not page.has_next:
                return results
            after = page.end_cursor


def _render(svc: GraphService, fmt: ExportFormat, args: argparse.Namespace) -> str:
    if args.what == "paths":
        verdict = svc.check(args.principal, args.resource, via=args.via)
        return fmt.paths(verdict)
    if args.what == "who":
        return fmt.who(args.resource, _who_results(svc, args.resource, outsiders=args.outsiders))
    edges = svc.trust_graph(args.tenant or None)
    tenants = svc.world().tenants
    if args.tenant:
        named = set(args.tenant) | {n for e in edges for n in (e.source, e.target)}
        tenants = tuple(t for t in tenants if t.name in named)
    return fmt.trust(edges, tenants)


def _export_graph(args: argparse.Namespace) -> int:
    if not args.out or args.out == "-":
        raise ValueError("`--format graph` writes folders: give the target folder with `--out`")
    out = Path(args.out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ValueError(f"`{out}` exists and is not an empty folder; choose a new one")
    if args.world:
        world = load_world_file(args.world)
    else:
        with open_service(args) as svc:
            world = svc.world(args.snapshot)
    folders = export_world(world, out)
    print(
        f"wrote {len(folders)} tenant folder(s) in the Graph export layout to {out}",
        file=sys.stderr,
    )
    return 0


def _export(args: argparse.Namespace) -> int:
    if args.format == GRAPH:
        return _export_graph(args)
    if args.world or args.snapshot is not None:
        raise ValueError("`--world` and `--snapshot` go with `--format graph`")
    if args.what == "paths" and not (args.principal and args.resource):
        raise ValueError("`--what paths` needs `--principal` and `--resource`")
    if args.what == "who" and not args.resource:
        raise ValueError("`--what who` needs `--resource`")
    fmt = FORMATS[args.format]
    with open_service(args) as svc:
        text = _render(svc, fmt, args)
    if args.out is None or args.out == "-":
        sys.stdout.write(text)
    else:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"wrote {args.what} as {fmt.name} to {args.out}", file=sys.stderr)
    return 0


def _cfg_export(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--format",
        required=True,
        choices=[*sorted(FORMATS), GRAPH],
        help="output format; `graph` writes the Microsoft Graph export layout (folders)",
    )
    p.add_argument("--world", help="for --format graph: a world file instead of the store")
    p.add_argument("--snapshot", type=int, help="for --format graph: this snapshot id")
    p.add_argument(
        "--what",
        choices=WHAT,
        default="trust",
        help="trust graph (default), one verdict's paths, or who can access a resource",
    )
    p.add_argument("--principal", help="for --what paths: tenant/user (home identity)")
    p.add_argument("--resource", help="for --what paths|who: tenant/app or tenant/team/channel")
    p.add_argument("--via", type=parse_via, default=Via.ANY, metavar="ROUTE", help=VIA_HELP)
    p.add_argument(
        "--outsiders",
        action="store_true",
        help="for --what who: only principals from outside the resource's tenant",
    )
    p.add_argument(
        "--tenant", action="append", help="for --what trust: only edges touching it (repeat)"
    )
    p.add_argument("--out", default=None, help="file to write (default: standard output)")
    add_store_arguments(p)


COMMANDS = (
    Command(
        "export",
        "export the trust graph, a verdict's paths or who-can-access as "
        + "|".join(sorted(FORMATS))
        + ", or a world as the Graph export layout (graph)",
        _cfg_export,
        _export,
    ),
)
