"""The `serve` flags of running it for an organisation: metrics, log format, shutdown, config.

Kept apart from `api.serve_flags` (the HTTP hardening) and `api.oidc_config` (sign-in). Each
setting is a flag, a `TENANTGRAPH_*` variable or a key of the config file (`api.settings`):

- `--metrics` (`$TENANTGRAPH_METRICS`, `[metrics] enabled`): serve `/metrics`. Off by default.
  Bound beyond loopback it needs a token: the variable named by `--metrics-token-env`
  (`TENANTGRAPH_METRICS_TOKEN` by default) holds it, never the command line, and a scraper
  sends it as `Authorization: Bearer <token>`; `serve` refuses to start (exit 2) without one.
- `--log-format json|text` (`$TENANTGRAPH_LOG_FORMAT`, `[log] format`): JSON lines by default.
- `--graceful-timeout S` (`$TENANTGRAPH_GRACEFUL_TIMEOUT`, `[serve] graceful_timeout`): on
  SIGTERM, in-flight requests get this long to finish (30 s) before they are cancelled.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from api.requestlog import LOG_FORMATS, LogFormat
from api.serve_flags import LOOPBACK
from api.settings import Setting, add_config_argument, resolve
from graphmodel.errors import GraphModelError

__all__ = [
    "MULTIPROC_ENV",
    "OPS_SETTINGS",
    "Operations",
    "add_operations_arguments",
    "shared_metrics_dir",
]

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"  # prometheus_client's (`api.metrics`)


def _flag(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"`{text}` is not true or false")


def _log_format(text: str) -> str:
    if text not in LOG_FORMATS:
        raise ValueError(f"`{text}` is not one of {', '.join(LOG_FORMATS)}")
    return text


def _seconds(text: str) -> float:
    value = float(text)
    if value < 0:
        raise ValueError(f"`{text}` is negative")
    return value


OPS_SETTINGS: tuple[Setting, ...] = (
    Setting("metrics", "TENANTGRAPH_METRICS", ("metrics", "enabled"), _flag, default=False),
    Setting(
        "metrics_token_env",
        "TENANTGRAPH_METRICS_TOKEN_ENV",
        ("metrics", "token_env"),
        default="TENANTGRAPH_METRICS_TOKEN",
    ),
    Setting("log_format", "TENANTGRAPH_LOG_FORMAT", ("log", "format"), _log_format, default="json"),
    Setting(
        "graceful_timeout",
        "TENANTGRAPH_GRACEFUL_TIMEOUT",
        ("serve", "graceful_timeout"),
        _seconds,
        default=30.0,
    ),
)


def add_operations_arguments(parser: argparse.ArgumentParser) -> None:
    add_config_argument(parser)
    g = parser.add_argument_group("operations (flag > TENANTGRAPH_* variable > --config)")
    g.add_argument(
        "--metrics",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="serve /metrics in the Prometheus format (off); beyond loopback it needs a token",
    )
    g.add_argument(
        "--metrics-token-env",
        metavar="VAR",
        help="variable holding the /metrics bearer token (TENANTGRAPH_METRICS_TOKEN)",
    )
    g.add_argument(
        "--log-format",
        choices=LOG_FORMATS,
        default=None,
        help="json: one JSON object per line (default); text: for a terminal",
    )
    g.add_argument(
        "--graceful-timeout",
        type=_seconds,
        metavar="S",
        help="on SIGTERM, seconds in-flight requests get to finish (30)",
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Operations:
    """The resolved operations settings of one `serve`."""

    metrics: bool
    metrics_token_env: str
    log_format: LogFormat
    graceful_timeout: float

    @classmethod
    def resolve(
        cls, args: argparse.Namespace, environ: Mapping[str, str], file: Mapping[str, Any]
    ) -> Operations:
        v = resolve(OPS_SETTINGS, args, environ, file)
        ops = cls(
            metrics=bool(v["metrics"]),
            metrics_token_env=str(v["metrics_token_env"]),
            log_format="text" if v["log_format"] == "text" else "json",
            graceful_timeout=float(v["graceful_timeout"]),
        )
        if ops.metrics and args.host not in LOOPBACK and not ops.metrics_token(environ):
            raise GraphModelError(
                f"--metrics on {args.host} needs a token: set ${ops.metrics_token_env} "
                "(or bind 127.0.0.1 and scrape locally)"
            )
        return ops

    def metrics_token(self, environ: Mapping[str, str] | None = None) -> str | None:
        """The /metrics bearer token (None: /metrics is open, which only loopback allows)."""
        return (os.environ if environ is None else environ).get(self.metrics_token_env) or None


@contextlib.contextmanager
def shared_metrics_dir(enabled: bool) -> Iterator[None]:
    """With metrics on and several workers: a fresh `PROMETHEUS_MULTIPROC_DIR` for this run,
    set before the workers start (prometheus_client reads it when first imported) and removed
    when `serve` stops; an operator's own setting is left alone (docs/deploy.md)."""
    made = None
    if enabled and not os.environ.get(MULTIPROC_ENV):
        made = os.environ[MULTIPROC_ENV] = tempfile.mkdtemp(prefix="tenantgraph-metrics-")
    try:
        yield
    finally:
        if made is not None:
            shutil.rmtree(made, ignore_errors=True)
