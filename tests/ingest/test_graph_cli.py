"""`tenantgraph import` and `tenantgraph collect` (the commands in graph_commands.COMMANDS)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from graphmodel.cli import main
from graphmodel.schema.verdict import Decision
from graphmodel.service import GraphService
from graphmodel.stores import open_store
from tests.ingest.fake_graph import FakeGraph
from tests.ingest.fake_tenant import make_certificate, routes
from tests.ingest.graph_folders import CONTOSO_ID
from tests.ingest.test_graph_import import sample_export


def tenantgraph(*argv: str) -> int:
    return main(list(argv))


def test_import_stores_a_snapshot_and_prints_located_warnings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dirs = [str(p) for p in sample_export(tmp_path / "export")]
    db = tmp_path / "tg.db"
    assert tenantgraph("import", *dirs, "--db", str(db), "--no-progress") == 0
    out, err = capsys.readouterr()
    assert out.startswith("snapshot 1 written: ")
    assert "warning: contoso/users.page3.json: value[0]: tenant `adatum.com` is referenced" in err
    assert "warning(s):" in err
    with open_store("memory", path=db) as store:
        verdict = GraphService(store).check("fabrikam/bob", "contoso/wiki")
    assert verdict.decision is Decision.ALLOW


def test_import_dry_run_stores_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dirs = [str(p) for p in sample_export(tmp_path / "export")]
    assert tenantgraph("import", *dirs, "--dry-run", "--quiet", "--no-progress",
                       "--db", str(tmp_path / "tg.db")) == 0
    assert capsys.readouterr().out.startswith("ok: 3 tenants, ")
    assert not (tmp_path / "tg.db").exists()


def test_import_of_a_folder_that_is_no_export_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "empty").mkdir()
    assert tenantgraph("import", str(tmp_path / "empty"), "--db", str(tmp_path / "x.db")) == 2
    err = capsys.readouterr().err
    assert "holds no `organization.json`, neither itself nor in a subfolder" in err
    assert err.rstrip().endswith("error: 1 problem(s) found")


@pytest.fixture
def fake(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeGraph]:
    cert, key = make_certificate(tmp_path_factory.mktemp("cli-server"), server=True)
    with FakeGraph(CONTOSO_ID, routes(), cert, key) as server:
        yield server


def _collect_args(fake: FakeGraph, out: Path) -> list[str]:
    return ["collect", "--tenant-id", CONTOSO_ID, "--client-id", "app-id",
            "--client-secret-env", "TG_TEST_SECRET", "--out", str(out),
            "--graph-url", fake.base_url, "--authority-host", fake.base_url,
            "--ca-bundle", str(fake.cert)]


def test_collect_then_import(
    fake: FakeGraph, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TG_TEST_SECRET", "s3cret")
    out = tmp_path / "contoso"
    assert tenantgraph(*_collect_args(fake, out)) == 0
    stdout, err = capsys.readouterr()
    written = [p for p in out.rglob("*.json") if p.name != "deltaState.json"]
    assert stdout.strip() == (f"collected {len(written)} files into `{out}` "
                              f"(complete); load them with `tenantgraph import {out}`")
    assert ("collect: collected `/users/delta` (full read): 5 objects, 0 removed, 0 membership "
            "changes in 1 page(s), 5 in all") in err
    assert (out / "deltaState.json").is_file()
    assert fake.token_requests[0]["client_secret"] == ["s3cret"]
    assert tenantgraph("import", str(out), "--db", str(tmp_path / "tg.db"), "--quiet") == 0


def test_collect_reports_missing_permissions_and_exits_2(
    fake: FakeGraph, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TG_TEST_SECRET", "s3cret")
    fake.forbidden = {"/identityGovernance"}
    assert tenantgraph(*_collect_args(fake, tmp_path / "t")) == 2
    err = capsys.readouterr().err
    assert ("error: microsoft graph refused access (403) because the app registration lacks the "
            "application permissions `EntitlementManagement.Read.All` (for "
            "`/identityGovernance/entitlementManagement/connectedOrganizations`, ") in err
    assert f"the files that could be read are in `{tmp_path / 't'}` (marked incomplete)" in err


def test_collect_without_the_secret_exits_2(
    fake: FakeGraph, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("TG_TEST_SECRET", raising=False)
    assert tenantgraph(*_collect_args(fake, tmp_path / "t")) == 2
    assert capsys.readouterr().err.strip() == (
        "error: environment variable `TG_TEST_SECRET` holding the client secret is not set")
    assert fake.requests == []
