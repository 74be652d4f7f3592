"""The paper cuts a newcomer meets in the first hour, each as a real `tenantgraph` process.

Store options after any sub-command (also nested ones: `token create --db X`), help for a bare
`tenantgraph`, "did you mean" for a mistyped command or choice, the `tenant/name` hint for a
bare id, and `token list` with a header and an expiry column.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from graphmodel.cli import build_parser
from tests.unit.cli.test_conventions import demo_db as demo_db  # the demo store fixture
from tests.unit.cli.test_conventions import tg


def _parsers(parser: argparse.ArgumentParser, path: str) -> Iterator[tuple[str, Any]]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, nested in action.choices.items():
                yield f"{path} {name}", nested
                yield from _parsers(nested, f"{path} {name}")


def test_every_command_and_nested_command_takes_the_store_options() -> None:
    commands = dict(_parsers(build_parser(), "tenantgraph"))
    assert {"tenantgraph token create", "tenantgraph zone set", "tenantgraph check"} <= set(
        commands
    )
    for name, parser in commands.items():
        for option in ("--store", "--db", "--uri", "--user", "--password-env"):
            assert option in parser._option_string_actions, f"{name} lacks {option}"


def test_token_create_and_list_take_db_and_tokens_after_the_action(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    made = tg("token", "create", "--role", "reader", "--name", "dash", "--db", str(db))
    assert made.returncode == 0, made.stderr
    assert f"in {db}.tokens.sqlite" in made.stderr
    assert made.stdout.strip().startswith("tgk_")
    listed = tg("token", "list", "--json", "--db", str(db))
    assert [t["name"] for t in json.loads(listed.stdout)] == ["dash"]
    before = tg("--db", str(db), "token", "list", "--json")  # the same, option first
    assert json.loads(before.stdout) == json.loads(listed.stdout)
    other = tmp_path / "other.sqlite"
    assert tg("token", "create", "--role", "admin", "--tokens", str(other)).returncode == 0
    assert len(json.loads(tg("token", "list", "--json", "--tokens", str(other)).stdout)) == 1


def test_zone_set_takes_db_after_the_action(demo_db: Path) -> None:
    made = tg("zone", "set", "partners", "fabrikam", "--db", str(demo_db))
    assert made.returncode == 0, made.stderr
    listed = tg("zone", "list", "--db", str(demo_db))
    assert "partners" in listed.stdout and "fabrikam" in listed.stdout


def test_bare_tenantgraph_prints_help_not_an_error() -> None:
    run = tg()
    assert run.returncode == 0 and run.stderr == ""
    assert run.stdout.startswith("usage: tenantgraph")
    for command in ("check", "load", "serve", "who"):
        assert f"    {command} " in run.stdout


def test_a_mistyped_command_or_choice_gets_did_you_mean() -> None:
    run = tg("chek", "fabrikam/bob", "contoso/payroll")
    assert run.returncode == 2
    assert "unknown command `chek`; did you mean `check`?" in run.stderr
    nested = tg("token", "craete", "--role", "reader")
    assert nested.returncode == 2 and "did you mean `create`?" in nested.stderr
    choice = tg("--store", "memroy", "stats")
    assert choice.returncode == 2 and "invalid choice `memroy`; did you mean `memory`?" in (
        choice.stderr
    )
    far = tg("xyzzy")
    assert far.returncode == 2 and "unknown command `xyzzy`" in far.stderr
    assert "did you mean" not in far.stderr
    as_json = tg("chek", "--json")
    (error,) = json.loads(as_json.stdout)["errors"]
    assert error["extensions"]["code"] == "invalid-input"
    assert "did you mean `check`?" in error["message"]


def test_bare_names_are_told_ids_are_tenant_slash_name(demo_db: Path) -> None:
    run = tg("--db", str(demo_db), "check", "bob", "payroll")
    assert run.returncode == 2
    assert run.stderr.strip() == (
        "error: principal `bob` not found; ids are `tenant/name`: `contoso/bob` or `fabrikam/bob`"
    )
    run = tg("--db", str(demo_db), "check", "fabrikam/bob", "payroll", "--json")
    (error,) = json.loads(run.stdout)["errors"]
    assert error["message"] == (
        "resource `payroll` not found; ids are `tenant/name`; did you mean `contoso/payroll`?"
    )
    assert error["extensions"] == {"code": "node-not-found", "suggestion": "contoso/payroll"}
    run = tg("--db", str(demo_db), "who", "nothing-like-it")
    assert run.returncode == 2 and "ids are `tenant/name` (e.g. `" in run.stderr


def test_token_list_has_a_header_and_an_expiry_column(tmp_path: Path) -> None:
    db = str(tmp_path / "t.db")
    empty = tg("token", "list", "--db", db)
    assert empty.returncode == 0 and empty.stdout == ""
    assert "no tokens in" in empty.stderr and "token create" in empty.stderr
    for role, tenant in (("reader", "contoso"), ("admin", "fabrikam")):
        assert tg("token", "create", "--role", role, "--tenant", tenant, "--db", db).returncode == 0
    header, *rows = tg("token", "list", "--db", db).stdout.splitlines()
    assert header.split() == ["ID", "ROLE", "TENANTS", "CREATED", "EXPIRES", "STATE", "NAME"]
    assert len(rows) == 2
    expires_at = header.index("EXPIRES")
    for row in rows:
        assert row[expires_at:].split()[0] == "never"  # no token expires yet
        assert row[header.index("STATE") :].split()[0] == "active"
    assert {row[header.index("TENANTS") :].split()[0] for row in rows} == {"contoso", "fabrikam"}
