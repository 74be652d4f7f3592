"""An HTTP(S) server on 127.0.0.1 in a background thread, for the fakes the tests talk to.

One place for the plumbing the fake Microsoft Graph and the webhook receiver share: a
threading server on a free port, wrapped in TLS when given a certificate, served until stopped.
"""

from __future__ import annotations

import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

__all__ = ["start", "stop"]


def start(handler: type[BaseHTTPRequestHandler],
          tls: tuple[Path, Path] | None = None) -> ThreadingHTTPServer:
    """Serve `handler` on a free port of 127.0.0.1; `tls` = (certificate, key) PEM files."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    if tls is not None:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(*tls)
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=lambda: server.serve_forever(poll_interval=0.05), daemon=True).start()
    return server


def stop(server: ThreadingHTTPServer | None) -> None:
    assert server is not None
    server.shutdown()
    server.server_close()
