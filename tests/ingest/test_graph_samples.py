"""Every Microsoft Graph sample in ../shared/graph-samples goes through the importer.

One parametrised test per sample file: the sample is placed where the export layout puts that
response, imported with `import_export`, and its case (in `sample_cases_*.py`) asserts what it
maps to, or the located warning its quirk produces. A sample without a case fails, so a new
sample cannot slip by untested.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.ingest import sample_cases_a, sample_cases_b, sample_cases_c
from tests.ingest.graph_folders import SAMPLES, sample_files
from tests.ingest.sample_registry import CASES

_LOADED = (sample_cases_a, sample_cases_b, sample_cases_c)


def test_every_sample_is_listed_in_the_manifest() -> None:
    manifest = [json.loads(line)["file"] for line in (SAMPLES / ".manifest.jsonl").open()]
    assert sorted(manifest) == sample_files()
    assert len(manifest) == 65


def test_every_case_names_a_sample() -> None:
    assert set(CASES) <= set(sample_files())


@pytest.mark.parametrize("sample", sample_files())
def test_sample(sample: str, tmp_path: Path) -> None:
    assert sample in CASES, f"no importer case for sample `{sample}`"
    CASES[sample](tmp_path)
