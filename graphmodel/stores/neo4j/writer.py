"""Batched writes of a snapshot's nodes and edges: `UNWIND $rows` per kind.

Why batches per kind: a label or relationship type cannot be a parameter, so one statement
creates nodes (or edges) of one kind; rows of a kind are buffered and sent when the batch is
full: `batch_rows` rows, or, on a server that bounds a statement
(`ServerProfile.max_statement_bytes`), as many rows as fit. On a server that cannot send a
large record back (`ServerProfile.max_record_bytes`), a node's long JSON text is kept in parts
beside it (`nodes/create_text_parts`) and the node lists those props in `textParts`.

Every node gets `seq` (its line's id * 2^32 + a number that grows along the line) for paged
reads (`paging.py`). The same writer writes a whole snapshot (`WHOLE`: nodes of its own line)
and the new versions of a change (`VERSIONS`: statements that check the namespace's writer
lease, see `lease.py`); `params` are the values every statement of the write may take.

Idempotent batches: a batch whose statement fails with `StoreUnavailable` is checked with a
count of its rows by identity (`nodes/count_nodes`, `edges/count_edges`,
`nodes/count_text_parts`); when none landed it is sent again in two halves (measured: FalkorDB
drops the connection on some large statements before running them, and their halves pass),
otherwise the write fails and the store discards the snapshot. Nothing is ever written twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from neo4j import Session

from graphmodel.errors import Conflict, StoreUnavailable
from graphmodel.schema.trust import TrustEdge
from graphmodel.stores.base import EdgeRecord, NodeRecord, PropValue
from graphmodel.stores.neo4j.pipeline import Pipeline
from graphmodel.stores.neo4j.queries import QueryName
from graphmodel.stores.neo4j.runner import Row, Runner
from graphmodel.stores.neo4j.splice import pre_print, spliced_size
from graphmodel.stores.sync_derived import trust_to_record

__all__ = [
    "APPENDABLE_PROPS",
    "RESERVED_EDGE_PROPS",
    "RESERVED_NODE_PROPS",
    "SEQ_BITS",
    "TEXT_PARTS",
    "VERSIONS",
    "WHOLE",
    "SnapshotWriter",
    "Statements",
    "seq_range",
]

# INVARIANT: the props that may be kept in parts (graphmap's JSON text props).
APPENDABLE_PROPS: Final = ("data", "appRoleAssignments", "packageAssignments")
TEXT_PARTS: Final = "textParts"  # names the node's props kept in `TgText` parts
RESERVED_NODE_PROPS: Final = frozenset({"snapshot", "from", "to", "key", "kind", "seq", TEXT_PARTS})
SEQ_BITS: Final = 32  # a node's `seq` is its line's id * 2**SEQ_BITS + its number in the line
RESERVED_EDGE_PROPS: Final = frozenset({"gen", "from", "to"})


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


def seq_range(snapshot_id: int, start: int, stop: int) -> tuple[int, int]:
    """The `seq` values [low, high) of positions [start, stop) of a snapshot's nodes.

    Examples
    --------
    >>> seq_range(3, 0, 10)
    (12884901888, 12884901898)
    """
    base = snapshot_id << SEQ_BITS
    return base + start, base + stop


@dataclass(frozen=True, slots=True)
class Statements:
    """The statements that create a write's nodes, edges and text parts."""

    nodes: QueryName
    edges: QueryName
    texts: QueryName


WHOLE: Final = Statements(
    QueryName.CREATE_NODES, QueryName.CREATE_EDGES, QueryName.CREATE_TEXT_PARTS
)
VERSIONS: Final = Statements(
    QueryName.CREATE_VERSIONS, QueryName.CREATE_VERSION_EDGES, QueryName.CREATE_VERSION_TEXTS
)
_CHECKS: Final = {
    QueryName.CREATE_NODES: QueryName.COUNT_NODES,
    QueryName.CREATE_EDGES: QueryName.COUNT_EDGES,
    QueryName.CREATE_TEXT_PARTS: QueryName.COUNT_TEXT_PARTS,
    QueryName.CREATE_VERSIONS: QueryName.COUNT_NODES,
    QueryName.CREATE_VERSION_EDGES: QueryName.COUNT_VERSION_EDGES,
    QueryName.CREATE_VERSION_TEXTS: QueryName.COUNT_VERSION_TEXTS,
}


class _Batch:
    """Rows of one statement waiting to be sent, their identities and their size so far."""

    def __init__(self, params: dict[str, Any], base: int) -> None:
        self.params = params
        self.base = base
        self.rows: list[Any] = []
        self.idents: list[Row] = []
        self.size = base

    def grown(self, row_size: int) -> int:
        return self.size + row_size + (2 if self.rows else 0)


