"""Unit tests of `graphmodel.stores.registry`: `open_store` and factory registration.

How to write tests here: register throwaway factories under unique names and remove them in a
`finally` (the registry is process-wide); never replace `memory`.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from graphmodel.errors import StoreIncompatible, StoreUnavailable
from graphmodel.stores import (
    Capability,
    GraphStore,
    check_store,
    open_store,
    register_store_factory,
    registry,
    store_kinds,
)
from graphmodel.stores.memory import MemoryStore
from tests.conformance.worlds import three_tenants


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
    with pytest.raises(TypeError, match=message):
        check_store("memory", **options)


def test_check_store_raises_what_open_raises_without_reading_a_snapshot(tmp_path: Path) -> None:
    with pytest.raises(StoreIncompatible, match="does not exist"):
        check_store("memory", path=tmp_path / "no" / "s.db")
    path = tmp_path / "s.db"
    with open_store("memory", path=path) as store:
        store.write_snapshot(three_tenants(), source="t", trust_edges=())
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE world_parts SET rows = '[1' WHERE field = 'users'")
    conn.close()
    check_store("memory", path=path)  # the file and its schema are fine: no snapshot is read
    with pytest.raises(StoreUnavailable, match="unreadable snapshot"):
        open_store("memory", path=path)
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    conn.close()
    with pytest.raises(StoreIncompatible, match="schema version `99`"):
        check_store("memory", path=path)


def test_a_kind_without_its_own_check_is_opened_and_closed() -> None:
    opened: list[MemoryStore] = []

    def factory(**options: object) -> GraphStore:
        opened.append(MemoryStore())
        return opened[-1]

    register_store_factory("test-check", factory)
    try:
        check_store("test-check")
        assert len(opened) == 1
        with pytest.raises(StoreUnavailable, match="closed"):
            opened[0].current_snapshot()
    finally:
        registry._FACTORIES.pop("test-check", None)


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
