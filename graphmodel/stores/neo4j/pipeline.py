"""One statement in flight while the next batch is built: a writer's background sender.

Why: a batch costs the client (building and printing rows) about as much as the server
(running them), and the two wait for each other when done in turn. A single sender thread
runs the statements in order over the writer's one session while the caller builds the next
batch; the GIL is released while the sender waits on the socket. The queue holds at most
`depth` statements, so memory stays bounded and a slow server slows the producer down.
The first failure stops the pipeline and is raised to the caller, by `submit` or by `drain`.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Final, Self

__all__ = ["Pipeline"]

_STOP: Final = None


class Pipeline:
    """Runs submitted calls in order on one thread; `drain` waits and re-raises a failure."""

    def __init__(self, *, depth: int = 2, name: str = "neo4j-writer") -> None:
        self._jobs: queue.Queue[Callable[[], None] | None] = queue.Queue(maxsize=depth)
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (job := self._jobs.get()) is not _STOP:
            try:
                if self._failure is None:
                    job()
            except BaseException as exc:  # handed to the caller: see `_raise`
                self._failure = exc
            finally:
                self._jobs.task_done()
        self._jobs.task_done()

    def _raise(self) -> None:
        if self._failure is not None:
            failure, self._failure = self._failure, None
            raise failure

    def submit(self, job: Callable[[], None]) -> None:
        """Queue `job` (waits while `depth` jobs are queued); raises an earlier job's failure."""
        self._raise()
        self._jobs.put(job)

    def drain(self) -> None:
        """Wait until every queued job ran; raise the first failure (later jobs were skipped)."""
        self._jobs.join()
        self._raise()

    def close(self) -> None:
        """Stop the thread after the queued jobs (their failure is dropped: call `drain`)."""
        if self._thread.is_alive():
            self._jobs.put(_STOP)
            self._thread.join()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
