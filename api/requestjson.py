"""Bounded JSON for request bodies and `variables`: refused with a coded 400, never a 500.

Why: strawberry hands the body to `json.loads` and then treats the result as an object, so a
body of `null`, `3`, `"x"` or `NaN`, or one nested 1,000 levels deep (Python's recursion limit),
ended in a bare HTTP 500. Here the body must be a JSON object (a list is a batch, which the
view refuses with its own coded 400), `NaN` and `Infinity` are not JSON, and nesting deeper
than `MAX_DEPTH` is refused. The body-size limit (`api.body`) already bounds the bytes.

Examples
--------
>>> decode_request_json(b'{"query": "{ viewer { role } }"}')
{'query': '{ viewer { role } }'}
>>> try:
...     decode_request_json(b"null")
... except RequestError as e:
...     print(e.code, e)
invalid-request the request body must be a JSON object, not null
"""

from __future__ import annotations

import json

from cross_web import HTTPException

__all__ = ["MAX_DEPTH", "RequestError", "decode_request_json"]

MAX_DEPTH = 64  # GraphQL variables of this API nest a few levels; a hundred leaves room


class RequestError(HTTPException):
    """A coded HTTP error raised before GraphQL runs (the view turns it into a JSON body)."""

    def __init__(self, status_code: int, reason: str, code: str = "invalid-request") -> None:
        super().__init__(status_code, reason)
        self.code = code

    def __str__(self) -> str:
        return self.reason


def _no_constant(name: str) -> object:
    raise ValueError(f"`{name}` is not valid JSON")


def _too_deep(value: object) -> bool:
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return False


def decode_request_json(data: str | bytes) -> object:
    """A request's JSON object (or list: a batch), or `RequestError` saying what is wrong."""
    try:
        value: object = json.loads(data, parse_constant=_no_constant)
    except RecursionError as exc:
        raise RequestError(400, f"the JSON nests deeper than {MAX_DEPTH} levels") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise RequestError(400, f"the request body is not valid JSON: {exc}") from exc
    if not isinstance(value, dict | list):
        kind = "null" if value is None else type(value).__name__
        raise RequestError(400, f"the request body must be a JSON object, not {kind}")
    if _too_deep(value):
        raise RequestError(400, f"the JSON nests deeper than {MAX_DEPTH} levels")
    return value
