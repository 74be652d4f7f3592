"""The audit commands end to end on the demo world: audit, whatif, diff, suppress, zone."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from graphmodel.cli import main

from .support import DEMO

pytestmark = pytest.mark.memory

CHANGES = """\
title: close the default and drop finance from payroll
changes:
  - blockSection: {tenant: contoso, section: b2bCollaborationInbound}
  - removeAssignment: {app: contoso/payroll, principal: finance}
"""


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "demo.db"
    assert main(["load", str(DEMO), "--db", str(path)]) == 0
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_audit_table_json_and_fail_on(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "audit", "--db", str(db), "--tenant", "contoso", "-v", "--limit", "10"
    )
    assert code == 0
    assert any(
        "invitation.pending-with-paths" in x and "contoso/dan" in x for x in out.splitlines()
    )
    assert "fabrikam/dan -> contoso/payroll  pending via b2b_collaboration" in out
    code, out, _ = run(capsys, "audit", "--db", str(db), "--json")
    data = json.loads(out)
    assert data["summary"]["open"] == len(data["findings"]) > 0
    dan = next(f for f in data["findings"] if f["subject"] == "contoso/dan")
    assert dan["counts"]["paths"] == 8 and dan["rules"] == ["L5", "L8"]
    assert dan["exposures"][0]["path"]["hops"][0]["kind"] == "GUEST_OF"
    code, _, _ = run(capsys, "audit", "--db", str(db), "--fail-on", "high", "--no-record")
    assert code == 1
    code, _, _ = run(
        capsys, "audit", "--db", str(db), "--check", "scuba.8.1", "--fail-on", "low", "--no-record"
    )
    assert code == 0


def test_exposures_exemplars_stream_and_progress(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["audit", "--db", str(db), "--json", "--no-record"]
    code, out, err = run(capsys, *base, "--exposures", "1")
    assert code == 0
    few = {f["fingerprint"]: f for f in json.loads(out)["findings"]}
    assert all(len(f["exposures"]) == min(1, f["counts"]["exposures"]) for f in few.values())
    assert any(not f["exposuresComplete"] for f in few.values())
    # one progress line per check, with its exact counts
    opened = sum(1 for f in few.values() if f["check"] == "xtap.default-inbound-open")
    assert f"xtap.default-inbound-open: {opened} findings" in err
    code, out, _ = run(capsys, *base, "--exposures", "all")
    assert code == 0
    every = {f["fingerprint"]: f for f in json.loads(out)["findings"]}
    assert every.keys() == few.keys()
    for fp, f in every.items():
        assert f["exposuresComplete"] and f["counts"] == few[fp]["counts"]
        assert len(f["exposures"]) == f["counts"]["exposures"]
        assert f["exposures"][: len(few[fp]["exposures"])] == few[fp]["exposures"]
    for bad in ("many", "-1"):  # a coded usage error, never a traceback
        code, out, _ = run(capsys, *base, "--exposures", bad)
        error = json.loads(out)["errors"][0]
        assert code == 2 and error["extensions"]["code"] == "invalid-input"
        assert "--exposures" in error["message"]


def test_html_report_is_self_contained(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "report.html"
    code, _, err = run(capsys, "audit", "--db", str(db), "--html", str(report))
    assert code == 0 and "findings" in err
    html = report.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "<svg" in html
    for external in ("<script", "<link", "src=", "@import", "url(http"):
        assert external not in html


def test_suppress_and_zone_commands(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(
        capsys, "audit", "--db", str(db), "--json", "--check", "invitation.pending-with-paths"
    )
    fp = json.loads(out)["findings"][0]["fingerprint"]
    code, out, _ = run(
        capsys, "suppress", fp, "--reason", "invitation resent", "--owner", "alice", "--db", str(db)
    )
    assert code == 0 and out.startswith(f"suppressed {fp} from snapshot 1")
    _, out, _ = run(capsys, "suppressions", "--db", str(db))
    assert fp in out and "alice: invitation resent" in out
    _, out, _ = run(
        capsys, "audit", "--db", str(db), "--json", "--check", "invitation.pending-with-paths"
    )
    assert json.loads(out)["findings"][0]["status"] == "SUPPRESSED"
    assert run(capsys, "unsuppress", fp, "--db", str(db))[0] == 0
    assert run(capsys, "unsuppress", fp, "--db", str(db))[0] == 2

    code, _, err = run(capsys, "zone", "set", "partners", "fabrikam", "nosuch", "--db", str(db))
    assert code == 0 and "`nosuch` is not a tenant" in err
    _, out, _ = run(capsys, "zone", "list", "--db", str(db))
    assert out.strip() == "partners: fabrikam, nosuch"
    _, out, _ = run(
        capsys,
        "audit",
        "--db",
        str(db),
        "--zone",
        "partners",
        "--check",
        "zone.access-from-outside",
    )
    assert "contoso<-adatum" in out and "contoso<-fabrikam" not in out
    assert run(capsys, "zone", "remove", "partners", "--db", str(db))[0] == 0
    assert run(capsys, "audit", "--db", str(db), "--zone", "partners")[0] == 2


def test_whatif_writes_nothing_and_reports_located_problems(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    changes = tmp_path / "changes.yaml"
    changes.write_text(CHANGES, encoding="utf-8")
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    code, out, _ = run(capsys, "whatif", str(changes), "--db", str(db))
    assert code == 0
    assert (
        "lost    contoso/alice -> contoso/payroll  allow -> deny  via member  "
        "because: not_assigned  (change #2)" in out
    )
    assert "lost    adatum/abe -> contoso/wiki" in out
    code, out, _ = run(capsys, "whatif", str(changes), "--db", str(db), "--json")
    data = json.loads(out)
    assert data["title"].startswith("close the default")
    assert {c["change"] for c in data["access"]} == {"LOST"}
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    bad = tmp_path / "bad.yaml"
    bad.write_text("changes:\n  - disableUser: {user: contoso/nobody}\n", encoding="utf-8")
    code, _, err = run(capsys, "whatif", str(bad), "--db", str(db))
    assert code == 2
    assert (
        f"{bad}:2: changes[0].disableUser.user: `contoso/nobody` is not a user of the world" in err
    )
    assert run(capsys, "whatif", str(tmp_path / "missing.yaml"), "--db", str(db))[0] == 2
    nowhere = tmp_path / "nowhere.db"
    code, _, err = run(capsys, "whatif", str(changes), "--db", str(nowhere))
    assert code == 2 and "does not exist" in err and not nowhere.exists()


def test_diff_between_snapshots(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "two.db"
    first = tmp_path / "first.yaml"
    second = tmp_path / "second.yaml"
    first.write_text(
        "tenants:\n"
        "  - {name: contoso, users: [{name: bob, guestOf: fabrikam/bob}], apps: [{name: wiki}]}\n"
        "  - {name: fabrikam, users: [bob]}\n",
        encoding="utf-8",
    )
    second.write_text(
        first.read_text().replace(
            "guestOf: fabrikam/bob}", "guestOf: fabrikam/bob, accountEnabled: false}"
        )
    )
    assert main(["load", str(first), "--db", str(db)]) == 0
    assert main(["load", str(second), "--db", str(db)]) == 0
    capsys.readouterr()
    code, out, _ = run(capsys, "diff", "1", "2", "--db", str(db))
    assert code == 0
    assert "#1 changed user contoso/bob accountEnabled: true => false" in out
    assert "lost    fabrikam/bob -> contoso/wiki  allow -> deny" in out
    code, out, _ = run(capsys, "diff", "1", "2", "--db", str(db), "--json")
    assert json.loads(out)["access"][0]["explainedBy"] == [0]
    assert run(capsys, "diff", "1", "9", "--db", str(db))[0] == 2
