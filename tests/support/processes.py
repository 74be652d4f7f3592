"""Child processes and servers for tests, made to survive a busy machine.

Why: CI runs on two shared cores that other jobs keep at a load average of 8 or more. There a
server that starts in 3 s when the machine is idle can take a minute, so a fixed 30 s start-up
deadline is a flaky test, and a test that fails while its server runs must not leave the
server (or its uvicorn workers) behind to slow down every test after it.

How to use it:
- `spawn(args, ...)` starts a child in its own process group (`start_new_session`), so
  `stop(proc)` reaches the workers it forked too: SIGTERM to the leader first (a graceful
  shutdown, as a user's Ctrl-C), then SIGKILL to the whole group once the leader is gone or the
  grace period ran out.
- `patience(seconds)` is a deadline for "wait until ready": `seconds` on an idle machine,
  scaled by the load average per core when the machine is busy, never less than a minute.
- `wait_until(ready, what=..., proc=...)` polls `ready()` (e.g. `answers(url)`) until it is
  true; it fails with the child's output when the child exits first or `patience` runs out.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Collection, Sequence
from typing import Any

import httpx

__all__ = ["answers", "free_port", "patience", "spawn", "stop", "wait_until"]

MIN_PATIENCE_S = 60.0
MAX_PATIENCE_S = 600.0  # below pytest-timeout (900 s): a hung start still fails as itself


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (for a server to bind)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def patience(seconds: float = 120.0, *, busy: float | None = None) -> float:
    """A deadline in seconds for something that takes `seconds` at most on an idle machine.

    Scaled by `busy`, by default the 1-minute load average per core (a load of 8 on 2 cores
    waits 4 times longer), at least `MIN_PATIENCE_S`, at most `MAX_PATIENCE_S`.
    """
    if busy is None:
        try:
            busy = os.getloadavg()[0] / _cores()
        except OSError:  # no load average on this platform
            busy = 1.0
    return min(MAX_PATIENCE_S, max(MIN_PATIENCE_S, seconds * max(1.0, busy)))


def spawn(args: Sequence[str], **popen: Any) -> subprocess.Popen[Any]:
    """`subprocess.Popen(args, **popen)` in a new process group (see `stop`)."""
    return subprocess.Popen(list(args), start_new_session=True, **popen)


def _signal_group(proc: subprocess.Popen[Any], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)


def stop(proc: subprocess.Popen[Any], *, grace: float = 30.0) -> str:
    """Stop `proc` and everything in its process group; its remaining output when piped.

    SIGTERM goes to the leader only (uvicorn's supervisor then stops its workers itself);
    whatever is still alive after `grace` seconds, or after the leader exited, gets SIGKILL.
    """
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + grace
    while True:
        try:  # a retried `communicate` loses no output
            out, _ = proc.communicate(timeout=0.5)
            break
        except subprocess.TimeoutExpired:
            # the leader is gone but a child still holds the pipe, or the grace ran out
            if proc.poll() is not None or time.monotonic() > deadline:
                _signal_group(proc, signal.SIGKILL)
    _signal_group(proc, signal.SIGKILL)  # stragglers: workers whose supervisor is gone
    if out is None:
        return ""
    return out.decode(errors="replace") if isinstance(out, bytes) else str(out)


def answers(url: str, statuses: Collection[int] = (200,)) -> Callable[[], bool]:
    """A `wait_until` probe: GET `url` answers with one of `statuses` (not listening: False)."""

    def probe() -> bool:
        try:
            return httpx.get(url, timeout=10).status_code in statuses
        except httpx.TransportError:
            return False

    return probe


def wait_until(
    ready: Callable[[], bool],
    *,
    what: str,
    proc: subprocess.Popen[Any] | None = None,
    seconds: float = 120.0,
    interval: float = 0.2,
) -> float:
    """Poll `ready()` until it is true; the seconds it took.

    Fails (AssertionError, with the child stopped and its output in the message) when `proc`
    exits first or `patience(seconds)` runs out.
    """
    began = time.monotonic()
    deadline = began + patience(seconds)
    while not ready():
        if proc is not None and proc.poll() is not None:
            out = stop(proc)
            raise AssertionError(f"{what}: the process exited with {proc.returncode}:\n{out}")
        if time.monotonic() > deadline:
            out = stop(proc) if proc is not None else ""
            waited = time.monotonic() - began
            raise AssertionError(f"{what} within {waited:.0f} s (load-scaled deadline):\n{out}")
        time.sleep(interval)
    return time.monotonic() - began
