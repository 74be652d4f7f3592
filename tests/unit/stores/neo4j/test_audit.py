"""The audit queries of `cypher/audit/` run on a real openCypher server and find what they promise.

How to write tests here: load a small World into the `store` fixture, run an audit query with
`store.run_audit(query)`, keep the rows of the test's namespace and compare them exactly. A new
audit file needs a case in `EXPECTED` (the test fails until it has one).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from graphmodel.schema import ExternalUserState
from graphmodel.stores.neo4j import Neo4jStore, Query, audit_queries
from tests.conformance.worlds import three_tenants, trust_edges

pytestmark = pytest.mark.neo4j

QUERIES = {q.name.removeprefix("audit/"): q for q in audit_queries()}
EXPECTED: dict[str, list[dict[str, Any]]] = {
    "list_external_identities_reaching_apps": [
        {"identity": "fabrikam/bob", "partner": "fabrikam", "app": "contoso/crm",
         "resource_tenant": "contoso", "via": ["contoso/bob"], "rule": "R7",
         "policy": "contoso/xtap"},
        {"identity": "fabrikam/bob", "partner": "fabrikam", "app": "contoso/portal",
         "resource_tenant": "contoso", "via": ["contoso/sales"], "rule": "R7",
         "policy": "contoso/xtap"},
        {"identity": "litware/dave", "partner": "litware", "app": "contoso/portal",
         "resource_tenant": "contoso", "via": ["contoso/sales"], "rule": None, "policy": None},
    ],
    "list_partners_open_to_all": [
        {"tenant": "contoso", "partner": "fabrikam", "rule": "R7", "policy": "contoso/xtap",
         "source_url": ""},
    ],
    "list_one_sided_direct_connect": [
        {"configured_by": "contoso", "partner": "fabrikam", "side": "inbound",
         "missing": "DIRECT_CONNECT_OUT", "rule": "R7", "policy": "contoso/xtap"},
    ],
    "list_shared_channels_with_external_members": [
        {"channel": "contoso/project/partners", "host_tenant": "contoso",
         "external_members": ["fabrikam/frank"], "member_tenants": ["fabrikam"]},
    ],
    "list_pending_guests_with_assignments": [
        {"guest": "contoso/bob", "mail": "bob@fabrikam.com",
         "apps": ["contoso/crm", "contoso/portal"], "via": ["contoso/bob", "contoso/sales"]},
    ],
}  # fmt: skip


@pytest.fixture
def loaded(store: Neo4jStore) -> Neo4jStore:
    world = three_tenants()
    pending = ExternalUserState.PENDING_ACCEPTANCE
    users = tuple(
        replace(u, external_user_state=pending) if u.ref == "contoso/bob" else u
        for u in world.users
    )
    store.write_snapshot(replace(world, users=users), source="audit", trust_edges=trust_edges())
    return store


def rows_of(store: Neo4jStore, query: Query) -> list[dict[str, Any]]:
    rows = [r for r in store.run_audit(query) if r.pop("namespace") == store.namespace]
    for row in rows:  # collect(DISTINCT ...) has no order
        row.update({k: sorted(v) for k, v in row.items() if isinstance(v, list)})
    return rows


def test_every_audit_query_has_a_case() -> None:
    assert set(QUERIES) == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_audit_query_finds_what_it_promises(loaded: Neo4jStore, name: str) -> None:
    query = QUERIES[name]
    rows = rows_of(loaded, query)
    assert rows == EXPECTED[name]
    columns = [c.strip() for c in query.returns.split(",")]
    assert columns == ["namespace", *rows[0]]


def test_audit_queries_follow_the_current_snapshot(loaded: Neo4jStore) -> None:
    loaded.write_snapshot(replace(three_tenants(), channels=()), source="2", trust_edges=())
    assert rows_of(loaded, QUERIES["list_shared_channels_with_external_members"]) == []
    assert rows_of(loaded, QUERIES["list_partners_open_to_all"]) == []
