"""An export that cannot be read fails closed (issue 29): `import` exits 2 and stores nothing,
naming the file and the reason; `--allow-partial` imports the rest, leaves out only what cannot be
read, never a policy file, and records what was left out in the snapshot's source.

How to write tests here: export the demo world once (`exported`), copy it per test (`export`),
damage one file, and run the CLI in this process (`tenantgraph(...)`); read the store back with
a real `GraphService`.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from graphmodel.cli import main
from graphmodel.schema.omissions import omitted
from graphmodel.schema.verdict import Decision
from graphmodel.service import GraphService
from graphmodel.stores import open_store

DEMO = Path(__file__).resolve().parents[2] / "fixtures" / "demo.yaml"
DEEP = "[" * 100_000 + "]" * 100_000  # 200 KB, gigabytes when built naively


def tenantgraph(*argv: str) -> int:
    return main(list(argv))


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo-export") / "exp"
    assert tenantgraph("export", "--format", "graph", "--world", str(DEMO), "--out", str(out)) == 0
    return out


@pytest.fixture
def export(exported: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "exp"
    shutil.copytree(exported, copy)
    return copy


def _import(export: Path, db: Path, *flags: str) -> int:
    return tenantgraph("import", "--quiet", "--no-progress", "--db", str(db), *flags, str(export))


def _nest_one_item(path: Path, index: int, depth: int) -> str:
    """Give item `index` of the file's `value` list a field nested `depth` levels deep."""
    body = json.loads(path.read_text())
    body["value"][index]["extension"] = "@DEEP@"
    text = json.dumps(body).replace('"@DEEP@"', "[" * depth + "]" * depth)
    path.write_text(text)
    return str(body["value"][index]["id"])


def _snapshots(db: Path) -> list[tuple[int, str]]:
    with open_store("memory", path=db) as store:
        return [(s.id, s.source) for s in GraphService(store).snapshots()]


def test_an_unreadable_policy_file_stores_nothing_even_when_partial_is_allowed(
    export: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (export / "contoso" / "conditionalAccessPolicies.json").write_text(DEEP)
    db = tmp_path / "x.db"
    for flags in ((), ("--allow-partial",)):
        assert _import(export, db, *flags) == 2
        assert not db.exists()
        err = capsys.readouterr().err
        assert "contoso/conditionalAccessPolicies.json" in err
        assert "nests deeper than 64 levels (json-too-deep)" in err
        assert "nothing was stored" in err


def test_a_failed_import_leaves_the_previous_snapshot_answering(
    export: Path, exported: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "x.db"
    assert _import(exported, db) == 0
    before = _snapshots(db)
    (export / "contoso" / "conditionalAccessPolicies.json").write_text(DEEP)
    assert _import(export, db) == 2
    assert _snapshots(db) == before
    with open_store("memory", path=db) as store:
        verdict = GraphService(store).check("litware/lena", "contoso/vault")
    assert verdict.decision is Decision.DENY  # the Conditional Access policy still applies


def test_one_over_deep_user_fails_the_import_and_partial_leaves_out_only_that_user(
    export: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    users = export / "contoso" / "users.json"
    total = len(json.loads(users.read_text())["value"])
    _nest_one_item(users, 3, 65)
    db = tmp_path / "x.db"
    assert _import(export, db) == 2 and not db.exists()
    assert "contoso/users.json: value[3]: the object was not read" in capsys.readouterr().err
    assert _import(export, db, "--allow-partial") == 0
    assert "partial import: left out 1 of the users of contoso" in capsys.readouterr().err
    ((_, source),) = _snapshots(db)
    assert omitted(source) == ("1 of the users of contoso",)
    with open_store("memory", path=db) as store:
        world = GraphService(store).world()
    assert sum(u.tenant == "contoso" for u in world.users) == total - 1
    assert omitted(world.source) == ("1 of the users of contoso",)  # survives mutations


def test_a_truncated_collection_keeps_what_was_read_only_when_partial_is_allowed(
    export: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    users = export / "contoso" / "users.json"
    text = users.read_text()
    cut = text.index('"id"', text.index('"id"', text.index('"id"') + 1) + 1)  # in item 2
    users.write_text(text[:cut])
    db = tmp_path / "x.db"
    assert _import(export, db) == 2 and not db.exists()
    err = capsys.readouterr().err
    assert "contoso/users.json: value[2]: the file is not valid json and was read only up to" in err
    assert _import(export, db, "--allow-partial") == 0
    ((_, source),) = _snapshots(db)
    assert omitted(source) == ("the users of contoso from value[2] on",)
    with open_store("memory", path=db) as store:
        world = GraphService(store).world()
    members = [u for u in world.users if u.tenant == "contoso" and u.user_type.value == "Member"]
    assert len(members) >= 2  # the two users before the cut


def test_an_unparsable_directory_file_is_left_out_whole_only_when_partial_is_allowed(
    export: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (export / "fabrikam" / "groups.json").write_text("{not json")
    db = tmp_path / "x.db"
    assert _import(export, db) == 2 and not db.exists()
    assert "fabrikam/groups.json: <document>: the file is not valid json" in capsys.readouterr().err
    assert _import(export, db, "--allow-partial") == 0
    ((_, source),) = _snapshots(db)
    assert "all groups of fabrikam" in omitted(source)


def test_one_over_deep_policy_is_never_left_out(
    export: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _nest_one_item(export / "contoso" / "conditionalAccessPolicies.json", 0, 70)
    db = tmp_path / "x.db"
    assert _import(export, db, "--allow-partial") == 2 and not db.exists()
    err = capsys.readouterr().err
    assert "contoso/conditionalAccessPolicies.json: value[0]: the object was not read" in err
    assert "policy files are never left out" in err
