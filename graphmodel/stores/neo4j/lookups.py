"""`GraphLookups` over Bolt: a snapshot's nodes and edges by key (`cypher/lookups/`).

Why: partial reads (`graphmodel.stores.neighbourhood`) let a one-shot `check` fetch the few
hundred nodes around its principal and resource instead of the whole snapshot. Each method is
one statement whose parameters are a list of keys, so it stays small (the statement bound of
`ServerProfile` applies as to any statement) and each key is one lookup of the key index.
Nodes come back as `read_world` returns them, long text parts put back (`with_text_parts`).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from graphmodel.schema.enums import BuiltinApp
from graphmodel.schema.kinds import EdgeKind, NodeKind
from graphmodel.stores.base import EdgeRecord, NodeRecord
from graphmodel.stores.graphmap import node_key
from graphmodel.stores.lookups import Direction
from graphmodel.stores.neo4j import reader
from graphmodel.stores.neo4j.paging import with_text_parts
from graphmodel.stores.neo4j.queries import QueryName
from graphmodel.stores.neo4j.runner import Row, Runner
from graphmodel.stores.neo4j.writer import RESERVED_EDGE_PROPS

__all__ = ["KeyedLookups"]


class KeyedLookups:
    """The `GraphLookups` methods of `Neo4jStore` (a mixin: the store supplies `_live` and
    `_line_of`, the line a snapshot's versions belong to).

    Nodes keep their stored order keys in `ord` and held positions: they order the partial
    World as `read_world` orders the whole one.
    """

    def _live(self) -> Runner:
        raise NotImplementedError  # pragma: no cover - Neo4jStore defines it

    def _line_of(self, snapshot_id: int) -> int:
        raise NotImplementedError  # pragma: no cover - Neo4jStore defines it

    def _node_rows(self, snapshot_id: int, rows: list[Row]) -> list[NodeRecord]:
        rows = with_text_parts(self._live(), self._line_of(snapshot_id), rows)
        return [reader.node_record(r["key"], r["kind"], r["props"]) for r in rows]

    def _at(self, snapshot_id: int, **params: object) -> dict[str, object]:
        return {"snapshot": snapshot_id, "line": self._line_of(snapshot_id), **params}

    def nodes_by_key(self, snapshot_id: int, keys: Collection[str]) -> list[NodeRecord]:
        if not keys:
            return []
        params = self._at(snapshot_id, keys=sorted(set(keys)))
        return self._node_rows(snapshot_id, self._live().run(QueryName.GET_NODES_BY_KEYS, params))

    def edges_of(
        self,
        snapshot_id: int,
        keys: Collection[str],
        kinds: Collection[EdgeKind],
        direction: Direction,
    ) -> list[EdgeRecord]:
        if not keys or not kinds:
            return []
        name = QueryName.LIST_OUT_EDGES_OF_KEYS
        if direction == "in":
            name = QueryName.LIST_IN_EDGES_OF_KEYS
        params = self._at(snapshot_id, keys=sorted(set(keys)), kinds=sorted(k.value for k in kinds))
        return _edges(self._live().run(name, params))

    def homed_nodes(self, snapshot_id: int, tenant: str, kind: NodeKind) -> list[NodeRecord]:
        params = self._at(snapshot_id, tenant_key=node_key(NodeKind.TENANT, tenant))
        rows = self._live().run(QueryName.LIST_HOMED_NODES, params, node_kind=kind)
        return self._node_rows(snapshot_id, rows)

    def builtin_apps(self, snapshot_id: int, tenant: str, builtin: BuiltinApp) -> list[NodeRecord]:
        params = self._at(
            snapshot_id, tenant_key=node_key(NodeKind.TENANT, tenant), builtin=builtin.value
        )
        return self._node_rows(snapshot_id, self._live().run(QueryName.LIST_BUILTIN_APPS, params))


def _edges(rows: Sequence[Row]) -> list[EdgeRecord]:
    return [
        EdgeRecord(
            source=r["source"],
            target=r["target"],
            kind=EdgeKind(r["kind"]),
            props=reader.props_of(r["props"], RESERVED_EDGE_PROPS),
        )
        for r in rows
    ]
