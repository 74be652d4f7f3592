"""SIGKILL during `load`, `import` and API mutations: no acknowledged snapshot lost, none mixed.

    python -m bench.sigkill --kills 100 --out bench/out/sigkill.json

Half the kills hit a `tenantgraph load` (the demo world or the API test world, alternately) or a
`tenantgraph import` (an export of the demo world) at a random moment; the other half hit a
served process while a client adds and removes one group member in a loop. After each kill the
store is reopened and every snapshot is checked:

- *mixed*: a snapshot whose content is none of the worlds written (`load`/`import`), or that
  differs from the base world other than in the one membership the mutations flip, or that
  does not open;
- *lost*: a `load`/`import` that exited 0 before the kill, or a mutation whose answer named a
  snapshot, and that snapshot (with the membership it reported) is not in the store.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from api.auth import Role
from bench.server_proc import CLI, Server, load_world
from graphmodel.ingest import load_world_file
from graphmodel.ingest.graph_export import export_world
from graphmodel.schema import World
from graphmodel.service import GraphService
from graphmodel.stores import open_store

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "fixtures" / "demo.yaml"
SMALL = REPO / "tests" / "api" / "world.yaml"
GROUP, MEMBER = "contoso/interns", "contoso/alice"
MUTATION = 'mutation { %s(group: "%s", member: "%s") { snapshot { id } } }'


def signature(world: World, *, ignore_group: str | None = None) -> str:
    """A digest of everything in `world` (but `source`, and one group's members if asked)."""
    parts = []
    for f in dataclasses.fields(World):
        value = getattr(world, f.name)
        if f.name == "source":
            continue
        if f.name == "groups" and ignore_group:
            value = tuple(
                dataclasses.replace(g, members=()) if g.ref == ignore_group else g for g in value
            )
        parts.append(
            f"{f.name}={sorted(map(repr, value)) if isinstance(value, tuple) else value!r}"
        )
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _snapshot_ids(db: Path) -> set[int]:
    with open_store("memory", path=db) as store:
        return {info.id for info in GraphService(store).snapshots()}


def _snapshots(db: Path, only: set[int] | None = None) -> dict[int, World | Exception]:
    """Every snapshot's World (or `only` those ids), or the error opening it."""
    with open_store("memory", path=db) as store:
        service = GraphService(store)
        out: dict[int, World | Exception] = {}
        for info in service.snapshots():
            if only is not None and info.id not in only:
                out[info.id] = World()  # present; not opened (not under test this round)
                continue
            try:
                out[info.id] = service.world(info.id)
            except Exception as exc:  # a snapshot that does not open counts as mixed
                out[info.id] = exc
        return out


def _kill_writers(db: Path, export: Path, kills: int, rng: random.Random) -> dict[str, Any]:
    def commands(target: Path) -> list[list[str]]:
        return [
            [*CLI, "load", str(DEMO), "--db", str(target)],
            [*CLI, "load", str(SMALL), "--db", str(target)],
            [*CLI, "import", *map(str, sorted(export.iterdir())), "--db", str(target), "--quiet"],
        ]

    # the worlds each command writes, from one clean run of each in a scratch store
    expected: set[str] = set()
    durations = []
    scratch = db.with_name("scratch.db")
    for cmd in commands(scratch):
        started = time.monotonic()
        subprocess.run(cmd, check=True, capture_output=True)
        durations.append(time.monotonic() - started)
        expected |= {signature(w) for w in _snapshots(scratch).values() if isinstance(w, World)}
        for p in scratch.parent.glob("scratch.db*"):
            p.unlink()
    longest = max(durations)
    lost = mixed = completed = 0
    for i in range(kills):
        before = _snapshot_ids(db)
        proc = subprocess.Popen(
            commands(db)[i % 3], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(rng.uniform(0.3, longest * 1.1))
        finished = proc.poll() == 0
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        completed += finished
        after = _snapshots(db, only=_snapshot_ids(db) - before)
        new = set(after) - before
        if finished and not new:
            lost += 1
        if not before <= set(after):
            lost += len(before - set(after))
        for sid in new:
            w = after[sid]
            mixed += not isinstance(w, World) or signature(w) not in expected
    return {
        "kills": kills,
        "completed_before_kill": completed,
        "lost": lost,
        "mixed": mixed,
        "snapshots": len(_snapshots(db)),
    }


def _mutate(url: str, token: str, acked: list[tuple[int, bool]], stop: threading.Event) -> None:
    add = True
    with httpx.Client(base_url=url, headers={"authorization": f"Bearer {token}"}, timeout=10) as c:
        while not stop.is_set():
            field = "addGroupMember" if add else "removeGroupMember"
            try:
                body = c.post("/graphql", json={"query": MUTATION % (field, GROUP, MEMBER)}).json()
            except httpx.HTTPError:
                return  # the server was killed
            data = body.get("data") or {}
            if data.get(field):
                acked.append((int(data[field]["snapshot"]["id"]), add))
                add = not add
            elif body.get("errors"):  # e.g. already a member after an unacknowledged write
                add = not add


def _kill_server(db: Path, kills: int, rng: random.Random) -> dict[str, Any]:
    (first,) = _snapshots(db).values()  # the demo world as the store keeps it
    assert isinstance(first, World)
    base = signature(first, ignore_group=GROUP)
    lost = mixed = 0
    acked_total = 0
    for _ in range(kills):
        before = _snapshot_ids(db)
        server = Server(db).start()
        token = server.token(Role.ADMIN, "sigkill")
        acked: list[tuple[int, bool]] = []
        stop = threading.Event()
        client = threading.Thread(target=_mutate, args=(server.url, token, acked, stop))
        client.start()
        time.sleep(rng.uniform(0.2, 2.0))
        server.kill()
        stop.set()
        client.join()
        acked_total += len(acked)
        found = _snapshots(db, only=(_snapshot_ids(db) - before) | {sid for sid, _ in acked})
        for sid, present in acked:
            w = found.get(sid)
            if not isinstance(w, World):
                lost += 1
                continue
            members = next(g.members for g in w.groups if g.ref == GROUP)
            lost += (MEMBER in members) != present
        lost += len(before - set(found))
        for sid in set(found) - before:
            w = found[sid]
            mixed += not isinstance(w, World) or signature(w, ignore_group=GROUP) != base
    return {
        "kills": kills,
        "acknowledged_mutations": acked_total,
        "lost": lost,
        "mixed": mixed,
        "snapshots": len(_snapshots(db)),
    }


def run(kills: int, seed: int, phases: tuple[str, ...]) -> dict[str, Any]:
    rng = random.Random(seed)
    out: dict[str, Any] = {}
    share = kills // len(phases)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        if "load" in phases:
            export = root / "export"
            export_world(load_world_file(DEMO), export)
            out["load_and_import"] = _kill_writers(root / "load.db", export, share, rng)
            print("load/import", json.dumps(out["load_and_import"]), flush=True)
        if "api" in phases:
            api_db = root / "api.db"
            load_world(api_db, DEMO)
            out["api_mutations"] = _kill_server(api_db, share, rng)
            print("api", json.dumps(out["api_mutations"]), flush=True)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--phases", default="load,api", help="load, api or both")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    result = run(args.kills, args.seed, tuple(args.phases.split(",")))
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")
    bad = sum(r["lost"] + r["mixed"] for r in result.values())
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
