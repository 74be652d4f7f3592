"""Errors of the live collector, each with the one-sentence message a person can act on.

They are not `GraphModelError`s: nothing is wrong with the model or the input, the remote side
refused or failed. `retryable` tells the CLI whether to suggest running again later.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "AuthFailed",
    "CollectError",
    "GraphRequestFailed",
    "GraphUnavailable",
    "MissingPermissions",
]


class CollectError(Exception):
    """Root of the collector's errors."""

    retryable = False


class AuthFailed(CollectError):
    """No usable access token: bad credentials, unknown tenant, or a token Graph keeps refusing."""


class GraphUnavailable(CollectError):
    """Microsoft Graph kept failing (5xx, throttling, network) after every allowed retry."""

    retryable = True


class GraphRequestFailed(CollectError):
    """A request Graph answered with a client error other than a missing permission."""

    def __init__(self, message: str, *, status: int, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class MissingPermissions(CollectError):
    """Graph answered 403: the app registration lacks these application permissions."""

    def __init__(self, missing: Sequence[tuple[str, str]]) -> None:
        self.missing: tuple[tuple[str, str], ...] = tuple(dict.fromkeys(missing))
        self.permissions: tuple[str, ...] = tuple(dict.fromkeys(p for p, _ in self.missing))
        listed = ", ".join(
            f"`{perm}` (for {', '.join(f'`{e}`' for p, e in self.missing if p == perm)})"
            for perm in self.permissions
        )
        super().__init__(
            f"microsoft graph refused access (403) because the app registration lacks the "
            f"application permissions {listed}; grant them, give admin consent and run collect "
            "again"
        )
