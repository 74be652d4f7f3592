"""No statement the store sends is larger than its server profile allows (issue 27).

How to write tests here: build a World that stresses one dimension of a statement (long
names, many members, a big policy, many small rows), write it through the real store to the
session's FalkorDB while recording every statement as it leaves the runner (text with its
parameters printed in, exactly what goes into the Bolt RUN message), then assert the largest
is within `ServerProfile.max_statement_bytes` and the World reads back unchanged.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from neo4j import Session

from graphmodel.schema import CrossTenantAccessPartner, Group, World
from graphmodel.schema.enums import AccessType
from graphmodel.schema.ids import derive_id
from graphmodel.schema.xtap import b2b_setting
from graphmodel.stores.neo4j import OPENCYPHER, Neo4jStore
from graphmodel.stores.neo4j.runner import Runner
from graphmodel.stores.neo4j.splice import spliced_statement
from tests.conformance.worlds import big_world, tenant, three_tenants, trust_edges, user


def _long_names() -> World:
    """Users and groups whose names (and so keys, refs, UPNs) are thousands of bytes of UTF-8.

    NOTE(neo4j): FalkorDB matches no string of more than 4 KiB by equality (measured), so a
    key stays below that; the store then refuses the write (`created 9 of 15 rows`).
    """
    base = three_tenants()
    users = tuple(user("contoso", f"{'ü' * 1_800}{i}") for i in range(40))
    group = Group(
        tenant="contoso",
        name="g" + "名" * 1_200,
        id=derive_id("group", "contoso", "long"),
        members=tuple(u.ref for u in users),
    )
    return replace(base, users=base.users + users, groups=(*base.groups, group))


def _many_members() -> World:
    """One group of 20,000 members: its entity JSON is far larger than any statement."""
    world = big_world(2_000)
    refs = tuple(f"bigco/member-{i:05d}-{'x' * 12}" for i in range(20_000))
    huge = Group(tenant="bigco", name="everyone", id=derive_id("group", "bigco", "e"), members=refs)
    return replace(world, groups=(*world.groups, huge))


def _big_policy() -> World:
    """A tenant with 3,000 cross-tenant partner entries (a policy of megabytes)."""
    base = three_tenants()
    partners = tuple(
        CrossTenantAccessPartner(
            tenant_id=derive_id("tenant", f"partner{i}"),
            b2b_collaboration_inbound=b2b_setting(AccessType.ALLOWED),
            b2b_direct_connect_outbound=b2b_setting(AccessType.BLOCKED),
        )
        for i in range(3_000)
    )
    return replace(base, tenants=(*base.tenants, tenant("bigpolicy", partners)))


STRESS = {
    "long-names": _long_names,
    "many-members": _many_members,
    "big-policy": _big_policy,
    "many-rows": lambda: big_world(6_000),
}


@pytest.mark.parametrize("make", list(STRESS.values()), ids=list(STRESS))
def test_no_statement_exceeds_the_profile_bound(
    store: Neo4jStore, reader: Neo4jStore, monkeypatch: pytest.MonkeyPatch, make: Any
) -> None:
    sizes: list[tuple[int, str]] = []
    real_execute = Runner.execute

    def execute(
        self: Runner,
        label: str,
        text: str,
        encoded: dict[str, Any],
        *,
        session: Session | None = None,
    ) -> Any:
        sent = spliced_statement(text, encoded) if self.profile.splices_parameters else text
        sizes.append((len(sent.encode("utf-8")), label))
        return real_execute(self, label, text, encoded, session=session)

    monkeypatch.setattr(Runner, "execute", execute)
    world = make()
    edges = trust_edges() if {"contoso", "fabrikam"} <= world.tenant_by_name.keys() else []
    store.write_snapshot(world, source="stress", trust_edges=edges)
    assert store.profile is OPENCYPHER and OPENCYPHER.max_statement_bytes is not None
    largest, label = max(sizes)
    assert largest <= OPENCYPHER.max_statement_bytes, f"`{label}` took {largest} bytes"
    batches = [s for s, name in sizes if name in ("nodes/create_nodes", "edges/create_edges")]
    assert len(batches) > 1  # the world was cut into several statements
    assert reader.read_world() == world
