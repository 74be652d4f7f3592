"""CLI conventions as a user meets them (real processes, real files; see docs/cli.md).

Global store options before or after the command and from the environment; read-only commands
that never create a store file; `--version`; suggestions for mistyped ids; `--json` errors in
the API's shape; `check`'s exit codes; help texts; the progress display; `bench/generate.py`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from graphmodel.cli import main

REPO = Path(__file__).resolve().parents[3]
DEMO = REPO / "fixtures" / "demo.yaml"
COMMAND = (sys.executable, "-m", "graphmodel.cli")


def tg(
    *args: str, env: dict[str, str] | None = None, cwd: Path = REPO
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TENANTGRAPH_")}
    return subprocess.run(
        [*COMMAND, *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env={**clean, **(env or {})},
    )


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("conventions") / "demo.db"
    run = tg("--db", str(db), "load", str(DEMO))
    assert run.returncode == 0, run.stderr
    return db


@pytest.mark.parametrize(
    "command",
    [
        ["check", "fabrikam/bob", "contoso/payroll"],
        ["stats"],
        ["who", "contoso/payroll"],
        ["snapshots"],
        ["audit"],
        ["export", "--format", "csv", "--what", "who", "--resource", "contoso/payroll"],
    ],
)
def test_read_only_commands_on_a_missing_store_fail_and_create_nothing(
    tmp_path: Path, command: list[str]
) -> None:
    db = tmp_path / "nope.db"
    run = tg(*command, "--db", str(db))
    assert run.returncode == 2
    assert f"store file `{db}` does not exist" in run.stderr
    assert "Traceback" not in run.stderr
    assert list(tmp_path.iterdir()) == []


def test_missing_store_with_json_is_a_json_error_with_a_stable_code(tmp_path: Path) -> None:
    db = tmp_path / "nope.db"
    run = tg("stats", "--json", "--db", str(db))
    assert run.returncode == 2 and run.stderr == ""
    (error,) = json.loads(run.stdout)["errors"]
    assert error["extensions"] == {"code": "store-not-found"}
    assert str(db) in error["message"]
    assert not db.exists()


def test_store_options_before_or_after_the_command_and_from_the_environment(
    demo_db: Path, tmp_path: Path
) -> None:
    before = tg("--db", str(demo_db), "stats", "--json")
    after = tg("stats", "--json", "--db", str(demo_db))
    from_env = tg("stats", "--json", env={"TENANTGRAPH_DB": str(demo_db)})
    assert before.returncode == after.returncode == from_env.returncode == 0
    assert json.loads(before.stdout) == json.loads(after.stdout) == json.loads(from_env.stdout)
    # the flag wins over the environment
    wrong = tg("stats", "--db", str(demo_db), env={"TENANTGRAPH_DB": str(tmp_path / "x.db")})
    assert wrong.returncode == 0
    # import (a writing command) takes the global option too
    fresh = tmp_path / "fresh.db"
    assert tg("--db", str(fresh), "load", str(DEMO)).returncode == 0 and fresh.exists()


def test_every_store_option_has_an_environment_variable(tmp_path: Path) -> None:
    run = tg("stats", env={"TENANTGRAPH_STORE": "postgres"})
    assert run.returncode == 2 and "unknown store `postgres`" in run.stderr
    assert "TENANTGRAPH_STORE" in run.stderr
    run = tg("stats", env={"TENANTGRAPH_STORE": "neo4j"})
    assert run.returncode == 2 and "TENANTGRAPH_URI" in run.stderr
    # URI, user and password variable reach the neo4j store: nothing listens there
    run = tg(
        "stats",
        env={
            "TENANTGRAPH_STORE": "neo4j",
            "TENANTGRAPH_URI": "bolt://127.0.0.1:9",
            "TENANTGRAPH_USER": "neo4j",
            "TENANTGRAPH_PASSWORD_ENV": "SOME_PASSWORD",
        },
    )
    assert run.returncode == 3, run.stderr
    assert "127.0.0.1:9" in run.stderr and "retry" in run.stderr
    helped = tg("--help").stdout
    for var in ("TENANTGRAPH_STORE", "TENANTGRAPH_DB", "TENANTGRAPH_URI", "TENANTGRAPH_USER"):
        assert var in helped


def test_version() -> None:
    run = tg("--version")
    assert run.returncode == 0 and run.stdout.startswith("tenantgraph ")
    assert run.stdout.split()[1][0].isdigit()


def test_unknown_ids_get_a_suggestion_in_text_and_json(demo_db: Path) -> None:
    run = tg("--db", str(demo_db), "check", "fabrikam/bob", "contoso/payrol")
    assert run.returncode == 2
    assert "resource `contoso/payrol` not found; did you mean `contoso/payroll`?" in run.stderr
    run = tg("--db", str(demo_db), "reachable", "fabrikam/bbo", "--json")
    assert run.returncode == 2
    (error,) = json.loads(run.stdout)["errors"]
    assert error["extensions"] == {"code": "node-not-found", "suggestion": "fabrikam/bob"}
    far = tg("--db", str(demo_db), "who", "nowhere/zzz")
    assert far.returncode == 2 and "did you mean" not in far.stderr


def test_check_exit_codes_allow_deny_pending(demo_db: Path) -> None:
    def check(principal: str, resource: str) -> tuple[int, str]:
        run = tg("--db", str(demo_db), "check", principal, resource, "--json")
        return run.returncode, json.loads(run.stdout)["decision"]

    assert check("fabrikam/bob", "contoso/payroll") == (0, "ALLOW")
    assert check("fabrikam/hugo", "contoso/wiki") == (1, "DENY")
    assert check("fabrikam/dan", "contoso/payroll") == (4, "PENDING")


# The rest runs `main()` in this process: argument parsing needs no process of its own.


def in_process(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_usage_errors_with_json_are_json(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = in_process(capsys, "--db", str(demo_db), "check", "fabrikam/bob", "--json")
    assert code == 2
    (error,) = json.loads(out)["errors"]
    assert error["extensions"]["code"] == "invalid-input" and "resource" in error["message"]
    code, _, err = in_process(capsys, "--db", str(demo_db), "check", "fabrikam/bob")
    assert code == 2 and err.startswith("usage:")


def test_via_accepts_both_spellings_and_bad_routes_are_usage_errors(
    demo_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ask = ("--db", str(demo_db), "check", "fabrikam/bob", "contoso/payroll", "--via")
    for via in ("b2b_collaboration", "B2B_COLLABORATION"):
        assert in_process(capsys, *ask, via)[0] == 0
    code, _, err = in_process(capsys, *ask, "mail")
    assert code == 2 and "invalid route `mail`" in err


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (["check"], ["--via ROUTE", "b2b_direct_connect", "exit codes: 0 ALLOW, 1 DENY"]),
        (["export"], ["--via ROUTE", "b2b_collaboration (a guest object"]),
        (["who"], ["tenant/app", "who can reach it"]),
        (["reachable"], ["fabrikam/bob", "what it can reach"]),
        (["diff"], ["access gained/lost/changed", "findings"]),
    ],
)
def test_help_texts(
    command: list[str], expected: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = in_process(capsys, *command, "--help")
    assert code == 0
    text = " ".join(out.split())
    for phrase in expected:
        assert phrase in text, phrase


def test_load_progress_off_a_terminal_is_quiet_lines_and_timings_add_up(tmp_path: Path) -> None:
    run = tg("--db", str(tmp_path / "p.db"), "load", str(DEMO))
    assert run.returncode == 0
    assert "\r" not in run.stderr
    lines = run.stderr.splitlines()
    assert any(line.startswith("read: 1/1 files, ") and "B in " in line for line in lines)
    assert any(line.startswith("write: ") and " objects in " in line for line in lines)
    out = run.stdout.strip()
    assert out.startswith('snapshot 1 written: {"tenants": 6')
    took = float(out.split("; took ")[1].split("s ")[0])
    parts = out.split("(")[1].rstrip(")").split(", ")
    assert [p.split()[0] for p in parts] == ["start-up", "read", "write"]
    assert took == pytest.approx(sum(float(p.split()[1][:-1]) for p in parts), abs=0.25)


def test_import_progress_is_one_updating_line_when_asked(tmp_path: Path) -> None:
    from tests.ingest.test_graph_import import sample_export

    dirs = [str(p) for p in sample_export(tmp_path / "export")]
    files = sum(1 for d in dirs for _ in Path(d).rglob("*.json"))
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TENANTGRAPH_")}
    live = subprocess.run(
        [*COMMAND, "--db", str(tmp_path / "i.db"), "import", *dirs, "--quiet", "--progress"],
        capture_output=True,
        timeout=120,
        cwd=REPO,
        env=clean,
    )
    assert live.returncode == 0, live.stderr
    assert b"\r" in live.stderr and b"import:" in live.stderr  # one line redrawn
    assert b"B/s]" in live.stderr and b"<" in live.stderr  # bytes, with a rate and an ETA
    assert f"import: {files}/{files} files, ".encode() in live.stderr
    quiet = tg("--db", str(tmp_path / "j.db"), "import", *dirs, "--quiet", "--no-progress")
    assert "\r" not in quiet.stderr
    assert f"import: {files}/{files} files, " in quiet.stderr


def test_bench_generate_runs_as_a_script(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, str(REPO / "bench" / "generate.py"), "T", "--seed", "1"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    assert "'users': " in run.stdout


def test_unknown_zone_gets_a_suggestion(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = ("--db", str(demo_db))
    assert in_process(capsys, *db, "zone", "set", "partners", "fabrikam")[0] == 0
    code, out, _ = in_process(capsys, *db, "audit", "--zone", "partnrs", "--json")
    assert code == 2
    (error,) = json.loads(out)["errors"]
    assert error["extensions"] == {"code": "node-not-found", "suggestion": "partners"}
