"""Running `serve` for an organisation: workers die with their supervisor, SIGTERM drains,
`/metrics` counts across workers, one JSON log line per request.

Every server is a real `tenantgraph serve` process (`processes.serve`) in its own session; a
test that fails ends the whole group. Deadlines are generous (a busy 2-core machine): the
measured time of what the issue asks to be quick is printed, never asserted.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.api.processes import Served, serve, tenantgraph
from tests.api.test_processes import DEMO, every_worker, without_bob_in_finance

DEADLINE_S = 30.0


@pytest.fixture
def demo_db(tmp_path: Path) -> Path:
    db = tmp_path / "store.db"
    tenantgraph("load", str(DEMO), "--db", str(db))
    return db


@contextlib.contextmanager
def serving(*args: str, env: dict[str, str] | None = None) -> Iterator[Served]:
    served = serve(*args, env=env)
    try:
        yield served
    finally:
        served.stop()


def gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def port_is_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


# ---------------------------------------------------------------- supervision
def test_workers_exit_when_the_supervisor_is_killed(demo_db: Path) -> None:
    served = serve("--no-auth", "--db", str(demo_db), "--workers", "2")
    try:
        workers = {a["worker"] for a in every_worker(served, 2)}
        children = {c.pid for c in psutil.Process(served.proc.pid).children(recursive=True)}
        assert workers <= children, (workers, children)
        os.kill(served.proc.pid, signal.SIGKILL)
        served.proc.wait(timeout=DEADLINE_S)
        killed = time.monotonic()
        while not all(gone(pid) for pid in workers) and time.monotonic() - killed < DEADLINE_S:
            time.sleep(0.05)
        took = time.monotonic() - killed
        print(f"workers {sorted(workers)} gone {took:.2f}s after SIGKILL of the supervisor")
        assert all(gone(pid) for pid in workers), f"workers still alive after {took:.0f}s"
        while not port_is_free(served.port) and time.monotonic() - killed < DEADLINE_S:
            time.sleep(0.05)
        assert port_is_free(served.port)
    finally:
        served.kill_group()
        served.stop()


def partial_request(port: int) -> tuple[socket.socket, bytes]:
    """A POST /graphql whose body is half sent: in flight until the rest arrives."""
    body = json.dumps({"query": "query Drained { currentSnapshot { id } }"}).encode()
    head = (
        f"POST /graphql HTTP/1.1\r\nhost: 127.0.0.1:{port}\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\n\r\n"
    ).encode()
    conn = socket.create_connection(("127.0.0.1", port), timeout=DEADLINE_S)
    conn.sendall(head + body[:10])
    return conn, body[10:]


def refuses_connections(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    except OSError:
        return True
    return False


def read_response(conn: socket.socket) -> bytes:
    chunks = []
    while chunk := conn.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def test_sigterm_lets_an_in_flight_request_finish(demo_db: Path) -> None:
    served = serve("--no-auth", "--db", str(demo_db), "--workers", "1")
    try:
        served.graphql("{ currentSnapshot { id } }")  # started and answering
        conn, rest = partial_request(served.port)
        served.proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + DEADLINE_S
        while not refuses_connections(served.port) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert refuses_connections(served.port)  # shutting down: no new connections
        conn.sendall(rest)
        answer = read_response(conn)
        conn.close()
        assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
        assert json.loads(answer.split(b"\r\n\r\n", 1)[1])["data"]["currentSnapshot"]["id"] == 1
        assert served.proc.wait(timeout=DEADLINE_S) == 0
    finally:
        served.kill_group()
        served.stop()


def test_a_request_that_never_finishes_does_not_hold_the_shutdown(demo_db: Path) -> None:
    served = serve("--no-auth", "--db", str(demo_db), "--workers", "1", "--graceful-timeout", "1")
    try:
        conn, _ = partial_request(served.port)
        served.proc.send_signal(signal.SIGTERM)
        assert served.proc.wait(timeout=DEADLINE_S + 10) == 0  # the drain gave up after 1 s
        conn.close()
    finally:
        served.kill_group()
        served.stop()


# ---------------------------------------------------------------- metrics
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(served: Served, token: str | None = None) -> Samples:
    """One scrape; a per-worker gauge (`pid` label) keeps its highest value over workers."""
    headers = {"authorization": f"Bearer {token}"} if token else {}
    with httpx.Client(timeout=60) as client:
        response = client.get(f"{served.url}/metrics", headers=headers)
    assert response.status_code == 200, response.text
    samples: Samples = {}
    for family in text_string_to_metric_families(response.text):
        for s in family.samples:
            key = (s.name, frozenset((k, v) for k, v in s.labels.items() if k != "pid"))
            if "pid" in s.labels:
                samples[key] = max(samples.get(key, s.value), s.value)
            else:
                samples[key] = samples.get(key, 0.0) + s.value
    return samples


def counted(samples: Samples, name: str, **labels: str) -> float:
    """The sum of `name` over the series whose labels include `labels`."""
    return sum(v for (n, ls), v in samples.items() if n == name and set(labels.items()) <= ls)


def test_metrics_count_every_worker_s_requests(demo_db: Path, tmp_path: Path) -> None:
    with serving(
        "--no-auth", "--db", str(demo_db), "--workers", "2", "--metrics", "--rate-limit", "0.25"
    ) as served:
        every_worker(served, 2, attempts=300)
        before = scrape(served)
        statuses = [
            served.post("query CountMe { currentSnapshot { id } }").status_code for _ in range(12)
        ]
        answered, limited = statuses.count(200), statuses.count(429)
        assert answered + limited == 12 and limited > 0, statuses
        for _ in range(4):  # whichever worker answers the scrape, it sums both workers
            after = scrape(served)
            name = "tenantgraph_graphql_requests_total"
            assert (
                counted(after, name, operation="CountMe", status="200", lane="regular") == answered
            )
            assert (
                counted(after, name, operation="unknown", status="429", lane="refused") == limited
            )
            assert (
                counted(after, "tenantgraph_rate_limited_total")
                == counted(before, "tenantgraph_rate_limited_total") + limited
            )
            assert counted(after, "tenantgraph_graphql_request_duration_seconds_count") >= 12
            assert counted(after, "tenantgraph_snapshot_id") == 1
            assert counted(after, "tenantgraph_snapshot_age_seconds") >= 0

        tenantgraph("load", str(without_bob_in_finance(tmp_path)), "--db", str(demo_db))
        time.sleep(4.5)  # the rate limit's buckets refill (0.25/s, burst 1)
        caught_up = [served.post("{ currentSnapshot { id } }") for _ in range(2)]
        assert 200 in [r.status_code for r in caught_up]  # a worker caught up to answer it
        after = scrape(served)
        assert counted(after, "tenantgraph_snapshot_id") == 2  # the newest any worker holds
        assert counted(after, "tenantgraph_catch_up_duration_seconds_count") >= 1


def test_metrics_token_audits_and_store_errors(demo_db: Path) -> None:
    """Beyond loopback `/metrics` needs its own token; audits report their duration and store
    errors their code."""
    env = {"TENANTGRAPH_METRICS_TOKEN": "metrics-secret-123"}
    options = ("--no-auth", "--db", str(demo_db), "--workers", "1", "--metrics")
    with serving(*options, env=env) as served:
        assert httpx.get(f"{served.url}/metrics", timeout=60).status_code == 401
        wrong = {"authorization": "Bearer nope"}
        assert httpx.get(f"{served.url}/metrics", headers=wrong, timeout=60).status_code == 401
        before = scrape(served, "metrics-secret-123")
        assert counted(before, "tenantgraph_http_requests_total", route="readyz") >= 1
        assert "errors" not in served.graphql("{ findings(first: 1) { totalCount } }")
        missing = (
            '{ access(principal: "contoso/nobody", resource: "contoso/payroll") { decision } }'
        )
        assert served.graphql(missing)["errors"][0]["extensions"]["code"] == "node-not-found"
        after = scrape(served, "metrics-secret-123")
        jobs = "tenantgraph_job_duration_seconds_count"
        assert counted(after, jobs, job="audit") > counted(before, jobs, job="audit")
        errors = "tenantgraph_store_errors_total"
        found = counted(before, errors, code="node-not-found")
        assert counted(after, errors, code="node-not-found") == found + 1


def test_no_metrics_route_unless_asked(demo_db: Path) -> None:
    with serving("--no-auth", "--db", str(demo_db), "--workers", "1") as served:
        assert httpx.get(f"{served.url}/metrics", timeout=60).status_code == 404


# ---------------------------------------------------------------- logs
def test_one_json_line_per_request_never_the_token(demo_db: Path) -> None:
    created = tenantgraph(
        "token", "--db", str(demo_db), "create", "--role", "reader", "--tenant", "contoso"
    )
    token, token_id = created.stdout.strip(), created.stderr.split()[2]
    with serving("--db", str(demo_db), "--workers", "1") as served:
        with httpx.Client(timeout=60) as client:
            ok = client.post(
                f"{served.url}/graphql",
                json={"query": "query Logged { currentSnapshot { id } }"},
                headers={"authorization": f"Bearer {token}", "x-request-id": "req-abc.1"},
            )
            refused = client.post(
                f"{served.url}/graphql",
                json={"query": "{ viewer { role } }"},
                headers={"authorization": "Bearer tgk_wrong"},
            )
        assert ok.status_code == 200 and ok.headers["x-request-id"] == "req-abc.1"
        assert refused.status_code == 401 and refused.headers["x-request-id"]
    out = served.output()
    assert token not in out and "tgk_wrong" not in out
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    requests = {
        line["requestId"]: line for line in lines if line["logger"] == "tenantgraph.request"
    }
    logged = requests["req-abc.1"]
    assert logged["operation"] == "Logged" and logged["status"] == 200
    assert logged["tokenId"] == token_id and logged["tenants"] == ["contoso"]
    assert logged["snapshot"] == 1 and logged["role"] == "reader" and logged["durationMs"] > 0
    assert logged["lane"] in ("fast", "regular") and logged["time"].endswith("Z")
    denied = requests[refused.headers["x-request-id"]]
    assert (
        denied["status"] == 401
        and denied["refused"] == "unknown-token"
        and denied["tokenId"] is None
    )


def test_plain_text_log_for_a_terminal(demo_db: Path) -> None:
    with serving(
        "--no-auth", "--db", str(demo_db), "--workers", "1", "--log-format", "text"
    ) as served:
        served.graphql("query Plain { currentSnapshot { id } }")
    lines = [line for line in served.output().splitlines() if "POST /graphql 200" in line]
    assert len(lines) == 1 and not lines[0].startswith("{")
    assert "operation=Plain" in lines[0] and "snapshot=1" in lines[0] and "role=admin" in lines[0]
