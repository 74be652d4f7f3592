"""Data commands: `load`, `validate`, `stats`, `snapshots`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from graphmodel.cli.common import Command, add_store_arguments, open_service
from graphmodel.cli.history_commands import size_text
from graphmodel.cli.progress import Phase, add_progress_argument, since_start
from graphmodel.errors import Issue, WorldInvalid
from graphmodel.ingest.world import load_world_file_with_warnings
from graphmodel.schema.world import World
from graphmodel.service.answers import SnapshotInfo

__all__ = ["COMMANDS", "file_sizes", "merge_worlds", "written_line"]


def merge_worlds(worlds: list[World]) -> World:
    """Several world files loaded together form one World (tenant names must not repeat)."""
    if len(worlds) == 1:
        return worlds[0]
    seen: dict[str, int] = {}
    issues: list[Issue] = []
    for i, w in enumerate(worlds):
        for t in w.tenants:
            if t.name in seen:
                issues.append(
                    Issue(
                        code="duplicate-name",
                        loc=("tenants", t.name),
                        msg=f"tenant `{t.name}` appears in file {seen[t.name] + 1} and {i + 1}",
                    )
                )
            seen[t.name] = i
    if issues:
        raise WorldInvalid(issues)
    return World(
        tenants=tuple(t for w in worlds for t in w.tenants),
        users=tuple(x for w in worlds for x in w.users),
        groups=tuple(x for w in worlds for x in w.groups),
        apps=tuple(x for w in worlds for x in w.apps),
        assignments=tuple(x for w in worlds for x in w.assignments),
        teams=tuple(x for w in worlds for x in w.teams),
        channels=tuple(x for w in worlds for x in w.channels),
        conditional_access=tuple(x for w in worlds for x in w.conditional_access),
        connected_organizations=tuple(x for w in worlds for x in w.connected_organizations),
        access_packages=tuple(x for w in worlds for x in w.access_packages),
        access_package_assignments=tuple(x for w in worlds for x in w.access_package_assignments),
        invitations=tuple(x for w in worlds for x in w.invitations),
        as_of=worlds[0].as_of,
    )


def file_sizes(files: list[str]) -> list[int]:
    """Each file's size in bytes (0 when it cannot be read: loading reports why)."""
    sizes = []
    for f in files:
        try:
            sizes.append(Path(f).stat().st_size)
        except OSError:
            sizes.append(0)
    return sizes


def _read(files: list[str], *, progress: Phase | None = None) -> World:
    """Load and merge world files; `progress` counts their bytes, also within a large file."""
    worlds: list[World] = []
    problems: list[Issue] = []
    sizes = file_sizes(files)
    for i, f in enumerate(files):
        done_before, size = sum(sizes[:i]), sizes[i]
        share = progress.part(done_before, size) if progress is not None else None
        try:
            world, warnings = load_world_file_with_warnings(Path(f), progress=share)
        except WorldInvalid as exc:
            problems.extend(exc.issues)
            continue
        for w in warnings:
            if progress is not None:
                progress.note(f"warning: {w.render()}")
            else:
                print(f"warning: {w.render()}", file=sys.stderr)
        worlds.append(world)
        if progress is not None:
            progress.set(done_before + size)
    if problems:
        raise WorldInvalid(problems)
    return merge_worlds(worlds)


def written_line(info: SnapshotInfo, **phases: float) -> str:
    """`snapshot 3 written: {...}; took 1.4s (start-up 0.9s, read 0.3s, write 0.2s)`.

    Why the start-up: the total is what the user waited for, imports included, so it matches
    `time tenantgraph load ...` instead of claiming 0.0s for a command that took seconds.
    """
    total = since_start()
    parts = [f"start-up {max(total - sum(phases.values()), 0.0):.1f}s"]
    parts += [f"{name} {seconds:.1f}s" for name, seconds in phases.items()]
    stored = "" if info.base is None else f" as its change on snapshot {info.base}"
    return (
        f"snapshot {info.id} written{stored}: {json.dumps(info.counts)}; "
        f"took {total:.1f}s ({', '.join(parts)})"
    )


def _load(args: argparse.Namespace) -> int:
    total = sum(file_sizes(args.files))
    with Phase("read", total=total, unit="B", live=args.progress) as reading:
        world = _read(args.files, progress=reading)
        files = len(args.files)
        reading.close(f"read: {files}/{files} files, {reading.counted()} in {reading.took()}")
    counts = world.counts().as_dict()
    print("validated: " + ", ".join(f"{v} {k}" for k, v in counts.items()), file=sys.stderr)
    with Phase("write", unit="objects") as writing:
        with open_service(args, create=True) as svc:
            info = svc.load_world(world, source=", ".join(args.files))
        writing.set(sum(counts.values()))
    print(written_line(info, read=reading.seconds, write=writing.seconds))
    return 0


def _validate(args: argparse.Namespace) -> int:
    world = _read(args.files)
    print(f"ok: {len(args.files)} file(s), " + json.dumps(world.counts().as_dict()))
    return 0


def _stats(args: argparse.Namespace) -> int:
    with open_service(args) as svc:
        info = svc.current_snapshot()
        if info is None:
            print("the store is empty: load a world first (tenantgraph load FILE)")
            return 0
        edges = svc.trust_graph()
        payload = {
            "snapshot": info.id,
            "created": info.created_at.isoformat(),
            "source": info.source,
            "counts": info.counts,
            "trustEdges": len(edges),
        }
    if args.json:
        print(json.dumps(payload, indent=2))
    else:
        print(f"snapshot {info.id} ({payload['created']}) from {info.source}")
        for k, v in info.counts.items():
            print(f"  {k:<10} {v}")
        print(f"  {'trust edges':<10} {len(edges)}")
    return 0


def _snapshots(args: argparse.Namespace) -> int:
    with open_service(args) as svc:
        rows = svc.snapshots()
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "id": s.id,
                        "created": s.created_at.isoformat(),
                        "source": s.source,
                        "counts": s.counts,
                        "base": s.base,
                        "storedBytes": s.stored_bytes,
                    }
                    for s in rows
                ],
                indent=2,
            )
        )
        return 0
    if rows:
        print(f"{'id':>5}  {'created (UTC)':<19}  {'on disk':>9}  {'stored as':<14}  source")
    held = {s.id for s in rows}
    for s in rows:  # a base pruned away: the snapshot was stored whole when it went
        stored = "whole" if s.base is None or s.base not in held else f"change on {s.base}"
        print(
            f"{s.id:>5}  {s.created_at:%Y-%m-%d %H:%M:%S}  {size_text(s.stored_bytes):>9}  "
            f"{stored:<14}  {s.source}  {json.dumps(s.counts)}"
        )
    return 0


def _files(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="+", metavar="FILE", help="world files (scenario format)")


def _cfg_load(p: argparse.ArgumentParser) -> None:
    _files(p)
    add_progress_argument(p)
    add_store_arguments(p)


def _cfg_json_store(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="machine-readable output")
    add_store_arguments(p)


COMMANDS = (
    Command("load", "validate world files and store them as the new snapshot", _cfg_load, _load),
    Command(
        "validate",
        "check world files and report every problem with its location",
        _files,
        _validate,
    ),
    Command("stats", "counts of the current snapshot", _cfg_json_store, _stats),
    Command("snapshots", "the snapshot history, newest first", _cfg_json_store, _snapshots),
)
