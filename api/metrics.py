"""`/metrics` in the Prometheus text format (prometheus_client), and what it counts.

Why prometheus_client: the exposition format, histograms and — the hard part — one view over
several worker processes (its multiprocess mode) are what it is for. With `serve --workers N`,
`serve` points `PROMETHEUS_MULTIPROC_DIR` at a fresh directory before the workers start; each
worker writes its values to memory-mapped files there and whichever worker answers a scrape
adds them all up, so one scrape is the whole server. Counters and histograms are summed over
workers; the snapshot gauges keep one series per worker (`pid` label), since each worker holds
its own snapshot: `max(tenantgraph_snapshot_age_seconds)` is the most stale one. Worker
restarts leave their last gauge values behind until `serve` restarts (docs/deploy.md).

What is recorded (all names start with `tenantgraph_`):

- `graphql_requests_total{operation,status,lane}` and `graphql_request_duration_seconds{lane}`:
  every `/graphql` request; `lane` is `fast` (the fast lane answered), `regular`, or `refused`
  (401/403/429 before any GraphQL ran, operation `unknown`: the body was not read). Operation
  names are client-chosen, so at most `MAX_OPERATIONS` distinct ones get their own series;
  later ones count as `other`, unnamed ones as `anonymous`.
- `http_requests_total{route,status}`: every other route.
- `rate_limited_total`, `auth_refused_total{reason}`, `store_errors_total{code}`.
- `catch_up_duration_seconds`: reading a snapshot another process published
  (`record_catch_up`, called by the catch-up code).
- `snapshot_id`, `snapshot_created_timestamp_seconds`, `snapshot_age_seconds` (per worker).
- `job_duration_seconds{job}`: audits and syncs, recorded by graphmodel code through
  `graphmodel.timings.record_duration` (this module subscribes to it).

Recording is off until `enable()` (`serve --metrics`): then each request costs a few counter
updates. The route answers only with the metrics token when one is set (`metrics_route`).
"""

from __future__ import annotations

import hmac
import os
import re
import threading
import time
from collections.abc import Callable

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from api.observe import RequestRecord
from graphmodel.service import GraphService
from graphmodel.timings import add_duration_observer

__all__ = [
    "MAX_OPERATIONS",
    "MULTIPROC_ENV",
    "enable",
    "enabled",
    "metrics_route",
    "record_catch_up",
    "record_request",
    "record_snapshot",
    "record_store_error",
]

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"  # prometheus_client's (`api.ops_flags` sets it)
MAX_OPERATIONS = 200
_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,63}")
_LATENCY = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
_JOBS = (0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800)
_ROUTES = {"/healthz": "healthz", "/readyz": "readyz", "/metrics": "metrics", "/": "viewer"}

_REGISTRY = CollectorRegistry()  # this process's own (single-process mode)
GRAPHQL = Counter(
    "tenantgraph_graphql_requests",
    "GraphQL requests by operation name, HTTP status and lane",
    ["operation", "status", "lane"],
    registry=_REGISTRY,
)
GRAPHQL_SECONDS = Histogram(
    "tenantgraph_graphql_request_duration_seconds",
    "Time to answer a GraphQL request, by lane",
    ["lane"],
    buckets=_LATENCY,
    registry=_REGISTRY,
)
HTTP = Counter(
    "tenantgraph_http_requests",
    "Requests to routes other than /graphql",
    ["route", "status"],
    registry=_REGISTRY,
)
RATE_LIMITED = Counter(
    "tenantgraph_rate_limited", "Requests refused with 429 (rate limit)", registry=_REGISTRY
)
AUTH_REFUSED = Counter(
    "tenantgraph_auth_refused",
    "Credentials refused, by reason (token-expired, wrong-audience, ...)",
    ["reason"],
    registry=_REGISTRY,
)
STORE_ERRORS = Counter(
    "tenantgraph_store_errors", "Store errors by code", ["code"], registry=_REGISTRY
)
CATCH_UP_SECONDS = Histogram(
    "tenantgraph_catch_up_duration_seconds",
    "Time to catch up with a snapshot another process published",
    buckets=_LATENCY,
    registry=_REGISTRY,
)
SNAPSHOT_ID = Gauge(
    "tenantgraph_snapshot_id",
    "The snapshot this worker answers from",
    registry=_REGISTRY,
    multiprocess_mode="liveall",
)
SNAPSHOT_CREATED = Gauge(
    "tenantgraph_snapshot_created_timestamp_seconds",
    "When the snapshot this worker answers from was written (Unix time)",
    registry=_REGISTRY,
    multiprocess_mode="liveall",
)
JOB_SECONDS = Histogram(
    "tenantgraph_job_duration_seconds",
    "Duration of long jobs (audit, sync)",
    ["job"],
    buckets=_JOBS,
    registry=_REGISTRY,
)

