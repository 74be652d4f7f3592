"""`Neo4jStore`: the store protocol over Bolt with the official `neo4j` driver.

Why this shape: the engine reads a snapshot once (`read_world`) and builds its indexes in
memory, so the database holds what the memory store holds (the shared `graphmap` mapping, every
snapshot kept) in a layout Neo4j users can query: entity nodes `(:TgNode:<Kind>)` with readable
props, observed edges as typed relationships, derived trust edges between `(:Tenant)` nodes
with their rule and policy (see `snapshots.py` and `cypher/README.md`).

Several stores share one database through namespaces (`namespace=`, default `default`): each
has its own current pointer and history, while snapshot ids come from one counter.

Beyond the protocol: `purge()` deletes the store's namespace (history included), `run_audit()`
runs one of `audit_queries()`, `profile` says what the server was found to support, and the
optional `GraphLookups` reads (`lookups.py`) serve partial reads of one-shot commands.

Consistency: a snapshot is published last (`snapshots.py`), and trust edges are replaced the
same way: a new generation is written, then `TgSnapshot.trustGen` is flipped, then older
generations are swept; readers match `gen = trustGen`. So a failed or killed write leaves the
current snapshot as it was, on Neo4j and on servers whose rollback undoes nothing. The publish
is a compare-and-swap on the server (`write_snapshot(base=...)`), so writers in several
processes or hosts never overwrite each other's snapshot unknowingly.

Several API hosts: the current-snapshot pointer is cached per store for at most
`refresh_interval` seconds (the engine answers from its index of that snapshot, so a question
costs no round trip); after that, `current_snapshot()` / `refresh()` read the pointer again,
one small statement, and see other hosts' snapshots. A store's own writes are seen at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import replace
from datetime import UTC, datetime
from types import TracebackType
from typing import Literal, Self

from neo4j import Driver

from graphmodel.errors import (
    Conflict,
    NodeNotFound,
    SnapshotConflict,
    SnapshotNotFound,
    StoreError,
    StoreIncompatible,
    StoreUnavailable,
)
from graphmodel.schema.kinds import EdgeKind, NodeKind
from graphmodel.schema.trust import TrustEdge
from graphmodel.schema.world import World
from graphmodel.stores.base import (
    ANY_BASE,
    AnyBase,
    Capability,
    DeriveStats,
    EdgeRecord,
    NodeRecord,
    SnapshotInfo,
)
from graphmodel.stores.graphmap import graph_to_world, iter_edges, iter_nodes
from graphmodel.stores.neo4j import reader, snapshots
from graphmodel.stores.neo4j.connect import connect
from graphmodel.stores.neo4j.drivers import close_driver
from graphmodel.stores.neo4j.lookups import KeyedLookups
from graphmodel.stores.neo4j.paging import (
    PageProgress,
    ReadPolicy,
    read_snapshot_rows,
    with_text_parts,
)
from graphmodel.stores.neo4j.pipeline import Pipeline
from graphmodel.stores.neo4j.profile import ServerProfile
from graphmodel.stores.neo4j.queries import Query, QueryName, default_catalog
from graphmodel.stores.neo4j.runner import Runner
from graphmodel.stores.neo4j.snapshots import StoredSnapshot
from graphmodel.stores.neo4j.writer import SnapshotWriter
from graphmodel.stores.sync_derived import check_trust_edges, plan_trust_sync

__all__ = ["Neo4jStore"]

_CAPABILITIES = frozenset(
    {
        Capability.DURABLE,
        Capability.SNAPSHOT_HISTORY,
        Capability.TRANSACTIONS,  # by publish-last, on every profile
        Capability.NATIVE_CYPHER,
    }
)


class Neo4jStore(KeyedLookups):
    """A `GraphStore` in a Neo4j (or Bolt-speaking openCypher) database reached by `driver`.

    The store borrows `driver` and never closes it unless `owns_driver`; `server` names the
    database in error messages. Opening detects the server's `profile`, creates indexes and
    constraints idempotently and removes incomplete snapshots left by a dead writer. Use
    `graphmodel.stores.open_store("neo4j", uri=...)` rather than this constructor.

    `refresh_interval`: seconds the current-snapshot pointer is trusted before it is read again
    (0: every time). `read_policy`: how whole-snapshot reads are paged and bounded;
    `read_progress`, when set, is called after every page (`PageProgress`).
    """

    def __init__(
        self,
        driver: Driver,
        *,
        server: str = "bolt",
        database: str | None = None,
        namespace: str = "default",
        batch_rows: int = 2_000,
        refresh_interval: float = 1.0,
        read_policy: ReadPolicy | None = None,
        owns_driver: bool = False,
    ) -> None:
        if not namespace:
            raise ValueError("the namespace of a neo4j store must not be empty")
        self._driver = driver
        self._owns_driver = owns_driver
        self._namespace = namespace
        self._batch_rows = batch_rows
        self._refresh_interval = refresh_interval
        self.read_policy = read_policy or ReadPolicy()
        self.read_progress: Callable[[PageProgress], None] | None = None
        self._lock = threading.Lock()  # serialises this store's writers
        self._pointer_lock = threading.Lock()
        self._pointer: StoredSnapshot | None = None
        self._pointer_at: float | None = None  # monotonic time of the last read; None: never
        self._closed = False
        try:
            self._runner = connect(
                driver,
                server=server,
                database=database,
                catalog=default_catalog(),
                namespace=namespace,
            )
            snapshots.clean_partial(self._runner, namespace)
        except BaseException:
            if owns_driver:
                close_driver(driver)
            raise

    def _live(self) -> Runner:
        if self._closed:
            raise StoreUnavailable(f"neo4j store `{self._namespace}` is closed")
        return self._runner

    # ------------------------------------------------------------------ lifecycle
    @property
    def capabilities(self) -> frozenset[Capability]:
        return _CAPABILITIES

    @property
    def profile(self) -> ServerProfile:
        """What the server can do, as detected when the store opened."""
        return self._runner.profile

    @property
    def namespace(self) -> str:
        return self._namespace

    def close(self) -> None:
        with self._lock:
            if not self._closed:
                self._closed = True
                if self._owns_driver:
                    close_driver(self._driver)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def purge(self) -> None:
        """Delete this namespace from the database: every snapshot, node and edge."""
        with self._lock:
            snapshots.purge(self._live(), self._namespace)

    def run_audit(self, query: Query) -> list[dict[str, object]]:
        """Rows of an audit query (`audit_queries()`) over every namespace's current snapshot.

        Each row is a dict keyed by the query's `returns:` columns, `namespace` first.
        """
        runner = self._live()
        return list(runner.execute(query.name, query.text, {}))

    # ------------------------------------------------------------------ reader
    def _current(self, *, fresh: bool = False) -> StoredSnapshot | None:
        """The current-snapshot pointer, read again when older than `refresh_interval`."""
        runner = self._live()
        with self._pointer_lock:
            at = self._pointer_at
            if not fresh and at is not None and time.monotonic() - at < self._refresh_interval:
                return self._pointer
        read_at = time.monotonic()
        found = snapshots.current(runner, self._namespace)
        self._remember(found, read_at)
        return found

    def _remember(self, found: StoredSnapshot | None, read_at: float) -> None:
        """Cache `found` unless a newer snapshot was cached meanwhile (ids only grow)."""
        with self._pointer_lock:
            cached = None if self._pointer is None else self._pointer.info.id
            new = None if found is None else found.info.id
            if cached is None or (new is not None and new >= cached):
                self._pointer = found
            self._pointer_at = read_at

    def _forget(self) -> None:
        with self._pointer_lock:
            self._pointer_at = None

    def refresh(self) -> SnapshotInfo | None:
        found = self._current()
        return None if found is None else found.info

    def refresh_pending(self) -> bool:
        return True  # the pointer is on the server: only asking it can tell

    def current_snapshot(self) -> SnapshotInfo | None:
        found = self._current()
        return None if found is None else found.info

    def snapshots(self) -> list[SnapshotInfo]:
        return snapshots.listed(self._live(), self._namespace)

    def _snapshot_id(self, snapshot_id: int | None) -> int | None:
        """The id to read (None: the store is empty); `SnapshotNotFound` for unknown ids."""
        found = self._stored(snapshot_id)
        return None if found is None else found.info.id

    def _stored(self, snapshot_id: int | None) -> StoredSnapshot | None:
        if snapshot_id is None:
            return self._current()
        found = snapshots.get(self._live(), self._namespace, snapshot_id)
        if found is None:
            raise SnapshotNotFound(snapshot_id)
        return found

    def read_world(self, snapshot_id: int | None = None) -> World:
        found = self._stored(snapshot_id)
        if found is None:
            return World()
        sid, runner = found.info.id, self._live()
        if found.node_count is None:  # written before paged reads: one statement
            rows = runner.run(QueryName.LIST_SNAPSHOT_NODES, {"snapshot": sid})
        else:
            rows = list(
                read_snapshot_rows(
                    runner, sid, found.node_count, self.read_policy, self.read_progress
                )
            )
        nodes = [reader.node_record(r["key"], r["kind"], r["props"]) for r in rows]
        try:
            return graph_to_world(nodes)
        except (ValueError, KeyError, TypeError) as exc:
            raise StoreIncompatible(f"snapshot `{sid}` is unreadable: {exc}") from exc

    def node(self, key: str) -> NodeRecord:
        runner = self._live()
        rows = runner.run(QueryName.GET_NODE, {"namespace": self._namespace, "key": key})
        if not rows:
            raise NodeNotFound(key)
        rows = with_text_parts(runner, rows[0]["props"]["snapshot"], [{"key": key, **rows[0]}])
        record = reader.node_record(key, rows[0]["kind"], rows[0]["props"])
        if not isinstance(record.kind, NodeKind):
            raise NodeNotFound(key)  # the World bookkeeping node is not for readers
        return record

    def nodes(self, kind: NodeKind) -> list[NodeRecord]:
        params = {"namespace": self._namespace, "kind": kind.value}
        runner = self._live()
        rows = runner.run(QueryName.LIST_NODES, params)
        if rows:
            rows = with_text_parts(runner, rows[0]["props"]["snapshot"], rows)
        return sorted(
            (reader.node_record(r["key"], kind.value, r["props"]) for r in rows),
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

    def trust_edges(self, snapshot_id: int | None = None) -> list[TrustEdge]:
        sid = self._snapshot_id(snapshot_id)
        if sid is None:
            return []
        return reader.trust_edges(self._live().run(QueryName.LIST_TRUST_EDGES, {"snapshot": sid}))

    # ------------------------------------------------------------------ writer
    def write_snapshot(
        self,
        world: World,
        *,
        source: str,
        trust_edges: Sequence[TrustEdge],
        base: int | AnyBase | None = ANY_BASE,
    ) -> SnapshotInfo:
        with self._lock:
            runner = self._live()
            expect = None if base is ANY_BASE else (base or 0)  # 0: the empty namespace
            if expect is not None:  # fail before writing; the publish checks again, atomically
                found = self._current(fresh=True)
                current_id = None if found is None else found.info.id
                if (current_id or 0) != expect:
                    raise SnapshotConflict(base if isinstance(base, int) else None, current_id)
            check_trust_edges(world, trust_edges)
            info = SnapshotInfo(
                id=0,
                created_at=datetime.now(UTC),
                source=source,
                title=world.title,
                counts=world.counts().as_dict(),
            )
            sid = snapshots.allocate(runner, self._namespace, info)
            try:
                with runner.session() as session, Pipeline() as pipeline:
                    writer = SnapshotWriter(
                        runner, session, sid, batch_rows=self._batch_rows, pipeline=pipeline
                    )
                    nodes = writer.nodes(iter_nodes(world))
                    writer.edges(iter_edges(world))
                    writer.trust(trust_edges, gen=0)
                published, before = snapshots.publish(
                    runner, self._namespace, sid, base=expect, nodes=nodes
                )
                if not published and expect is not None and (before or 0) != expect:
                    raise SnapshotConflict(base if isinstance(base, int) else None, before)
                if not published:
                    raise Conflict(
                        f"a newer snapshot became current while snapshot `{sid}` was written"
                    )
            except BaseException:
                with suppress(Exception):  # best effort; `clean_partial` catches the rest
                    snapshots.discard(runner, sid)
                raise
            stored = StoredSnapshot(info=replace(info, id=sid), trust_gen=0, node_count=nodes)
            self._remember(stored, time.monotonic())
            return stored.info

    def replace_trust_edges(
        self, edges: Sequence[TrustEdge], snapshot_id: int | None = None
    ) -> DeriveStats:
        with self._lock:
            runner = self._live()
            current = snapshots.current(runner, self._namespace)
            if current is None:
                raise SnapshotNotFound("current" if snapshot_id is None else snapshot_id)
            sid = current.info.id
            if snapshot_id is not None and snapshot_id != sid:
                if snapshots.get(runner, self._namespace, snapshot_id) is None:
                    raise SnapshotNotFound(snapshot_id)
                raise Conflict(
                    f"snapshot `{snapshot_id}` is not the current snapshot `{sid}`: "
                    "derive the edges again from the current one"
                )
            check_trust_edges(graph_to_world(self.nodes(NodeKind.TENANT)), edges)
            plan = plan_trust_sync(self.trust_edges(sid), edges)
            if plan.is_noop:
                return plan.stats
            live, gen = current.trust_gen, current.trust_gen + 1
            runner.run(QueryName.SWEEP_TRUST_EDGES, {"snapshot": sid, "gen": live})
            try:
                with runner.session() as session, Pipeline() as pipeline:
                    writer = SnapshotWriter(
                        runner, session, sid, batch_rows=self._batch_rows, pipeline=pipeline
                    )
                    writer.trust(plan.result, gen=gen)
                params = {"snapshot": sid, "expected": live, "gen": gen}
                if not runner.run(QueryName.PUBLISH_TRUST_GENERATION, params):
                    raise Conflict(f"the trust edges of snapshot `{sid}` changed meanwhile")
            except BaseException:
                with suppress(Exception):
                    runner.run(QueryName.DELETE_TRUST_GENERATION, {"snapshot": sid, "gen": gen})
                raise
            finally:
                self._forget()  # the cached pointer carries the trust generation
            with suppress(StoreError):  # stale generations are invisible; swept next time
                runner.run(QueryName.SWEEP_TRUST_EDGES, {"snapshot": sid, "gen": gen})
            return plan.stats
