"""`tenantgraph serve` as a user runs it: a real process, the demo world, then a restart."""

from __future__ import annotations

from pathlib import Path

import httpx

from graphmodel.cli import main as cli_main
from tests.api.processes import Served, serve

TIMEOUT = 60  # seconds per request: generous, the machine may be busy


def _serve(*args: str) -> tuple[Served, str]:
    """`tenantgraph serve ARGS` in its own process group, once `/readyz` answers."""
    served = serve(*args)
    return served, served.url


def _stop(served: Served) -> str:
    """Stop the server and every worker it started; its output."""
    return served.stop()


def test_serve_demo_no_auth_then_token_auth(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    proc, url = _serve("--no-auth", "--demo", "--db", str(db))
    try:
        assert httpx.get(f"{url}/readyz", timeout=TIMEOUT).json()["status"] == "ready"
        body = httpx.post(
            f"{url}/graphql", json={"query": "{ tenants { totalCount } }"}, timeout=TIMEOUT
        ).json()
        assert body["data"]["tenants"]["totalCount"] >= 2
    finally:
        out = _stop(proc)
    assert "demo: loaded fixtures/demo.yaml" in out and "authentication is disabled" in out

    proc, url = _serve("--demo", "--db", str(db))  # auth on by default; the store is kept
    try:
        assert (
            httpx.post(
                f"{url}/graphql", json={"query": "{ viewer { role } }"}, timeout=TIMEOUT
            ).status_code == 401
        )
    finally:
        out = _stop(proc)
    assert "already holds snapshot 1" in out


def test_readyz_is_503_on_an_empty_store(tmp_path: Path) -> None:
    assert cli_main(["token", "--db", str(tmp_path / "x.db"), "list"]) == 0
    proc, url = _serve("--no-auth", "--db", str(tmp_path / "empty.db"))
    try:
        ready = httpx.get(f"{url}/readyz", timeout=TIMEOUT)
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
            with httpx.Client(base_url=url, timeout=TIMEOUT) as client:
                assert client.get("/readyz").json()["status"] == "ready"
                body = client.post("/graphql", json={"query": query}).json()
            assert body["data"]["access"]["decision"] == "ALLOW"
    finally:
        out = _stop(proc)
    assert out.count("Started server process") == 2, out
