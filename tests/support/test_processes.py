"""The test harness's process helpers: a stopped child leaves no grandchild, deadlines scale."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.processes import (
    MAX_PATIENCE_S,
    MIN_PATIENCE_S,
    patience,
    spawn,
    stop,
    wait_until,
)

# A child that starts a grandchild (as uvicorn starts workers) and prints the grandchild's pid;
# SIGTERM ends the child but not the grandchild, which only a signal to the group reaches.
PARENT = """
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
print(child.pid, flush=True)
time.sleep(600)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    # a zombie is dead, only not reaped yet
    return " Z " not in (stat.read_text() if stat.exists() else "")


def test_stop_ends_the_whole_process_group_even_when_the_leader_leaves_children() -> None:
    proc = spawn([sys.executable, "-c", PARENT], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    grandchild = int(proc.stdout.readline())
    assert os.getpgid(proc.pid) == proc.pid != os.getpgid(0)  # a group of its own
    assert _alive(grandchild)
    stop(proc, grace=patience(10))
    assert proc.poll() is not None
    deadline = time.monotonic() + patience(10)
    while _alive(grandchild) and time.monotonic() < deadline:  # reaped by init, eventually
        time.sleep(0.05)
    assert not _alive(grandchild)


def test_wait_until_fails_with_the_output_of_a_child_that_exited() -> None:
    proc = spawn(
        [sys.executable, "-c", "print('bad flag'); raise SystemExit(3)"],
        stdout=subprocess.PIPE,
        text=True,
    )
    with pytest.raises(AssertionError, match=r"exited with 3:\nbad flag"):
        wait_until(lambda: False, what="server", proc=proc)


def test_patience_is_generous_and_grows_with_the_load_per_core() -> None:
    assert patience(1, busy=0.1) == MIN_PATIENCE_S
    assert patience(100, busy=0.5) == 100  # an idle machine: the time it takes
    assert patience(100, busy=4.0) == 400  # load 8 on 2 cores
    assert patience(1_000, busy=8.0) == MAX_PATIENCE_S
    assert patience(100) >= 100  # the machine's own load average
