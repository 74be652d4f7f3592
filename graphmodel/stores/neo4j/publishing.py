"""The three writes that publish: a World whole, a change as versions, a trust generation.

Why together: each allocates (or borrows) a snapshot, writes where no reader looks, then
flips one pointer in one statement (`snapshots.publish`, `trust/publish_trust_generation`),
and undoes its writes when it does not get there. They differ in what they touch:

- `write_whole`: a new line of its own (`snapshot` = its id), positions x `GAP`; touches no
  live version, so it takes no lease, and publishes over `expect` (None: any snapshot);
- `write_change`: new versions in its base's line under the namespace's writer lease
  (`lease.py`, `versions.py`), published only on its base;
- `replace_generation`: the current snapshot's derived trust edges, replaced in place by a new
  generation (also under the lease: a change would move tenant edges meanwhile).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from dataclasses import replace
from datetime import UTC, datetime

from graphmodel.changes import ChangeSet, encode_changes
from graphmodel.errors import Conflict, RequestReplayed, SnapshotConflict, StoreError
from graphmodel.schema.trust import TrustEdge
from graphmodel.schema.world import World
from graphmodel.stores.base import SnapshotInfo
from graphmodel.stores.graphmap import iter_edges, iter_nodes
from graphmodel.stores.neo4j import lease, snapshots
from graphmodel.stores.neo4j.delta import VersionDelta
from graphmodel.stores.neo4j.pipeline import Pipeline
from graphmodel.stores.neo4j.positions import GAP
from graphmodel.stores.neo4j.queries import QueryName
from graphmodel.stores.neo4j.runner import Runner
from graphmodel.stores.neo4j.snapshots import Published, StoredSnapshot
from graphmodel.stores.neo4j.versions import write_versions
from graphmodel.stores.neo4j.writer import VERSIONS, SnapshotWriter, seq_range
from graphmodel.stores.sync_derived import TrustPlan, check_trust_edges

__all__ = ["new_info", "replace_generation", "write_change", "write_whole"]


def new_info(world: World, *, source: str, request_key: str | None) -> SnapshotInfo:
    """The row of a snapshot of `world` about to be written (its id comes at allocation)."""
    return SnapshotInfo(
        id=0,
        created_at=datetime.now(UTC),
        source=source,
        title=world.title,
        counts=world.counts().as_dict(),
        request_key=request_key,
    )


def _refused(done: Published, sid: int, expect: int | None, request_key: str | None) -> None:
    """Raise what an unpublished write answers: its key was used, its base moved, or a newer
    snapshot won."""
    if done.published:
        return
    if done.replayed is not None and request_key is not None:
        raise RequestReplayed(request_key, done.replayed)
    if expect is not None and (done.before or 0) != expect:
        raise SnapshotConflict(expect or None, done.before)
    raise Conflict(f"a newer snapshot became current while snapshot `{sid}` was written")


def write_whole(
    runner: Runner,
    namespace: str,
    world: World,
    *,
    source: str,
    trust_edges: Sequence[TrustEdge],
    expect: int | None,
    request_key: str | None,
    batch_rows: int,
) -> StoredSnapshot:
    """Write `world` as a line of its own and publish it while `expect` is current (0: the
    empty namespace; None: over any older snapshot)."""
    check_trust_edges(world, trust_edges)
    info = new_info(world, source=source, request_key=request_key)
    sid = snapshots.allocate(runner, namespace, info, gap=GAP)
    try:
        with runner.session() as session, Pipeline() as pipeline:
            writer = SnapshotWriter(runner, session, sid, batch_rows=batch_rows, pipeline=pipeline)
            nodes = writer.nodes(iter_nodes(world, scale=GAP))
            writer.edges(iter_edges(world))
            writer.trust(trust_edges, gen=0)
        seq_end = seq_range(sid, 0, nodes)[1]
        done = snapshots.publish(
            runner,
            namespace,
            sid,
            base=expect,
            nodes=nodes,
            seq_end=seq_end,
            request_key=request_key,
        )
        _refused(done, sid, expect, request_key)
    except BaseException:
        with suppress(Exception):  # best effort; `lease.clean_partial` catches the rest
            snapshots.discard(runner, sid)
        raise
    return StoredSnapshot(
        info=replace(info, id=sid),
        trust_gen=0,
        node_count=nodes,
        line=sid,
        gap=GAP,
        seq_end=seq_end,
    )


def write_change(
    runner: Runner,
    namespace: str,
    base: StoredSnapshot,
    world: World,
    changes: ChangeSet,
    delta: VersionDelta,
    *,
    trust: TrustPlan | None,
    base_trust: Sequence[TrustEdge],
    source: str,
    request_key: str | None,
    batch_rows: int,
    lease_ms: int,
) -> tuple[StoredSnapshot, int]:
    """Write `changes` (`world` is what they make of `base`'s World) as versions under the
    writer lease and publish them on `base`; returns the snapshot and the rows touched."""
    info = replace(new_info(world, source=source, request_key=request_key), base=base.info.id)
    sid = snapshots.allocate(runner, namespace, info, base=base)
    try:
        lease.claim(runner, namespace, sid, base.info.id, lease_ms=lease_ms)
    except BaseException:
        with suppress(Exception):
            runner.run(QueryName.DELETE_SNAPSHOT, {"snapshot": sid})
        raise
    assert base.node_count is not None  # INVARIANT: a base with `seq` numbers counts nodes
    nodes = base.node_count + delta.node_delta
    try:
        wrote = write_versions(
            runner,
            namespace=namespace,
            base=base,
            snapshot_id=sid,
            delta=delta,
            trust=trust,
            base_trust=base_trust,
            change_text=encode_changes(changes),
            batch_rows=batch_rows,
            lease_ms=lease_ms,
        )
        done = snapshots.publish(
            runner,
            namespace,
            sid,
            base=base.info.id,
            nodes=nodes,
            seq_end=wrote.seq_end,
            request_key=request_key,
            leased=True,
        )
        _refused(done, sid, base.info.id, request_key)
    except BaseException:
        with suppress(Exception):  # best effort; a dead writer's lease is recovered
            lease.abandon(runner, namespace, base.line, sid)
        raise
    stored = StoredSnapshot(
        info=replace(info, id=sid),
        trust_gen=base.trust_gen,
        node_count=nodes,
        line=base.line,
        gap=base.gap,
        seq_end=wrote.seq_end,
    )
    return stored, wrote.rows


def replace_generation(
    runner: Runner,
    namespace: str,
    current: StoredSnapshot,
    edges: Sequence[TrustEdge],
    *,
    batch_rows: int,
    lease_ms: int,
) -> None:
    """Write `edges` as a new generation of the current snapshot's trust edges (valid from it
    on), flip its live generation, then close the old one (older snapshots keep reading it)."""
    sid, line = current.info.id, current.line
    live, gen = current.trust_gen, current.trust_gen + 1
    lease.claim(runner, namespace, sid, sid, lease_ms=lease_ms)
    try:
        runner.run(QueryName.SWEEP_TRUST_EDGES, {"line": line, "snapshot": sid, "gen": live})
        params = {"namespace": namespace, "snapshot": sid, "lease_ms": lease_ms, "line": line}
        with runner.session() as session, Pipeline() as pipeline:
            writer = SnapshotWriter(
                runner,
                session,
                sid,
                batch_rows=batch_rows,
                pipeline=pipeline,
                statements=VERSIONS,
                params=params,
            )
            writer.trust(edges, gen=gen)
        flip = {"snapshot": sid, "expected": live, "gen": gen}
        if not runner.run(QueryName.PUBLISH_TRUST_GENERATION, flip):
            raise Conflict(f"the trust edges of snapshot `{sid}` changed meanwhile")
    except BaseException:
        with suppress(Exception):
            runner.run(QueryName.DELETE_TRUST_GENERATION, {"line": line, "gen": gen})
        with suppress(Exception):
            lease.release(runner, namespace, sid)
        raise
    with suppress(StoreError):  # stale generations are invisible; swept next time
        runner.run(QueryName.SWEEP_TRUST_EDGES, {"line": line, "snapshot": sid, "gen": gen})
    lease.release(runner, namespace, sid)
