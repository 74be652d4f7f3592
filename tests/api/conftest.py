"""Fixtures for the API suite: live servers over real stores and tokens.

How to write tests here: read-only tests use `shared` (one server for the whole module run,
never mutated) and its `tokens`; a test that mutates asks `fresh()` for its own server over its
own database, so tests never depend on each other's writes. Query through `Client.data()`
(asserts no errors) or `Client.codes()` (the `extensions.code` of each error).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from api import Limits
from tests.api.support import Client, LiveServer, Tokens, seed, token_auth

Fresh = Callable[..., tuple[LiveServer, Tokens]]


@pytest.fixture(scope="session")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, Tokens]]:
    """One token-authenticated server over the test world; tests must not mutate it."""
    root = tmp_path_factory.mktemp("shared")
    db = root / "shared.db"
    seed(db)
    tokens = Tokens.create(root / "tokens.sqlite")
    server = LiveServer(db, token_auth(root / "tokens.sqlite")).start()
    yield server, tokens
    server.stop()


@pytest.fixture
def admin(shared: tuple[LiveServer, Tokens]) -> Client:
    server, tokens = shared
    return server.client(tokens.admin)


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Fresh]:
    """Start servers over a new database seeded with the test world (stopped after the test)."""
    started: list[LiveServer] = []
    tokens = Tokens.create(tmp_path / "tokens.sqlite")
    db = tmp_path / "fresh.db"
    seed(db)

    def start(limits: Limits | None = None) -> tuple[LiveServer, Tokens]:
        server = LiveServer(db, token_auth(tmp_path / "tokens.sqlite"), limits or Limits())
        started.append(server.start())
        return server, tokens

    yield start
    for server in started:
        server.stop()
