"""Durations of long jobs (an audit, a sync) for whoever watches them.

Why a hook here: audits (and a future `sync` command) live in graphmodel, which knows nothing of
the API or of Prometheus; the API's metrics (`api.metrics`) subscribe with
`add_duration_observer`, and graphmodel code reports with `timed("audit")` or
`record_duration("sync", seconds)`. With no observer, reporting costs one empty loop. Importable
by every layer; imports nothing from graphmodel.

Examples
--------
>>> seen = []
>>> add_duration_observer(lambda job, s: seen.append(job))
>>> with timed("audit"):
...     pass
>>> seen[-1]
'audit'
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["DurationObserver", "add_duration_observer", "record_duration", "timed"]

log = logging.getLogger("tenantgraph.timings")
DurationObserver = Callable[[str, float], None]
_observers: list[DurationObserver] = []


def add_duration_observer(observer: DurationObserver) -> None:
    """Call `observer(job, seconds)` for every job that finishes from now on."""
    _observers.append(observer)


def record_duration(job: str, seconds: float) -> None:
    """Report that `job` ("audit", "sync", ...) took `seconds`; observers never fail the job."""
    for observer in tuple(_observers):
        try:
            observer(job, seconds)
        except Exception:
            log.exception("a duration observer failed for %s", job)


@contextmanager
def timed(job: str) -> Iterator[None]:
    """Report the duration of the block as `job` (also when it raises)."""
    started = time.perf_counter()
    try:
        yield
    finally:
        record_duration(job, time.perf_counter() - started)
