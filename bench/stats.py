"""Timing and memory helpers shared by the benchmark probes.

Why nearest-rank percentiles over raw samples: latency distributions here are long-tailed
(cold caches, GC), and p95/p99 must be actual observations, not interpolations.
"""

from __future__ import annotations

import gc
import os
import platform
import resource
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

__all__ = [
    "Clock",
    "environment",
    "peak_rss_mb",
    "percentiles",
    "rss_mb",
    "timed",
]

T = TypeVar("T")


def percentiles(samples_s: list[float]) -> dict[str, float]:
    """p50 / p95 / p99 / mean / max in microseconds of `samples_s` (seconds), and n.

    Examples
    --------
    >>> p = percentiles([0.001] * 99 + [0.1])
    >>> (p["p50_us"], p["p99_us"], p["max_us"], p["n"])
    (1000.0, 1000.0, 100000.0, 100)
    """
    if not samples_s:
        return {"n": 0}
    xs = sorted(samples_s)
    n = len(xs)

    def rank(q: float) -> float:
        return xs[min(n - 1, max(0, int(q * n + 0.999999) - 1))] * 1e6

    return {
        "n": n,
        "p50_us": round(rank(0.50), 1),
        "p95_us": round(rank(0.95), 1),
        "p99_us": round(rank(0.99), 1),
        "mean_us": round(sum(xs) / n * 1e6, 1),
        "max_us": round(xs[-1] * 1e6, 1),
    }


def timed(fn: Callable[[], T]) -> tuple[T, float]:
    """Run `fn` once; its result and wall time in seconds."""
    started = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - started


class Clock:
    """A wall-clock budget: `expired()` once `seconds` have passed since creation."""

    def __init__(self, seconds: float) -> None:
        self.started = time.perf_counter()
        self.seconds = seconds

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def expired(self) -> bool:
        return self.elapsed() > self.seconds


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (MiB; Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float:
    """Current resident set size of this process (MiB)."""
    import psutil  # type: ignore[import-untyped]

    return float(psutil.Process().memory_info().rss) / 2**20


@contextmanager
def frozen_after() -> Iterator[None]:
    """Run a build, then `gc.freeze()` what it made, as the service does after an index build."""
    yield
    gc.collect()
    gc.freeze()


def environment() -> dict[str, Any]:
    """Machine and versions, for RESULTS.md."""
    import networkx
    import psutil

    cpu = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            names = [line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    return {
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "networkx": networkx.__version__,
        "load_avg": [round(x, 2) for x in os.getloadavg()],
    }
