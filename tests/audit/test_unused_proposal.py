"""The "remove unused access" proposal: exactly the unused access goes, no used access is lost.

Exact answers on the evidence-of-use audit world and a world built so that the obvious change
(dropping a guest from a group) would also cut a used access; a property over every shared
scenario world and the demo; and the CLI end to end (the proposed change set is one `whatif`
accepts and gives the same diff).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import yaml

from graphmodel.audit import AuditOptions
from graphmodel.audit.access import AccessChangeKind
from graphmodel.audit.unused import propose_unused_removal
from graphmodel.audit.whatif import what_if
from graphmodel.cli import main
from graphmodel.engine import WorldIndex
from graphmodel.ingest import load_world_text
from graphmodel.service import GraphService
from graphmodel.stores import open_store

from .support import DEMO, SCENARIOS, WORLDS, load_audit_world, load_world_any


def _lost(p: object) -> list[tuple[str, str]]:
    return sorted((c.principal, c.resource) for c in p.removed)  # type: ignore[attr-defined]


def test_evidence_world_loses_exactly_the_unused_access() -> None:
    world, _ = load_audit_world(WORLDS / "evidence-of-use.yaml")
    p = propose_unused_removal(WorldIndex(world))
    assert yaml.safe_load(p.changes)["changes"] == [
        {"disableUser": {"user": "contoso/ivan"}},
        {"disableUser": {"user": "contoso/kim"}},
        {"removeAssignment": {"app": "contoso/payroll", "principal": "contoso/ivan"}},
        {"removeGroupMember": {"group": "contoso/finance", "member": "contoso/kim"}},
        {
            "blockSection": {
                "tenant": "contoso",
                "partner": "litware",
                "section": "b2bCollaborationInbound",
            }
        },
        {
            "blockSection": {
                "tenant": "contoso",
                "partner": "litware",
                "section": "b2bDirectConnectInbound",
            }
        },
        {
            "blockSection": {
                "tenant": "contoso",
                "partner": "northwind",
                "section": "b2bCollaborationInbound",
            }
        },
    ]
    assert _lost(p) == [
        ("fabrikam/ivan", "contoso/payroll"),
        ("fabrikam/ivan", "contoso/wiki"),
        ("fabrikam/kim", "contoso/payroll"),
        ("fabrikam/kim", "contoso/wiki"),
        ("northwind/nora", "contoso/wiki"),
    ]
    assert p.used_lost == () and p.skipped == ()
    # bob's used access and alice's (a member) stay
    assert ("fabrikam/bob", "contoso/payroll") not in _lost(p)
    assert ("contoso/alice", "contoso/payroll") not in _lost(p)


SHARED_GROUP = """
asOf: 2026-12-01T00:00:00Z
tenants:
  - name: fabrikam
    users: [eve]
  - name: contoso
    users:
      - alice
      - {name: eve, guestOf: fabrikam/eve, lastSignInDateTime: 2026-11-28T00:00:00Z}
    groups:
      - {name: finance, members: [alice, eve]}
    apps:
      - {name: payroll, assignmentRequired: true, assignedTo: [finance]}
      - {name: crm, assignmentRequired: true, assignedTo: [finance]}
    crossTenantAccess:
      partners:
        fabrikam:
          b2bCollaborationInbound:
            usersAndGroups: {accessType: allowed, targets: [{target: AllUsers, targetType: user}]}
            applications:
              accessType: allowed
              targets: [{target: AllApplications, targetType: application}]
    signIns:
      - {user: fabrikam/eve, app: crm, last: 2026-11-28T00:00:00Z}
"""


def test_a_change_that_would_cut_used_access_is_skipped() -> None:
    ix = WorldIndex(load_world_text(SHARED_GROUP))
    p = propose_unused_removal(ix)
    # eve never used payroll, but her finance membership also carries crm, used 3 days ago
    assert p.skipped == ("removeGroupMember group=contoso/finance, member=contoso/eve",)
    assert p.count == 0 and p.removed == () and p.used_lost == ()
    # with a 2-day look-back crm is unused too, and the membership can go
    p = propose_unused_removal(ix, options=AuditOptions(unused_days=2))
    assert p.skipped == ()
    assert _lost(p) == [("fabrikam/eve", "contoso/crm"), ("fabrikam/eve", "contoso/payroll")]


def _worlds() -> list[Path]:
    return [*sorted(SCENARIOS.glob("*/*.yaml")), DEMO, *sorted(WORLDS.glob("*.yaml"))]


@pytest.mark.parametrize("path", _worlds(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_no_proposal_ever_loses_used_or_members_access(path: Path) -> None:
    ix = WorldIndex(load_world_any(path))
    p = propose_unused_removal(ix, options=AuditOptions(unused_days=30))
    assert p.used_lost == ()
    for c in p.removed:
        assert c.change == AccessChangeKind.LOST or c.after.value != c.before.value
        assert c.principal.split("/")[0] != c.resource.split("/")[0]  # never a member's
        last = ix.usage.last_used(c.principal, c.resource)
        assert last is None or ix.now - last > timedelta(days=30)
    if p.count == 0:
        assert p.removed == () and p.diff.access == ()
        return
    # the change set is a real one: whatif gives the same access diff
    again = what_if(ix, p.changes)
    assert [(c.principal, c.resource) for c in again.access] == [
        (c.principal, c.resource) for c in p.diff.access
    ]


def test_cli_writes_a_change_set_whatif_accepts(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "w.db"
    world, _ = load_audit_world(WORLDS / "evidence-of-use.yaml")
    with open_store("memory", path=str(db)) as store:
        GraphService(store).load_world(world, source="evidence-of-use.yaml")
    capsys.readouterr()
    out = tmp_path / "unused.yaml"
    assert main(["remove-unused", "--db", str(db), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "7 change(s) remove 5 access(es); used access lost: none" in text
    assert main(["whatif", str(out), "--db", str(db)]) == 0
    assert "access: 0 gained, 5 lost, 0 changed" in capsys.readouterr().out


def test_a_snapshot_diff_summarises_new_evidence_instead_of_listing_it() -> None:
    from dataclasses import replace

    from graphmodel.audit.worlddiff import diff_worlds

    world, _ = load_audit_world(WORLDS / "evidence-of-use.yaml")
    fewer = tuple(replace(t, sign_ins=t.sign_ins[:1]) for t in world.tenants)
    (change,) = diff_worlds(world, replace(world, tenants=fewer))
    assert (change.ref, change.field, change.before, change.after) == (
        "contoso",
        "signIns",
        "2 sign-in aggregate(s), latest 2026-11-21 00:00 UTC",
        "1 sign-in aggregate(s), latest 2026-11-21 00:00 UTC",
    )
