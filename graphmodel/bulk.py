"""Bulk builds of long-lived objects (snapshot decoding, index builds) and the cyclic GC.

Why: decoding a 1M-user snapshot creates tens of millions of objects that all live on. With the
cyclic GC running, it rescans them again and again while they are made (a third of the time at
1M users), and once more, all at once, on the first collection after the build (0.8 s,
measured). These objects hold no reference cycles, so moving them out of the GC's view
(`gc.freeze`) loses nothing: reference counting still frees them when they are dropped.
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import islice
from typing import TypeVar

__all__ = ["copy_in_slices", "paused_gc"]

K = TypeVar("K")
V = TypeVar("V")
SLICE = 50_000
"""Entries copied per C call by `copy_in_slices` (about 1.5 ms: the switch interval of a server)."""


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


def copy_in_slices(d: dict[K, V]) -> dict[K, V]:
    """A copy of `d` (a `defaultdict` stays one), made `SLICE` entries at a time.

    Why: `dict.copy()` of a million entries is one C call holding the GIL for ~30 ms; a server
    copying an index's dict on a background thread would stall its event loop for as long.
    Between slices the interpreter may hand the GIL to another thread. `d` must not change
    while it is copied (an index's built dicts never do; a cache filled by readers may: copy
    those with `.copy()`).
    """
    if len(d) <= SLICE:
        return d.copy()
    out: dict[K, V] = defaultdict(d.default_factory) if isinstance(d, defaultdict) else {}
    items = iter(d.items())
    while batch := list(islice(items, SLICE)):
        out.update(batch)
    return out

