"""`tenantgraph serve` and other CLI commands as separate processes, the way users run them.

Nothing is mocked: each server is `python -m graphmodel serve ...` on a free 127.0.0.1 port
over a real sqlite store file; CLI commands run in their own processes too. Each server runs
in its own session (process group), so a test that fails mid-way can end it with every worker,
and is waited for with a load-scaled deadline (`tests.support.processes`): a busy machine is
slow, not failing.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from typing import IO, Any

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
    log: IO[str]  # stdout and stderr: a file, so a chatty server never blocks on a full pipe

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read()

    def post(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """One request on a new connection (so several workers each get their share)."""
        body = {"query": query, "variables": variables or {}}
        sent = {**({"authorization": f"Bearer {token}"} if token else {}), **(headers or {})}
        with httpx.Client(timeout=60) as client:
            return client.post(f"{self.url}/graphql", json=body, headers=sent)

    def graphql(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        answer: dict[str, Any] = self.post(query, variables, token=token, headers=headers).json()
        return answer

    def ready(self) -> dict[str, Any]:
        with httpx.Client(timeout=60) as client:
            answer: dict[str, Any] = client.get(f"{self.url}/readyz").json()
        return answer

    def stop(self) -> str:
        """SIGTERM (a graceful stop), then SIGKILL to the whole group (workers included) if it
        does not end, or once the leader is gone; its output."""
        stop(self.proc, grace=60)
        return self.output()

    def kill_group(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)


def serve(*args: str, env: dict[str, str] | None = None) -> Served:
    """Start `tenantgraph serve ARGS` and wait until `/readyz` answers (200, or 503 when the
    store is empty), with a load-scaled deadline."""
    port = free_port()
    log = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 - kept by Served
    proc = spawn(
        [*_CLI, "serve", "--port", str(port), *args],
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
        env={**_ENV, **(env or {})},
    )
    served = Served(proc, f"http://127.0.0.1:{port}", log)
    ready = answers(f"{served.url}/readyz", (200, 503))
    try:
        wait_until(ready, what="tenantgraph serve did not come up", proc=proc)
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n{served.stop()}") from None
    return served
