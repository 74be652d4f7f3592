"""What the Bolt server at the other end can do, chosen once when the store opens.

Why a profile object: Neo4j 5 and other openCypher servers that speak Bolt (FalkorDB, used by
the test suite) differ in schema commands and in how they take parameters. The store asks the
profile (`profile.unique_constraints`, `profile.max_statement_bytes`, ...), never the server's
name, so a new server is one more profile, not a new `if` in every method.

Detection: `CALL dbms.components()` answers on Neo4j (name `Neo4j Kernel`, its version); a server
that refuses it gets the `OPENCYPHER` profile. The Bolt agent string cannot decide it: FalkorDB
introduces itself as `Neo4j/5.13.0`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from graphmodel.errors import StoreIncompatible
from graphmodel.stores.neo4j.queries import QueryName

__all__ = ["NEO4J5", "OPENCYPHER", "PROFILES", "SchemaStep", "ServerProfile", "choose_profile"]


@dataclass(frozen=True, slots=True, kw_only=True)
class SchemaStep:
    """One idempotent schema statement; `index` = (label, property) it creates, when the
    server cannot say `IF NOT EXISTS` and the step must be skipped if the index exists."""

    query: QueryName
    index: tuple[str, str] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ServerProfile:
    """Capabilities of one kind of Bolt server, as flags the store reads."""

    name: str
    schema: tuple[SchemaStep, ...]
    index_listing: QueryName | None = None  # lists (label, properties) of existing indexes
    unique_constraints: bool = True  # snapshot ids and namespace names are unique on the server
    selects_database: bool = True  # `database=` picks a database (else: must stay None)
    splices_parameters: bool = False  # parameters are pasted into the text: see splice.py
    max_statement_bytes: int | None = None  # the spliced statement must stay below this
    max_record_bytes: int | None = None  # a record read back must stay below this
    goodbye_poisons_handshake: bool = False  # close connections without Bolt GOODBYE
    note: str = ""


NEO4J5: Final = ServerProfile(
    name="neo4j5",
    schema=(
        SchemaStep(query=QueryName.DROP_NODE_IDENTITY_CONSTRAINT),
        SchemaStep(query=QueryName.CREATE_NODE_KEY_INDEX_NEO4J5),
        SchemaStep(query=QueryName.CREATE_SNAPSHOT_ID_CONSTRAINT),
        SchemaStep(query=QueryName.CREATE_NAMESPACE_NAME_CONSTRAINT),
        SchemaStep(query=QueryName.CREATE_META_VERSION_CONSTRAINT),
        SchemaStep(query=QueryName.CREATE_NODE_KIND_INDEX),
        SchemaStep(query=QueryName.CREATE_NODE_SEQ_INDEX_NEO4J5),
        SchemaStep(query=QueryName.CREATE_NODE_FROM_INDEX_NEO4J5),
        SchemaStep(query=QueryName.CREATE_NODE_TO_INDEX_NEO4J5),
        SchemaStep(query=QueryName.CREATE_TEXT_KEY_INDEX_NEO4J5),
    ),
    note="Neo4j 5: uniqueness constraints and indexes with IF NOT EXISTS, bound parameters",
)

OPENCYPHER: Final = ServerProfile(
    name="opencypher",
    schema=(
        SchemaStep(query=QueryName.CREATE_NODE_KEY_INDEX, index=("TgNode", "key")),
        SchemaStep(query=QueryName.CREATE_NODE_SNAPSHOT_INDEX, index=("TgNode", "snapshot")),
        SchemaStep(query=QueryName.CREATE_NODE_SEQ_INDEX, index=("TgNode", "seq")),
        SchemaStep(query=QueryName.CREATE_TEXT_SNAPSHOT_INDEX, index=("TgText", "snapshot")),
        SchemaStep(query=QueryName.CREATE_SNAPSHOT_ID_INDEX, index=("TgSnapshot", "id")),
        SchemaStep(query=QueryName.CREATE_NAMESPACE_NAME_INDEX, index=("TgNamespace", "name")),
        SchemaStep(query=QueryName.CREATE_NODE_FROM_INDEX, index=("TgNode", "from")),
        SchemaStep(query=QueryName.CREATE_NODE_TO_INDEX, index=("TgNode", "to")),
        SchemaStep(query=QueryName.CREATE_TEXT_KEY_INDEX, index=("TgText", "key")),
    ),
    index_listing=QueryName.LIST_INDEXES,
    unique_constraints=False,
    selects_database=False,
    splices_parameters=True,
    # NOTE(neo4j): the client prints the parameters (splice.py), so the statement is the RUN
    # message's whole text. Measured (bench/probe_bolt_bound.py, M world, fresh server per
    # bound): writes with statements up to 40,000 / 48,000 / 53,000 / 56,000 / 60,000 /
    # 64,000 / 96,000 / 131,072 bytes completed; at 262,144 one statement (deterministic,
    # replayed alone) kills the server in its Bolt read handler (`buffer_read_uint16` in
    # `BoltReadHandler`), as 3 of 3 M loads did before. That handler re-parses the chunk
    # headers of messages still arriving with 16-bit arithmetic, so the failure depends on
    # bytes and length, not on a clean threshold: the cap keeps a whole message well inside
    # one 64 KiB Bolt chunk (the driver sends it as 3 chunks of at most 16 KiB), over 3x
    # below the largest size seen to work and 6x below the failing one. Batches are still
    # cut by rows (`batch_rows`) and by these bytes, whichever fills first.
    max_statement_bytes=40_000,
    # NOTE(neo4j): a Bolt record over 64 KiB is never sent (the read stalls, measured): long
    # JSON text is kept in parts of at most this size (`nodes/create_text_parts`).
    max_record_bytes=48_000,
    # NOTE(neo4j): each GOODBYE leaves one later handshake unanswered (drivers.py, measured).
    goodbye_poisons_handshake=True,
    note=(
        "openCypher over Bolt without Neo4j's schema commands (FalkorDB): plain range indexes, "
        "no uniqueness constraints, parameters printed into the statement by the client"
    ),
)

PROFILES: Final = (NEO4J5, OPENCYPHER)


def choose_profile(components: Sequence[Mapping[str, Any]] | None) -> ServerProfile:
    """The profile for the rows of `schema/probe_server` (None: the server refused the probe).

    Raises `StoreIncompatible` for a Neo4j older than 5.

    Examples
    --------
    >>> choose_profile([{"name": "Neo4j Kernel", "versions": ["5.26.0"]}]).name
    'neo4j5'
    >>> choose_profile(None).name
    'opencypher'
    """
    if components is None:
        return OPENCYPHER
    for row in components:
        if row.get("name") == "Neo4j Kernel":
            version = str((row.get("versions") or ["0"])[0])
            major = version.split(".", 1)[0]
            if not major.isdigit() or int(major) < 5:
                raise StoreIncompatible(
                    f"the Neo4j server runs version `{version}`: tenantgraph needs Neo4j 5 or later"
                )
            return NEO4J5
    return OPENCYPHER
