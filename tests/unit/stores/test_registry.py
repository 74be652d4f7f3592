"""Unit tests of `graphmodel.stores.registry`: `open_store` and factory registration.

How to write tests here: register throwaway factories under unique names and remove them in a
`finally` (the registry is process-wide); never replace `memory`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from graphmodel.stores import (
    Capability,
    GraphStore,
    open_store,
    register_store_factory,
    registry,
    store_kinds,
)
from graphmodel.stores.memory import MemoryStore


def test_default_store_is_the_memory_store() -> None:
    with open_store() as store:
        assert isinstance(store, MemoryStore)
        assert Capability.DURABLE not in store.capabilities


def test_memory_store_with_a_path_is_durable(tmp_path: Path) -> None:
    with open_store("memory", path=tmp_path / "s.db", timeout=1) as store:
        assert Capability.DURABLE in store.capabilities


def test_unknown_kind_lists_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"unknown store kind `nope` \(known: .*memory"):
        open_store("nope")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"colour": "red"}, "unknown option `colour`"),
        ({"path": 3}, "must be a path"),
        ({"timeout": "1"}, "must be numbers"),
    ],
)
def test_bad_options_raise_type_error(options: dict[str, object], message: str) -> None:
    with pytest.raises(TypeError, match=message):
        open_store("memory", **options)


def test_registered_factories_are_opened_by_name() -> None:
    calls: list[dict[str, object]] = []

    def factory(**options: object) -> GraphStore:
        calls.append(options)
        return MemoryStore()

    register_store_factory("test-registry", factory)
    try:
        assert "test-registry" in store_kinds()
        with open_store("test-registry", flag=True):
            pass
        assert calls == [{"flag": True}]
        with pytest.raises(ValueError, match="already registered"):
            register_store_factory("test-registry", factory)
        register_store_factory("test-registry", factory, replace=True)
    finally:
        registry._FACTORIES.pop("test-registry", None)
