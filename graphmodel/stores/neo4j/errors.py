"""Driver exceptions become tenantgraph errors here, at the edge of the store (P8).

Why: callers switch on `graphmodel.errors` codes, never on driver classes, and nothing above
`graphmodel.stores.neo4j` imports `neo4j.exceptions`. The most specific class wins:

    neo4j exception                                  tenantgraph error
    AuthError (incl. TokenExpired)                   StoreIncompatible  (fix the credentials)
    ServiceUnavailable, SessionExpired,              StoreUnavailable   (retryable)
      ConnectionAcquisitionTimeoutError, OSError
    TransientError (deadlock, leader switch)         StoreUnavailable   (retryable)
    ConstraintError                                  Conflict           (nothing was written)
    any other Neo4jError / DriverError               StoreError         (names the statement)

A failed read is never turned into an empty answer: the engine would read it as a deny.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from neo4j.exceptions import (
    AuthError,
    ConstraintError,
    DriverError,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
    TransientError,
)
from neo4j.exceptions import (
    ConnectionAcquisitionTimeoutError as AcquisitionTimeout,
)

from graphmodel.errors import Conflict, StoreError, StoreIncompatible, StoreUnavailable

__all__ = ["map_driver_errors", "one_line"]


def one_line(exc: BaseException) -> str:
    """The exception's message as one lower-case-friendly line without a final period.

    Examples
    --------
    >>> one_line(ValueError("Couldn't connect.\\n  Reason: refused."))
    "Couldn't connect. Reason: refused"
    """
    text = str(exc)
    if isinstance(exc, Neo4jError) and exc.message:
        text = f"{exc.message} ({exc.code})" if exc.code else exc.message
    return re.sub(r"\s+", " ", text).strip().removesuffix(".") or type(exc).__name__


@contextmanager
def map_driver_errors(server: str, *, statement: str | None = None) -> Iterator[None]:
    """Translate driver exceptions raised inside the block; chain the original with `from`.

    `server` names the database in messages (the Bolt URI); `statement` the query being run.

    Examples
    --------
    >>> with map_driver_errors("bolt://h:1"):
    ...     raise ServiceUnavailable("refused")
    Traceback (most recent call last):
    graphmodel.errors.StoreUnavailable: the Neo4j server at `bolt://h:1` is unavailable: refused
    """
    where = f"the Neo4j server at `{server}`"
    what = f" while running `{statement}`" if statement else ""
    try:
        yield
    except AuthError as exc:
        raise StoreIncompatible(
            f"{where} refused the credentials: {one_line(exc)} (check the user and password)"
        ) from exc
    except (ServiceUnavailable, SessionExpired, AcquisitionTimeout, OSError) as exc:
        raise StoreUnavailable(f"{where} is unavailable{what}: {one_line(exc)}") from exc
    except TransientError as exc:
        raise StoreUnavailable(f"{where} is busy{what}: {one_line(exc)}") from exc
    except ConstraintError as exc:
        raise Conflict(f"{where} refused the write{what}: {one_line(exc)}") from exc
    except (Neo4jError, DriverError) as exc:
        raise StoreError(f"{where} failed{what}: {one_line(exc)}") from exc
