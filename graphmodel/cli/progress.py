"""One progress display for the long commands (load, import, collect, export, audit).

On a terminal a phase is one line that updates in place (tqdm: count, total, rate and ETA);
when stderr is a file or a pipe there is no `\\r` noise, only a quiet line every
`QUIET_EVERY` seconds for a long phase and one summary line when it ends. Why tqdm: it is one
pure-Python package with no dependencies of its own, and it already computes rates and ETAs
and redraws a single line well; rich would do the same with a dozen more packages.

Timings are true: `since_start()` counts from the start of the process, so the total a
command prints includes the interpreter start-up and imports a user waited for too.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import IO, Never

from tqdm import tqdm

__all__ = ["QUIET_EVERY", "Phase", "add_progress_argument", "since_start", "start_clock"]

QUIET_EVERY = 10.0  # seconds between the quiet lines of a long phase off a terminal
_IMPORTED = time.monotonic()
_clock: list[float | None] = [None]  # monotonic start of the command; None: the process's


def start_clock(*, whole_process: bool) -> None:
    """Where `since_start` counts from: the process start (a real command) or now (`main()`
    called inside a longer-lived process, e.g. a test)."""
    _clock[0] = None if whole_process else time.monotonic()


def since_start() -> float:
    """Seconds since the command started (Linux: process start from /proc; else since import)."""
    started = _clock[0]
    if started is not None:
        return time.monotonic() - started
    try:
        stat = Path("/proc/self/stat").read_text().rpartition(")")[2].split()
        began = int(stat[19]) / os.sysconf("SC_CLK_TCK")  # field 22: starttime in ticks
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        return max(uptime - began, time.monotonic() - _IMPORTED)
    except (OSError, ValueError, IndexError):
        return time.monotonic() - _IMPORTED


def add_progress_argument(parser: argparse.ArgumentParser) -> None:
    """`--progress` / `--no-progress`: force the updating line on or off (default: terminal)."""
    parser.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="the updating progress line on stderr (default: on a terminal only; "
        "--no-progress prints a summary line per phase)",
    )


class Phase:
    """A counted step of a command: `with Phase("import", total=n, unit="files") as p: p.update()`.

    `live`: the updating line (None: only when the stream is a terminal; False: quiet lines
    only). `quiet`: nothing at all, not even the summary. `unit="B"` counts bytes and shows
    them scaled (`12.3MB/89.0MB`, `4.1MB/s`): progress within a large file.
    """

    def __init__(
        self,
        label: str,
        *,
        total: int | None = None,
        unit: str = "items",
        stream: IO[str] | None = None,
        live: bool | None = None,
        quiet: bool = False,
    ) -> None:
        self.label = label
        self.total = total
        self.unit = unit
        self.scaled = unit == "B"
        self.count = 0
        self.stream = stream if stream is not None else sys.stderr
        self.shown = not quiet
        self.live = self.shown and (self.stream.isatty() if live is None else live)
        self.started = time.monotonic()
        self._last_line = self.started
        self._bar: tqdm[Never] | None = None
        if self.live:
            self._bar = tqdm(
                total=total,
                desc=label,
                unit=unit if self.scaled else f" {unit}",
                unit_scale=self.scaled,
                file=self.stream,
                leave=False,
                dynamic_ncols=True,
                mininterval=0.2,
            )

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.started

    def update(self, n: int = 1) -> None:
        """`n` more items done."""
        self.count += n
        if self._bar is not None:
            self._bar.update(n)
        elif self.shown and time.monotonic() - self._last_line >= QUIET_EVERY:
            self._last_line = time.monotonic()
            self._line(f"{self.label}: {self.counted()} so far ({self.seconds:.0f}s)")

    def set(self, count: int) -> None:
        """The count is now `count` (for callbacks that report a running total)."""
        if count > self.count:
            self.update(count - self.count)

    def part(self, start: int, size: int) -> Callable[[float], None]:
        """A callback told the share (0 to 1) done of one part of the count: `size` units
        from `start` (e.g. one file of several, in bytes)."""
        return lambda share: self.set(start + int(share * size))

    def note(self, message: str) -> None:
        """A line that stays (a warning, a retry), printed above the updating line."""
        if self._bar is not None:
            self._bar.write(message, file=self.stream)
        elif self.shown:
            self._line(message)

    def cancel(self) -> None:
        """End the phase without a summary (the command failed and says why itself)."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        self.shown = False

    def close(self, summary: str | None = None) -> None:
        """End the phase with one line: `label: N units in 1.2s (800 units/s)`."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        if self.shown:
            self._line(summary or f"{self.label}: {self.counted()} in {self.took()}")
        self.shown = False

    def took(self) -> str:
        """`1.2s, 800 files/s`: the time so far and the rate (for a summary line)."""
        took = self.seconds
        if took <= 0 or not self.count:
            return f"{took:.1f}s"
        rate = self.count / took
        shown = f"{tqdm.format_sizeof(rate)}B" if self.scaled else f"{rate:,.0f} {self.unit}"
        return f"{took:.1f}s, {shown}/s"

    def counted(self) -> str:
        """`12.3MB/89.0MB` or `3/12 files`: the count so far, of the total when known."""
        if self.scaled:
            of = f"/{tqdm.format_sizeof(self.total)}B" if self.total is not None else ""
            return f"{tqdm.format_sizeof(self.count)}B{of}"
        of = f"/{self.total:,}" if self.total is not None else ""
        return f"{self.count:,}{of} {self.unit}"

    def _line(self, text: str) -> None:
        print(text, file=self.stream, flush=True)

    def __enter__(self) -> Phase:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.cancel()
