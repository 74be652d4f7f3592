"""HTTP hardening that holds for every route: the Host allow-list and the security headers.

Why a Host allow-list: a page on any web site can make the browser resolve its own name to
127.0.0.1 (DNS rebinding) and then talk to a local server as a same-origin page. The browser
still sends the attacker's name in `Host`, so refusing every name the server was not bound to
(default: the bound host and the localhost names) ends the attack, even under `--no-auth`.

Why headers on every response: `nosniff` stops a browser from running a JSON answer as a script,
`Referrer-Policy: no-referrer` keeps URLs (which may hold ids) out of other sites' logs,
`X-Frame-Options`/`frame-ancestors` stop clickjacking. HTML pages get a Content-Security-Policy
(the viewer and GraphiQL pages set theirs, `api.viewer.CSP`); every other answer
gets `default-src 'none'`, since nothing in it should ever load or run.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import send_error

__all__ = [
    "LOCAL_HOSTS",
    "HostAllowList",
    "HttpPolicy",
    "SecurityHeaders",
    "host_names",
]

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
_API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"
_COMMON = (
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("x-frame-options", "DENY"),
    ("cross-origin-opener-policy", "same-origin"),
)
_RAW_HEADERS = [
    (k.encode(), v.encode()) for k, v in (*_COMMON, ("content-security-policy", _API_CSP))
]


@dataclass(frozen=True, slots=True, kw_only=True)
class HttpPolicy:
    """Who may reach the server: the `Host` names it answers and the CORS origins it allows.

    `cors_origins` is empty by default: no cross-origin browser page may call the API.
    """

    allowed_hosts: frozenset[str] = LOCAL_HOSTS
    cors_origins: tuple[str, ...] = field(default=())


def host_names(bound: str, extra: Iterable[str] = ()) -> frozenset[str]:
    """The default allow-list for a server bound to `bound`, plus `extra` names.

    A wildcard bind (`0.0.0.0`, `::`) names no host, so only the localhost names and `extra`
    are allowed; a deployment behind a name adds it with `--allowed-host`.
    """
    names = set(LOCAL_HOSTS) | {h.strip().lower() for h in extra if h.strip()}
    if bound not in ("0.0.0.0", "::", ""):
        names.add(bound.strip("[]").lower())
    return frozenset(names)


def _host_of(value: str) -> str:
    """`Host` header → bare lower-case name (`[::1]:8000` → `::1`, `a.b:80` → `a.b`)."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


class HostAllowList:
    """Answer 421 with code `host-not-allowed` when `Host` names a host not on the list."""

    def __init__(self, app: ASGIApp, *, allowed: frozenset[str]) -> None:
        self.app = app
        self.allowed = allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        host = ""
        for name, value in scope.get("headers", ()):
            if name == b"host":
                host = _host_of(value.decode("latin-1"))
                break
        if host in self.allowed:
            await self.app(scope, receive, send)
            return
        headers = [
            (k.encode(), v.encode()) for k, v in (*_COMMON, ("content-security-policy", _API_CSP))
        ]
        message = f"this server does not answer for host `{host}`"
        await send_error(send, 421, "host-not-allowed", message, headers=headers)


class SecurityHeaders:
    """Add the common headers to every response, and a CSP where the route set none."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in _COMMON:
                    headers.setdefault(name, value)
                headers.setdefault("content-security-policy", _API_CSP)
            await send(message)

        await self.app(scope, receive, with_headers)
