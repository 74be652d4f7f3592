"""The `serve` flags of the HTTP hardening, and what they build for `create_app`.

Kept apart from `api.cli` so that other `serve` options (workers, event loop) grow without
touching these: `--allowed-host NAME` (repeat; the bound host and localhost names are always
allowed), `--cors-origin URL` (repeat; none by default), `--rate-limit N` requests per second
per token (burst 4 times N; 0 turns it off), `--audit-log FILE` (default: next to the token file).
`--no-auth` is refused on any address but loopback: exit code 2, nothing served.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from api.audit_log import AuditLog, audit_path_for
from api.ratelimit import RateLimit
from api.security import HttpPolicy, host_names
from graphmodel.service.writes import HistoryPolicy

__all__ = [
    "LOOPBACK",
    "SWITCH_INTERVAL_S",
    "ServeSecurity",
    "add_security_arguments",
    "history_policy",
    "no_auth_refusal",
]

LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
# Engine work and GraphQL validation run in worker threads and hold the GIL; the event loop that
# answers `/healthz` and accepts connections waits for it up to this long at each step (Python's
# default is 5 ms, several steps per answer). 1 ms keeps the loop responsive under CPU-heavy
# queries for a few percent of throughput (docs/security.md has the figures).
SWITCH_INTERVAL_S = 0.001


def add_security_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--allowed-host",
        action="append",
        default=[],
        metavar="NAME",
        help="also answer requests whose Host is NAME (repeat; default: the bound host, localhost)",
    )
    parser.add_argument(
        "--cors-origin",
        action="append",
        default=[],
        metavar="URL",
        help="allow browser pages from this origin to call the API (repeat; default: none)",
    )
    parser.add_argument(
        "--rate-limit",
        type=float,
        default=50.0,
        metavar="N",
        help="requests per second per token, bursts of 4x (50; 0 = no limit)",
    )
    parser.add_argument("--audit-log", help="mutation audit log (default: next to the tokens)")
    parser.add_argument(
        "--keep",
        type=int,
        metavar="N",
        help="prune the history while serving: keep the newest N snapshots (default: all)",
    )
    parser.add_argument(
        "--keep-days",
        type=float,
        metavar="D",
        help="prune the history while serving: keep snapshots younger than D days",
    )


def history_policy(keep: int | None, keep_days: float | None) -> HistoryPolicy | None:
    """The history a server keeps (`serve --keep/--keep-days`; None: everything)."""
    policy = HistoryPolicy(keep=keep, keep_days=keep_days)
    return policy if policy.enabled else None


def no_auth_refusal(host: str) -> str | None:
    """Why `--no-auth` may not serve on `host` (None on loopback)."""
    if host in LOOPBACK:
        return None
    return (
        f"error: --no-auth serves every tenant to anyone who can reach the port; it is refused "
        f"on {host}. Bind 127.0.0.1 (the default) or use tokens"
    )


@dataclass(frozen=True, slots=True)
class ServeSecurity:
    http: HttpPolicy
    rate_limit: RateLimit | None
    audit: AuditLog

    @classmethod
    def from_args(cls, args: argparse.Namespace, tokens: Path) -> ServeSecurity:
        rate = float(args.rate_limit)
        limit = RateLimit(per_second=rate, burst=max(1, int(rate * 4))) if rate > 0 else None
        return cls(
            http=HttpPolicy(
                allowed_hosts=host_names(args.host, args.allowed_host),
                cors_origins=tuple(args.cors_origin),
            ),
            rate_limit=limit,
            audit=AuditLog(args.audit_log or audit_path_for(tokens)),
        )
