"""What the server behind a driver is, asked once per driver (and database) per process.

Why cached: stores come and go (one per scenario file), the server does not. Detecting the
profile costs a refused statement on non-Neo4j servers (about 0.1 s over Bolt on FalkorDB, whose
RESET answer waits on a delayed ACK), and the schema statements only need to run once per
database; the namespace node is still ensured for every store.

Why the first statements have a deadline (`FIRST_STATEMENT_S`): a FalkorDB restarted from its
RDB file answered the handshake but not the first statement sent within a second of the
restart (measured: no answer in 15 s, 30 s, 9.5 min; the next connections answered at once),
and a statement has no deadline of its own. The probe gives up after the deadline with
`StoreUnavailable` and `first_contact` tries once more on a new connection.
"""

from __future__ import annotations

import threading
import weakref
from typing import Final

from neo4j import Driver

from graphmodel.errors import StoreError, StoreIncompatible, StoreUnavailable
from graphmodel.stores.neo4j import snapshots
from graphmodel.stores.neo4j.drivers import first_contact, no_goodbye
from graphmodel.stores.neo4j.profile import NEO4J5, ServerProfile, choose_profile
from graphmodel.stores.neo4j.queries import Catalog, QueryName
from graphmodel.stores.neo4j.runner import Row, Runner

__all__ = ["connect", "pin_profile"]

FIRST_STATEMENT_S: Final = 20.0
_lock: Final = threading.Lock()
_profiles: weakref.WeakKeyDictionary[Driver, ServerProfile] = weakref.WeakKeyDictionary()
_schema_done: weakref.WeakKeyDictionary[Driver, set[str | None]] = weakref.WeakKeyDictionary()


def pin_profile(driver: Driver, profile: ServerProfile) -> None:
    """Use `profile` for every store on `driver` instead of detecting it.

    Why: probes that measure a server's limits (`bench.probe_bolt_bound`) vary one flag of a
    profile, e.g. `max_statement_bytes`, on a driver of their own.
    """
    with _lock:
        _profiles[driver] = profile


def _probe(runner: Runner) -> list[Row] | None:
    """The rows of `dbms.components()`, or None when the server refuses that procedure."""
    try:
        return runner.run(QueryName.PROBE_SERVER, timeout=FIRST_STATEMENT_S)
    except (StoreUnavailable, StoreIncompatible):
        raise
    except StoreError as refused:
        try:
            runner.run(QueryName.PING_SERVER, timeout=FIRST_STATEMENT_S)
        except StoreError as exc:
            # NOTE(neo4j): FalkorDB answers refused credentials with an unknown error on every
            # statement instead of a Bolt authentication failure.
            raise StoreIncompatible(
                f"the server at `{runner.server}` refuses every statement, "
                f"even `RETURN 1` (check the user and password): {refused}"
            ) from exc
        return None  # not Neo4j: no `dbms.components()`


def connect(
    driver: Driver, *, server: str, database: str | None, catalog: Catalog, namespace: str
) -> Runner:
    """A runner for the driver's server profile, with schema and namespace ensured.

    Raises `StoreUnavailable` when the server cannot be reached (after one retry),
    `StoreIncompatible` for credentials it refuses, a Neo4j older than 5, or a `database` on a
    server that cannot select one.
    """
    with _lock:
        profile = _profiles.get(driver)
    if profile is None:
        probe = Runner(driver, server=server, database=database, catalog=catalog, profile=NEO4J5)
        profile = choose_profile(first_contact(lambda: _probe(probe)))
        with _lock:
            _profiles[driver] = profile
    if profile.goodbye_poisons_handshake:
        no_goodbye(driver)
    if database is not None and not profile.selects_database:
        raise StoreIncompatible(
            f"the server at `{server}` cannot select database `{database}`: omit the database"
        )
    runner = Runner(driver, server=server, database=database, catalog=catalog, profile=profile)
    with _lock:
        done = database in _schema_done.setdefault(driver, set())
    if not done:
        snapshots.ensure_schema(runner)
        with _lock:
            _schema_done[driver].add(database)
    snapshots.ensure_namespace(runner, namespace)
    return runner
