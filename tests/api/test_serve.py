"""`tenantgraph serve` as a user runs it: a real process, the demo world, then a restart."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from graphmodel.cli import main as cli_main


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _serve(*args: str) -> tuple[subprocess.Popen[str], str]:
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from graphmodel.cli import main; sys.exit(main())",
            "serve",
            "--port",
            str(port),
            *args,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(proc.stdout.read() if proc.stdout else "server exited")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return proc, url
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("tenantgraph serve did not come up")


def _stop(proc: subprocess.Popen[str]) -> str:
    proc.terminate()
    out, _ = proc.communicate(timeout=20)
    return out


def test_serve_demo_no_auth_then_token_auth(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    proc, url = _serve("--no-auth", "--demo", "--db", str(db))
    try:
        assert httpx.get(f"{url}/readyz").json()["status"] == "ready"
        body = httpx.post(f"{url}/graphql", json={"query": "{ tenants { totalCount } }"}).json()
        assert body["data"]["tenants"]["totalCount"] >= 2
    finally:
        out = _stop(proc)
    assert "demo: loaded fixtures/demo.yaml" in out and "authentication is disabled" in out

    proc, url = _serve("--demo", "--db", str(db))  # auth on by default; the store is kept
    try:
        assert (
            httpx.post(f"{url}/graphql", json={"query": "{ viewer { role } }"}).status_code == 401
        )
    finally:
        out = _stop(proc)
    assert "already holds snapshot 1" in out


def test_readyz_is_503_on_an_empty_store(tmp_path: Path) -> None:
    assert cli_main(["token", "--db", str(tmp_path / "x.db"), "list"]) == 0
    proc, url = _serve("--no-auth", "--db", str(tmp_path / "empty.db"))
    try:
        ready = httpx.get(f"{url}/readyz")
        assert ready.status_code == 503 and ready.json()["status"] == "empty"
    finally:
        _stop(proc)


def test_serve_with_two_workers_answers_from_each(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    proc, url = _serve("--no-auth", "--demo", "--db", str(db), "--workers", "2")
    query = """{ access(principal: "fabrikam/bob", resource: "contoso/payroll")
        { decision mfa paths { nodes } } }"""
    try:
        for _ in range(20):  # uvicorn hands connections to either worker
            with httpx.Client(base_url=url) as client:
                assert client.get("/readyz").json()["status"] == "ready"
                body = client.post("/graphql", json={"query": query}).json()
            assert body["data"]["access"]["decision"] == "ALLOW"
    finally:
        out = _stop(proc)
    assert out.count("Started server process") == 2, out
