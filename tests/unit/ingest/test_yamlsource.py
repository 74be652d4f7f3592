"""Tests for `graphmodel.ingest.yamlsource`: positions, duplicate keys, syntax errors, quirks.

Each test parses a literal document and asserts on `YamlDocument.data`, `.lines` or `.issues`.
"""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime

import pytest

from graphmodel.ingest.yamlsource import line_of, parse_yaml


def test_lines_of_keys_and_sequence_items_are_one_based() -> None:
    doc = parse_yaml(
        textwrap.dedent(
            """\
            world:
              tenants:
                - name: contoso
                  users:
                    - alice
                    - {name: bob, guestOf: fabrikam/bob}
            """
        )
    )
    assert doc.issues == ()
    assert doc.lines[("world",)] == 1
    assert doc.lines[("world", "tenants", 0)] == 3
    assert doc.lines[("world", "tenants", 0, "users")] == 4
    assert doc.lines[("world", "tenants", 0, "users", 1)] == 6
    assert doc.lines[("world", "tenants", 0, "users", 1, "guestOf")] == 6


def test_line_of_falls_back_to_the_nearest_located_ancestor() -> None:
    doc = parse_yaml("a:\n  b: [1, 2]\n")
    assert line_of(doc.lines, ("a", "b", 1, "nothing", "here")) == 2
    assert line_of(doc.lines, ("zzz",)) == 1  # the document root


def test_duplicate_key_is_an_issue_at_the_second_key_and_the_first_value_is_kept() -> None:
    doc = parse_yaml("tenants:\n  - name: a\n    cloud: global\n    cloud: usgov\n")
    assert [(i.code, i.path, i.line) for i in doc.issues] == [
        ("duplicate-key", "tenants[0].cloud", 4)
    ]
    assert "first at line 3" in doc.issues[0].msg
    assert doc.data == {"tenants": [{"name": "a", "cloud": "global"}]}


def test_syntax_error_is_one_issue_at_the_problem_line() -> None:
    doc = parse_yaml("a: 1\nb: [1, 2\nc: 3\n", file="w.yaml")
    assert doc.data is None
    assert len(doc.issues) == 1
    issue = doc.issues[0]
    assert (issue.code, issue.file, issue.loc) == ("yaml-syntax", "w.yaml", ())
    assert issue.line == 3
    assert issue.msg.startswith("invalid yaml: ")


def test_bad_indentation_is_located() -> None:
    doc = parse_yaml("a: 1\n b: 2\n")
    assert [(i.code, i.line) for i in doc.issues] == [("yaml-syntax", 2)]


def test_control_character_is_located_by_offset() -> None:
    doc = parse_yaml("a: 1\nb: \x07\n")
    assert [(i.code, i.line) for i in doc.issues] == [("yaml-syntax", 2)]
    assert "#x0007" in doc.issues[0].msg


def test_yaml_11_scalars_keep_their_types_but_keys_keep_their_text() -> None:
    doc = parse_yaml("asOf: 2026-03-01T00:00:00Z\nflag: no\nno: 1\nn: 007\n")
    assert doc.data == {
        "asOf": datetime(2026, 3, 1, tzinfo=UTC),
        "flag": False,
        "no": 1,
        "n": 7,
    }


def test_empty_document_has_no_data_and_no_issue() -> None:
    doc = parse_yaml("# only a comment\n")
    assert (doc.data, doc.issues) == (None, ())


def test_merge_keys_are_applied_and_explicit_keys_win() -> None:
    doc = parse_yaml("base: &b {x: 1, y: 2}\nitem:\n  <<: *b\n  y: 3\n")
    assert doc.data == {"base": {"x": 1, "y": 2}, "item": {"x": 1, "y": 3}}
    assert doc.lines[("item", "y")] == 4
    assert doc.issues == ()


def test_unknown_tag_and_recursive_alias_are_issues_not_exceptions() -> None:
    doc = parse_yaml("a: !secret x\nb: &r [*r]\n")
    assert [(i.code, i.path, i.line) for i in doc.issues] == [
        ("yaml-unsupported", "a", 1),
        ("yaml-unsupported", "b[0]", 2),
    ]


def test_complex_key_and_invalid_date_are_issues() -> None:
    doc = parse_yaml("? [a, b]\n: 1\nwhen: 2026-13-40\n")
    assert [(i.code, i.line) for i in doc.issues] == [
        ("yaml-unsupported", 1),
        ("invalid-value", 3),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "tenants:\n" + "".join(f"  - name: t{i}\n    users: [a, {{name: c}}]\n" for i in range(99)),
        "a: 1\na: 2\n",  # a duplicate key
        "a: [1, 2\n",  # a syntax error
        "a: b\x07c\n",  # a control character, located by the reader
        "",
    ],
    ids=["tenants", "duplicate", "syntax", "control", "empty"],
)
def test_progress_changes_nothing_but_is_told_a_growing_share(text: str) -> None:
    shares: list[float] = []
    followed = parse_yaml(text, file="f.yaml", progress=shares.append)
    assert followed == parse_yaml(text, file="f.yaml")  # data, lines and issues alike
    assert shares == sorted(shares) and all(0.0 <= s <= 1.0 for s in shares)
    if text.startswith("tenants"):
        assert len(shares) > 3 and shares[-1] > 0.9  # composed, measured, converted
