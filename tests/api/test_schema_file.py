"""The committed SDL (`api/schema.graphql`) is the schema the code builds."""

from __future__ import annotations

from api.schema import sdl
from api.schema_dump import SCHEMA_FILE, main


def test_committed_sdl_matches_the_code() -> None:
    assert SCHEMA_FILE.read_text("utf-8") == sdl(), (
        "api/schema.graphql is out of date: run `python -m api.schema_dump`"
    )
    assert main(["--check"]) == 0


def test_schema_dump_writes_the_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "schema.graphql"
    assert main(["--check", "--output", str(target)]) == 1
    assert main(["--output", str(target)]) == 0
    assert target.read_text("utf-8") == sdl()
