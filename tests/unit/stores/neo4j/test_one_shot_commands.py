"""One-shot commands over Bolt: each new process answers, and a dead server is one clear line.

How to write tests here: a private FalkorDB per test (`start_falkordb(tmp_path)`, never the
session's shared one: these tests end it), a small world written with a driver of the test's
own, then real `tenantgraph` processes, each in its own process group, killed on teardown.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from neo4j import GraphDatabase

from bench.generate import generate
from bench.workload import check_pairs
from graphmodel.engine import WorldIndex, derive_trust_edges
from graphmodel.stores import open_store
from graphmodel.stores.neo4j.drivers import close_driver
from tests.support.bolt_server import BoltServer, bolt_answers, needs_falkordb, start_falkordb

pytestmark = [pytest.mark.neo4j, needs_falkordb]

CLI = [sys.executable, "-c", "import sys; from graphmodel.cli import main; sys.exit(main())"]
ANSWERED = {0, 1, 4}  # ALLOW, DENY, PENDING (3 is store-unavailable)


Served = tuple[BoltServer, list[tuple[str, str]]]


@pytest.fixture(params=["T"])
def server(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Served]:
    """A private FalkorDB holding a generated world (T unless the test asks for another
    scale); sampled (principal, resource) pairs of it."""
    bolt = start_falkordb(tmp_path, timeout=60)
    try:
        world = generate(request.param, seed=3)
        driver = GraphDatabase.driver(bolt.uri, auth=None, connection_timeout=60)
        with open_store("neo4j", driver=driver, uri=bolt.uri) as store:
            store.write_snapshot(world, source="t", trust_edges=derive_trust_edges(world))
        close_driver(driver)
        yield bolt, check_pairs(WorldIndex(world), 10, seed=3)
    finally:
        bolt.stop()


def tenantgraph(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=300, check=False)


def test_one_shot_commands_in_a_row_all_answer(server: Served) -> None:
    """`who` reads with four connections; a closing driver's GOODBYEs used to leave the next
    commands' handshakes unanswered (exit 3). Now every command answers, and so does Bolt."""
    bolt, pairs = server
    store = ["--store", "neo4j", "--uri", bolt.uri]
    commands = [["who", pairs[0][1], *store]] + [["check", p, r, *store] for p, r in pairs[:4]]
    commands.append(["who", pairs[1][1], *store])
    for command in commands:
        done = tenantgraph(*command)
        ok = {0} if command[0] == "who" else ANSWERED
        assert done.returncode in ok, (command, done.stderr)
        assert done.stderr == ""
        assert bolt_answers(bolt.bolt_port, timeout=10)
    assert bolt.alive()


def _connections(pid: int, port: int) -> int:
    """How many established connections process `pid` holds to `port`."""
    try:
        conns = psutil.Process(pid).net_connections(kind="tcp")
    except psutil.Error:
        return 0
    return sum(bool(c.raddr) and c.raddr.port == port and c.status == "ESTABLISHED" for c in conns)


@pytest.mark.parametrize("server", ["S"], indirect=True)  # a read long enough to interrupt
def test_a_server_killed_mid_command_gives_exit_3_and_one_line(server: Served) -> None:
    bolt, pairs = server
    command = [*CLI, "who", pairs[0][1], "--store", "neo4j", "--uri", bolt.uri]
    proc = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 120
        while _connections(proc.pid, bolt.bolt_port) < 2:  # the paged read has begun
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the command never started reading"
            time.sleep(0.005)
        os.kill(bolt.process.pid, signal.SIGSTOP)  # the command now waits on the server ...
        bolt.process.kill()  # ... which dies
        bolt.process.wait(timeout=30)
        _out, err = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    lines = err.splitlines()
    assert proc.returncode == 3, err
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    assert f"the Neo4j server at `{bolt.uri}` is unavailable" in lines[0]
    assert lines[0].endswith("(retry when the store is reachable)")


def _redis(port: int, *command: str) -> bytes:
    """One command on FalkorDB's Redis port (RESP), e.g. SAVE."""
    import socket

    payload = f"*{len(command)}\r\n" + "".join(f"${len(c)}\r\n{c}\r\n" for c in command)
    with socket.create_connection(("127.0.0.1", port), timeout=120) as s:
        s.sendall(payload.encode())
        return s.recv(1024)


def test_a_restarted_server_is_empty_and_the_cli_says_so(tmp_path: Path) -> None:
    """The test stand-in keeps nothing across a restart (`--save ""`, no append-only file)."""
    bolt = start_falkordb(tmp_path, timeout=60)
    try:
        done = tenantgraph("stats", "--store", "neo4j", "--uri", bolt.uri)
    finally:
        bolt.stop()
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "the store is empty: load a world first (tenantgraph load FILE)"


@pytest.mark.parametrize("server", ["T"], indirect=True)
def test_a_server_restarted_from_an_rdb_save_answers_a_one_shot_check(server: Served) -> None:
    """Not the test stand-in's setup, but what an explicit `SAVE` keeps: the snapshot is read
    again after a restart (docs/scaling.md, what FalkorDB is here)."""
    bolt, pairs = server
    assert _redis(bolt.redis_port, "SAVE") == b"+OK\r\n"
    bolt.stop()
    restarted = start_falkordb(bolt.workdir, timeout=120)  # loads dump.rdb from its --dir
    try:
        store = ["--store", "neo4j", "--uri", restarted.uri]
        done = tenantgraph("check", *pairs[0], *store)
        assert done.returncode in ANSWERED and done.stderr == "", done.stderr
    finally:
        restarted.stop()
