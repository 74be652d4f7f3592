"""The Neo4j backend: the store protocol over Bolt, every statement a file in `cypher/`.

Importing this package registers the `neo4j` store kind::

    open_store("neo4j", uri="bolt://127.0.0.1:7687", user="neo4j", password="...")

Options: `uri` (required unless `driver`), `user` (None: no authentication), `password`,
`database` (None: the server's default), `namespace` (several stores in one database; default
`default`), `timeout` (connect/handshake/pool wait, seconds; default 5), `batch_rows` (rows per
write statement; default 2000), `refresh_interval` (seconds the current-snapshot pointer is
trusted before it is read again; default 1, 0 = every time), `page_rows` (nodes per page of a
whole-snapshot read; default 20000), `read_timeout` (seconds one page may take; default 60)
and `driver` (an open `neo4j.Driver` to borrow instead of the process-wide one for `uri`; the
store never closes it).

Importing the package also routes the driver's own log records to the `tenantgraph.neo4j`
logger at DEBUG (`driver_log.py`): errors reach callers as exceptions, never as raw lines.
"""

from __future__ import annotations

from neo4j import Driver

from graphmodel.stores.base import GraphStore
from graphmodel.stores.neo4j.driver_log import route_driver_logging
from graphmodel.stores.neo4j.drivers import close_shared_drivers, shared_driver
from graphmodel.stores.neo4j.errors import map_driver_errors
from graphmodel.stores.neo4j.paging import ReadPolicy
from graphmodel.stores.neo4j.profile import NEO4J5, OPENCYPHER, ServerProfile
from graphmodel.stores.neo4j.queries import Query, audit_queries
from graphmodel.stores.neo4j.store import Neo4jStore
from graphmodel.stores.registry import register_store_factory

__all__ = [
    "NEO4J5",
    "OPENCYPHER",
    "Neo4jStore",
    "Query",
    "ServerProfile",
    "audit_queries",
    "close_shared_drivers",
    "map_driver_errors",
    "open_neo4j",
]

_OPTIONS = frozenset(
    {
        "uri",
        "user",
        "password",
        "database",
        "namespace",
        "timeout",
        "batch_rows",
        "refresh_interval",
        "page_rows",
        "read_timeout",
        "driver",
    }
)


def _text(options: dict[str, object], name: str, default: str | None = None) -> str | None:
    value = options.get(name, default)
    if value is not None and not isinstance(value, str):
        raise TypeError(f"option `{name}` of the `neo4j` store must be text, not `{value!r}`")
    return value


def _number(options: dict[str, object], name: str, default: float, *, least: float) -> float:
    value = options.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < least:
        raise TypeError(
            f"options of the `neo4j` store must be numbers: `{name}` must be >= {least:g}"
        )
    return float(value)


def open_neo4j(**options: object) -> GraphStore:
    """Open a `Neo4jStore` from `open_store("neo4j", ...)` options (see the module docstring).

    Raises TypeError for an unknown or mistyped option, `StoreUnavailable` when the server
    cannot be reached and `StoreIncompatible` when it refuses the credentials.

    Examples
    --------
    >>> open_neo4j(url="bolt://x")
    Traceback (most recent call last):
    TypeError: unknown option `url` for the `neo4j` store
    """
    unknown = sorted(set(options) - _OPTIONS)
    if unknown:
        raise TypeError(f"unknown option `{unknown[0]}` for the `neo4j` store")
    uri = _text(options, "uri")
    namespace = _text(options, "namespace", "default") or "default"
    timeout = _number(options, "timeout", 5.0, least=0.001)
    batch_rows = int(_number(options, "batch_rows", 2_000, least=1))
    refresh_interval = _number(options, "refresh_interval", 1.0, least=0)
    defaults = ReadPolicy()
    policy = ReadPolicy(
        page_rows=int(_number(options, "page_rows", defaults.page_rows, least=1)),
        page_timeout=_number(options, "read_timeout", defaults.page_timeout, least=0.001),
    )
    driver = options.get("driver")
    if driver is not None and not isinstance(driver, Driver):
        raise TypeError("option `driver` of the `neo4j` store must be a neo4j.Driver")
    if driver is None:
        if uri is None:
            raise TypeError("the `neo4j` store needs option `uri` (e.g. bolt://127.0.0.1:7687)")
        user, password = _text(options, "user"), _text(options, "password")
        driver = shared_driver(uri, user=user, password=password, timeout=float(timeout))
    return Neo4jStore(
        driver,
        server=uri or "bolt",
        database=_text(options, "database"),
        namespace=namespace,
        batch_rows=batch_rows,
        refresh_interval=refresh_interval,
        read_policy=policy,
    )


register_store_factory("neo4j", open_neo4j, replace=True)
route_driver_logging()
