"""The evaluation clock (`as_of` / `--as-of`): every time-dependent answer moves with it.

Assignment expiry (L21), lifecycle deletion after the last assignment ends (L22) and staleness
all read the engine's `now`; giving a clock must change exactly those answers and never the
stored snapshot.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from graphmodel.cli import main
from graphmodel.ingest import load_world_file, load_world_text
from graphmodel.schema.verdict import Decision
from graphmodel.service import GraphService
from graphmodel.stores import open_store

from .support import DEMO

LIFECYCLE = """
asOf: 2026-06-01T00:00:00Z
tenants:
  - name: fabrikam
    users: [gil]
  - name: contoso
    users: [{name: gil, guestOf: fabrikam/gil}]
    apps: [{name: wiki}]
    connectedOrganizations: [{name: fab, tenant: fabrikam, state: configured}]
    accessPackages:
      - name: pack
        resources: [app:wiki]
        policies: [{allowedTargetScope: allConfiguredConnectedOrganizationUsers}]
        assignments: [{target: fabrikam/gil, state: delivered, expires: 2026-05-20T00:00:00Z}]
"""


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def test_assignment_expiry_follows_the_clock() -> None:
    with open_store("memory") as store:
        svc = GraphService(store)
        svc.load_world(load_world_file(DEMO), source="demo")
        now = svc.check("fabrikam/ines", "contoso/payroll")  # expired 2026-05-15, asOf 06-01
        before = svc.check("fabrikam/ines", "contoso/payroll", as_of=utc(2026, 5, 1))
        assert (now.decision, before.decision) == (Decision.DENY, Decision.ALLOW)
        assert svc.world().as_of == utc(2026, 6, 1)  # the snapshot keeps its own asOf


def test_lifecycle_deletion_follows_the_clock() -> None:
    with open_store("memory") as store:
        svc = GraphService(store)
        svc.load_world(load_world_text(LIFECYCLE), source="lifecycle")

        def codes(*when: int) -> tuple[str, ...]:
            return svc.check("fabrikam/gil", "contoso/wiki", as_of=utc(*when)).codes

        assert "account_disabled" in codes(2026, 6, 1)  # blocked once the assignment ended
        assert "no_account" in codes(2026, 6, 20)  # and deleted 30 days later
        assert svc.check("fabrikam/gil", "contoso/wiki", as_of=utc(2026, 5, 1)).decision == (
            Decision.ALLOW
        )


def test_cli_as_of_reaches_check_who_and_audit(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "demo.db"
    with open_store("memory", path=str(db)) as store:
        GraphService(store).load_world(load_world_file(DEMO), source="demo")
    args = ["check", "fabrikam/ines", "contoso/payroll", "--db", str(db)]
    assert main([*args, "--json"]) == 1  # exit code 1: DENY
    assert '"decision": "DENY"' in capsys.readouterr().out
    assert main([*args, "--json", "--as-of", "2026-05-01"]) == 0
    assert '"decision": "ALLOW"' in capsys.readouterr().out
    audit = ["audit", "--db", str(db), "--no-record", "--check", "guest.stale-with-paths"]
    assert main(audit) == 0
    assert "contoso/bob" not in capsys.readouterr().out  # signed in 12 days before asOf
    assert main([*audit, "--as-of", "2026-12-01"]) == 0
    assert "contoso/bob" in capsys.readouterr().out
    assert main([*args, "--as-of", "yesterday"]) == 2  # a usage error
    assert "`yesterday` is not an ISO 8601 date or time" in capsys.readouterr().err


def test_cli_who_and_reachable_say_when_access_was_last_used(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "demo.db"
    with open_store("memory", path=str(db)) as store:
        GraphService(store).load_world(load_world_file(DEMO), source="demo")

    def lines(*argv: str) -> list[str]:
        assert main([*argv, "--db", str(db)]) == 0
        return capsys.readouterr().out.splitlines()

    everyone = lines("who", "contoso/payroll")
    assert any("contoso/alice" in x and "(member)" in x for x in everyone)
    assert any("fabrikam/bob" in x and "last used 2026-05-20" in x for x in everyone)
    assert any("fabrikam/fay" in x and "never used" in x for x in everyone)
    used = lines("who", "contoso/payroll", "--usage", "used")
    assert [x.split()[1] for x in used] == ["fabrikam/bob"]
    unused = lines("who", "contoso/payroll", "--usage", "unused")
    assert [x.split()[1] for x in unused] == ["fabrikam/dan", "fabrikam/fay"]
    later = lines("who", "contoso/payroll", "--usage", "used", "--as-of", "2026-09-01")
    assert later == []  # 104 days after bob's last sign-in
    reach = lines("reachable", "fabrikam/bob", "--usage", "used")
    assert [x.split()[1] for x in reach] == ["contoso/payroll"]
