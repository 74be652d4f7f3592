"""A fake Microsoft Graph + Entra sign-in service on 127.0.0.1, for the collector tests.

It speaks HTTPS with a test certificate (MSAL accepts only https authorities), serves the
OpenID discovery document and the client-credentials token endpoint, Graph GETs (collections
paged with absolute `@odata.nextLink`s), `$batch`, and delta query (`fake_delta`): the tenant
changes through `upsert`, `remove`, `add_member` and `remove_member`, and `/users/delta` and
its siblings report those changes. Faults are injected per Graph path: a queue of canned error
responses (`429` with `Retry-After`, `500`...), forbidden paths (`403`) and rejected tokens
(`401`). Every request is recorded. Nothing here touches the internet.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from tests.ingest.fake_delta import DELTA_PATHS, DeltaLog, delta_page
from tests.support import loopback

__all__ = ["FakeGraph", "Fault"]

_EMPTY_RELATIONSHIPS = ("/members", "/appRoleAssignedTo", "/allMembers", "/allowedMembers")


@dataclass
class Fault:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    code: str = "serviceError"


@dataclass
class FakeGraph:
    tenant_id: str
    routes: dict[str, Any]
    cert: Path
    key: Path
    page_size: int = 100
    faults: dict[str, list[Fault | None]] = field(default_factory=dict)  # None: answer as usual
    forbidden: set[str] = field(default_factory=set)
    unlicensed_selects: set[str] = field(default_factory=set)  # 403 for `$select=` of these
    reject_tokens: set[str] = field(default_factory=set)
    requests: list[tuple[str, str, str | None]] = field(default_factory=list)
    token_requests: list[dict[str, list[str]]] = field(default_factory=list)
    delta: DeltaLog = field(default_factory=DeltaLog)
    batched: list[str] = field(default_factory=list)  # the URL of every `$batch` part
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return f"https://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FakeGraph:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: object) -> None:
                pass

            def do_GET(self) -> None:
                fake._handle(self, "GET", None)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                fake._handle(self, "POST", self.rfile.read(length))

        self._server = loopback.start(Handler, (self.cert, self.key))
        return self

    def __exit__(self, *_exc: object) -> None:
        loopback.stop(self._server)

    def graph_paths(self) -> list[str]:
        return [p for m, p, _ in self.requests if m == "GET" or "$batch" in p]

    # --- changes to the tenant (reported by delta query) --------------------------------
    def upsert(self, collection: str, obj: dict[str, Any]) -> None:
        """Add `obj` to a collection, or replace the object with its id."""
        with self._lock:
            items = self.routes.setdefault(collection, [])
            at = next((i for i, o in enumerate(items) if o["id"] == obj["id"]), None)
            if at is None:
                items.append(obj)
            else:
                items[at] = obj
            self.delta.touch(collection, obj["id"])

    def remove(self, collection: str, oid: str) -> None:
        """Delete an object; a deleted user or group also leaves every group it was in."""
        with self._lock:
            self.routes[collection] = [o for o in self.routes[collection] if o["id"] != oid]
            self.delta.touch(collection, oid, removed=True)
        for path, members in list(self.routes.items()):
            if path.startswith("/groups/") and path.endswith("/members") and any(
                m["id"] == oid for m in members
            ):
                self.remove_member(path.split("/")[2], oid)

    def add_member(self, gid: str, member: dict[str, Any]) -> None:
        with self._lock:
            self.routes.setdefault(f"/groups/{gid}/members", []).append(member)
            self.delta.member(gid, member, removed=False)

    def remove_member(self, gid: str, mid: str) -> None:
        with self._lock:
            path = f"/groups/{gid}/members"
            gone = [m for m in self.routes[path] if m["id"] == mid]
            self.routes[path] = [m for m in self.routes[path] if m["id"] != mid]
            for m in gone:
                self.delta.member(gid, m, removed=True)

    # --- dispatch -------------------------------------------------------------------------
    def _handle(self, h: BaseHTTPRequestHandler, method: str, body: bytes | None) -> None:
        url = urlsplit(h.path)
        auth = h.headers.get("Authorization")
        token = auth.removeprefix("Bearer ") if auth else None
        with self._lock:
            self.requests.append((method, h.path, token))
        if url.path.endswith("/.well-known/openid-configuration"):
            base = f"{self.base_url}/{self.tenant_id}"
            return _send(h, 200, {"token_endpoint": f"{base}/oauth2/v2.0/token",
                                  "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                                  "issuer": f"{base}/v2.0"})
        if url.path.endswith("/oauth2/v2.0/token"):
            form = parse_qs((body or b"").decode())
            with self._lock:
                self.token_requests.append(form)
                n = len(self.token_requests)
            return _send(h, 200, {"access_token": f"tok-{n}", "token_type": "Bearer",
                                  "expires_in": 3600})
        if token is None or not token.startswith("tok-") or token in self.reject_tokens:
            return _send(h, 401, _error("InvalidAuthenticationToken",
                                        "Access token has expired or is not yet valid."))
        version, _, rest = url.path.lstrip("/").partition("/")
        if method == "POST" and rest == "$batch":
            return _send(h, 200, {"responses": [self._batch_item(version, r)
                                                for r in json.loads(body or b"{}")["requests"]]})
        status, headers, payload = self._graph(version, f"/{rest}", url.query)
        _send(h, status, payload, headers)

    def _batch_item(self, version: str, req: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self.batched.append(f"/{version}{req['url']}")
        url = urlsplit(req["url"])
        status, headers, payload = self._graph(version, url.path, url.query)
        return {"id": req["id"], "status": status, "headers": headers, "body": payload}

    def _graph(self, version: str, path: str, query: str) -> tuple[int, dict[str, str], Any]:
        path = unquote(path)
        with self._lock:
            queue = self.faults.get(path)
            fault = queue.pop(0) if queue else None
        if fault is not None:
            return fault.status, {"request-id": "req-1", **fault.headers}, _error(fault.code, "x")
        selected = ",".join(parse_qs(query).get("$select", [])).lower()
        if any(s.lower() in selected for s in self.unlicensed_selects):
            return 403, {}, _error("Authentication_RequestFromNonPremiumTenantOrB2CTenant",
                                   "Neither tenant is B2C or tenant doesn't have premium license")
        if any(path.startswith(p) for p in self.forbidden):
            return 403, {}, _error("Authorization_RequestDenied",
                                   "Insufficient privileges to complete the operation.")
        if path in DELTA_PATHS:
            with self._lock:
                return delta_page(self.delta, self.routes, self.base_url, version, path, query,
                                  self.page_size)
        value = self.routes.get(path)
        if value is None and path.endswith(_EMPTY_RELATIONSHIPS):
            value = []  # an object without members or assignments: an empty collection
        if value is None:
            return 404, {}, _error("Request_ResourceNotFound", f"{path} does not exist")
        if not isinstance(value, list):
            return 200, {}, value
        skip = int(parse_qs(query).get("$skiptoken", ["0"])[0])
        page: dict[str, Any] = {
            "@odata.context": f"https://graph.microsoft.com/{version}/$metadata#{path[1:]}",
            "value": value[skip : skip + self.page_size],
        }
        if skip + self.page_size < len(value):
            page["@odata.nextLink"] = (f"{self.base_url}/{version}{path}"
                                       f"?$skiptoken={skip + self.page_size}")
        return 200, {}, page


def _error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message,
                      "innerError": {"request-id": "req-1", "date": "2024-01-01T00:00:00"}}}


def _send(h: BaseHTTPRequestHandler, status: int, body: Any,
          headers: dict[str, str] | None = None) -> None:
    data = json.dumps(body).encode()
    h.send_response(status)
    h.send_header("Content-Type", "application/json")
    h.send_header("Content-Length", str(len(data)))
    for k, v in (headers or {}).items():
        h.send_header(k, v)
    h.end_headers()
    h.wfile.write(data)
