"""A denial names the route it is about and makes no MFA claim.

Another tenant's person reaches a shared channel only through B2B direct connect (R21, L25): a
guest object in the host tenant is a route that cannot serve the channel, so when every route
fails the verdict is about direct connect, lists that route's gates first, and (like every
denial) states no MFA place — in the verdict data, the rendered text and the CLI.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

from graphmodel.engine import WorldIndex, check, render
from graphmodel.export import paths_graph
from graphmodel.export.csv_table import render_paths
from graphmodel.ingest.scenario import load_scenario_text
from graphmodel.schema.enums import Via
from graphmodel.schema.output import verdict_data
from graphmodel.schema.verdict import Decision, Mfa

REPO = Path(__file__).resolve().parents[3]

# bob has a guest object in contoso and is a direct member of the shared channel, but neither
# side allows direct connect (shipped defaults); contoso requires MFA of everyone.
WORLD = """\
world:
  tenants:
    - name: contoso
      users:
        - olivia
        - {name: bob, guestOf: fabrikam/bob}
      apps: [{name: crm, assignmentRequired: true}]
      teams:
        - name: t
          members: [olivia]
          channels:
            - {name: general}
            - {name: c1, membershipType: shared, members: [olivia, fabrikam/bob]}
      conditionalAccess:
        - name: mfa-all
          users: {include: [All]}
          applications: {include: [All]}
          grant: [mfa]
    - name: fabrikam
      users: [bob]
checks: []
"""


def _index() -> WorldIndex:
    world, _ = load_scenario_text(WORLD, file="denial.yaml")
    return WorldIndex(world)


def test_a_shared_channel_denial_is_about_direct_connect() -> None:
    v = check(_index(), "fabrikam/bob", "contoso/t/c1")
    assert v.decision is Decision.DENY
    assert v.via is Via.B2B_DIRECT_CONNECT
    assert v.reasons[0].rule in ("R19", "R20")  # the direct connect gates come first
    assert {"outbound_blocked", "inbound_blocked", "guest_in_shared_channel"} <= set(v.codes)
    assert v.mfa_claim is None and verdict_data(v)["mfa"] is None
    head = render(v).splitlines()[0]
    assert head.endswith("(via b2b_direct_connect)") and "MFA" not in head


def test_other_denials_keep_their_route_and_claim_no_mfa_either() -> None:
    ix = _index()
    asked = check(ix, "fabrikam/bob", "contoso/t/c1", via=Via.B2B_COLLABORATION)
    assert (asked.decision, asked.via) == (Decision.DENY, Via.B2B_COLLABORATION)
    assert asked.codes[0] == "guest_in_shared_channel"
    app = check(ix, "fabrikam/bob", "contoso/crm")
    assert (app.decision, app.via) == (Decision.DENY, Via.B2B_COLLABORATION)
    assert "not_assigned" in app.codes
    for v in (asked, app):
        assert v.mfa_claim is None and "MFA" not in render(v).splitlines()[0]


def test_an_allowed_answer_still_states_its_mfa() -> None:
    v = check(_index(), "contoso/olivia", "contoso/t/c1")
    assert v.decision is Decision.ALLOW
    assert v.mfa_claim is v.mfa is Mfa.HOME
    assert verdict_data(v)["mfa"] == "HOME"
    assert "MFA: home" in render(v).splitlines()[0]


def test_the_cli_reports_the_route_and_no_mfa_for_a_denial(tmp_path: Path) -> None:
    world = tmp_path / "denial.yaml"
    world.write_text(WORLD, encoding="utf-8")
    db = str(tmp_path / "t.db")

    def run(*args: str, status: int = 0) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, "-m", "graphmodel.cli", *args, "--db", db],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=REPO,
        )
        assert done.returncode == status, done.stderr
        return done

    run("load", str(world))
    text = run("check", "fabrikam/bob", "contoso/t/c1", status=1).stdout  # 1: DENY
    assert text.splitlines()[0] == "DENY  fabrikam/bob -> contoso/t/c1  (via b2b_direct_connect)"
    assert "MFA" not in text.splitlines()[0]
    data = json.loads(run("check", "fabrikam/bob", "contoso/t/c1", "--json", status=1).stdout)
    assert (data["decision"], data["via"], data["mfa"]) == ("DENY", "B2B_DIRECT_CONNECT", None)


def test_exports_of_a_denial_leave_the_mfa_place_empty() -> None:
    v = check(_index(), "fabrikam/bob", "contoso/t/c1")
    rows = list(csv.DictReader(io.StringIO(render_paths(v))))
    assert rows and all(r["mfa"] == "" for r in rows)
    assert paths_graph(v).attrs["mfa"] == ""