# `api.errors.error_body` shape (not imported: `api.errors` counts store errors through here)
_REFUSED = {
    "errors": [
        {"message": "/metrics needs the metrics token", "extensions": {"code": "unauthenticated"}}
    ]
}
_state = {"enabled": False}
_operations: set[str] = set()
_operations_lock = threading.Lock()


def enable() -> None:
    """Start recording (idempotent); audits and syncs report their durations from now on."""
    if not _state["enabled"]:
        _state["enabled"] = True
        add_duration_observer(_record_job)


def enabled() -> bool:
    return _state["enabled"]


def _record_job(job: str, seconds: float) -> None:
    JOB_SECONDS.labels(job=job).observe(seconds)


def _operation_label(name: str | None) -> str:
    """The series label of an operation name: bounded in length, characters and count."""
    if name is None:
        return "unknown"  # refused before the body was read
    if not name:
        return "anonymous"
    if not _NAME.fullmatch(name):
        return "other"
    if name in _operations:
        return name
    with _operations_lock:
        if len(_operations) >= MAX_OPERATIONS:
            return "other"
        _operations.add(name)
    return name


def record_request(record: RequestRecord) -> None:
    """A finished request (an `api.observe` sink)."""
    if not _state["enabled"]:
        return
    status = str(record.status)
    if record.status == 429:
        RATE_LIMITED.inc()
    if record.refused:
        AUTH_REFUSED.labels(reason=record.refused).inc()
    if not record.graphql:
        HTTP.labels(route=_route(record.path), status=status).inc()
        return
    lane = record.lane or "regular"
    GRAPHQL.labels(operation=_operation_label(record.operation), status=status, lane=lane).inc()
    GRAPHQL_SECONDS.labels(lane=lane).observe(record.duration_s)


def _route(path: str) -> str:
    """A bounded route label: a known path, `static`, `vendor` or `other`."""
    if path in _ROUTES:
        return _ROUTES[path]
    first = path.split("/", 2)[1] if path.count("/") >= 1 else ""
    return first if first in ("static", "vendor") else "other"


def record_store_error(code: str) -> None:
    """A store error reached a client or stopped a catch-up (`graphmodel.errors` codes)."""
    if _state["enabled"]:
        STORE_ERRORS.labels(code=code).inc()


def record_catch_up(seconds: float) -> None:
    """The time one catch-up with another process's snapshot took (the catch-up code calls it)."""
    if _state["enabled"]:
        CATCH_UP_SECONDS.observe(seconds)


def record_snapshot(snapshot_id: int | None, created_at: float | None) -> None:
    """The snapshot this worker now answers from (after a catch-up, at start, at a scrape)."""
    if _state["enabled"] and snapshot_id is not None and created_at is not None:
        SNAPSHOT_ID.set(snapshot_id)
        SNAPSHOT_CREATED.set(created_at)


def _exposition() -> bytes:
    """The text format of every worker's values (multiprocess mode) or this process's."""
    directory = os.environ.get(MULTIPROC_ENV)
    if directory:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=directory)  # type: ignore[no-untyped-call]
    else:
        registry = _REGISTRY
    text = generate_latest(registry)
    return text + _ages(registry)


def _ages(registry: CollectorRegistry) -> bytes:
    """`snapshot_age_seconds`: now minus each worker's snapshot creation time."""
    now = time.time()
    lines = [
        "# HELP tenantgraph_snapshot_age_seconds Age of the snapshot each worker answers from",
        "# TYPE tenantgraph_snapshot_age_seconds gauge",
    ]
    for family in registry.collect():
        if family.name != "tenantgraph_snapshot_created_timestamp_seconds":
            continue
        for sample in family.samples:
            labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
            lines.append(
                f"tenantgraph_snapshot_age_seconds{{{labels}}} {max(0.0, now - sample.value)}"
            )
    return ("\n".join(lines) + "\n").encode()


def metrics_route(service: Callable[[], GraphService], token: str | None) -> Route:
    """`GET /metrics`; with `token`, only for `Authorization: Bearer <token>` (401 otherwise).

    `service` is a callable opening the worker's `GraphService`: a scrape first records the
    scraping worker's own snapshot, so a single worker's gauges are never stale.
    """
    expected = f"Bearer {token}".encode() if token else None

    async def metrics(request: Request) -> Response:
        if expected is not None:
            given = request.headers.get("authorization", "").encode()
            if not hmac.compare_digest(given, expected):
                return JSONResponse(
                    _REFUSED,
                    status_code=401,
                    headers={"WWW-Authenticate": 'Bearer realm="tenantgraph-metrics"'},
                )
        await run_in_threadpool(_scraped_snapshot, service)
        body = await run_in_threadpool(_exposition)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    return Route("/metrics", metrics, methods=["GET"])


def _scraped_snapshot(open_service: Callable[[], GraphService]) -> None:
    info = open_service().current_snapshot()
    if info is not None:
        record_snapshot(info.id, info.created_at.timestamp())
