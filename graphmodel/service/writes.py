"""Writing snapshots as changes: whole-world loads and operations, CAS, idempotency, deadlines.

Why here: every write — a mutation, an applied what-if, a `load` or `import`, a collector run —
ends as one `ChangeSet` on the snapshot it was computed from (the change language,
`graphmodel.changes`), so the store keeps the size of the change and every process applies
it instead of reloading the World:

- `load_world(world)` diffs `world` against the current one; a World that mostly matches is
  written as its change, one that does not (or an empty store) whole.
- `update_world(change)` runs an operation (`World -> ChangeSet`, or `World -> World` for
  older operations, diffed) against the newest World and publishes compare-and-swap on it;
  when another process won the race, the operation runs again on the newer World. When it no
  longer applies there — or no longer applies on the snapshot the caller read — the answer
  is `conflict`, never a different error that depends on timing.
- A `request_key` (idempotency key) makes a retried write a no-op that answers
  `already-applied` with the snapshot the first attempt made.
- A `WriteTicket` ties a write to a caller's deadline: the write commits only if the caller
  still waits; once it starts committing the caller waits for the outcome, so an answer never
  says "cancelled" about a write that landed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from enum import Enum

from graphmodel.changes import FAMILIES, ChangeSet, Replace, apply_changes, diff_worlds
from graphmodel.changes.diff import NODE_KEYED
from graphmodel.changes.model import Patch
from graphmodel.engine import derive_trust_edges
from graphmodel.errors import GraphModelError, SnapshotConflict
from graphmodel.schema.trust import TrustEdge
from graphmodel.schema.world import World
from graphmodel.stores.base import GraphStore, SnapshotInfo
from graphmodel.stores.graphmap import check_node_keys

__all__ = [
    "WHOLE_ABOVE",
    "WRITE_ATTEMPTS",
    "HistoryPolicy",
    "WriteAbandoned",
    "WriteRequest",
    "WriteTicket",
    "current_write_request",
    "trust_changed_by",
    "write_change",
    "write_request",
    "write_world",
]

WRITE_ATTEMPTS = 5
"""How often `update_world` applies its change before giving up on a store that keeps moving."""
WHOLE_ABOVE = 0.2
"""A loaded World whose change touches more than this share of its entities is written whole
(reading a snapshot then starts from it instead of replaying a change as large as a World)."""

# Fields whose change can change the derived trust edges (`engine.derive`: the tenants' own
# settings, and every object linking two tenants).
_TRUST_FIELDS = {
    "users": {"guest_of", "synced_from", "tenant"},
    "channels": {"members", "shared_with_teams", "tenant"},
    "apps": {"instance_of", "tenant"},
}
_TRUST_FAMILIES = {"tenants", "connected_organizations"}


@dataclass(frozen=True, slots=True)
class HistoryPolicy:
    """How much history a server keeps on its own: the newest `keep` snapshots and every one
    younger than `keep_days` (None: no limit of that kind), checked every `every_s` seconds."""

    keep: int | None = None
    keep_days: float | None = None
    every_s: float = 3600.0

    @property
    def enabled(self) -> bool:
        return self.keep is not None or self.keep_days is not None


class WriteAbandoned(GraphModelError):
    """The caller stopped waiting (its deadline passed) before the write began to commit:
    nothing was written."""

    code = "deadline-exceeded"  # type: ignore[assignment]


class _State(Enum):
    WAITING = "waiting"
    COMMITTING = "committing"
    ABANDONED = "abandoned"


class WriteTicket:
    """The handshake between a write and a caller with a deadline (see the module docstring)."""

    def __init__(self) -> None:
        self._state = _State.WAITING
        self._lock = threading.Lock()

    def begin_commit(self) -> None:
        """Called by the write right before it commits; raises `WriteAbandoned` when the
        caller already gave up (then nothing is written)."""
        with self._lock:
            if self._state is _State.ABANDONED:
                raise WriteAbandoned("the request's deadline passed before the write committed")
            self._state = _State.COMMITTING

    def abandon(self) -> bool:
        """Called by the caller at its deadline: True when the write will not commit; False
        when it is already committing (the caller must wait for its outcome)."""
        with self._lock:
            if self._state is _State.WAITING:
                self._state = _State.ABANDONED
                return True
            return False


@dataclass(frozen=True, slots=True)
class WriteRequest:
    """What the caller of a write says about it: its idempotency key, the snapshot it read
    before asking (a change that no longer applies after a newer one is a `conflict`), and
    its deadline handshake."""

    request_key: str | None = None
    read_snapshot: int | None = None
    ticket: WriteTicket | None = None


_NONE = WriteRequest()  # frozen: a shared default is safe
_REQUEST: ContextVar[WriteRequest | None] = ContextVar("tenantgraph_write_request", default=None)


@contextmanager
def write_request(request: WriteRequest) -> Iterator[None]:
    """Make `request` what writes made inside this block (and threads it starts with its
    context) say about themselves; why a context variable: an adapter (the API) knows the
    request, the operations between it and `GraphService` need not carry it."""
    token = _REQUEST.set(request)
    try:
        yield
    finally:
        _REQUEST.reset(token)


def current_write_request() -> WriteRequest:
    return _REQUEST.get() or _NONE


def trust_changed_by(changes: ChangeSet) -> bool:
    """Whether `changes` may change the derived trust edges (else the base's are kept)."""
    for change in changes:
        family = getattr(change, "family", None)
        if family is None or family in _TRUST_FAMILIES:
            return family is not None
        fields = _TRUST_FIELDS.get(family)
        if fields is None:
            continue
        if not isinstance(change, Patch):
            return True
        touched = {p.split(".", 1)[0] for p, _v in change.set} | {p for p, _e in change.edit}
        if touched & fields:
            return True
    return False


def _size(world: World) -> int:
    return sum(len(getattr(world, family)) for family in FAMILIES)


def write_world(
    store: GraphStore,
    world: World,
    *,
    source: str,
    current: SnapshotInfo | None,
    held: World | None,
    request_key: str | None = None,
) -> SnapshotInfo:
    """Publish `world` as the next snapshot: as its change from `held` (the World of
    `current`) when that is small, else whole. A whole-world load replaces the state by
    intent, so losing a race to another writer is not an error: the caller retries on the
    newer snapshot (`SnapshotConflict` propagates for that)."""
    if current is not None and held is not None:
        changes = diff_worlds(held, world)
        if any(isinstance(c, Replace) and c.family in NODE_KEYED for c in changes):
            check_node_keys(world)  # keys repeat: refused, as a whole write would refuse them
        if len(changes) <= WHOLE_ABOVE * max(_size(world), 1):
            trust = derive_trust_edges(world) if trust_changed_by(changes) else None
            return store.write_changes(
                changes,
                source=source,
                base=current.id,
                trust_edges=trust,
                request_key=request_key,
            )
    return store.write_snapshot(
        world,
        source=source,
        trust_edges=derive_trust_edges(world),
        base=None if current is None else current.id,
        request_key=request_key,
    )


def write_change(
    store: GraphStore,
    change: Callable[[World], ChangeSet | World],
    *,
    source: str,
    current: SnapshotInfo | None,
    world: World,
    request_key: str | None = None,
    ticket: WriteTicket | None = None,
) -> tuple[SnapshotInfo, ChangeSet]:
    """Run `change` on `world` (the World of `current`) and publish the result on `current`.

    Raises what `change` raises, `SnapshotConflict` when `current` is no longer current,
    `WriteAbandoned` when `ticket`'s caller gave up first.
    """
    result = change(world)
    changes = result if isinstance(result, ChangeSet) else diff_worlds(world, result)
    trust: list[TrustEdge] | None = None
    new_world: World | None = None
    if current is None or trust_changed_by(changes):
        new_world = apply_changes(world, changes)
        trust = derive_trust_edges(new_world)
    if ticket is not None:
        ticket.begin_commit()
    if current is None:
        assert new_world is not None and trust is not None  # INVARIANT: set above
        info = store.write_snapshot(
            new_world, source=source, trust_edges=trust, base=None, request_key=request_key
        )
    else:
        info = store.write_changes(
            changes, source=source, base=current.id, trust_edges=trust, request_key=request_key
        )
    return info, changes


def conflict_for(
    exc: GraphModelError, *, attempt: int, first: int | None, base: int | None, read: int | None
) -> GraphModelError:
    """What a change that raised `exc` on snapshot `base` answers: its own error when it was
    run on the snapshot the caller read (`read`, None: not known) on the first attempt, else
    a `conflict` (it no longer applies after another writer)."""
    if attempt == 0 and (read is None or read == base):
        return exc
    return SnapshotConflict(
        first if first is not None else read, base, detail=f"it no longer applies: {exc}"
    )
