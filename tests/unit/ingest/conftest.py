"""Shared helpers for the ingest tests.

Tests here feed small YAML documents to the real loaders and assert on the typed result or on
the exact issues raised (code, rendered path and line): no mocks. Write documents with
`textwrap.dedent` so the line numbers asserted are the ones you read in the test.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable

import pytest

from graphmodel.errors import Issue, WorldInvalid
from graphmodel.ingest import load_world_text, load_world_text_with_warnings
from graphmodel.schema.world import World

WorldLoader = Callable[[str], World]
IssueLoader = Callable[[str], list[Issue]]


@pytest.fixture
def world() -> WorldLoader:
    """Load a dedented world document, failing the test with every issue if it is invalid."""

    def load(text: str) -> World:
        try:
            return load_world_text(textwrap.dedent(text))
        except WorldInvalid as exc:  # pragma: no cover - shown only when a test is wrong
            pytest.fail("\n".join(i.render() for i in exc.issues))

    return load


@pytest.fixture
def errors() -> IssueLoader:
    """The issues a dedented world document is rejected with (fails if it loads)."""

    def load(text: str) -> list[Issue]:
        with pytest.raises(WorldInvalid) as caught:
            load_world_text(textwrap.dedent(text))
        return list(caught.value.issues)

    return load


@pytest.fixture
def warnings() -> IssueLoader:
    """The warnings of a dedented world document that loads."""

    def load(text: str) -> list[Issue]:
        return load_world_text_with_warnings(textwrap.dedent(text))[1]

    return load
