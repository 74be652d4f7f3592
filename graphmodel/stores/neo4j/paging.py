"""Whole-snapshot reads in bounded pages: each page a range of `seq`, read with a deadline.

Why pages: one statement returning a whole snapshot (300k nodes at scale M) stalled on
FalkorDB with client and server idle, and nothing bounded it. Every node version carries
`seq` = its line's id * 2^32 + a number that grows along the line (the writer numbers them),
indexed, so page k is the range [k * rows, (k + 1) * rows) whatever came before: a page costs
the same at any offset, holds at most `rows` versions (those the snapshot does not see are
skipped), and a failed or timed-out page is simply read again (one retry), which is what makes
the read resumable. The snapshot's end of `seq` says how many pages there are and its node
count (both kept at publish) proves the read complete.

Pages are read `parallel` at a time, each on its own connection: FalkorDB sends a result in
small writes and waits for the client's delayed TCP ACK (about 40 ms) between them, so one
connection idles most of the time (measured: 5,000 keys alone took 0.4 s); several in flight
overlap those waits. Rows come back in page order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from graphmodel.errors import StoreIncompatible, StoreUnavailable
from graphmodel.schema.world import World
from graphmodel.stores.graphmap import graph_to_world
from graphmodel.stores.neo4j import reader
from graphmodel.stores.neo4j.queries import QueryName
from graphmodel.stores.neo4j.runner import Row, Runner
from graphmodel.stores.neo4j.snapshots import StoredSnapshot
from graphmodel.stores.neo4j.writer import TEXT_PARTS, seq_range

__all__ = [
    "PageProgress",
    "ReadPolicy",
    "read_snapshot_rows",
    "read_whole_world",
    "with_text_parts",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class ReadPolicy:
    """How a whole-snapshot read is cut and bounded: rows per page, seconds per page, retries,
    pages in flight."""

    page_rows: int = 2_000
    page_timeout: float = 60.0
    retries: int = 1
    parallel: int = 4


@dataclass(frozen=True, slots=True, kw_only=True)
class PageProgress:
    """Where a paged read stands: `done` of `total` nodes after page `page`."""

    snapshot: int
    page: int
    done: int
    total: int


def with_text_parts(runner: Runner, line: int, rows: list[Row]) -> list[Row]:
    """`rows` (`key`, `props`: versions of `line`) with the long text kept in `TgText` parts
    put back in `props`.

    Raises `StoreIncompatible` when a listed part is missing (a gap in the numbering).
    """
    owners = {r["key"]: r for r in rows if r["props"].get(TEXT_PARTS)}
    if not owners:
        return rows
    versions = [{"key": k, "from": r["props"].get("from") or line} for k, r in owners.items()]
    params = {"snapshot": line, "versions": versions}
    parts: dict[tuple[str, str], dict[int, str]] = {}
    for p in runner.run(QueryName.LIST_TEXT_PARTS, params):
        parts.setdefault((p["key"], p["prop"]), {})[int(p["part"])] = p["text"]
    for key, row in owners.items():
        props = dict(row["props"])
        for prop in props.pop(TEXT_PARTS):
            got = parts.get((key, prop), {})
            if sorted(got) != list(range(len(got))) or not got:
                raise StoreIncompatible(f"node `{key}`: the parts of its `{prop}` are incomplete")
            props[prop] = "".join(got[i] for i in range(len(got)))
        row["props"] = props
    return rows


def _page(runner: Runner, snapshot: int, line: int, page: int, policy: ReadPolicy) -> list[Row]:
    low, high = seq_range(line, page * policy.page_rows, (page + 1) * policy.page_rows)
    for attempt in range(policy.retries + 1):
        try:
            return runner.run(
                QueryName.LIST_SNAPSHOT_NODES_PAGE,
                {"snapshot": snapshot, "low": low, "high": high},
                timeout=policy.page_timeout,
            )
        except StoreUnavailable as exc:
            if attempt == policy.retries:
                raise StoreUnavailable(
                    f"reading page {page + 1} of snapshot `{snapshot}` failed: {exc}; "
                    "the read resumes at this page when retried"
                ) from exc
    raise AssertionError("unreachable")  # pragma: no cover


def read_snapshot_rows(
    runner: Runner,
    snapshot: int,
    line: int,
    seq_stop: int,
    node_count: int,
    policy: ReadPolicy,
    progress: Callable[[PageProgress], None] | None = None,
) -> Iterator[Row]:
    """Every node row (`kind`, `key`, `props`) snapshot `snapshot` of `line` sees, page by
    page over the line's `seq` numbers below `seq_stop`.

    Raises `StoreUnavailable` for a page that fails twice or times out, and
    `StoreIncompatible` when the pages hold a different number of nodes than the snapshot.
    """
    pages = -(-(seq_stop - seq_range(line, 0, 0)[0]) // policy.page_rows)
    done = 0

    def read(page: int) -> list[Row]:
        return with_text_parts(runner, line, _page(runner, snapshot, line, page, policy))

    with ThreadPoolExecutor(max_workers=max(1, policy.parallel)) as pool:
        for page, rows in enumerate(pool.map(read, range(pages))):
            done += len(rows)
            yield from rows
            if progress is not None:
                progress(PageProgress(snapshot=snapshot, page=page, done=done, total=node_count))
    if done != node_count:
        raise StoreIncompatible(
            f"snapshot `{snapshot}` should hold {node_count} nodes but {done} were read"
        )


def read_whole_world(
    runner: Runner,
    found: StoredSnapshot,
    policy: ReadPolicy,
    progress: Callable[[PageProgress], None] | None = None,
) -> World:
    """The World of snapshot `found`, read node by node (in pages when it has `seq` numbers).

    Raises `StoreIncompatible` when the stored nodes do not make a World.
    """
    sid, stop = found.info.id, found.seq_stop
    if found.node_count is None or stop is None:  # written before paged reads
        rows = runner.run(QueryName.LIST_SNAPSHOT_NODES, {"snapshot": sid})
    else:
        rows = list(
            read_snapshot_rows(runner, sid, found.line, stop, found.node_count, policy, progress)
        )
    nodes = [reader.node_record(r["key"], r["kind"], r["props"]) for r in rows]
    try:
        return graph_to_world(nodes)
    except (ValueError, KeyError, TypeError) as exc:
        raise StoreIncompatible(f"snapshot `{sid}` is unreadable: {exc}") from exc
