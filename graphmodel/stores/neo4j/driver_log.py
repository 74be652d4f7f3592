"""The neo4j driver's log records become tenantgraph debug messages, never raw stderr lines.

Why: the driver logs a dropped connection at ERROR on its `neo4j` logger (`[#E3BA] _:
<CONNECTION> error: Failed to read from defunct connection ...`). With no handler configured,
Python's last-resort handler printed those lines on stderr before the CLI's own one-line
error, so a server that died mid-command produced four lines instead of one. The store already
turns every driver failure into a `graphmodel.errors` exception with the same facts
(`errors.py`), so the driver's records are relayed, one line each, to the `tenantgraph.neo4j`
logger at DEBUG: visible when a caller configures logging at that level (`serve --log-level
debug`), silent otherwise.
"""

from __future__ import annotations

import logging
import re
from typing import Final

__all__ = ["DRIVER_LOGGER", "RELAY_LOGGER", "DriverLogRelay", "route_driver_logging"]

DRIVER_LOGGER: Final = "neo4j"
RELAY_LOGGER: Final = "tenantgraph.neo4j"


class DriverLogRelay(logging.Handler):
    """Re-emits a driver record on `tenantgraph.neo4j` at DEBUG, as one line."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = re.sub(r"\s+", " ", record.getMessage()).strip()
        except Exception:  # a malformed driver record must never break the caller
            text = str(record.msg)
        logging.getLogger(RELAY_LOGGER).debug(
            "neo4j driver %s: %s", record.levelname.lower(), text
        )


def route_driver_logging() -> None:
    """Relay the `neo4j` logger to `tenantgraph.neo4j` instead of propagating it (idempotent).

    Examples
    --------
    >>> route_driver_logging(); route_driver_logging()
    >>> driver = logging.getLogger("neo4j")
    >>> sum(isinstance(h, DriverLogRelay) for h in driver.handlers), driver.propagate
    (1, False)
    """
    driver = logging.getLogger(DRIVER_LOGGER)
    if not any(isinstance(h, DriverLogRelay) for h in driver.handlers):
        driver.addHandler(DriverLogRelay())
    driver.propagate = False
