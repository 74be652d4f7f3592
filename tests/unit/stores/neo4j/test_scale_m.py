"""The M world (100k users) loads twice into one fresh FalkorDB and the server survives (issue 27).

How to write tests here: a private FalkorDB (`start_falkordb(tmp_path)`), the generated M world
written through the store as `tenantgraph load` writes it, the server process checked after
each write, then sampled decisions through one-shot partial reads compared with the memory
store's answers on the same pairs. Times are not asserted: `bench/probe_bolt_targets.py`
measures them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from neo4j import GraphDatabase

from bench.generate import generate
from bench.workload import check_pairs
from graphmodel.engine import derive_trust_edges
from graphmodel.service import GraphService
from graphmodel.stores import open_store
from graphmodel.stores.neo4j.drivers import close_driver
from tests.support.bolt_server import needs_falkordb, start_falkordb

pytestmark = [pytest.mark.neo4j, pytest.mark.slow, needs_falkordb, pytest.mark.timeout(2400)]


def test_m_loads_twice_and_answers_as_the_memory_store(tmp_path: Path) -> None:
    world = generate("M", seed=7)
    edges = derive_trust_edges(world)
    memory = GraphService(open_store("memory", path=str(tmp_path / "m.db")))
    memory.load_world(world, source="bench.generate M")
    server = start_falkordb(tmp_path, timeout=60)
    try:
        for load in range(2):
            driver = GraphDatabase.driver(server.uri, auth=None, connection_timeout=120)
            with open_store("neo4j", driver=driver, uri=server.uri) as store:
                info = store.write_snapshot(world, source="bench.generate M", trust_edges=edges)
            close_driver(driver)
            assert server.alive(), f"FalkorDB died during load {load + 1}:\n{server.log_tail()}"
            pairs = check_pairs(memory.index(), 200, seed=load)
            driver = GraphDatabase.driver(server.uri, auth=None, connection_timeout=120)
            with GraphService(
                open_store("neo4j", driver=driver, uri=server.uri), partial_reads=True
            ) as one_shot:
                assert one_shot.current_snapshot() == info
                differ = [(p, r) for p, r in pairs if one_shot.check(p, r) != memory.check(p, r)]
            close_driver(driver)
            assert not differ, differ[:5]
            assert server.alive(), f"FalkorDB died reading after load {load + 1}"
    finally:
        server.stop()
        memory.close()
