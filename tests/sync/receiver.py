"""A webhook receiver on 127.0.0.1 for the delivery tests: it records what it gets.

Each request's headers and raw body are kept; `answers` is a queue of statuses (with headers)
to give before answering 204, so a test can make the receiver fail, throttle or refuse.
`verified` checks an event's signature the way a real receiver must: HMAC-SHA256 over the raw
body with the shared secret, compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.support import loopback

__all__ = ["Delivery", "Receiver"]


@dataclass(frozen=True)
class Delivery:
    headers: dict[str, str]
    body: bytes

    @property
    def event(self) -> dict[str, Any]:
        found = json.loads(self.body)
        assert isinstance(found, dict)
        return found

    def verified(self, secret: bytes) -> bool:
        expected = "sha256=" + hmac.new(secret, self.body, hashlib.sha256).hexdigest()
        given = self.headers.get("x-tenantgraph-signature-256", "")
        return hmac.compare_digest(expected, given)


@dataclass
class Receiver:
    answers: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    got: list[Delivery] = field(default_factory=list)  # every request, answered or not
    accepted: list[Delivery] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/hook"

    def __enter__(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                got = Delivery({k.lower(): v for k, v in self.headers.items()}, body)
                with receiver._lock:
                    receiver.got.append(got)
                    status, headers = receiver.answers.pop(0) if receiver.answers else (204, {})
                    if status < 300:
                        receiver.accepted.append(got)
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self._server = loopback.start(Handler)
        return self

    def __exit__(self, *_exc: object) -> None:
        loopback.stop(self._server)
