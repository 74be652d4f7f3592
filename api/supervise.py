"""Worker processes never outlive `serve`: they stop when their parent dies, however it died.

Why: uvicorn's supervisor (`serve --workers N`) starts workers that inherit the listening
socket; when the supervisor is killed (SIGKILL, the OOM killer, a test that failed), nothing
told the workers, and they kept answering on the port with nobody to stop them (issue 26).

Two mechanisms, both in the worker:

- Linux: `prctl(PR_SET_PDEATHSIG, SIGTERM)` (through ctypes) — the kernel sends SIGTERM the
  moment the parent exits, and uvicorn's SIGTERM handler drains in-flight requests within
  the graceful timeout and exits;
- everywhere: a daemon thread polls `os.getppid()` every `POLL_S`; when it no longer is the
  supervisor's pid (the worker was re-parented), it sends itself SIGTERM the same way. It also
  covers a parent that died before `prctl` ran, and systems without `prctl`.

If the drain does not finish within the graceful timeout plus `FORCE_MARGIN_S`, the watch
thread ends the process with `os._exit(EXIT_ORPHANED)`.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import signal
import sys
import threading
import time

__all__ = ["EXIT_ORPHANED", "FORCE_MARGIN_S", "POLL_S", "die_with_parent"]

log = logging.getLogger("tenantgraph.api")
POLL_S = 0.5
FORCE_MARGIN_S = 5.0
EXIT_ORPHANED = 70  # EX_SOFTWARE: the worker had to be ended because its drain hung
_PR_SET_PDEATHSIG = 1


def _set_parent_death_signal(sig: int) -> bool:
    """Ask the Linux kernel to send `sig` when the parent exits; False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return int(libc.prctl(_PR_SET_PDEATHSIG, sig, 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def die_with_parent(parent_pid: int, *, graceful_s: float) -> None:
    """Make this process stop when `parent_pid` (the supervisor) is gone; see the module."""
    armed = _set_parent_death_signal(signal.SIGTERM)
    threading.Thread(
        target=_watch, args=(parent_pid, graceful_s), name="parent-watch", daemon=True
    ).start()
    log.debug("worker %d follows supervisor %d (pdeathsig: %s)", os.getpid(), parent_pid, armed)


def _watch(parent_pid: int, graceful_s: float) -> None:
    while os.getppid() == parent_pid:
        time.sleep(POLL_S)
    log.warning("supervisor %d is gone: worker %d stops", parent_pid, os.getpid())
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(graceful_s + FORCE_MARGIN_S)
    os._exit(EXIT_ORPHANED)
