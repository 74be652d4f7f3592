"""Group closures filled on first use answer exactly as closures filled up front.

`WorldIndex(world, closures=False)` leaves every group closure to its first use, and servers
fill them on a background thread (`GraphService(warm_indexes=True)`); verdicts must not depend
on which happened first. To cover a new use of the closures, add a world where nesting matters.
"""

from __future__ import annotations

import threading

from bench.generate import generate
from graphmodel.engine import WorldIndex, check
from graphmodel.schema import World
from graphmodel.service import GraphService
from graphmodel.stores.memory import MemoryStore


def _world() -> World:
    return generate("T", seed=3)  # nested groups, guests, synced users, 1,500 users


def test_lazy_closures_give_the_verdicts_of_eager_ones() -> None:
    world = _world()
    eager, lazy = WorldIndex(world), WorldIndex(world, closures=False)
    resources = [a.ref for a in world.apps[:20]] + [c.ref for c in world.channels[:10]]
    principals = [u.ref for u in world.users[::97]]
    for p in principals:
        for r in resources:
            assert check(lazy, p, r) == check(eager, p, r)


def test_a_server_service_warms_the_closures_in_the_background() -> None:
    world = _world()
    with MemoryStore() as store:
        store.write_snapshot(world, source="t", trust_edges=())
        one_shot = GraphService(store).index()
        assert one_shot._ids_up == {}  # a one-shot command fills them on first use only
    with MemoryStore() as store:
        store.write_snapshot(world, source="t", trust_edges=())
        ix = GraphService(store, warm_indexes=True).index()
        for thread in threading.enumerate():
            if thread.name == "warm-index":
                thread.join(60)
        assert len(ix._ids_up) == len(ix.groups) > 0
