"""The server profile is chosen from what the server answers, never from its name.

How to write tests here: feed `choose_profile` the rows `CALL dbms.components()` returns.
"""

from __future__ import annotations

import pytest

from graphmodel.errors import StoreIncompatible
from graphmodel.schema import EdgeKind, NodeKind
from graphmodel.stores.neo4j import NEO4J5, OPENCYPHER
from graphmodel.stores.neo4j.labels import node_label, relationship_type, render
from graphmodel.stores.neo4j.profile import choose_profile


@pytest.mark.parametrize("version", ["5.0.0", "5.26.4", "2025.01.0"])
def test_neo4j_5_and_later_get_the_neo4j5_profile(version: str) -> None:
    rows = [{"name": "Neo4j Kernel", "versions": [version], "edition": "community"}]
    assert choose_profile(rows) is NEO4J5


def test_neo4j_4_is_refused() -> None:
    with pytest.raises(StoreIncompatible, match="needs Neo4j 5"):
        choose_profile([{"name": "Neo4j Kernel", "versions": ["4.4.30"], "edition": "x"}])


def test_servers_without_dbms_components_get_the_opencypher_profile() -> None:
    assert choose_profile(None) is OPENCYPHER
    assert choose_profile([{"name": "Other", "versions": ["1"]}]) is OPENCYPHER


def test_profiles_differ_only_in_flags() -> None:
    assert NEO4J5.unique_constraints and not OPENCYPHER.unique_constraints
    # one whole Bolt RUN message inside a 64 KiB chunk on FalkorDB (profile.py, measured)
    assert NEO4J5.max_statement_bytes is None and OPENCYPHER.max_statement_bytes == 40_000
    assert OPENCYPHER.goodbye_poisons_handshake and not NEO4J5.goodbye_poisons_handshake
    assert all(step.index for step in OPENCYPHER.schema)
    assert OPENCYPHER.index_listing is not None and NEO4J5.index_listing is None


def test_labels_come_only_from_the_closed_enums() -> None:
    assert node_label(NodeKind.ACCESS_PACKAGE) == "`AccessPackage`"
    assert relationship_type(EdgeKind.TRUSTS_MFA) == "`TRUSTS_MFA`"
    with pytest.raises(TypeError):
        node_label("User) DETACH DELETE (n")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        relationship_type("MEMBER_OF")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"no `\{node_kind\}` slot"):
        render("MATCH (n) RETURN n", node_kind=NodeKind.USER)
