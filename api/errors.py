"""Errors at the API boundary: stable `extensions.code` on every error, unexpected ones masked.

Codes a client can switch on (never on the message):

- every `graphmodel.errors.GraphModelError` keeps its own `.code` (`node-not-found`,
  `snapshot-not-found`, `world-invalid`, `conflict`, `store-unavailable`, `query-invalid`, ...);
  a `conflict` from a write that lost a race to another process carries `baseSnapshot` and
  `currentSnapshot`; `already-applied` (a retried write whose `Idempotency-Key` was used
  already) carries `snapshot`, the one the first attempt made; `snapshot-not-found` also
  answers an `At-Least-Snapshot` header naming a snapshot that does not exist (HTTP 404);
  `store-unavailable` also carries `retryable: true`, `world-invalid` the located `issues`,
  `node-not-found` a `suggestion` when a known ref is close (`graphmodel.errors.error_extensions`,
  which the CLI's `--json` errors use too);
- the API's own (`ApiCode`): `unauthenticated` (401, with a `reason` when a credential was
  recognised and refused: `token-expired`, `wrong-audience`, ...), `forbidden` (403 for a
  non-admin mutation; a field outside a scoped token's tenants; an Entra ID token without a
  tenantgraph role), `identity-provider-unavailable` (503: the token issuer's keys cannot be
  read), `query-too-deep`, `too-many-aliases`,
  `query-too-complex`, `page-too-large`, `body-too-large` (413), `deadline-exceeded`,
  `invalid-input` (a mutation's input, with located `issues`); `invalid-request` (400: a body
  that is not a JSON object, JSON with NaN, nesting over the limit, a bad content type),
  `method-not-allowed` (405), `not-found` (404), `host-not-allowed` (421: `Host` is not on
  the allow-list), `rate-limited` (429, with `Retry-After`);
- anything else is a bug: the client sees `unexpected error` with code `internal-error`, the
  server log keeps the traceback (`MaskErrors`, style P13).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Literal

from graphql import GraphQLError
from starlette.types import Send
from strawberry.exceptions import StrawberryInputCoercionError
from strawberry.extensions import MaskErrors, SchemaExtension

from api.metrics import record_store_error
from graphmodel.errors import (
    ErrorCode,
    GraphModelError,
    StoreError,
    WorldInvalid,
    error_extensions,
    issue_data,
)

__all__ = [
    "ApiCode",
    "ApiError",
    "ErrorCodes",
    "MaskUnexpected",
    "error_body",
    "input_errors",
    "issue_data",
    "log_errors",
    "send_error",
]

log = logging.getLogger("tenantgraph.api")

ApiCode = Literal[
    "unauthenticated",
    "forbidden",
    "identity-provider-unavailable",
    "query-too-deep",
    "too-many-aliases",
    "query-too-complex",
    "page-too-large",
    "body-too-large",
    "deadline-exceeded",
    "invalid-input",
    "invalid-request",
    "method-not-allowed",
    "not-found",
    "host-not-allowed",
    "rate-limited",
    "internal-error",
]
JsonScalar = str | int | float | bool | None
Json = JsonScalar | list["Json"] | dict[str, "Json"]


class ApiError(Exception):
    """An error the API raises on purpose; `extensions` reach the client as they are."""

    def __init__(self, code: ApiCode, message: str, **extra: Json) -> None:
        super().__init__(message)
        self.code: ApiCode = code
        self.extensions: dict[str, Json] = {"code": code, **extra}


def error_body(code: ApiCode | ErrorCode, message: str) -> dict[str, Json]:
    """A GraphQL-shaped response body for errors raised before GraphQL runs (401, 413)."""
    return {"errors": [{"message": message, "extensions": {"code": code}}]}


async def send_error(
    send: Send,
    status: int,
    code: ApiCode,
    message: str,
    *,
    headers: Sequence[tuple[bytes, bytes]] = (),
) -> None:
    """Answer with `error_body(code, message)` as JSON straight over ASGI: for middleware that
    refuses a request before any route runs (an oversize body, a foreign Host)."""
    body = json.dumps(error_body(code, message)).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


@contextmanager
def input_errors() -> Iterator[None]:
    """Report a mutation's `WorldInvalid` as `invalid-input` with every located issue."""
    try:
        yield
    except WorldInvalid as exc:
        issues: list[Json] = [issue_data(i) for i in exc.issues]
        n = len(exc.issues)
        first = exc.issues[0] if exc.issues else None
        detail = f": {first.path}: {first.msg}" if first else ""
        message = f"{n} problem{'s' if n != 1 else ''} in the input{detail}"
        raise ApiError("invalid-input", message, issues=issues) from exc


def _visible(error: GraphQLError) -> bool:
    """Errors a client may see: GraphQL's own, the API's, and the domain's."""
    original = error.original_error
    return original is None or isinstance(original, GraphQLError | ApiError | GraphModelError)


class ErrorCodes(SchemaExtension):
    """Put the domain error's stable code (and payload) into `extensions` of each error, then
    let the request context mask them for a tenant-scoped viewer (`Scope.mask_error`)."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None) or []
        for error in errors:
            original = error.original_error
            if isinstance(original, GraphModelError):
                error.extensions = {**(error.extensions or {}), **error_extensions(original)}
                if isinstance(original, StoreError):
                    record_store_error(original.code)
            elif _visible(error) and not (error.extensions or {}).get("code"):
                coercion = isinstance(original, StrawberryInputCoercionError)
                code = "invalid-input" if coercion else "query-invalid"
                error.extensions = {**(error.extensions or {}), "code": code}
        mask = getattr(self.execution_context.context, "mask_errors", None)
        if mask is not None:
            mask(errors)


class MaskUnexpected(MaskErrors):
    """`MaskErrors` that keeps domain and API errors and logs what it hides."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=self._should_mask, error_message="unexpected error")

    @staticmethod
    def _should_mask(error: GraphQLError) -> bool:
        return not _visible(error)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        masked = super().anonymise_error(error)
        masked.extensions = {"code": "internal-error"}
        return masked


def log_errors(errors: list[GraphQLError]) -> None:
    """Log a traceback for unexpected errors only; expected ones are answers, not incidents."""
    for error in errors:
        if _visible(error):
            log.debug("%s (%s)", error.message, (error.extensions or {}).get("code"))
        else:
            log.error("unexpected error at %s", error.path, exc_info=error.original_error)
