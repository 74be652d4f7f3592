"""The test harness's FalkorDB server: starts on a usable port, answers Bolt, stops cleanly.

How to write tests here: start a private server with `start_falkordb(tmp_path)` (never the
session's shared one) and stop it in a `finally`.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.support.bolt_server import bolt_answers, needs_falkordb, start_falkordb

pytestmark = [pytest.mark.neo4j, needs_falkordb]


def test_falkordb_starts_answers_bolt_and_stops(tmp_path: Path) -> None:
    server = start_falkordb(tmp_path)
    try:
        assert server.alive() and server.started_in > 0
        assert 1024 <= server.bolt_port <= 32767  # larger BOLT_PORT values disable Bolt
        assert server.uri == f"bolt://127.0.0.1:{server.bolt_port}"
        assert bolt_answers(server.bolt_port)
        assert "Bolt protocol initialized" in server.log.read_text()
    finally:
        server.stop()
    assert not server.alive()
    assert not bolt_answers(server.bolt_port, timeout=0.2)
    with socket.socket() as s:  # nothing listens there any more
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("", server.bolt_port))


def test_a_closed_port_does_not_answer() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assert not bolt_answers(port, timeout=0.2)
