"""The server's log: one JSON object per line (default) or plain text for a terminal.

Why JSON: a log shipper (journald, Loki, Azure Monitor) indexes fields without parsing prose.
Every request gets one line on the `tenantgraph.request` logger with its time, request id,
method, path, status, duration, GraphQL operation and lane, token id (never the token: a
`tgk_` token's id, or `entra:<object id>`), tenant scope, snapshot and, for a refused
credential, the reason. uvicorn's own access line is switched off (it knew none of these).
Other log records (uvicorn's start-up lines, warnings) use the same format. `--log-format text`
(`$TENANTGRAPH_LOG_FORMAT`) prints the same facts as `key=value` for a person at a terminal.

Examples
--------
>>> record = RequestRecord(request_id="r1", method="POST", path="/graphql", at=0.0,
...     started=0.0, operation="Q", lane="fast", role="reader", token_id="ab12", status=200,
...     duration_s=0.0021)
>>> request_fields(record)["durationMs"], request_fields(record)["tenants"]
(2.1, '*')
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any, Literal

from api.observe import RequestRecord

__all__ = [
    "LOG_FORMATS",
    "JsonFormatter",
    "TextFormatter",
    "log_config",
    "log_request",
    "request_fields",
]

LogFormat = Literal["json", "text"]
LOG_FORMATS: tuple[LogFormat, ...] = ("json", "text")
REQUEST_LOGGER = "tenantgraph.request"
_log = logging.getLogger(REQUEST_LOGGER)


def request_fields(record: RequestRecord) -> dict[str, Any]:
    """The fields of a request's log line, in a stable order."""
    fields: dict[str, Any] = {
        "requestId": record.request_id,
        "method": record.method,
        "path": record.path,
        "status": record.status,
        "durationMs": round(record.duration_s * 1000, 3),
    }
    if record.graphql:
        fields["operation"] = record.operation
        fields["lane"] = record.lane
    fields["tokenId"] = record.token_id
    fields["role"] = record.role
    if record.role is None:
        fields["tenants"] = None
    else:
        fields["tenants"] = "*" if record.tenants is None else list(record.tenants)
    fields["snapshot"] = record.snapshot
    if record.refused:
        fields["refused"] = record.refused
    return fields


def log_request(record: RequestRecord) -> None:
    """One line for a finished request (an `api.observe` sink)."""
    if _log.isEnabledFor(logging.INFO):
        message = f"{record.method} {record.path} {record.status}"
        _log.info(message, extra={"fields": request_fields(record)})


def _when(record: logging.LogRecord) -> str:
    moment = datetime.fromtimestamp(record.created, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    fields = getattr(record, "fields", None)
    return dict(fields) if isinstance(fields, dict) else {}


class JsonFormatter(logging.Formatter):
    """`{"time", "level", "logger", "message", ...fields}` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": _when(record),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            **_fields(record),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, separators=(",", ":"))


class TextFormatter(logging.Formatter):
    """`time level message key=value ...` for a terminal."""

    def format(self, record: logging.LogRecord) -> str:
        pairs = " ".join(
            f"{k}={','.join(v) if isinstance(v, list) else v}"
            for k, v in _fields(record).items()
            if v is not None and k not in ("method", "path", "status")
        )
        text = f"{_when(record)} {record.levelname.lower():<7} {record.getMessage()}"
        text = f"{text} {pairs}" if pairs else text
        if record.exc_info:
            text = f"{text}\n{self.formatException(record.exc_info)}"
        return text


def log_config(fmt: LogFormat, level: str) -> dict[str, Any]:
    """A `logging.config.dictConfig` for uvicorn (`log_config=`): every logger to stderr in
    `fmt`; uvicorn's access log off (`tenantgraph.request` replaces it)."""
    formatter = "api.requestlog.JsonFormatter" if fmt == "json" else "api.requestlog.TextFormatter"
    level = level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"default": {"()": formatter}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "stream": "ext://sys.stderr",
            }
        },
        "loggers": {
            "uvicorn": {"handlers": ["stderr"], "level": level, "propagate": False},
            "uvicorn.error": {"level": level},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
            "tenantgraph": {"handlers": ["stderr"], "level": level, "propagate": False},
        },
    }
