"""One writer of changes per namespace at a time: the writer lease, and undoing what failed.

Why a lease: a change closes the live versions it replaces *in place* (`to` = its id) and
numbers its new versions after its base's, so until it is published its writes would show in
any later snapshot of the same line. Two changes may not interleave, and the writes of one
that died must be undone before the next change of its line. So a change first takes the
namespace's lease (`claim`: only while its base is current and nobody holds it), every
statement it sends checks and renews it (`cypher/versions/`: a writer that lost it writes
nothing more), the publish releases it, and a failed change undoes its writes and releases it
(`abandon`). A lease not renewed for `LEASE_MS` (server time) is stale: the next claimant
undoes that writer's versions and takes it over (`recover`). Whole writes start a line of
their own, touch no live version and take no lease.

What a crash costs: the next change waits until the dead writer's lease runs out (at most
`LEASE_MS`), then undoes it; readers never see it (they follow published snapshots only).
"""

from __future__ import annotations

import time
from typing import Final

from graphmodel.errors import Conflict, SnapshotConflict
from graphmodel.stores.neo4j import snapshots
from graphmodel.stores.neo4j.queries import QueryName
from graphmodel.stores.neo4j.runner import Runner

__all__ = ["LEASE_MS", "WAIT_S", "abandon", "claim", "clean_partial", "release", "undo_change"]

LEASE_MS: Final = 60_000
"""How long a writer holds the lease without sending a statement before it is stale."""
WAIT_S: Final = 90.0
"""How long a change waits for another live writer of its namespace before giving up."""


def claim(
    runner: Runner,
    namespace: str,
    snapshot_id: int,
    base: int,
    *,
    lease_ms: int = LEASE_MS,
    wait_s: float = WAIT_S,
) -> None:
    """Hold the namespace's lease for change `snapshot_id`, written on `base`.

    Waits while another live writer holds it. Raises `SnapshotConflict(base, current)` when
    `base` is no longer current (the other writer published first), `Conflict` when another
    writer keeps the lease longer than `wait_s`.
    """
    deadline = time.monotonic() + wait_s
    delay = 0.01
    params = {"namespace": namespace, "snapshot": snapshot_id, "base": base, "lease_ms": lease_ms}
    while True:
        rows = runner.run(QueryName.CLAIM_WRITER, params)
        if not rows:
            raise Conflict(f"namespace `{namespace}` vanished")
        row = rows[0]
        if row["claimed"]:
            return
        current = int(row["current"] or 0)
        if current != base:
            raise SnapshotConflict(base, current or None)
        holder = int(row["holder"])
        if row["expired"]:
            recover(runner, namespace, holder)
            continue
        if time.monotonic() > deadline:
            raise Conflict(
                f"snapshot `{holder}` has held the writer lease of namespace `{namespace}` for "
                f"over {wait_s:g} s: try again when it is published"
            )
        time.sleep(delay)
        delay = min(delay * 2, 0.25)


def release(runner: Runner, namespace: str, holder: int, *, expired_only: bool = False) -> bool:
    """Let go of `holder`'s lease (only while it is stale, with `expired_only`)."""
    params = {"namespace": namespace, "holder": holder, "expired_only": expired_only}
    rows = runner.run(QueryName.RELEASE_WRITER, params)
    return bool(rows and rows[0]["released"])


def undo_change(runner: Runner, line: int, snapshot_id: int) -> None:
    """Remove every trace of change `snapshot_id` of `line`, which was not published: the
    versions, edges and text parts it created, its snapshot row; what it closed is live again.
    """
    params = {"line": line, "snapshot": snapshot_id, "limit": snapshots.DELETE_BATCH}
    while runner.run(QueryName.DELETE_CREATED_VERSIONS, params)[0]["deleted"]:
        pass
    runner.run(QueryName.DELETE_CREATED_EDGES, {"line": line, "snapshot": snapshot_id})
    while runner.run(QueryName.REOPEN_VERSIONS, params)[0]["reopened"]:
        pass
    runner.run(QueryName.REOPEN_EDGES, {"line": line, "snapshot": snapshot_id})
    runner.run(QueryName.DELETE_CREATED_TEXTS, {"line": line, "snapshot": snapshot_id})
    runner.run(QueryName.DELETE_SNAPSHOT, {"snapshot": snapshot_id})


def abandon(runner: Runner, namespace: str, line: int, snapshot_id: int) -> None:
    """A change that will not be published: undo it, then release its lease."""
    undo_change(runner, line, snapshot_id)
    release(runner, namespace, snapshot_id)


def recover(runner: Runner, namespace: str, holder: int) -> None:
    """Undo the writes of `holder`, whose lease ran out, and take the lease from it.

    A published holder was replacing the trust edges of the current snapshot in place
    (`replace_trust_edges`): generations other than the live one are swept instead.
    """
    done = snapshots.get(runner, namespace, holder)
    if done is not None:
        params = {"line": done.line, "snapshot": holder, "gen": done.trust_gen}
        runner.run(QueryName.SWEEP_TRUST_EDGES, params)
    else:
        row = next((r for r in snapshots.states(runner, namespace) if r["id"] == holder), None)
        if row is not None:
            undo_change(runner, int(row["line"]), holder)
    release(runner, namespace, holder, expired_only=True)


def clean_partial(runner: Runner, namespace: str) -> list[int]:
    """Remove snapshots left unpublished and older than the current one; returns their ids.

    Such a snapshot can never be published (the current one is newer); a newer unpublished
    one may still be in progress elsewhere and is left alone (a change's lease says whether
    its writer lives: `claim` recovers it).
    """
    stale = []
    for row in sorted(snapshots.states(runner, namespace), key=lambda r: int(r["id"])):
        sid = int(row["id"])
        if row["complete"] or sid >= int(row["current"] or 0):
            continue
        if row["base"] is None:
            snapshots.discard(runner, sid)
        else:
            undo_change(runner, int(row["line"]), sid)
        stale.append(sid)
    return stale
