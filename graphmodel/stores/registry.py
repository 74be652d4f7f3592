"""Store factories by name, so backends plug in without `if` chains in the callers.

Why a registry: the service and the CLI open "the configured store" by name (`memory`,
`neo4j`); each backend registers a factory for its name and validates its own options.
`memory` is registered here; the Neo4j backend registers itself when its module is imported.
"""

from __future__ import annotations

import os
from typing import Protocol

from graphmodel.stores.base import GraphStore

__all__ = ["StoreFactory", "open_store", "register_store_factory", "store_kinds"]


class StoreFactory(Protocol):
    """Opens a store from keyword options; raises TypeError for an unknown or mistyped option."""

    def __call__(self, **options: object) -> GraphStore: ...


_FACTORIES: dict[str, StoreFactory] = {}


def register_store_factory(name: str, factory: StoreFactory, *, replace: bool = False) -> None:
    """Make `open_store(name, ...)` call `factory`. Raises ValueError if `name` is taken.

    Examples
    --------
    >>> register_store_factory("memory", _open_memory)
    Traceback (most recent call last):
    ValueError: a store factory named `memory` is already registered
    """
    if name in _FACTORIES and not replace:
        raise ValueError(f"a store factory named `{name}` is already registered")
    _FACTORIES[name] = factory


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


def _open_memory(**options: object) -> GraphStore:
    """`memory` options: `path` (sqlite file; None = not durable), `timeout`, `batch_size`."""
    from graphmodel.stores.memory import MemoryStore

    unknown = sorted(set(options) - {"path", "timeout", "batch_size"})
    if unknown:
        raise TypeError(f"unknown option `{unknown[0]}` for the `memory` store")
    path = options.get("path")
    timeout = options.get("timeout", 5.0)
    batch_size = options.get("batch_size", 5_000)
    if path is not None and not isinstance(path, str | os.PathLike):
        raise TypeError(f"option `path` of the `memory` store must be a path, not `{path!r}`")
    if not isinstance(timeout, int | float) or not isinstance(batch_size, int):
        raise TypeError("options `timeout` and `batch_size` of the `memory` store must be numbers")
    return MemoryStore(path, timeout=float(timeout), batch_size=batch_size)


register_store_factory("memory", _open_memory)
