"""The Neo4j backend: the store protocol over Bolt, every statement a file in `cypher/`.

Importing this package registers the `neo4j` store kind::

    open_store("neo4j", uri="bolt://127.0.0.1:7687", user="neo4j", password="...")

Options: `uri` (required unless `driver`), `user` (None: no authentication), `password`,
`database` (None: the server's default), `namespace` (several stores in one database; default
`default`), `timeout` (connect/handshake/pool wait, seconds; default 5), `batch_rows` (rows per
write statement; default 2000) and `driver` (an open `neo4j.Driver` to borrow instead of the
process-wide one for `uri`; the store never closes it).
"""

from __future__ import annotations

from neo4j import Driver

from graphmodel.stores.base import GraphStore
from graphmodel.stores.neo4j.drivers import close_shared_drivers, shared_driver
from graphmodel.stores.neo4j.errors import map_driver_errors
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
    {"uri", "user", "password", "database", "namespace", "timeout", "batch_rows", "driver"}
)


def _text(options: dict[str, object], name: str, default: str | None = None) -> str | None:
    value = options.get(name, default)
    if value is not None and not isinstance(value, str):
        raise TypeError(f"option `{name}` of the `neo4j` store must be text, not `{value!r}`")
    return value


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
    timeout, batch_rows = options.get("timeout", 5.0), options.get("batch_rows", 2_000)
    if not isinstance(timeout, int | float) or not isinstance(batch_rows, int) or batch_rows < 1:
        raise TypeError("options `timeout` and `batch_rows` of the `neo4j` store must be numbers")
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
    )


register_store_factory("neo4j", open_neo4j, replace=True)
