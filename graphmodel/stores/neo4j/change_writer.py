"""One change set written as versions on its base: plan what it touches, then write it.

Why a module: a change costs the size of the change only when the store reads no more than
the versions the change set names (`versions_seen`) and writes no more than `plan_delta`
finds; when the base cannot take versions (written before paged reads, or no room for an
order key between two stored neighbours) `NeedsWhole` tells the store to write the World
whole instead, which is always correct, only larger.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from functools import partial

from graphmodel.changes import ChangeSet
from graphmodel.schema.trust import TrustEdge
from graphmodel.schema.world import World
from graphmodel.stores.base import NodeRecord
from graphmodel.stores.neo4j import publishing, reader
from graphmodel.stores.neo4j.delta import plan_delta
from graphmodel.stores.neo4j.paging import with_text_parts
from graphmodel.stores.neo4j.positions import NeedsWhole
from graphmodel.stores.neo4j.queries import QueryName
from graphmodel.stores.neo4j.runner import Runner
from graphmodel.stores.neo4j.snapshots import StoredSnapshot
from graphmodel.stores.sync_derived import plan_trust_sync

__all__ = ["ChangeWritten", "versions_seen", "write_as_versions"]


@dataclass(frozen=True, slots=True)
class ChangeWritten:
    """A published change: its snapshot, the rows it touched, and its trust edges when the
    change replaced them (None: the base's edges carry over)."""

    stored: StoredSnapshot
    rows: int
    trust: list[TrustEdge] | None


def versions_seen(
    runner: Runner, base: StoredSnapshot, keys: Collection[str]
) -> dict[str, NodeRecord]:
    """The versions snapshot `base` sees of `keys`, with their stored order keys."""
    params = {"snapshot": base.info.id, "line": base.line}
    rows = runner.run_chunked(QueryName.GET_NODES_BY_KEYS, params, "keys", sorted(keys))
    rows = with_text_parts(runner, base.line, rows)
    return {r["key"]: reader.node_record(r["key"], r["kind"], r["props"]) for r in rows}


def write_as_versions(
    runner: Runner,
    namespace: str,
    base: StoredSnapshot,
    before: World,
    world: World,
    changes: ChangeSet,
    *,
    trust_edges: Sequence[TrustEdge] | None,
    base_trust: Callable[[], list[TrustEdge]],
    source: str,
    request_key: str | None,
    batch_rows: int,
    lease_ms: int,
) -> ChangeWritten:
    """Write `changes` (`before` -> `world`) as versions on `base` and publish them.

    `trust_edges` None keeps `base`'s derived edges; `base_trust` reads them only when they
    are replaced. Raises `NeedsWhole` (before writing anything) when `base` cannot take
    versions, and what `publishing.write_change` raises (`SnapshotConflict`,
    `RequestReplayed`, `Conflict`) after undoing its writes.
    """
    if base.seq_stop is None:
        raise NeedsWhole(f"snapshot `{base.info.id}` was written before paged reads")
    delta = plan_delta(before, world, changes, partial(versions_seen, runner, base))
    plan = None if trust_edges is None else plan_trust_sync(base_trust(), trust_edges)
    stored, rows = publishing.write_change(
        runner,
        namespace,
        base,
        world,
        changes,
        delta,
        trust=plan,
        base_trust=base_trust() if plan is not None else (),
        source=source,
        request_key=request_key,
        batch_rows=batch_rows,
        lease_ms=lease_ms,
    )
    return ChangeWritten(stored, rows, None if plan is None else list(plan.result))
