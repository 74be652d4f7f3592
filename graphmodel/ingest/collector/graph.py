"""A small Microsoft Graph client: retries, throttling, token refresh, paging and `$batch`.

Microsoft's guidance is followed literally: on `429` (and on `503`/`504` that carry it) wait at
least `Retry-After` seconds and retry the same request; on other `5xx` and network errors back
off exponentially (bounded, with jitter); follow `@odata.nextLink` verbatim until it is absent;
a `401` gets one fresh token and one retry. Every wait is announced through `notify`, and the
sleep and jitter functions are injectable so tests assert the exact waits without waiting.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from graphmodel.ingest.collector.auth import TokenProvider
from graphmodel.ingest.collector.errors import (
    AuthFailed,
    GraphRequestFailed,
    GraphUnavailable,
    MissingPermissions,
)
from graphmodel.ingest.collector.permissions import endpoint_of, required_permission

__all__ = ["BATCH_LIMIT", "GraphClient", "RetryPolicy", "SubResponse", "failure", "retry_after",
           "sub_failure"]

BATCH_LIMIT = 20  # Graph's maximum number of requests in one $batch
_RETRY_STATUSES = (429, 500, 502, 503, 504)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 6
    backoff_base: float = 1.0  # seconds before the first retry; doubles each time
    backoff_max: float = 60.0
    max_retry_after: float = 300.0  # a longer Retry-After is capped (and announced)


@dataclass(frozen=True, slots=True)
class SubResponse:
    """One answer inside a `$batch` response."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str]


