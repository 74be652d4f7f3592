"""Whole-snapshot reads in pages: complete, lossless, and bounded when the server stalls.

How to write tests here: a real stall comes from the server itself: FalkorDB never sends a
record over 64 KiB (the read hangs, client and server idle), so a node given such a prop
behind the store's back makes its page stall; the store must end that read with a clear error.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from graphmodel.errors import StoreUnavailable
from graphmodel.schema import CrossTenantAccessPartner, CrossTenantAccessPolicy
from graphmodel.stores.neo4j.paging import PageProgress, ReadPolicy
from tests.conformance.worlds import tenant, three_tenants
from tests.unit.stores.neo4j.conftest import OpenStore
from tests.unit.stores.neo4j.test_store import raw


def test_a_snapshot_is_read_in_pages_with_progress(open_store: OpenStore) -> None:
    store, other = open_store(), open_store()  # the writer holds its World: read elsewhere
    base = three_tenants()
    partners = tuple(
        CrossTenantAccessPartner(tenant_id=f"00000000-0000-0000-0000-{i:012d}") for i in range(1200)
    )  # one node's JSON over 64 KiB: kept in text parts, read back whole
    big = replace(tenant("bigco"), cross_tenant_access=CrossTenantAccessPolicy(partners=partners))
    world = replace(base, tenants=(*base.tenants, big))
    info = store.write_snapshot(world, source="pages", trust_edges=())
    seen: list[PageProgress] = []
    other.read_policy = ReadPolicy(page_rows=3, parallel=2)
    other.read_progress = seen.append
    assert other.read_world() == world
    total = raw(store, "MATCH (n:TgNode {snapshot: $s}) RETURN count(n) AS n", s=info.id)[0]["n"]
    assert [p.page for p in seen] == list(range(-(-total // 3)))
    assert seen[-1].done == seen[-1].total == total


def test_a_page_that_stalls_ends_in_a_clear_error(open_store: OpenStore) -> None:
    store, other = open_store(), open_store()
    info = store.write_snapshot(three_tenants(), source="x", trust_edges=())
    raw(
        store,
        "MATCH (n:TgNode {snapshot: $s, key: 'Tenant:contoso'}) SET n.note = $big",
        s=info.id,
        big="x" * 70_000,
    )
    other.read_policy = ReadPolicy(page_rows=1_000, page_timeout=1.0, retries=1)
    with pytest.raises(StoreUnavailable, match=r"reading page 1 of snapshot .* within 1 s"):
        other.read_world()
    assert store.current_snapshot() == info  # the store still answers on other connections
