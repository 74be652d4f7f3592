"""Writing a change as versions: close what it replaces, create what it makes, move edges.

Why this order (every statement checks the writer lease, `lease.py`): a change `N` on base `B`
of line `L` may only touch the *live* versions of `L` (`to` open), which are exactly what `B`
sees while `N` holds the lease. It

1. closes the edges whose identity the change alters (`to` = N), while their ends are still
   the live versions;
2. closes the versions of the nodes it removes or rewrites, and every edge still live on a
   removed one;
3. creates the new versions (`from` = N, `seq` after `B`'s);
4. moves the live edges of each rewritten node from its closed version to its new one (made
   again from N on, the old one closed), so the graph of N keeps every untouched edge;
5. creates the edges the change makes, between live versions;
6. closes and creates the derived trust edges the change moved (same way, live generation);
7. stores the change set's text (`ChangeSet:<N>` parts), which other hosts replay to catch up.

Nothing here is visible before the publish: readers of `B` and older snapshots see versions
with `from` <= their id < `to`, and N is not a snapshot they read until it is published.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from graphmodel.errors import Conflict
from graphmodel.schema.kinds import EdgeKind
from graphmodel.schema.trust import TrustEdge
from graphmodel.stores.neo4j.delta import EdgeClose, VersionDelta
from graphmodel.stores.neo4j.pipeline import Pipeline
from graphmodel.stores.neo4j.queries import QueryName
from graphmodel.stores.neo4j.runner import Runner
from graphmodel.stores.neo4j.snapshots import StoredSnapshot
from graphmodel.stores.neo4j.writer import VERSIONS, SnapshotWriter
from graphmodel.stores.sync_derived import TrustPlan, trust_to_record

__all__ = ["CHANGES_PROP", "VersionWrite", "change_key", "write_versions"]

CHANGES_PROP: Final = "changes"


def change_key(snapshot_id: int) -> str:
    """The `TgText` key under which the change set of snapshot `snapshot_id` is kept."""
    return f"ChangeSet:{snapshot_id}"


@dataclass(frozen=True, slots=True, kw_only=True)
class VersionWrite:
    """What a change wrote: the `seq` its line's numbers end at, and the rows it touched
    (versions and edges created, closed or moved, text parts)."""

    seq_end: int
    rows: int


def _close_rows(closes: Sequence[EdgeClose]) -> dict[EdgeKind, list[dict[str, Any]]]:
    by_kind: dict[EdgeKind, list[dict[str, Any]]] = defaultdict(list)
    for c in closes:
        props = dict(c.props)
        by_kind[c.kind].append(
            {"source": c.source, "target": c.target, "props": props, "arity": len(props)}
        )
    return by_kind


def _trust_closes(
    plan: TrustPlan, before: Mapping[tuple[str, str, str], TrustEdge]
) -> list[EdgeClose]:
    """The live trust edges a plan deletes or updates (their stored versions)."""
    gone = [*plan.delete, *(before[e.key] for e in plan.update)]
    out = []
    for edge in gone:
        record = trust_to_record(edge)
        out.append(
            EdgeClose(
                kind=record.kind,
                source=record.source,
                target=record.target,
                props=record.props,
                count=1,
            )
        )
    return out


class _Change:
    """The statements of one change, over one session."""

    def __init__(self, runner: Runner, writer: SnapshotWriter, params: Mapping[str, Any]) -> None:
        self.runner = runner
        self.writer = writer
        self.params = dict(params)
        self.rows = 0

    def _run(
        self, name: QueryName, field: str, items: Sequence[Any], column: str, **kinds: Any
    ) -> int:
        declared = self.runner.catalog[name].params
        params = {k: v for k, v in self.params.items() if k in declared and k != field}
        rows = self.runner.run_chunked(
            name, params, field, items, session=self.writer.session, **kinds
        )
        done = sum(int(r[column]) for r in rows)
        self.rows += done
        return done

    def close_edges(self, closes: Sequence[EdgeClose]) -> None:
        for kind, rows in _close_rows(closes).items():
            expected = sum(c.count for c in closes if c.kind is kind)
            closed = self._run(
                QueryName.CLOSE_VERSION_EDGES, "rows", rows, "closed", edge_kind=kind
            )
            if closed != expected:
                raise Conflict(
                    f"closing `{kind.value}` edges closed {closed} of {expected}: the base "
                    "snapshot's graph differs from its World (or this write lost its lease)"
                )

    def close_nodes(self, keys: Sequence[str], removed: Sequence[str]) -> None:
        closed = self._run(QueryName.CLOSE_VERSIONS, "keys", keys, "closed")
        if closed != len(keys):
            raise Conflict(
                f"closing versions closed {closed} of {len(keys)}: the base snapshot lacks some "
                "(or this write lost its lease)"
            )
        if removed:
            self._run(QueryName.CLOSE_EDGES_OF_VERSIONS, "keys", removed, "closed")

    def move_edges(self, keys: Sequence[str]) -> None:
        if not keys:
            return
        declared = self.runner.catalog[QueryName.LIST_MOVING_EDGES].params
        params = {k: v for k, v in self.params.items() if k in declared}
        found = self.runner.run_chunked(
            QueryName.LIST_MOVING_EDGES, params, "keys", keys, session=self.writer.session
        )
        kinds = {(r["kind"], bool(r["out"]), bool(r["into"])) for r in found}
        outs = sorted({k for k, out, _into in kinds if out})
        ins = sorted({k for k, _out, into in kinds if into})
        for kind in outs:
            self._run(QueryName.MOVE_OUT_EDGES, "keys", keys, "moved", edge_kind=EdgeKind(kind))
        for kind in ins:
            self._run(QueryName.MOVE_IN_EDGES, "keys", keys, "moved", edge_kind=EdgeKind(kind))


def write_versions(
    runner: Runner,
    *,
    namespace: str,
    base: StoredSnapshot,
    snapshot_id: int,
    delta: VersionDelta,
    trust: TrustPlan | None,
    base_trust: Sequence[TrustEdge],
    change_text: str,
    batch_rows: int,
    lease_ms: int,
) -> VersionWrite:
    """Write change `snapshot_id` on `base` as versions (see the module docstring); the change
    must hold the namespace's writer lease. Raises `Conflict` when the stored graph does not
    match what the change expects, or the lease was lost (nothing is published then)."""
    seq_start = base.seq_stop
    if seq_start is None:
        raise Conflict(f"snapshot `{base.info.id}` has no `seq` numbers to continue")
    params = {
        "namespace": namespace,
        "snapshot": snapshot_id,
        "lease_ms": lease_ms,
        "line": base.line,
    }
    with runner.session() as session, Pipeline() as pipeline:
        writer = SnapshotWriter(
            runner,
            session,
            snapshot_id,
            batch_rows=batch_rows,
            pipeline=pipeline,
            statements=VERSIONS,
            params=params,
            seq_start=seq_start,
        )
        change = _Change(runner, writer, params)
        trust_closes = []
        if trust is not None:
            trust_closes = _trust_closes(trust, {e.key: e for e in base_trust})
        change.close_edges(delta.close_edges)
        change.close_nodes(delta.close, delta.removed)
        created = writer.nodes(delta.create)
        change.move_edges(delta.moved)
        writer.edges(delta.create_edges)
        if trust is not None:
            change.close_edges(trust_closes)
            writer.trust([*trust.create, *trust.update], gen=base.trust_gen)
        writer.texts([(change_key(snapshot_id), CHANGES_PROP, change_text)])
    return VersionWrite(seq_end=seq_start + created, rows=change.rows + writer.rows)