# (kind for the template slot, the statement's other params, the row, its spliced size, and
# the fields that identify the row once written)
_Item = tuple[Any, dict[str, Any], Any, int, Row]


class SnapshotWriter:
    """Writes nodes and edges of snapshot `snapshot_id` over one session.

    Batches go out through `pipeline` (one statement in flight while the next is built); every
    public method returns only after its statements ran, and raises the first failure.
    `statements` and `params` say what is written (default: a whole snapshot, its own line);
    `seq_start` is the first free `seq` (default: the start of the snapshot's own line).
    `rows` counts the rows written (nodes, edges, text parts).
    """

    def __init__(
        self,
        runner: Runner,
        session: Session,
        snapshot_id: int,
        *,
        batch_rows: int,
        pipeline: Pipeline,
        statements: Statements = WHOLE,
        params: Mapping[str, Any] | None = None,
        seq_start: int | None = None,
    ) -> None:
        self.runner = runner
        self.session = session
        self.snapshot_id = snapshot_id
        self.batch_rows = batch_rows
        self.pipeline = pipeline
        self.statements = statements
        self.params = dict(params) if params is not None else {"snapshot": snapshot_id}
        self.seq_start = seq_range(snapshot_id, 0, 0)[0] if seq_start is None else seq_start
        self.limit = runner.budget()
        self.record_limit = runner.profile.max_record_bytes
        self.rows = 0

        self._bases: dict[tuple[QueryName, Any], int] = {}

    def _params(self, name: QueryName, **extra: Any) -> dict[str, Any]:
        """The write's values (and `extra`) that statement `name` takes."""
        declared = self.runner.catalog[name].params
        return {k: v for k, v in {**self.params, **extra}.items() if k in declared}

    def _printed(self, row: Row) -> tuple[Any, int]:
        """The row as it is sent and its size: printed once on a splicing server, else as is."""
        if self.limit is None:
            return row, 0
        done = pre_print(row)
        return done, done.size

    def _base(self, name: QueryName, params: dict[str, Any], **kinds: Any) -> int:
        key = (name, tuple(kinds.values()))
        if key not in self._bases:
            text = self.runner.catalog.text(name, **kinds)
            self._bases[key] = self.runner.size(text, {**params, "rows": []})
        return self._bases[key]

    def _send(self, name: QueryName, batch: _Batch, **kinds: Any) -> None:
        params, rows, idents = batch.params, batch.rows, batch.idents
        self.pipeline.submit(lambda: self._run_batch(name, params, rows, idents, kinds))

    def _run_batch(
        self,
        name: QueryName,
        params: dict[str, Any],
        rows: list[Any],
        idents: list[Row],
        kinds: dict[str, Any],
    ) -> None:
        """Create `rows`; on a dropped connection, resend in halves if none of them landed."""
        try:
            got = self.runner.run(name, {**params, "rows": rows}, session=self.session, **kinds)
        except StoreUnavailable:
            if len(rows) < 2 or self._landed(name, params, idents, kinds):
                raise
            half = len(rows) // 2
            self._run_batch(name, params, rows[:half], idents[:half], kinds)
            self._run_batch(name, params, rows[half:], idents[half:], kinds)
            return
        created = got[0]["created"] if got else 0
        if created != len(rows):
            raise Conflict(f"statement `{name.value}` created {created} of {len(rows)} rows")
        self.rows += created

    def _landed(
        self, name: QueryName, params: dict[str, Any], idents: list[Row], kinds: dict[str, Any]
    ) -> bool:
        """Whether any row of a failed batch exists (on a new connection)."""
        counter = _CHECKS[name]
        check = self._params(counter, rows=idents)
        if counter is QueryName.COUNT_NODES:  # `seq` alone identifies a node; no label needed
            check, kinds = {"seqs": [i["seq"] for i in idents]}, {}
        got = self.runner.run(counter, check, **kinds)
        return bool(got and got[0]["found"])

    def _write(self, name: QueryName, items: Iterable[_Item], slot: str | None) -> int:
        """Send the items in batches per kind (rows or bytes, whichever fills first)."""
        batches: dict[Any, _Batch] = {}
        total = 0
        for kind, params, row, size, ident in items:
            total += 1
            batch = batches.get(kind)
            kinds = {} if slot is None else {slot: kind}
            if batch is None:
                batch = batches[kind] = _Batch(params, self._base(name, params, **kinds))
            too_big = self.limit is not None and batch.grown(size) > self.limit
            if batch.rows and (too_big or len(batch.rows) >= self.batch_rows):
                self._send(name, batch, **kinds)
                batch = batches[kind] = _Batch(params, batch.base)
            if self.limit is not None and batch.grown(size) > self.limit:
                raise Conflict(f"a row of `{name.value}` is larger than one statement can carry")
            batch.size = batch.grown(size)
            batch.rows.append(row)
            batch.idents.append(ident)
        for kind, batch in batches.items():
            if batch.rows:
                self._send(name, batch, **({} if slot is None else {slot: kind}))
        self.pipeline.drain()
        return total

    def nodes(self, nodes: Iterable[NodeRecord]) -> int:
        """Create every node (kind label + `TgNode`); returns how many."""
        appends: list[tuple[str, str, str]] = []
        base, name = self.seq_start, self.statements.nodes

        def items() -> Iterator[_Item]:
            for position, node in enumerate(nodes):
                if RESERVED_NODE_PROPS & set(node.props):
                    raise ValueError(f"node `{node.key}` uses a reserved prop name")
                params = self._params(name, kind=node.kind.value)
                row: Row = {
                    "key": node.key,
                    "seq": base + position,
                    "props": _plain(node.props.items()),
                }
                ident = {"seq": row["seq"]}
                yield node.kind, params, *self._fit(node, params, row, appends), ident

        count = self._write(name, items(), "node_kind")
        self.texts(appends)
        return count

    def _fit(
        self,
        node: NodeRecord,
        params: dict[str, Any],
        row: Row,
        appends: list[tuple[str, str, str]],
    ) -> tuple[Any, int]:
        """The row to send and its size, long JSON text moved out of it (to `appends`)."""
        sent, size = self._printed(row)
        if self.limit is None and self.record_limit is None:
            return sent, size
        room = self._room(self.statements.nodes, params, node_kind=node.kind)
        props: dict[str, Any] = row["props"]
        moved: list[str] = []
        for prop in APPENDABLE_PROPS:
            if size <= room:
                break
            value = props.get(prop)
            if isinstance(value, str):
                del props[prop]
                appends.append((node.key, prop, value))
                moved.append(prop)
                props[TEXT_PARTS] = moved
                sent, size = self._printed(row)
        if size > room:
            largest = max(props, key=lambda k: spliced_size(props[k]))
            raise Conflict(
                f"node `{node.key}`: prop `{largest}` takes {spliced_size(props[largest])} bytes,"
                f" more than one statement or record on this server can carry ({room})"
            )
        return sent, size

    def _room(self, name: QueryName, params: dict[str, Any], **kinds: Any) -> int:
        """The most bytes one row may take: within a statement and within a record."""
        limits = [self.record_limit or 0, (self.limit or 0) - self._base(name, params, **kinds)]
        return min(x for x in limits if x > 0)

    def texts(self, appends: Sequence[tuple[str, str, str]]) -> None:
        """Write long text `(key, prop, text)` as `TgText` parts, batched like nodes: the text
        moved out of nodes, or other text kept beside them (a change set)."""
        if not appends:
            return
        name = self.statements.texts
        params = self._params(name)
        bounded = self.limit is not None or self.record_limit is not None
        room = self._room(name, params) if bounded else 0

        def items() -> Iterator[_Item]:
            for key, prop, value in appends:
                if not bounded:  # one part: the server takes any statement and record
                    ident = {"key": key, "prop": prop, "part": 0}
                    yield None, params, *self._printed({**ident, "text": value}), ident
                    continue
                # the row's other fields (a long key takes its share); 20 digits for `part`
                left = room - spliced_size({"key": key, "prop": prop, "part": 0, "text": ""}) - 20
                if left < 1_000:
                    raise Conflict(f"node `{key[:80]}...`: its key leaves no room for its text")
                for part, text in enumerate(_chunks(value, left)):
                    ident = {"key": key, "prop": prop, "part": part}
                    yield None, params, *self._printed({**ident, "text": text}), ident

        self._write(name, items(), None)

    def edges(self, edges: Iterable[EdgeRecord]) -> int:
        """Create every edge between nodes of this snapshot; returns how many."""
        name = self.statements.edges
        params = self._params(name)

        def items() -> Iterator[_Item]:
            for e in edges:
                props = _plain(e.props.items())
                ident = {"source": e.source, "target": e.target}
                yield e.kind, params, *self._printed({**ident, "props": props}), ident

        return self._write(name, items(), "edge_kind")

    def trust(self, edges: Iterable[TrustEdge], *, gen: int) -> int:
        """Create derived trust edges of generation `gen` (provenance props plus `gen`)."""
        records = (trust_to_record(e) for e in edges)
        return self.edges(
            EdgeRecord(source=r.source, target=r.target, kind=r.kind, props={**r.props, "gen": gen})
            for r in records
        )
