"""Batched writes of a snapshot's nodes and edges: `UNWIND $rows` per kind.

Why batches per kind: a label or relationship type cannot be a parameter, so one statement
creates nodes (or edges) of one kind; rows of a kind are buffered and sent when the batch is
full: `batch_rows` rows, or, on a server that splices parameters into a bounded statement
(`ServerProfile.max_statement_bytes`), as many rows as fit. A node whose props alone do not fit
is created without its long JSON text, which then follows in parts (`nodes/append_node_text`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Final

from neo4j import Session

from graphmodel.errors import Conflict
from graphmodel.schema.trust import TrustEdge
from graphmodel.stores.base import EdgeRecord, NodeRecord, PropValue
from graphmodel.stores.neo4j.queries import QueryName
from graphmodel.stores.neo4j.runner import Row, Runner
from graphmodel.stores.neo4j.splice import spliced_size
from graphmodel.stores.sync_derived import trust_to_record

__all__ = ["APPENDABLE_PROPS", "RESERVED_EDGE_PROPS", "RESERVED_NODE_PROPS", "SnapshotWriter"]

# INVARIANT: the props `nodes/append_node_text.cypher` can extend (graphmap's JSON text props).
APPENDABLE_PROPS: Final = ("data", "appRoleAssignments", "packageAssignments")
RESERVED_NODE_PROPS: Final = frozenset({"snapshot", "key", "kind"})
RESERVED_EDGE_PROPS: Final = frozenset({"gen"})


def _plain(props: Iterable[tuple[str, PropValue]]) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in props}


def _chunks(text: str, limit: int) -> Iterator[str]:
    """`text` in parts of at most `limit` bytes each once escaped (whole characters).

    Examples
    --------
    >>> list(_chunks("abcdef", 4)), list(_chunks("a'b", 2))
    (['abcd', 'ef'], ['a', "'", 'b'])
    """
    start = 0
    while start < len(text):
        end = min(len(text), start + limit)
        while (size := spliced_size(text[start:end]) - 2) > limit:
            end = start + max(1, (end - start) * limit // size - 1)
        yield text[start:end]
        start = end


class _Batch:
    """Rows of one statement waiting to be sent, with their spliced size so far."""

    def __init__(self, params: dict[str, Any], base: int) -> None:
        self.params = params
        self.base = base
        self.rows: list[Row] = []
        self.size = base

    def grown(self, row_size: int) -> int:
        return self.size + row_size + (2 if self.rows else 0)


# (kind for the template slot, the statement's other params, the row, the row's spliced size)
_Item = tuple[Any, dict[str, Any], Row, int]


class SnapshotWriter:
    """Writes nodes and edges of snapshot `snapshot_id` over one session."""

    def __init__(
        self, runner: Runner, session: Session, snapshot_id: int, *, batch_rows: int
    ) -> None:
        self.runner = runner
        self.session = session
        self.snapshot_id = snapshot_id
        self.batch_rows = batch_rows
        self.limit = runner.budget()

    def _size(self, value: Any) -> int:
        return 0 if self.limit is None else spliced_size(value)

    def _base(self, name: QueryName, params: dict[str, Any], **kinds: Any) -> int:
        text = self.runner.catalog.text(name, **kinds)
        return self.runner.size(text, {**params, "rows": []})

    def _send(self, name: QueryName, batch: _Batch, **kinds: Any) -> None:
        params = {**batch.params, "rows": batch.rows}
        got = self.runner.run(name, params, session=self.session, **kinds)
        created = got[0]["created"] if got else 0
        if created != len(batch.rows):
            raise Conflict(f"statement `{name.value}` created {created} of {len(batch.rows)} rows")

    def _write(self, name: QueryName, items: Iterable[_Item], slot: str) -> int:
        """Send the items in batches per kind (rows or bytes, whichever fills first)."""
        batches: dict[Any, _Batch] = {}
        total = 0
        for kind, params, row, size in items:
            total += 1
            batch = batches.get(kind)
            if batch is None:
                batch = batches[kind] = _Batch(params, self._base(name, params, **{slot: kind}))
            too_big = self.limit is not None and batch.grown(size) > self.limit
            if batch.rows and (too_big or len(batch.rows) >= self.batch_rows):
                self._send(name, batch, **{slot: kind})
                batch = batches[kind] = _Batch(params, batch.base)
            if self.limit is not None and batch.grown(size) > self.limit:
                raise Conflict(f"a row of `{name.value}` is larger than one statement can carry")
            batch.size = batch.grown(size)
            batch.rows.append(row)
        for kind, batch in batches.items():
            if batch.rows:
                self._send(name, batch, **{slot: kind})
        return total

    def nodes(self, nodes: Iterable[NodeRecord]) -> int:
        """Create every node (kind label + `TgNode`); returns how many."""
        appends: list[tuple[str, str, str]] = []

        def items() -> Iterator[_Item]:
            for node in nodes:
                if RESERVED_NODE_PROPS & set(node.props):
                    raise ValueError(f"node `{node.key}` uses a reserved prop name")
                params = {"snapshot": self.snapshot_id, "kind": node.kind.value}
                row: Row = {"key": node.key, "props": _plain(node.props.items())}
                yield node.kind, params, row, self._fit(node, params, row, appends)

        count = self._write(QueryName.CREATE_NODES, items(), "node_kind")
        self._append(appends)
        return count

    def _fit(
        self,
        node: NodeRecord,
        params: dict[str, Any],
        row: Row,
        appends: list[tuple[str, str, str]],
    ) -> int:
        """The row's size, after moving long JSON text out of it (to `appends`) if needed."""
        size = self._size(row)
        if self.limit is None:
            return size
        base = self._base(QueryName.CREATE_NODES, params, node_kind=node.kind)
        props: dict[str, Any] = row["props"]
        for prop in APPENDABLE_PROPS:
            if base + size <= self.limit:
                return size
            value = props.get(prop)
            if isinstance(value, str):
                del props[prop]
                appends.append((node.key, prop, value))
                size = self._size(row)
        if base + size > self.limit:
            largest = max(props, key=lambda k: spliced_size(props[k]))
            raise Conflict(
                f"node `{node.key}`: prop `{largest}` takes {spliced_size(props[largest])} bytes,"
                f" more than one statement on this server can carry ({self.limit})"
            )
        return size

    def _append(self, appends: Sequence[tuple[str, str, str]]) -> None:
        if not appends:
            return
        assert self.limit is not None  # INVARIANT: only a bounded server splits text
        text = self.runner.catalog.text(QueryName.APPEND_NODE_TEXT)
        for key, prop, value in appends:
            fixed = {"snapshot": self.snapshot_id, "key": key, "prop": prop, "part": ""}
            room = self.limit - self.runner.size(text, fixed)
            if room < 64:
                raise Conflict(f"node `{key}`: no room to write its `{prop}` text")
            for part in _chunks(value, room):
                params = {**fixed, "part": part}
                got = self.runner.run(QueryName.APPEND_NODE_TEXT, params, session=self.session)
                if not got or got[0]["appended"] != 1:
                    raise Conflict(f"node `{key}` vanished while its `{prop}` text was written")

    def edges(self, edges: Iterable[EdgeRecord]) -> int:
        """Create every edge between nodes of this snapshot; returns how many."""
        params = {"snapshot": self.snapshot_id}

        def items() -> Iterator[_Item]:
            for e in edges:
                props = _plain(e.props.items())
                row: Row = {"source": e.source, "target": e.target, "props": props}
                yield e.kind, params, row, self._size(row)

        return self._write(QueryName.CREATE_EDGES, items(), "edge_kind")

    def trust(self, edges: Iterable[TrustEdge], *, gen: int) -> int:
        """Create derived trust edges of generation `gen` (provenance props plus `gen`)."""
        records = (trust_to_record(e) for e in edges)
        return self.edges(
            EdgeRecord(source=r.source, target=r.target, kind=r.kind, props={**r.props, "gen": gen})
            for r in records
        )
