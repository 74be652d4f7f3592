"""`tenantgraph serve` and other CLI commands as separate processes, the way users run them.

Nothing is mocked: each server is `python -m graphmodel serve ...` on a free 127.0.0.1 port
over a real sqlite store file; CLI commands run in their own processes too. Servers start in
their own process group and wait on readiness with a load-scaled deadline
(`tests.support.processes`), so a busy machine is slow, not failing, and `stop` leaves no worker.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

import httpx

from tests.support.processes import answers, free_port, patience, spawn, stop, wait_until

__all__ = ["Served", "free_port", "serve", "tenantgraph"]

_ENV = {**os.environ, "PYTHONUNBUFFERED": "1"}
_CLI = [sys.executable, "-c", "import sys; from graphmodel.cli import main; sys.exit(main())"]


def tenantgraph(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run one `tenantgraph` command in its own process; stdout and stderr captured."""
    done = subprocess.run(
        [*_CLI, *args], capture_output=True, text=True, env=_ENV, timeout=patience(), check=False
    )
    if check and done.returncode != 0:
        raise AssertionError(f"tenantgraph {' '.join(args)}: {done.stderr}{done.stdout}")
    return done


@dataclass
class Served:
    """A running `tenantgraph serve` process (with its workers)."""

    proc: subprocess.Popen[str]
    url: str

    def post(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
    ) -> httpx.Response:
        """One request on a new connection (so several workers each get their share)."""
        body = {"query": query, "variables": variables or {}}
        headers = {"authorization": f"Bearer {token}"} if token else {}
        with httpx.Client(timeout=60) as client:
            return client.post(f"{self.url}/graphql", json=body, headers=headers)

    def graphql(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
    ) -> dict[str, Any]:
        answer: dict[str, Any] = self.post(query, variables, token=token).json()
        return answer

    def ready(self) -> dict[str, Any]:
        with httpx.Client(timeout=60) as client:
            answer: dict[str, Any] = client.get(f"{self.url}/readyz").json()
        return answer

    def stop(self) -> str:
        """Stop the server and its workers (the whole process group); its output."""
        return stop(self.proc)


def serve(*args: str) -> Served:
    """Start `tenantgraph serve ARGS` and wait until `/readyz` answers (200, or 503 when the
    store is empty)."""
    port = free_port()
    proc = spawn(
        [*_CLI, "serve", "--port", str(port), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=_ENV,
    )
    served = Served(proc, f"http://127.0.0.1:{port}")
    ready = answers(f"{served.url}/readyz", (200, 503))
    wait_until(ready, what="tenantgraph serve did not come up", proc=proc)
    return served
