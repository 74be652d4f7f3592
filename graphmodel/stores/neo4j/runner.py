"""Runs named statements over one driver: sessions, parameter encoding, size limits, errors.

Why one runner: every statement goes through the same four steps, so no store method can forget
one: take the text from the catalog (template filled by `labels.py`), encode the parameters for
the server's profile, refuse a statement the server cannot take, and map driver errors.

Sessions: `session.run` (auto-commit) only. A snapshot's atomicity comes from the store's
publish-last protocol, not from server transactions (FalkorDB's rollback undoes nothing), and
`driver.execute_query` was about 100x slower than `session.run` on FalkorDB. Sessions use the
default (write) access mode and no per-query metadata: FalkorDB reads the first key of a RUN's
metadata map as the graph name, so `mode`, `tx_timeout` or `db` there would switch graphs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from neo4j import Driver, Session

from graphmodel.errors import Conflict, StoreUnavailable
from graphmodel.schema.kinds import EdgeKind, NodeKind
from graphmodel.stores.base import MetaKind
from graphmodel.stores.neo4j.errors import map_driver_errors
from graphmodel.stores.neo4j.profile import ServerProfile
from graphmodel.stores.neo4j.queries import Catalog, QueryName
from graphmodel.stores.neo4j.splice import (
    escape_text,
    spliced_size,
    spliced_statement,
    spliced_statement_size,
)

__all__ = ["Row", "Runner", "within"]

Row = dict[str, Any]
_T = TypeVar("_T")


def within(seconds: float, call: Callable[[], _T], *, what: str) -> _T:
    """`call()`, or `StoreUnavailable` naming `what` when it has not returned after `seconds`.

    Why a thread: the driver has no read timeout of its own (only the server may set one) and
    FalkorDB takes no per-statement timeout over Bolt, so a server that stops answering would
    block the caller forever. The call runs on its own daemon thread with its own session;
    when it is abandoned, that thread and its connection end when the server answers or the
    socket dies, and the caller gets a clear error now.
    """
    done = threading.Event()
    box: list[Any] = []

    def run() -> None:
        try:
            box.append((True, call()))
        except BaseException as exc:  # handed to the caller below
            box.append((False, exc))
        finally:
            done.set()

    threading.Thread(target=run, name="neo4j-read", daemon=True).start()
    if not done.wait(seconds):
        raise StoreUnavailable(f"{what} did not answer within {seconds:g} s")
    ok, value = box[0]
    if not ok:
        raise value
    result: _T = value
    return result


class Runner:
    """Statements of `catalog` on `driver`, for a server described by `profile`."""

    def __init__(
        self,
        driver: Driver,
        *,
        server: str,
        database: str | None,
        catalog: Catalog,
        profile: ServerProfile,
    ) -> None:
        self.driver = driver
        self.server = server
        self.database = database
        self.catalog = catalog
        self.profile = profile

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One session (a pooled connection) for several statements in a row."""
        with map_driver_errors(self.server), self.driver.session(database=self.database) as s:
            yield s

    def encode(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """Parameters as the server needs them (escaped when it splices them into the text)."""
        if self.profile.splices_parameters:
            return {k: escape_text(v) for k, v in params.items()}
        return dict(params)

    def size(self, text: str, encoded: Mapping[str, Any]) -> int:
        """Bytes of the statement as a splicing server prints it; 0 when the server binds."""
        if self.profile.max_statement_bytes is None:
            return 0
        return spliced_statement_size(text, encoded)

    def budget(self) -> int | None:
        """The most bytes one statement may take on this server (None: no limit)."""
        return self.profile.max_statement_bytes

    def run(
        self,
        name: QueryName,
        params: Mapping[str, Any] | None = None,
        *,
        session: Session | None = None,
        node_kind: NodeKind | MetaKind | None = None,
        edge_kind: EdgeKind | None = None,
        timeout: float | None = None,
    ) -> list[Row]:
        """Run one statement and return its rows; raises `Conflict` when it is too large.

        With `timeout` (seconds) the statement runs on its own session and raises
        `StoreUnavailable` when its rows are not all in by then (see `within`).
        """
        text = self.catalog.text(name, node_kind=node_kind, edge_kind=edge_kind)
        encoded = self.encode(params or {})
        limit = self.budget()
        if limit is not None and (size := self.size(text, encoded)) > limit:
            raise Conflict(
                f"statement `{name.value}` takes {size} bytes with its parameters: "
                f"the server at `{self.server}` takes at most {limit}"
            )
        if timeout is None:
            return self.execute(name.value, text, encoded, session=session)
        return within(
            timeout,
            lambda: self.execute(name.value, text, encoded),
            what=f"the Neo4j server at `{self.server}` running `{name.value}`",
        )

    def run_chunked(
        self,
        name: QueryName,
        params: Mapping[str, Any],
        field: str,
        items: Sequence[Any],
        *,
        max_items: int = 2_000,
        session: Session | None = None,
        node_kind: NodeKind | MetaKind | None = None,
        edge_kind: EdgeKind | None = None,
    ) -> list[Row]:
        """Run `name` once per chunk of `items` (passed as parameter `field`), each chunk at
        most `max_items` long and as large as one statement may be; the rows of every run."""
        limit = self.budget()
        text = self.catalog.text(name, node_kind=node_kind, edge_kind=edge_kind)
        base = 0 if limit is None else self.size(text, self.encode({**params, field: []}))
        out: list[Row] = []
        chunk: list[Any] = []
        size = base

        def flush() -> None:
            run = {**params, field: chunk}
            out.extend(
                self.run(name, run, session=session, node_kind=node_kind, edge_kind=edge_kind)
            )

        for item in items:
            grow = 0 if limit is None else spliced_size(item) + 2
            if chunk and (len(chunk) >= max_items or (limit is not None and size + grow > limit)):
                flush()
                chunk, size = [], base
            chunk.append(item)
            size += grow
        if chunk:
            flush()
        return out

    def execute(
        self, label: str, text: str, encoded: dict[str, Any], *, session: Session | None = None
    ) -> list[Row]:
        """Send `text` with already encoded parameters; `label` names it in errors."""
        if session is None:
            with self.session() as own:
                return self.execute(label, text, encoded, session=own)
        if self.profile.splices_parameters and encoded:
            # NOTE(neo4j): printed here, not by the server, whose own buffer is 4 KiB (splice.py).
            text, encoded = spliced_statement(text, encoded), {}
        with map_driver_errors(self.server, statement=label):
            result = session.run(text, encoded)
            return [record.data() for record in result]
