"""The current snapshot's nodes and edges by key, read on the server
(`cypher/nodes/`, `cypher/edges/`).

Why a module: these reads answer one key or one kind without the whole snapshot, from the
current snapshot the server names (a second host's write shows at once), and put long text
parts back as `read_world` does; the store adds them to the protocol as a mixin.
"""

from __future__ import annotations

from typing import Literal

from graphmodel.errors import NodeNotFound
from graphmodel.schema.kinds import EdgeKind, NodeKind
from graphmodel.stores.base import EdgeRecord, NodeRecord
from graphmodel.stores.neo4j import reader
from graphmodel.stores.neo4j.paging import with_text_parts
from graphmodel.stores.neo4j.queries import QueryName
from graphmodel.stores.neo4j.runner import Runner

__all__ = ["CurrentReads"]


class CurrentReads:
    """`node`, `nodes`, `out_edges`, `in_edges` of `Neo4jStore` (a mixin: the store supplies
    `_live` and `_namespace`)."""

    _namespace: str

    def _live(self) -> Runner:
        raise NotImplementedError  # pragma: no cover - Neo4jStore defines it

    def node(self, key: str) -> NodeRecord:
        runner = self._live()
        rows = runner.run(QueryName.GET_NODE, {"namespace": self._namespace, "key": key})
        if not rows:
            raise NodeNotFound(key)
        row = rows[0]
        rows = with_text_parts(runner, row["line"], [{"key": key, **row}])
        record = reader.node_record(key, row["kind"], rows[0]["props"], gap=row["gap"])
        if not isinstance(record.kind, NodeKind):
            raise NodeNotFound(key)  # the World bookkeeping node is not for readers
        return record

    def nodes(self, kind: NodeKind) -> list[NodeRecord]:
        params = {"namespace": self._namespace, "kind": kind.value}
        runner = self._live()
        rows = runner.run(QueryName.LIST_NODES, params)
        if not rows:
            return []
        line, gap = rows[0]["line"], rows[0]["gap"]
        rows = with_text_parts(runner, line, rows)
        return sorted(
            (reader.node_record(r["key"], kind.value, r["props"], gap=gap) for r in rows),
            key=lambda n: n.key,
        )

    def _edges(
        self, key: str, kinds: frozenset[EdgeKind], direction: Literal["out", "in"]
    ) -> list[EdgeRecord]:
        name = QueryName.LIST_OUT_EDGES if direction == "out" else QueryName.LIST_IN_EDGES
        params = {"namespace": self._namespace, "key": key, "kinds": sorted(kinds)}
        rows = self._live().run(name, params)
        if not rows or not isinstance(reader.node_kind(rows[0]["kind"]), NodeKind):
            raise NodeNotFound(key)
        return reader.edge_records(key, rows[0]["edges"], direction=direction)

    def out_edges(self, key: str, *, kinds: frozenset[EdgeKind]) -> list[EdgeRecord]:
        return self._edges(key, kinds, "out")

    def in_edges(self, key: str, *, kinds: frozenset[EdgeKind]) -> list[EdgeRecord]:
        return self._edges(key, kinds, "in")
