"""`tenantgraph serve` in a process of its own, with tokens, for the hardening benchmarks.

Why a real process: the figures (healthz latency under attack, memory before/after a soak,
SIGKILL survival) are about the server as deployed, so it runs the CLI exactly as an operator
would, on 127.0.0.1, and is measured from outside (`/proc/PID/status`).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from api.auth import Role, TokenStore, tokens_path_for

__all__ = ["CLI", "Server", "free_port", "load_world", "rss_mb"]

CLI = (sys.executable, "-m", "graphmodel.cli")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def rss_mb(pid: int) -> float:
    """Resident memory of process `pid` now (MiB)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def load_world(db: Path, world: Path) -> None:
    subprocess.run(
        [*CLI, "load", str(world), "--db", str(db)],
        check=True,
        capture_output=True,
    )


@dataclass
class Server:
    db: Path
    extra: tuple[str, ...] = ()
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def token(self, role: Role, name: str = "") -> str:
        return TokenStore(tokens_path_for(self.db)).create(role, name=name)[1]

    def start(self, log: Path | None = None) -> Server:
        out = log.open("ab") if log else subprocess.DEVNULL
        self.proc = subprocess.Popen(
            [
                *CLI,
                "serve",
                "--db",
                str(self.db),
                "--port",
                str(self.port),
                "--log-level",
                "warning",
                *self.extra,
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited with {self.proc.returncode}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError("the server did not become ready")

    @property
    def rss_mb(self) -> float:
        assert self.proc is not None
        return rss_mb(self.proc.pid)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
