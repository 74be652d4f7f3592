"""Store factories by name, so backends plug in without `if` chains in the callers.

Why a registry: the service and the CLI open "the configured store" by name (`memory`,
`neo4j`); each backend registers a factory for its name and validates its own options.
`memory` is registered here; the Neo4j backend registers itself when its module is imported.
"""

from __future__ import annotations

import os
import typing
from collections.abc import Callable
from typing import Protocol

from graphmodel.stores.base import GraphStore

__all__ = [
    "StoreCheck",
    "StoreFactory",
    "check_store",
    "open_store",
    "register_store_factory",
    "store_kinds",
]


class StoreFactory(Protocol):
    """Opens a store from keyword options; raises TypeError for an unknown or mistyped option."""

    def __call__(self, **options: object) -> GraphStore: ...


StoreCheck = Callable[..., None]
"""Checks that a store with these options opens, without reading a snapshot; raises as the
factory would."""

_FACTORIES: dict[str, StoreFactory] = {}
_CHECKS: dict[str, StoreCheck] = {}


def register_store_factory(
    name: str, factory: StoreFactory, *, replace: bool = False, check: StoreCheck | None = None
) -> None:
    """Make `open_store(name, ...)` call `factory` (and `check_store` call `check`, when the
    backend has a cheaper check than opening). Raises ValueError if `name` is taken.

    Examples
    --------
    >>> register_store_factory("memory", _open_memory)
    Traceback (most recent call last):
    ValueError: a store factory named `memory` is already registered
    """
    if name in _FACTORIES and not replace:
        raise ValueError(f"a store factory named `{name}` is already registered")
    _FACTORIES[name] = factory
    if check is None:
        _CHECKS.pop(name, None)
    else:
        _CHECKS[name] = check


def store_kinds() -> list[str]:
    """The registered store names, sorted.

    Examples
    --------
    >>> "memory" in store_kinds()
    True
    """
    return sorted(_FACTORIES)


def open_store(kind: str = "memory", **options: object) -> GraphStore:
    """Open a store of `kind` with backend `options`; close it (or use `with`) when done.

    Raises ValueError for an unknown kind, TypeError for an option the backend does not take,
    and `StoreUnavailable` when the database cannot be opened.

    Examples
    --------
    >>> with open_store() as store:
    ...     store.current_snapshot() is None
    True
    >>> open_store("nosuch")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ValueError: unknown store kind `nosuch` (known: memory...)
    """
    factory = _FACTORIES.get(kind)
    if factory is None:
        raise ValueError(f"unknown store kind `{kind}` (known: {', '.join(store_kinds())})")
    return factory(**options)


def check_store(kind: str = "memory", **options: object) -> None:
    """Raise what `open_store(kind, **options)` would raise, without reading a snapshot.

    Why: `serve --workers N` checks the store once in the parent, so a wrong path or an
    unreachable server is one clear error instead of N worker tracebacks; opening the memory
    store there would decode the whole newest snapshot only to throw it away (5 s at 1M users).
    """
    check = _CHECKS.get(kind)
    if check is None:
        open_store(kind, **options).close()
    else:
        check(**options)


def _memory_options(
    options: dict[str, object],
) -> tuple[str | os.PathLike[str] | None, float, int]:
    """`memory` options: `path` (sqlite file; None = not durable), `timeout`, `batch_size`."""
    unknown = sorted(set(options) - {"path", "timeout", "batch_size"})
    if unknown:
        raise TypeError(f"unknown option `{unknown[0]}` for the `memory` store")
    path = options.get("path")
    timeout = options.get("timeout", 5.0)
    batch_size = options.get("batch_size", 5_000)
    if path is not None and not isinstance(path, str | os.PathLike):
        raise TypeError(f"option `path` of the `memory` store must be a path, not `{path!r}`")
    path = typing.cast("str | os.PathLike[str] | None", path)
    if not isinstance(timeout, int | float) or not isinstance(batch_size, int):
        raise TypeError("options `timeout` and `batch_size` of the `memory` store must be numbers")
    return path, float(timeout), batch_size


def _open_memory(**options: object) -> GraphStore:
    from graphmodel.stores.memory import MemoryStore

    path, timeout, batch_size = _memory_options(options)
    return MemoryStore(path, timeout=timeout, batch_size=batch_size)


def _check_memory(**options: object) -> None:
    """The file opens and has a schema this build reads (a new file is created, as on open)."""
    from graphmodel.stores.memory.sqlite import SnapshotDb

    path, timeout, _ = _memory_options(options)
    SnapshotDb(path, timeout=timeout).close()


register_store_factory("memory", _open_memory, check=_check_memory)
