"""What a request says about snapshots and retries: `At-Least-Snapshot`, `Idempotency-Key`.

Why headers: they are about the request, not about any one field, so they work the same for
every query and mutation, on both execution paths. Like Zanzibar's consistency tokens, a client
that wrote snapshot N (a mutation's `snapshot { id }` or `extensions.snapshot`) and must read
its own write sends `At-Least-Snapshot: N`: the request waits until this process serves N or
newer. Without it a request never waits for a catch-up: it reads the snapshot held while a newer
one is applied in the background, and `extensions.snapshot` says which one it read.

`Idempotency-Key: <text>` makes a retried write a no-op: the first attempt's snapshot comes
back as the error `already-applied` (with `extensions.snapshot`) instead of a second write.
Several mutations in one document get the key with their position appended (`key#1`, `key#2`).

Both are read once, before either execution path (`read_request_headers`), and refused with a
coded 400 when malformed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from starlette.types import Scope

from api.errors import ApiError

__all__ = [
    "AT_LEAST_HEADER",
    "IDEMPOTENCY_HEADER",
    "SCOPE_KEY",
    "RequestHeaders",
    "read_request_headers",
    "request_headers",
]

AT_LEAST_HEADER: Final = "at-least-snapshot"
IDEMPOTENCY_HEADER: Final = "idempotency-key"
SCOPE_KEY: Final = "tenantgraph.consistency"
_MAX_KEY: Final = 200


@dataclass(frozen=True, slots=True)
class RequestHeaders:
    """The request's consistency token and idempotency key (None: not given)."""

    at_least: int | None = None
    idempotency_key: str | None = None


def _header(scope: Scope, name: str) -> str | None:
    wanted = name.encode("latin-1")
    values = [v for k, v in scope.get("headers", ()) if k.lower() == wanted]
    if len(values) > 1:
        raise ApiError("invalid-request", f"the `{name}` header is given more than once")
    return values[0].decode("latin-1").strip() if values else None


def read_request_headers(scope: Scope) -> RequestHeaders:
    """Parse (once) and remember the headers; raises `ApiError` (`invalid-request`)."""
    found = scope.get(SCOPE_KEY)
    if isinstance(found, RequestHeaders):
        return found
    at_least: int | None = None
    text = _header(scope, AT_LEAST_HEADER)
    if text is not None:
        if not text.isdigit() or len(text) > 18 or int(text) < 1:
            raise ApiError(
                "invalid-request",
                f"`{AT_LEAST_HEADER}` must be a snapshot id (a positive integer), "
                f"not `{text[:40]}`",
            )
        at_least = int(text)
    key = _header(scope, IDEMPOTENCY_HEADER)
    if key is not None and (not key or len(key) > _MAX_KEY or not key.isprintable()):
        raise ApiError(
            "invalid-request",
            f"`{IDEMPOTENCY_HEADER}` must be 1 to {_MAX_KEY} printable characters",
        )
    headers = RequestHeaders(at_least=at_least, idempotency_key=key)
    scope[SCOPE_KEY] = headers
    return headers


def request_headers(scope: Scope) -> RequestHeaders:
    """The headers `read_request_headers` remembered (none when it did not run)."""
    found = scope.get(SCOPE_KEY)
    return found if isinstance(found, RequestHeaders) else RequestHeaders()
