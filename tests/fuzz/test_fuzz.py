"""Property tests: hostile world files, Graph exports and GraphQL documents never end in a
traceback (issue 16).

A world file or an export either loads or is refused with `GraphModelError` (located issues);
a GraphQL document gets an answer whose every error has a stable `extensions.code`, never an
HTTP 500 and never `internal-error`. Sized to keep the suite fast (a few seconds each); the
10,000-case runs are `bench/fuzz_files.py` and `bench/fuzz_graphql.py`.
"""

from __future__ import annotations

import random
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.schema import build_schema
from graphmodel.errors import GraphModelError
from graphmodel.ingest import load_world_file, load_world_text_with_warnings
from graphmodel.ingest.graph_export import export_world, import_export
from tests.api.support import WORLD, Client, LiveServer, Tokens, seed, token_auth
from tests.fuzz.cases import graphql_document, hostile_graphql, mutate_export, mutate_world_text

REPO = Path(__file__).resolve().parents[2]
BASES = (WORLD.read_text(), (REPO / "fixtures" / "demo.yaml").read_text())


def fast(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )


@fast(150)
@given(rng=st.randoms(use_true_random=False), base=st.sampled_from(BASES))
def test_mutated_world_files_load_or_are_refused(rng: random.Random, base: str) -> None:
    text = mutate_world_text(base, rng)
    try:
        load_world_text_with_warnings(text, file="fuzz.yaml")
    except GraphModelError as exc:
        assert exc.code  # a located refusal, not a crash


@pytest.fixture(scope="module")
def export_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("export")
    export_world(load_world_file(WORLD), root)
    return root


@fast(30)
@given(rng=st.randoms(use_true_random=False))
def test_mutated_graph_exports_import_or_are_refused(export_root: Path, rng: random.Random) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "export"
        shutil.copytree(export_root, copy)
        mutate_export(copy, rng)
        try:
            import_export(sorted(p for p in copy.iterdir() if p.is_dir()))
        except GraphModelError as exc:
            assert exc.code


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, Tokens]]:
    """An admin-reachable server of its own: fuzzed mutations may change its store."""
    root = tmp_path_factory.mktemp("fuzz-api")
    seed(root / "fuzz.db")
    tokens = Tokens.create(root / "tokens.sqlite")
    server = LiveServer(root / "fuzz.db", token_auth(root / "tokens.sqlite")).start()
    yield server, tokens
    server.stop()


SCHEMA = build_schema()._schema


def _assert_coded(client: Client, document: str) -> None:
    response = client.post(document)
    assert response.status_code != 500, document[:300]
    body = response.json()
    for error in body.get("errors", ()):
        code = error.get("extensions", {}).get("code")
        assert code and code != "internal-error", (error, document[:300])


@fast(80)
@given(rng=st.randoms(use_true_random=False))
def test_graphql_documents_from_the_schema_get_coded_answers(
    fuzz_server: tuple[LiveServer, Tokens], rng: random.Random
) -> None:
    server, tokens = fuzz_server
    _assert_coded(server.client(tokens.admin), graphql_document(SCHEMA, rng))


@fast(25)
@given(rng=st.randoms(use_true_random=False))
def test_hostile_graphql_documents_get_coded_answers(
    fuzz_server: tuple[LiveServer, Tokens], rng: random.Random
) -> None:
    server, tokens = fuzz_server
    client = server.client(tokens.contoso_reader)
    _assert_coded(client, hostile_graphql(SCHEMA, rng))
    assert client.http.get("/healthz").status_code == 200
