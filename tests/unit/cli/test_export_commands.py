"""`tenantgraph export` end to end through `main()`: a small World is written to a sqlite file,
then each format/answer pair must print exactly what the export module renders for the
service's own answer (the command adds no content of its own)."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphmodel.cli import main
from graphmodel.export import FORMATS, WhoResult
from graphmodel.service import GraphService
from graphmodel.stores import open_store
from tests.conformance.worlds import three_tenants
from tests.ingest.graph_folders import SHARED


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("export") / "world.db"
    svc = GraphService(open_store("memory", path=str(path)))
    try:
        svc.load_world(three_tenants(), source="test")
    finally:
        svc.store.close()
    return path


@pytest.fixture
def svc(db: Path):
    service = GraphService(open_store("memory", path=str(db)))
    yield service
    service.store.close()


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_trust_export_prints_the_rendered_trust_graph(fmt, db, svc, capsys):
    assert main(["export", "--format", fmt, "--db", str(db)]) == 0
    expected = FORMATS[fmt].trust(svc.trust_graph(), svc.world().tenants)
    assert capsys.readouterr().out == expected
    assert svc.trust_graph(), "the sample world must derive some trust edges"


def test_trust_export_filtered_by_tenant(db, svc, capsys):
    assert main(["export", "--format", "csv", "--tenant", "litware", "--db", str(db)]) == 0
    rows = capsys.readouterr().out.strip().split("\n")[1:]
    assert rows and all("litware" in r for r in rows)
    assert len(rows) == len(svc.trust_graph(["litware"]))


def test_paths_export_writes_the_verdict_to_a_file(db, svc, tmp_path, capsys):
    out = tmp_path / "bob.graphml"
    args = ["export", "--format", "graphml", "--what", "paths", "--out", str(out)]
    args += ["--principal", "fabrikam/bob", "--resource", "contoso/crm", "--db", str(db)]
    assert main(args) == 0
    verdict = svc.check("fabrikam/bob", "contoso/crm")
    assert verdict.paths, "the sample verdict must have a path to export"
    assert out.read_text(encoding="utf-8") == FORMATS["graphml"].paths(verdict)
    assert "wrote paths as graphml" in capsys.readouterr().err


def test_who_export_lists_every_principal(db, svc, capsys):
    args = ["export", "--format", "csv", "--what", "who", "--resource", "contoso/crm"]
    assert main([*args, "--db", str(db)]) == 0
    page = svc.who_can_access("contoso/crm", first=1000)
    results = [WhoResult(r.principal, r.verdict, r.kind, r.object_ref) for r in page.items]
    assert len(results) > 1
    assert capsys.readouterr().out == FORMATS["csv"].who("contoso/crm", results)


def test_who_export_of_outsiders_lists_exactly_the_outsiders(db, svc, capsys):
    args = ["export", "--format", "csv", "--what", "who", "--resource", "contoso/crm"]
    assert main([*args, "--outsiders", "--db", str(db)]) == 0
    rows = capsys.readouterr().out.strip().split("\n")[1:]
    everyone = svc.who_can_access("contoso/crm", first=1000).items
    outsiders = [r.principal for r in everyone if r.outsider]
    assert outsiders and len(outsiders) < len(everyone), "the sample needs both kinds"
    assert [row.split(",")[0] for row in rows] == outsiders
    assert all(",True," in row for row in rows)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--what", "paths", "--resource", "contoso/crm"], "needs `--principal`"),
        (["--what", "who"], "needs `--resource`"),
    ],
)
def test_missing_arguments_are_a_usage_error(extra, message, db, capsys):
    assert main(["export", "--format", "dot", *extra, "--db", str(db)]) == 2
    assert message in capsys.readouterr().err


EVIDENCE = SHARED / "scenarios" / "evidence" / "stale-guests-and-old-invitations.yaml"


def test_graph_format_round_trips_a_world_file_through_import(tmp_path, capsys):
    from graphmodel.ingest import load_world_file
    from tests.ingest.graph_folders import different_fields

    out = tmp_path / "export"
    assert main(["export", "--format", "graph", "--world", str(EVIDENCE), "--out", str(out)]) == 0
    assert "wrote 2 tenant folder(s)" in capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == ["contoso", "fabrikam"]
    db = tmp_path / "back.db"
    assert main(["import", str(out), "--db", str(db), "--quiet"]) == 0
    with open_store("memory", path=str(db)) as store:
        back = GraphService(store).world()
    assert different_fields(load_world_file(EVIDENCE), back) == []


def test_graph_format_exports_a_snapshot_and_refuses_a_used_folder(db, svc, tmp_path, capsys):
    out = tmp_path / "snap"
    assert main(["export", "--format", "graph", "--db", str(db), "--out", str(out)]) == 0
    assert {p.name for p in out.iterdir()} == {t.name for t in svc.world().tenants}
    assert main(["export", "--format", "graph", "--db", str(db), "--out", str(out)]) == 2
    assert "is not an empty folder" in capsys.readouterr().err
    assert main(["export", "--format", "graph", "--db", str(db)]) == 2
    assert "give the target folder with `--out`" in capsys.readouterr().err
