"""A per-token rate limit (token bucket) for `/graphql`, answered with 429 and `Retry-After`.

Why per token: one reader token must not be able to take the whole server from everyone else;
a bucket of `burst` requests refilled at `per_second` lets dashboards send bursts while capping
what one credential sustains. Requests without a token id (`--no-auth`) are keyed by client
address. The buckets live in the process: with `serve --workers N` each worker holds its own,
so a token's ceiling is N times the figure (stated in docs/security.md).

Examples
--------
>>> clock = iter([0.0, 0.0, 0.0, 0.5]).__next__
>>> limiter = RateLimiter(RateLimit(per_second=2.0, burst=2), clock=clock)
>>> [limiter.wait("t") for _ in range(3)]
[0.0, 0.0, 0.5]
>>> limiter.wait("t")
0.0
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["RateLimit", "RateLimiter"]

_MAX_KEYS = 100_000  # buckets kept; full ones are dropped first (bounded memory)


@dataclass(frozen=True, slots=True, kw_only=True)
class RateLimit:
    """`per_second` requests sustained per token, up to `burst` at once."""

    per_second: float = 50.0
    burst: int = 200


class RateLimiter:
    def __init__(self, limit: RateLimit, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key → (tokens, at)
        self._lock = threading.Lock()

    def wait(self, key: str) -> float:
        """Take one request from `key`'s bucket: 0 when allowed, else seconds until it is."""
        now = self.clock()
        rate, burst = self.limit.per_second, float(self.limit.burst)
        with self._lock:
            tokens, at = self._buckets.get(key, (burst, now))
            tokens = min(burst, tokens + (now - at) * rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                if len(self._buckets) > _MAX_KEYS:
                    self._forget_full(now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / rate

    def _forget_full(self, now: float) -> None:
        rate, burst = self.limit.per_second, float(self.limit.burst)
        for key, (tokens, at) in list(self._buckets.items()):
            if tokens + (now - at) * rate >= burst:
                del self._buckets[key]
