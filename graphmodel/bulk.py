"""Bulk builds of long-lived objects (snapshot decoding, index builds) and the cyclic GC.

Why: decoding a 1M-user snapshot creates tens of millions of objects that all live on. With the
cyclic GC running, it rescans them again and again while they are made (a third of the time at
1M users), and once more, all at once, on the first collection after the build (0.8 s,
measured). These objects hold no reference cycles, so moving them out of the GC's view
(`gc.freeze`) loses nothing: reference counting still frees them when they are dropped.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["paused_gc"]


@contextmanager
def paused_gc(*, freeze: bool = False) -> Iterator[None]:
    """Disable the cyclic GC for a bulk build, then restore its previous state.

    `freeze`: when the build succeeds, first move everything alive into the permanent
    generation, so the collector never scans the new objects.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
        if freeze:
            gc.freeze()
    finally:
        if was_enabled:
            gc.enable()
