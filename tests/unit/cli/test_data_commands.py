"""`tenantgraph validate / load / stats / snapshots / check` as a user runs them (subprocesses).

How to write tests here: run the real console entry point with `_run`, assert the exit code and
what a person reads on stdout/stderr. Worlds come from the shared corpus or small texts.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
SCENARIOS = REPO.parent / "shared" / "scenarios"

FIVE_MISTAKES = """\
world:
  tenants:
    - name: contoso
      usres: [alice]
      users:
        - alice
        - alice
        - {name: bob, guestOf: fabrikam/nobody}
      cloud: moon
      externalCollaboration: {blockedDomains: [a.com], allowedDomains: [b.com]}
    - name: fabrikam
checks: []
"""


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "graphmodel.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
    )


def test_validate_reports_every_mistake_with_its_location(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(FIVE_MISTAKES)
    run = _run("validate", str(bad))
    assert run.returncode == 2
    lines = [line for line in run.stderr.splitlines() if line.startswith(str(bad))]
    assert len(lines) == 5, run.stderr
    for where in (":4:", ":7:", ":8:", ":9:", ":10:"):
        assert any(where in line for line in lines), (where, run.stderr)
    assert "Traceback" not in run.stderr


@pytest.mark.skipif(not SCENARIOS.exists(), reason="the shared scenario corpus is not beside")
def test_every_corpus_world_loads_and_stats_reports_its_counts(tmp_path: Path) -> None:
    from graphmodel.cli import main
    from graphmodel.ingest.scenario import load_scenario_file

    files = sorted(SCENARIOS.rglob("*.yaml"))
    assert len(files) >= 45
    first = tmp_path / "first.db"
    assert _run("load", str(files[0]), "--db", str(first)).returncode == 0  # one as a process
    for i, f in enumerate(files):
        db = first if i == 0 else tmp_path / f"{i}.db"
        if i:
            assert main(["load", str(f), "--db", str(db)]) == 0, f
        stats = _run("stats", "--json", "--db", str(db)) if i == 0 else None
        counts = json.loads(stats.stdout)["counts"] if stats else _stored_counts(db)
        world, _ = load_scenario_file(f)
        assert counts == world.counts().as_dict(), f


def _stored_counts(db: Path) -> dict[str, int]:
    from graphmodel.stores import open_store

    with open_store("memory", path=db) as store:
        info = store.current_snapshot()
        assert info is not None
        return info.counts


def test_snapshots_history_and_a_check_over_the_stored_world(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    demo = REPO / "fixtures" / "demo.yaml"
    assert _run("load", str(demo), "--db", str(db)).returncode == 0
    assert _run("load", str(demo), "--db", str(db)).returncode == 0
    history = json.loads(_run("snapshots", "--json", "--db", str(db)).stdout)
    assert [s["id"] for s in history] == [2, 1]
    check = _run("check", "fabrikam/bob", "contoso/payroll", "--db", str(db), "--json")
    assert check.returncode == 0
    assert json.loads(check.stdout)["decision"] == "ALLOW"


def test_unknown_principal_is_a_clear_error_not_a_traceback(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    assert _run("load", str(REPO / "fixtures" / "demo.yaml"), "--db", str(db)).returncode == 0
    run = _run("check", "nowhere/nobody", "contoso/payroll", "--db", str(db))
    assert run.returncode == 2
    assert "principal `nowhere/nobody` not found" in run.stderr
    assert "Traceback" not in run.stderr
