"""`tenantgraph prune`: history that fits on disk.

Why a command of its own: every write keeps a snapshot (as the change it made, or whole), and
history is what `diff`, `audit --snapshot` and effective-access history read. Keeping all of it
forever grows the store without bound; `prune` keeps the newest snapshots (by count or age) and
deletes the rest, safely while servers read (a server keeps answering from what it holds; a
request naming a deleted snapshot gets `snapshot-not-found`). `--vacuum` then gives the freed
pages back to the file system (the memory store's sqlite `VACUUM`: it rewrites the file, needs
free space as large as the file, and waits for other writers).
"""

from __future__ import annotations

import argparse
import json

from graphmodel.cli.common import Command, add_store_arguments, open_service
from graphmodel.errors import QueryError

__all__ = ["COMMANDS", "size_text"]


def size_text(size: int | None) -> str:
    """`812 B`, `4.2 KB`, `23.8 MB` (decimal units, as `ls -h --si`); `?` when unknown."""
    if size is None:
        return "?"
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} GB"  # pragma: no cover - the loop returns


def _prune(args: argparse.Namespace) -> int:
    if args.keep is None and args.keep_days is None:
        raise QueryError("say what to keep: `--keep N` (newest snapshots) or `--keep-days D`")
    if (args.keep is not None and args.keep < 1) or (
        args.keep_days is not None and args.keep_days < 0
    ):
        raise QueryError("`--keep` must be at least 1 and `--keep-days` at least 0")
    with open_service(args) as svc:
        report = svc.prune(keep=args.keep, keep_days=args.keep_days)
        vacuumed = False
        if args.vacuum:
            vacuumed = svc.vacuum()
    if args.json:
        payload = {
            "deleted": list(report.deleted),
            "oldestKept": report.oldest_kept,
            "freedBytes": report.freed_bytes,
            "vacuumed": vacuumed,
        }
        print(json.dumps(payload, indent=2))
        return 0
    if not report.deleted:
        print(f"nothing to prune: the oldest snapshot kept is {report.oldest_kept}")
        return 0
    first, last = report.deleted[0], report.deleted[-1]
    span = f"{first}" if first == last else f"{first}-{last}"
    print(
        f"deleted {len(report.deleted)} snapshot(s) ({span}, {size_text(report.freed_bytes)}); "
        f"the oldest kept is {report.oldest_kept}: diffs, history and --snapshot reads before it "
        "are no longer possible"
    )
    if args.vacuum:
        print("file compacted (VACUUM)" if vacuumed else "this store has nothing to compact")
    else:
        print("the file keeps its size until `tenantgraph prune --vacuum` (or new writes reuse it)")
    return 0


def _cfg_prune(p: argparse.ArgumentParser) -> None:
    p.add_argument("--keep", type=int, metavar="N", help="keep the newest N snapshots")
    p.add_argument(
        "--keep-days", type=float, metavar="D", help="keep every snapshot younger than D days"
    )
    p.add_argument(
        "--vacuum",
        action="store_true",
        help="then give the freed space back to the file system (rewrites the file)",
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    add_store_arguments(p)


COMMANDS = (
    Command(
        "prune",
        "delete old snapshots, keeping the newest N or those younger than D days",
        _cfg_prune,
        _prune,
    ),
)
