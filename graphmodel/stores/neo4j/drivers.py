"""One driver per server and credentials for the whole process, closed at exit.

Why shared: a driver is a thread-safe connection pool meant to live as long as the application
(Neo4j's driver manual), while stores are opened and closed often (`tenantgraph scenarios`
opens one per file). It also matters on FalkorDB: after a client ends a connection with Bolt
GOODBYE (what `Driver.close()` sends), the server leaves the next new connection's handshake
unanswered. Keeping one pool open until the process exits avoids that in-process;
`first_contact` retries once so a new process survives the previous one's GOODBYE.
"""

from __future__ import annotations

import atexit
import contextlib
import threading
from collections.abc import Callable
from typing import Final, TypeVar

from neo4j import Driver, GraphDatabase

from graphmodel.errors import StoreUnavailable
from graphmodel.stores.neo4j.errors import map_driver_errors

__all__ = ["close_shared_drivers", "first_contact", "shared_driver"]

_T = TypeVar("_T")
_Key = tuple[str, str | None, str | None, float]

_lock: Final = threading.Lock()
_drivers: dict[_Key, Driver] = {}


def shared_driver(uri: str, *, user: str | None, password: str | None, timeout: float) -> Driver:
    """The process-wide driver for `uri` and these credentials (created on first use).

    `user=None` connects without authentication (FalkorDB's default); `timeout` bounds the TCP
    connect, the Bolt handshake and the wait for a pooled connection, in seconds.
    """
    key = (uri, user, password, timeout)
    with _lock:
        driver = _drivers.get(key)
        if driver is None:
            auth = None if user is None else (user, password or "")
            with map_driver_errors(uri):
                driver = GraphDatabase.driver(
                    uri,
                    auth=auth,
                    connection_timeout=timeout,
                    connection_acquisition_timeout=timeout,
                )
            _drivers[key] = driver
        return driver


@atexit.register
def close_shared_drivers() -> None:
    """Close every shared driver (registered with `atexit`; safe to call twice)."""
    with _lock:
        drivers = list(_drivers.values())
        _drivers.clear()
    for driver in drivers:
        with contextlib.suppress(Exception):  # at exit a vanished server is no news
            driver.close()


def first_contact(call: Callable[[], _T], *, attempts: int = 2) -> _T:
    """`call()`, retried once on `StoreUnavailable`: the first statement of a new store.

    NOTE(neo4j): one retry covers FalkorDB's unanswered first handshake after another client's
    GOODBYE (the hung attempt times out after the driver's `timeout`); a server that is really
    down fails again and the error propagates.
    """
    for attempt in range(1, attempts + 1):
        try:
            return call()
        except StoreUnavailable:
            if attempt == attempts:
                raise
    raise AssertionError("unreachable")  # pragma: no cover
