"""The history of a namespace: the change sets between snapshots, and pruning old ones.

Why here: both read the snapshot rows of a namespace as a whole (which snapshot continues
which line, which are kept) rather than one snapshot's graph.

- `changes_after(base, id)`: every snapshot written as a change keeps its change set's text
  (`versions.change_key`); a host holding the World of `base` replays those of the snapshots
  after it, in order, instead of reading the whole snapshot over Bolt. A snapshot written
  whole between them breaks the chain: the answer is None.
- `prune`: a line no kept snapshot belongs to goes whole; in the line of the oldest kept
  snapshot K, every version and edge closed at or before K goes (no kept snapshot can see it:
  they are all K or newer), with the text parts of those versions and the change sets of the
  snapshots pruned. Everything a kept snapshot reads stays.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from graphmodel.changes import ChangeSet, apply_changes, decode_changes
from graphmodel.errors import Conflict, StoreIncompatible
from graphmodel.schema.world import World
from graphmodel.stores.base import PruneReport
from graphmodel.stores.neo4j import snapshots
from graphmodel.stores.neo4j.paging import with_text_parts
from graphmodel.stores.neo4j.queries import QueryName
from graphmodel.stores.neo4j.runner import Runner
from graphmodel.stores.neo4j.snapshots import DELETE_BATCH, StoredSnapshot
from graphmodel.stores.neo4j.versions import CHANGES_PROP, change_key
from graphmodel.stores.neo4j.writer import TEXT_PARTS
from graphmodel.stores.retention import kept_count

__all__ = ["caught_up", "changes_after", "prune"]


def changes_after(runner: Runner, namespace: str, base: int, snapshot_id: int) -> ChangeSet | None:
    """The change sets turning snapshot `base` into `snapshot_id`, in order; None when a
    snapshot between them was written whole, or `snapshot_id` is not published."""
    if base == snapshot_id:
        return ChangeSet()
    if snapshot_id < base:
        return None
    params = {"namespace": namespace, "low": base, "high": snapshot_id}
    chain = runner.run(QueryName.LIST_CHANGE_CHAIN, params)
    previous = base
    for row in chain:
        if row["base"] is None or int(row["base"]) != previous:
            return None
        previous = int(row["id"])
    if previous != snapshot_id or not chain:
        return None
    line = int(chain[0]["line"])
    rows = [
        {"key": change_key(int(r["id"])), "props": {TEXT_PARTS: [CHANGES_PROP], "from": r["id"]}}
        for r in chain
    ]
    texts = with_text_parts(runner, line, rows)
    try:
        return ChangeSet(tuple(c for r in texts for c in decode_changes(r["props"][CHANGES_PROP])))
    except ValueError as exc:
        raise StoreIncompatible(
            f"the change set of a snapshot between `{base}` and `{snapshot_id}` is unreadable: "
            f"{exc}"
        ) from exc


def caught_up(
    runner: Runner, namespace: str, held: Iterable[tuple[int, World]], snapshot_id: int
) -> World | None:
    """The World of `snapshot_id` made from one of the `held` (id, World) pairs and the change
    sets after it, or None when none leads there (no read of the whole snapshot)."""
    for base, world in held:
        changes = changes_after(runner, namespace, base, snapshot_id)
        if changes is None:
            continue
        try:
            return apply_changes(world, changes)
        except Conflict as exc:
            raise StoreIncompatible(
                f"the change sets after snapshot `{base}` do not apply: {exc}"
            ) from exc
    return None


def _drain(runner: Runner, name: QueryName, line: int, before: int) -> None:
    params = {"line": line, "before": before, "limit": DELETE_BATCH}
    while runner.run(name, params)[0]["deleted"]:
        pass


def prune(
    runner: Runner, namespace: str, *, keep: int | None, keep_days: float | None
) -> PruneReport:
    """Delete the snapshots `kept_count` does not keep and what only they can see."""
    listed: Sequence[StoredSnapshot] = snapshots.stored(runner, namespace)  # newest first
    if not listed:
        return PruneReport()
    kept = kept_count([s.info for s in listed], keep=keep, keep_days=keep_days)
    oldest, gone = listed[kept - 1], listed[kept:]
    if not gone:
        return PruneReport(oldest_kept=oldest.info.id)
    for s in gone:  # first: a pruned snapshot is then not found, never read half deleted
        runner.run(QueryName.DELETE_SNAPSHOT, {"snapshot": s.info.id})
    kept_lines = {s.line for s in listed[:kept]}
    for line in sorted({s.line for s in gone} - kept_lines):
        snapshots.discard_line(runner, line)
    for name in (
        QueryName.DELETE_CLOSED_TEXTS,
        QueryName.DELETE_CLOSED_VERSIONS,
        QueryName.DELETE_CLOSED_EDGES,
    ):
        _drain(runner, name, oldest.line, oldest.info.id)
    changes = [change_key(s.info.id) for s in gone if s.line in kept_lines and s.info.base]
    if changes:
        runner.run_chunked(QueryName.DELETE_TEXTS_BY_KEY, {}, "keys", changes)
    return PruneReport(deleted=tuple(sorted(s.info.id for s in gone)), oldest_kept=oldest.info.id)
