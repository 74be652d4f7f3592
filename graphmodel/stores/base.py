"""Storage protocols: the only way the engine, service and API touch a graph database.

Why protocols: the policy engine must run unchanged on every backend (memory + sqlite, Neo4j),
so it depends on these few narrow roles, never on a concrete store. Each method's docstring is
a contract (ordering, what "not found" looks like, which errors are raised) and
`tests/conformance/` checks exactly those sentences on every backend.

Roles (P2): `GraphReader` is what the engine needs; `GraphWriter` loads snapshots and replaces
derived edges; `GraphStore` is both plus `close()`, capabilities and context-manager support.
Cross-cutting behaviour (read-only mode, timing) lives in `graphmodel.stores.decorators`.

Snapshots: a store holds an append-only history of snapshots, each one World written in one
transaction. The newest one is *current*; node and edge reads always see the current snapshot.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum, StrEnum
from types import TracebackType
from typing import Final, Protocol, Self

from graphmodel.changes import ChangeSet
from graphmodel.schema.kinds import EdgeKind, NodeKind
from graphmodel.schema.trust import TrustEdge
from graphmodel.schema.world import World

__all__ = [
    "ANY_BASE",
    "AnyBase",
    "Capability",
    "ChangeWriter",
    "DeriveStats",
    "EdgeRecord",
    "GraphReader",
    "GraphStore",
    "GraphWriter",
    "MetaKind",
    "NodeRecord",
    "PropValue",
    "PruneReport",
    "Scalar",
    "SnapshotInfo",
]

Scalar = str | int | float | bool
PropValue = Scalar | tuple[Scalar, ...]
"""A property value every backend can store natively (Neo4j: no maps, no nulls)."""


class AnyBase(Enum):
    """The type of `ANY_BASE`: a write that does not depend on what is current."""

    ANY = "any"


ANY_BASE: Final = AnyBase.ANY
"""`write_snapshot(base=ANY_BASE)`: publish unconditionally (whole-world `load` / `import`)."""


class Capability(StrEnum):
    """Optional abilities of a backend; conformance tests skip by capability, never by name."""

    DURABLE = "durable"  # survives close() and process death
    SNAPSHOT_HISTORY = "snapshot-history"  # older snapshots stay readable
    TRANSACTIONS = "transactions"  # a failed write leaves no trace
    NATIVE_CYPHER = "native-cypher"  # the database itself answers Cypher
    LOCAL_READS = "local-reads"  # current-snapshot reads touch memory only (no I/O, no waits)


class MetaKind(StrEnum):
    """Bookkeeping node kinds of the graph mapping, next to the entity kinds of `NodeKind`.

    NOTE(stores): `NodeKind` has no kind for World-level facts (title, as_of, source and
    assignments whose owner is absent), so `graphmodel.stores.graphmap` carries them on one
    `World` node. Readers never return it: `node()` and `nodes()` see entity nodes only.
    """

    WORLD = "World"


@dataclass(frozen=True, slots=True, kw_only=True)
class SnapshotInfo:
    """One stored snapshot: ids grow with every write and are never reused.

    `base` is the snapshot it was written as a change of (None: written as a whole World);
    `stored_bytes` what it keeps on disk (None: the backend cannot tell); `request_key` the
    idempotency key of the write that made it, if the writer gave one.
    """

    id: int
    created_at: datetime  # timezone-aware, UTC
    source: str  # where the World came from, e.g. file names
    title: str | None = None
    counts: dict[str, int] = field(default_factory=dict)  # World.counts().as_dict()
    base: int | None = None
    stored_bytes: int | None = None
    request_key: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PruneReport:
    """What `prune` did: the snapshots deleted (ids), the oldest kept, the bytes freed."""

    deleted: tuple[int, ...] = ()
    oldest_kept: int | None = None
    freed_bytes: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeRecord:
    """A node as every backend stores it: `key` = `f"{kind}:{ref}"`, e.g. `User:contoso/alice`."""

    key: str
    kind: NodeKind | MetaKind
    props: Mapping[str, PropValue] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class EdgeRecord:
    """A directed edge between two node keys; parallel edges of one kind may exist."""

    source: str
    target: str
    kind: EdgeKind
    props: Mapping[str, PropValue] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class DeriveStats:
    """What `replace_trust_edges` changed; a rerun with the same edges is all `unchanged`."""

    created: int = 0
    deleted: int = 0
    unchanged: int = 0
    updated: int = 0  # same key (kind, source, target), different rule/policy/scope/url


class GraphReader(Protocol):
    """Read access to the current snapshot (and, by id, to older ones)."""

    def current_snapshot(self) -> SnapshotInfo | None:
        """The newest snapshot this process has seen, or None when nothing was ever written."""
        ...

    def refresh(self) -> SnapshotInfo | None:
        """Catch up with snapshots published by other processes or hosts; return the current one.

        Cheap when nothing changed: one read of the store's change signal (sqlite
        `PRAGMA data_version`; Neo4j the current-snapshot pointer, cached for at most the
        store's configured interval). After it returns, every read sees the newest snapshot
        published before the call (or within that interval for Neo4j). Readers holding the
        previous snapshot's objects keep them: nothing they hold is mutated.
        """
        ...

    def refresh_pending(self) -> bool:
        """Whether `refresh()` may have work to do (a snapshot to load, a server to ask).

        Cheap and non-blocking, so an event loop may call it before every request; it never
        consumes the change signal. False means reads already see the newest published
        snapshot, exactly as right after `refresh()`. A store that cannot tell cheaply answers
        True. Why: a request that need not catch up is spared a thread hand-off (the event
        loop must not wait for a load).
        """
        ...

    def snapshots(self) -> list[SnapshotInfo]:
        """Every stored snapshot, newest first (by id); `[]` for an empty store.

        A store without `Capability.SNAPSHOT_HISTORY` returns at most the current one.
        """
        ...

    def read_world(self, snapshot_id: int | None = None) -> World:
        """The World of snapshot `snapshot_id` (None = current), equal to the one written.

        Equal means `==`, including the order of every tuple. An empty store returns `World()`
        for None. Raises `SnapshotNotFound` for an id the store does not hold.
        """
        ...

    def node(self, key: str) -> NodeRecord:
        """The node `key` of the current snapshot, e.g. `store.node("Tenant:contoso")`.

        Raises `NodeNotFound` (with `.ref == key`) when the current snapshot has no such node,
        which includes every key of an empty store.
        """
        ...

    def nodes(self, kind: NodeKind) -> list[NodeRecord]:
        """Every node of `kind` in the current snapshot, sorted by key; `[]` when none."""
        ...

    def out_edges(self, key: str, *, kinds: frozenset[EdgeKind]) -> list[EdgeRecord]:
        """Edges leaving `key` whose kind is in `kinds`, observed and derived alike.

        Sorted by (kind, target); parallel edges (same kind and ends) by their props as
        canonical JSON. Raises `NodeNotFound` if `key` does not exist; `[]` means the node
        exists and has no such edge (also when `kinds` is empty).
        """
        ...

    def in_edges(self, key: str, *, kinds: frozenset[EdgeKind]) -> list[EdgeRecord]:
        """Edges entering `key` whose kind is in `kinds`; sorted by (kind, source).

        Same contract as `out_edges` with the ends swapped.
        """
        ...

    def trust_edges(self, snapshot_id: int | None = None) -> list[TrustEdge]:
        """The derived trust edges of a snapshot (None = current), sorted by `TrustEdge.key`.

        `[]` for an empty store. Raises `SnapshotNotFound` for an id the store does not hold.
        """
        ...


class GraphWriter(Protocol):
    """Writes: whole snapshots (append-only history) and the derived edges of the current one."""

    def write_snapshot(
        self,
        world: World,
        *,
        source: str,
        trust_edges: Sequence[TrustEdge],
        base: int | AnyBase | None = ANY_BASE,
        request_key: str | None = None,
    ) -> SnapshotInfo:
        """Store `world` and its derived `trust_edges` as a new snapshot and make it current.

        Compare-and-swap: `base` is the id of the snapshot `world` was computed from (None: an
        empty store). The write publishes only while `base` is still the store's current
        snapshot, checked atomically with the publish across processes; otherwise it raises
        `SnapshotConflict(base, current)` and writes nothing. `ANY_BASE` (the default) publishes
        unconditionally: a whole-world load replaces the state by intent.

        Atomic: all or nothing. Readers keep seeing the previous snapshot until the commit;
        previous snapshots are kept. Returns the new snapshot (title = `world.title`, counts =
        `world.counts().as_dict()`). Raises `Conflict` (nothing written) when two entities map
        to one node key, or a trust edge breaks the rules of `replace_trust_edges`; raises
        `StoreUnavailable` when the database cannot be written.

        `request_key`: an idempotency key. When a snapshot was already written under it, nothing
        is written and `RequestReplayed` (carrying that snapshot) is raised instead.
        """
        ...

    def replace_trust_edges(
        self, edges: Sequence[TrustEdge], snapshot_id: int | None = None
    ) -> DeriveStats:
        """Make `edges` the derived edges of the current snapshot: ensure, then sweep the rest.

        Idempotent: a second call with the same edges returns created = deleted = updated = 0.
        An edge is identified by its key (kind, source, target). `snapshot_id` is the snapshot
        the edges were derived from (None = current). Raises `SnapshotNotFound` if it does not
        exist or the store is empty, and `Conflict` (nothing changed) if it is not the current
        one, an edge's kind is not a trust kind, an end is not a tenant of the snapshot, or two
        edges share a key.
        """
        ...


class ChangeWriter(Protocol):
    """Writes sized by the change: a snapshot stored as the `ChangeSet` from its base, the
    history behind it (`changes_after`), and its upkeep (`prune`)."""

    def write_changes(
        self,
        changes: ChangeSet,
        *,
        source: str,
        base: int | None,
        trust_edges: Sequence[TrustEdge] | None = None,
        request_key: str | None = None,
    ) -> SnapshotInfo:
        """Publish `apply_changes(World of base, changes)` as the next snapshot (CAS on `base`).

        `base` must be the current snapshot, checked atomically with the publish (else
        `SnapshotConflict(base, current)`, nothing written); `trust_edges` are the new World's
        derived edges (None: the base's, when the changes touch no policy). A change that does
        not apply to the base raises `Conflict`. Readers see the new snapshot exactly as if it
        had been written whole: `read_world(id)` equals the applied World. `request_key` as in
        `write_snapshot`. What is stored is the size of the change (backends that cannot store
        changes may store the World).
        """
        ...

    def changes_after(self, base: int, snapshot_id: int) -> ChangeSet | None:
        """The changes turning snapshot `base` into `snapshot_id` (in order), or None when the
        history cannot say (a snapshot written whole between them, an unknown or pruned id;
        a process that remembers changes it applied may still answer for one pruned elsewhere:
        a stored change never changes)."""
        ...

    def snapshot_for_request(self, request_key: str) -> SnapshotInfo | None:
        """The snapshot a write with this idempotency key made, if one did."""
        ...

    def prune(self, *, keep: int | None = None, keep_days: float | None = None) -> PruneReport:
        """Delete old snapshots: keep the newest `keep`, and every one younger than `keep_days`
        (at least the current one is always kept). Readers holding a deleted snapshot keep what
        they hold; asking the store for it afterwards raises `SnapshotNotFound`."""
        ...


class GraphStore(GraphReader, GraphWriter, ChangeWriter, Protocol):
    """A backend: reader + writer + lifecycle. Use it as a context manager.

    After `close()` (idempotent) every other method raises `StoreUnavailable`.
    """

    @property
    def capabilities(self) -> frozenset[Capability]:
        """What this backend can do beyond the protocol minimum."""
        ...

    def close(self) -> None:
        """Release the database; calling it again does nothing."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
