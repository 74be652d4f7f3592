"""`tenantgraph sync` end to end against the fake Microsoft Graph over HTTPS (no internet).

Two syncs with three changes in between (a guest deleted, a guest added to an assigned group, a
partner setting changed): the second snapshot holds exactly those changes, the feed names
exactly the outsiders' paths gained and lost (checked against deciding every pair on both
snapshots), and a webhook receiver gets one correctly signed request per event, the same
events the JSON-lines file holds. A 410 on every delta token ends in the same World as a fresh
full sync; `--every` keeps a process running until SIGTERM.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from graphmodel.audit.whatif import compare_worlds
from graphmodel.audit.worlddiff import diff_worlds
from graphmodel.cli import main
from graphmodel.engine import WorldIndex, is_outsider_ref
from graphmodel.schema import World
from graphmodel.service import GraphService
from graphmodel.stores import open_store
from tests.ingest.fake_delta import DELTA_PATHS
from tests.ingest.fake_graph import FakeGraph
from tests.ingest.fake_tenant import make_certificate
from tests.ingest.graph_folders import CONTOSO_ID, FABRIKAM_ID
from tests.sync.receiver import Receiver
from tests.sync.scenario import EXPECTED, PARTNERS, apply_changes, tenant_routes

HOOK_SECRET = b"hook-secret"


@pytest.fixture(scope="module")
def server_cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return make_certificate(tmp_path_factory.mktemp("server"), server=True)


@pytest.fixture
def fake(server_cert: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGraph]:
    monkeypatch.setenv("TG_TEST_SECRET", "s3cret")
    monkeypatch.setenv("TG_HOOK_SECRET", HOOK_SECRET.decode())
    cert, key = server_cert
    with FakeGraph(CONTOSO_ID, tenant_routes(), cert, key, page_size=2) as server:
        yield server


def sync_args(fake: FakeGraph, root: Path, *extra: str) -> list[str]:
    root.mkdir(parents=True, exist_ok=True)
    return ["sync", "--tenant-id", CONTOSO_ID, "--client-id", "app-id",
            "--client-secret-env", "TG_TEST_SECRET", "--out", str(root / "exports"),
            "--name", "contoso", "--graph-url", fake.base_url, "--authority-host",
            fake.base_url, "--ca-bundle", str(fake.cert), "--db", str(root / "tg.db"), *extra]


def worlds(db: Path) -> list[World]:
    with open_store("memory", path=db) as store:
        svc = GraphService(store)
        return [svc.world(s.id) for s in sorted(svc.snapshots(), key=lambda s: s.id)]


def outsider_moves(before: World, after: World) -> set[tuple[str, str, str]]:
    """The reference: every pair decided on both sides (no impact scoping), outsiders only."""
    b, a = WorldIndex(before), WorldIndex(after)
    return {(c.change.value, c.principal, c.resource)
            for c in compare_worlds(b, a, full=True).access
            if is_outsider_ref(b if c.change.value == "lost" else a, c.principal, c.resource)}


def test_two_syncs_make_exactly_the_changes_and_notify_each_once(
    fake: FakeGraph, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = tmp_path / "changes.jsonl"
    with Receiver() as hook:
        args = sync_args(fake, tmp_path, "--quiet", "--notify-url", hook.url,
                         "--notify-secret-env", "TG_HOOK_SECRET", "--changes-file", str(lines))
        assert main(args) == 0
        out = capsys.readouterr().out
        assert out.startswith("contoso: ok in ")
        assert "users full read, groups full read" in out
        assert "snapshot 1 written" in out and "feed: 0 outsider access change event(s)" in out
        apply_changes(fake)
        assert main(args) == 0
        out = capsys.readouterr().out
        assert "users changes, groups changes, applications changes, servicePrincipals changes" \
            in out
        assert "snapshot 2 written" in out and "feed: 6 outsider access change event(s)" in out
    before, after = worlds(tmp_path / "tg.db")
    changed = {(c.kind, c.ref, c.op.value, c.field) for c in diff_worlds(before, after)}
    assert changed == {
        ("user", "contoso/adele-vance-2", "removed", None),
        ("user", "adatum.com/AdeleV", "removed", None),  # the home the guest stood for
        ("tenant", "adatum.com", "removed", None),
        ("groupMember", "contoso/Executives", "added", "members"),
        ("crossTenantAccess", "contoso", "changed", "partners[Fabrikam].b2bCollaborationInbound"),
    }
    assert outsider_moves(before, after) == EXPECTED
    events = [json.loads(line) for line in lines.read_text().splitlines()]
    assert len(events) == len(EXPECTED)
    assert {(e["type"].removeprefix("access."), e["principal"], e["resource"])
            for e in events} == EXPECTED
    teams = [e for e in events if e["resource"] == "contoso/microsoft-teams"
             and e["principal"].startswith("Fabrikam/")]
    assert {e["policy"] for e in teams} == {
        "crossTenantAccess contoso partners[Fabrikam].b2bCollaborationInbound (changed)"}
    gwen = next(e for e in events if e["type"] == "access.gained")
    assert [c["kind"] for c in gwen["causes"]] == ["groupMember"]
    assert {t["kind"] for t in gwen["trust"]} == {"B2B_COLLAB_OUT", "B2B_COLLAB_IN"}
    assert len(hook.got) == len(events)  # one request per event, nothing sent twice
    assert all(d.verified(HOOK_SECRET) and not d.verified(b"another secret") for d in hook.got)
    assert [d.event for d in hook.got] == events
    assert [d.headers["x-tenantgraph-event"] for d in hook.got] == [str(e["id"]) for e in events]
    assert main(["changes", "--since", "1", "--json", "--db", str(tmp_path / "tg.db")]) == 0
    printed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert printed == events


def test_a_410_on_the_second_run_falls_back_and_ends_in_the_same_world(
    fake: FakeGraph, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(sync_args(fake, tmp_path / "a")) == 0
    apply_changes(fake)
    fake.delta.expired = set(DELTA_PATHS)
    capsys.readouterr()
    assert main(sync_args(fake, tmp_path / "a")) == 0
    out, err = capsys.readouterr()
    gone = [line for line in err.splitlines() if "no longer accepts the delta token" in line]
    assert len(gone) == len(DELTA_PATHS)  # said once per resource
    assert "users full read, groups full read" in out
    assert main(sync_args(fake, tmp_path / "b", "--full")) == 0
    (_, resynced), (fresh,) = worlds(tmp_path / "a" / "tg.db"), worlds(tmp_path / "b" / "tg.db")
    assert replace(resynced, source=None) == replace(fresh, source=None)


def test_a_run_with_nothing_new_writes_no_snapshot(
    fake: FakeGraph, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(sync_args(fake, tmp_path)) == 0
    assert main(sync_args(fake, tmp_path)) == 0
    assert "unchanged: snapshot 1 is current" in capsys.readouterr().out
    assert len(worlds(tmp_path / "tg.db")) == 1


def test_a_tenant_that_fails_keeps_its_export_and_the_run_says_why(
    fake: FakeGraph, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert main(sync_args(fake, tmp_path)) == 0
    monkeypatch.delenv("TG_TEST_SECRET")
    capsys.readouterr()
    assert main(sync_args(fake, tmp_path)) == 2
    out = capsys.readouterr().out
    assert out.startswith("contoso: FAILED in ")
    assert "environment variable `TG_TEST_SECRET` holding the client secret of `contoso` is " \
           "not set" in out
    assert "unchanged: snapshot 1 is current" in out  # the last export is still imported


def test_every_keeps_syncing_until_sigterm(fake: FakeGraph, tmp_path: Path) -> None:
    cli = [sys.executable, "-c", "import sys; from graphmodel.cli import main; sys.exit(main())"]
    proc = subprocess.Popen([*cli, *sync_args(fake, tmp_path, "--every", "1s", "--quiet")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"}, start_new_session=True)
    summaries: list[str] = []
    try:
        deadline = time.monotonic() + 300
        assert proc.stdout is not None
        while len(summaries) < 2 and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            if line.startswith(("snapshot ", "unchanged: ")):
                summaries.append(line)
        assert len(summaries) == 2, proc.stderr.read() if proc.stderr else ""
        os.killpg(proc.pid, signal.SIGTERM)
        assert proc.wait(timeout=120) == 0
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert summaries[0].startswith("snapshot 1 written")
    assert summaries[1].startswith("unchanged: snapshot 1 is current")


def _fabrikam() -> dict[str, Any]:
    """A second tenant: Fabrikam, home of the guest `bob` (and `gwen`) contoso invited."""
    home = {k: v for k, v in tenant_routes().items()
            if k.startswith(("/policies", "/identity", "/roleManagement", "/oauth2"))}
    home[f"{PARTNERS}"] = []
    home["/organization"] = [{"id": FABRIKAM_ID, "displayName": "Fabrikam", "tenantType": "AAD",
                              "verifiedDomains": [{"name": "fabrikam.com", "isDefault": True}]}]
    home["/users"] = [{"id": f"{i}0000000-0000-4000-8000-000000000000", "displayName": name,
                       "userPrincipalName": f"{name}@fabrikam.com", "mail": f"{name}@fabrikam.com",
                       "userType": "Member"} for i, name in enumerate(("bob", "gwen", "frank"), 1)]
    home["/auditLogs/directoryAudits"] = []
    return home


def test_a_config_of_two_tenants_links_guests_to_their_homes(
    fake: FakeGraph, server_cert: tuple[Path, Path], tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cert, key = server_cert
    with FakeGraph(FABRIKAM_ID, _fabrikam(), cert, key) as home:
        config = tmp_path / "sync.toml"
        config.write_text('out = "exports"\n' + "\n".join(
            f'[[tenants]]\nname = "{name}"\ntenant_id = "{server.tenant_id}"\n'
            f'client_id = "app-id"\nclient_secret_env = "TG_TEST_SECRET"\n'
            f'graph_url = "{server.base_url}"\nauthority_host = "{server.base_url}"\n'
            f'ca_bundle = "{server.cert}"\n'
            for name, server in (("contoso", fake), ("fabrikam", home))))
        assert main(["sync", "--config", str(config), "--db", str(tmp_path / "tg.db"),
                     "--quiet"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines[:2]] == ["contoso", "fabrikam"]
    assert all(": ok in " in line for line in lines[:2])
    (world,) = worlds(tmp_path / "tg.db")
    assert world.user_by_ref["contoso/bob"].guest_of == "fabrikam/bob"  # the real home
    assert world.source == ", ".join(str(tmp_path / "exports" / t) for t in ("contoso",
                                                                            "fabrikam"))


def test_a_webhook_without_a_secret_is_refused_before_any_request(
    fake: FakeGraph, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(sync_args(fake, tmp_path, "--notify-url", "https://hooks.example.com/x")) == 2
    assert capsys.readouterr().err.strip() == (
        "error: a webhook needs `--notify-secret-env` or `--notify-secret-file`")
    assert fake.requests == []
