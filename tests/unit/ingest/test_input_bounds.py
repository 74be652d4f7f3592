"""Hostile files are refused before they are expanded or built (issue 16): deep nesting and
alias bombs in YAML, deep nesting in Graph JSON; each is one located issue, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

from graphmodel.ingest import parse_yaml
from graphmodel.ingest.graph_export.jsonbounds import MAX_DEPTH, scan
from graphmodel.ingest.graph_export.reader import Report, read_items
from graphmodel.ingest.yamlbounds import MAX_ALIAS_EXPANSION


def _bomb(levels: int, width: int) -> str:
    lines = [f"a0: &a0 [{', '.join(['lol'] * width)}]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_before_expansion() -> None:
    doc = parse_yaml(_bomb(12, 10), file="bomb.yaml")  # 10^12 nodes if expanded
    assert doc.data is None
    (issue,) = doc.issues
    assert issue.code == "yaml-unsupported" and issue.file == "bomb.yaml" and issue.line == 1
    assert "aliases expand" in issue.msg and str(MAX_ALIAS_EXPANSION) in issue.msg


def test_modest_aliases_and_merge_keys_still_work() -> None:
    doc = parse_yaml("base: &b {x: 1, y: 2}\none: {<<: *b, y: 3}\ntwo: [*b, *b]\n")
    assert doc.issues == ()
    assert doc.data == {
        "base": {"x": 1, "y": 2},
        "one": {"x": 1, "y": 3},
        "two": [{"x": 1, "y": 2}, {"x": 1, "y": 2}],
    }


def test_deep_yaml_is_one_issue_not_a_recursion_error() -> None:
    for depth in (150, 990, 100_000):
        doc = parse_yaml("world: " + "[" * depth + "]" * depth, file="deep.yaml")
        assert doc.data is None
        (issue,) = doc.issues
        assert issue.code in ("yaml-unsupported", "yaml-syntax") and issue.line == 1


def _users(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "users.json"
    path.write_text(body)
    return path


def test_deep_graph_json_is_refused_with_the_item_it_is_in(tmp_path: Path) -> None:
    deep = "[" * 100_000 + "]" * 100_000  # ~8 GB and a MemoryError before the bound
    (tmp_path / "contoso").mkdir()
    path = _users(tmp_path / "contoso", '{"value": [{"id": "a"}, ' + deep + ', 7, {"id": "b"}]}')
    report = Report(roots=(tmp_path,))
    items = list(read_items(path, report))
    assert [(i.obj["id"], i.loc) for i in items] == [("a", ("value", 0)), ("b", ("value", 3))]
    deep_issue, scalar_issue = report.issues
    assert deep_issue.code == "json-too-deep" and deep_issue.loc == ("value", 1)
    assert scalar_issue.code == "unexpected-shape" and scalar_issue.loc == ("value", 2)
    assert [(o.tenant, o.what, o.count) for o, _ in report.omissions] == [
        ("contoso", "users", 1), ("contoso", "users", 1)]


def test_deep_json_outside_the_collection_leaves_the_whole_file_out(tmp_path: Path) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    path = _users(tmp_path, '{"id": "org", "extra": ' + deep + "}")
    report = Report(roots=(tmp_path,))
    assert list(read_items(path, report)) == []
    ((omission, issue),) = report.omissions
    assert issue.code == "json-too-deep" and omission.count is None


def test_scan_finds_the_next_link_and_passes_ordinary_files(tmp_path: Path) -> None:
    link = "https://graph.microsoft.com/v1.0/users?$skiptoken=x"
    body = {"value": [{"id": str(i), "x": {"y": [1, {"z": 2}]}} for i in range(3)]}
    bounds = scan(_users(tmp_path, json.dumps({**body, "@odata.nextLink": link})))
    assert bounds.problems == () and bounds.next_link == link
    nested = {"value": [json.loads("[" * (MAX_DEPTH - 2) + "]" * (MAX_DEPTH - 2))]}
    assert scan(_users(tmp_path, json.dumps(nested))).problems == ()