class GraphClient:
    """Sends Graph requests for one tenant; `base_url` is the Graph root (e.g. a national cloud)."""

    def __init__(
        self,
        tokens: TokenProvider,
        *,
        base_url: str = "https://graph.microsoft.com",
        http: httpx.Client | None = None,
        retry: RetryPolicy | None = None,
        notify: Callable[[str], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.tokens = tokens
        self.base_url = base_url.rstrip("/")
        self.http = http or httpx.Client(timeout=60.0)
        self.retry = retry or RetryPolicy()
        self.notify = notify or (lambda _msg: None)
        self.sleep = sleep
        self.jitter = jitter
        self.requests = 0  # HTTP requests sent to Graph (a `$batch` counts once), retries too
        self.operations = 0  # Graph operations asked for (each `$batch` part counts once)

    def url(self, path: str, version: str = "v1.0") -> str:
        """An absolute URL for `path` (already absolute URLs, e.g. nextLinks, are kept)."""
        if path.startswith(("https://", "http://")):
            return path
        return f"{self.base_url}/{version}{path}"

    # --- single requests ------------------------------------------------------------------
    def get(self, path: str, params: dict[str, str] | None = None, *, version: str = "v1.0",
            headers: dict[str, str] | None = None) -> dict[str, Any]:
        resp = self._send("GET", self.url(path, version), params=params, headers=headers)
        # the sent URL, query included: `$select=signInActivity` needs its own permission
        return self._json(resp, str(resp.request.url))

    def pages(self, path: str, params: dict[str, str] | None = None, *, version: str = "v1.0",
              headers: dict[str, str] | None = None) -> Iterator[dict[str, Any]]:
        """Every page of a collection, following `@odata.nextLink` exactly as given."""
        body = self.get(path, params, version=version, headers=headers)
        yield body
        while isinstance(body.get("@odata.nextLink"), str):
            body = self.get(body["@odata.nextLink"], headers=headers)
            yield body

    def batch(self, paths: list[str], *, version: str = "v1.0") -> list[SubResponse]:
        """GET each of `paths` (relative, with query) through `$batch`, in order.

        Throttled or failing sub-requests are retried on their own; a sub-request still failing
        after every attempt is returned with its status for the caller to judge.
        """
        out: dict[int, SubResponse] = {}
        for start in range(0, len(paths), BATCH_LIMIT):
            todo = list(range(start, min(start + BATCH_LIMIT, len(paths))))
            for attempt in range(1, self.retry.max_attempts + 1):
                body = self._json(self._send("POST", self.url("/$batch", version), json={
                    "requests": [{"id": str(i), "method": "GET", "url": paths[i]} for i in todo]
                }), self.url("/$batch", version))
                retry: list[int] = []
                waits: list[float] = []
                for sub in body.get("responses", []):
                    i = int(sub.get("id", -1))
                    raw = sub.get("headers") or {}
                    headers = {str(k).lower(): str(v) for k, v in raw.items()}
                    found = SubResponse(int(sub.get("status", 0)), sub.get("body") or {}, headers)
                    out[i] = found
                    if found.status in _RETRY_STATUSES and attempt < self.retry.max_attempts:
                        retry.append(i)
                        waits.append(retry_after(headers.get("retry-after"))
                                     or self._backoff(attempt))
                if not retry:
                    break
                wait = min(max(waits), self.retry.max_retry_after)
                self.notify(f"{len(retry)} of {len(todo)} batched requests were throttled or "
                            f"failed: retrying them in {wait:g}s (attempt {attempt} of "
                            f"{self.retry.max_attempts})")
                self.sleep(wait)
                todo = retry
        return [out[i] for i in range(len(paths))]

    # --- plumbing -------------------------------------------------------------------------
    def _send(self, method: str, url: str, *, params: dict[str, str] | None = None,
              json: Any = None, headers: dict[str, str] | None = None) -> httpx.Response:
        what = endpoint_of(url, generic=True)
        refreshed = False
        attempt = 0
        while True:
            attempt += 1
            head = {"Authorization": f"Bearer {self.tokens.token()}", **(headers or {})}
            self.requests += 1
            self.operations += len(json["requests"]) if isinstance(json, dict) else 1
            try:
                resp = self.http.request(method, url, params=params, json=json, headers=head)
            except httpx.TransportError as exc:
                if attempt >= self.retry.max_attempts:
                    raise GraphUnavailable(f"cannot reach microsoft graph for `{what}` after "
                                           f"{attempt} attempts: {exc}") from exc
                delay = self._backoff(attempt)
                self.notify(f"cannot reach microsoft graph for `{what}` ({type(exc).__name__}): "
                            f"retrying in {delay:g}s (attempt {attempt} of "
                            f"{self.retry.max_attempts})")
                self.sleep(delay)
                continue
            if resp.status_code == 401:
                if refreshed:
                    raise AuthFailed(f"microsoft graph rejected a freshly acquired token for "
                                     f"`{what}` (401 `{_error(resp)[0]}`); check the tenant id "
                                     "and that the app is consented in this tenant")
                refreshed = True
                self.notify("the access token was rejected (401), probably expired: acquiring a "
                            "new token and retrying once")
                self.tokens.token(force_refresh=True)
                attempt -= 1
                continue
            if resp.status_code not in _RETRY_STATUSES:
                return resp
            if attempt >= self.retry.max_attempts:
                raise GraphUnavailable(
                    f"microsoft graph kept failing on `{what}` ({resp.status_code} after {attempt}"
                    f" attempts, request-id `{_request_id(resp)}`); try again later")
            self._wait(resp, what, attempt)

    def _wait(self, resp: httpx.Response, what: str, attempt: int) -> None:
        asked = retry_after(resp.headers.get("Retry-After"))
        of = f"(attempt {attempt} of {self.retry.max_attempts})"
        if asked is not None:
            delay = min(asked, self.retry.max_retry_after)
            who = ("throttled by microsoft graph" if resp.status_code == 429
                   else f"microsoft graph returned {resp.status_code}")
            self.notify(f"{who} on `{what}`: waiting {delay:g}s as `Retry-After` asks {of}")
        else:
            delay = self._backoff(attempt)
            if resp.status_code == 429:
                self.notify(f"throttled by microsoft graph on `{what}` without `Retry-After`: "
                            f"retrying in {delay:g}s {of}")
            else:
                self.notify(f"microsoft graph returned {resp.status_code} on `{what}`: retrying in"
                            f" {delay:g}s {of}")
        self.sleep(delay)

    def _backoff(self, attempt: int) -> float:
        base = self.retry.backoff_base * (2 ** (attempt - 1))
        delay = min(self.retry.backoff_max, base + self.jitter() * self.retry.backoff_base)
        return round(float(delay), 3)

    def _json(self, resp: httpx.Response, url: str) -> dict[str, Any]:
        what = endpoint_of(url, generic=True)
        if resp.status_code >= 400:
            code, message = _error(resp)
            raise failure(url, resp.status_code, code, message)
        try:
            body = resp.json()
        except ValueError as exc:
            raise GraphRequestFailed(f"microsoft graph sent a body that is not json for `{what}`",
                                     status=resp.status_code) from exc
        if not isinstance(body, dict):
            raise GraphRequestFailed(f"microsoft graph sent an unexpected body for `{what}`",
                                     status=resp.status_code)
        return body


def retry_after(value: str | None) -> float | None:
    """Seconds a `Retry-After` header asks for (seconds or an HTTP date); None when absent.

    Examples
    --------
    >>> retry_after("7"), retry_after(None), retry_after("soon")
    (7.0, None, None)
    """
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def failure(
    url: str, status: int, code: str, message: str
) -> MissingPermissions | GraphRequestFailed:
    """The error for a Graph answer `status` (>= 400) to `url`, as a person should read it."""
    what = endpoint_of(url, generic=True)
    if status == 403:
        return MissingPermissions([(required_permission(url), what)])
    return GraphRequestFailed(f"microsoft graph answered {status} `{code}` for `{what}`: "
                              f"{message}", status=status, code=code)


def sub_failure(sub: SubResponse, url: str) -> MissingPermissions | GraphRequestFailed:
    """`failure` for a `$batch` sub-response (its body holds the usual error object)."""
    err = sub.body.get("error") if isinstance(sub.body, dict) else None
    if not isinstance(err, dict):
        return failure(url, sub.status, "unknown", str(err or "")[:200])
    return failure(url, sub.status, str(err.get("code", "unknown")),
                   str(err.get("message", ""))[:300])


def _error(resp: httpx.Response) -> tuple[str, str]:
    try:
        err = resp.json().get("error", {})
    except (ValueError, AttributeError):
        return "unknown", resp.text[:200]
    if not isinstance(err, dict):
        return "unknown", str(err)[:200]
    return str(err.get("code", "unknown")), str(err.get("message", ""))[:300]


def _request_id(resp: httpx.Response) -> str:
    rid = resp.headers.get("request-id")
    if rid:
        return str(rid)
    try:
        inner = resp.json().get("error", {}).get("innerError", {})
        return str(inner.get("request-id", "unknown"))
    except (ValueError, AttributeError):
        return "unknown"
