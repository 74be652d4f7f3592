"""A tenant-scoped admin reads only the audit-log entries of its own tenants (issue 29): those of
mutations authorised on nothing but its tenants, with other tenants' objects in the variables
masked; entries without owners (a world upload, a log written before owners were recorded) are
read by unscoped admins only.

How to write tests here: run mutations as the unscoped and the scoped admin on a server with an
audit log (`_server`), then compare what each reads with `{ auditLog { ... } }`.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.audit_log import AuditLog
from tests.api.support import WORLD, LiveServer, Tokens, seed, token_auth

ENTRIES = "{ auditLog(first: 100) { fields tokenId variables outcome } }"
MOVE = "mutation($g: String!, $m: String!) { %s(group: $g, member: $m) { snapshot { id } } }"
INVITE = """mutation($i: CreateInvitationInput!) { createInvitation(input: $i) {
  answer { decision } } }"""


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[LiveServer, Tokens, Path]]:
    seed(tmp_path / "x.db")
    tokens = Tokens.create(tmp_path / "tokens.sqlite")
    log = tmp_path / "audit.sqlite"
    live = LiveServer(
        tmp_path / "x.db", token_auth(tmp_path / "tokens.sqlite"), options={"audit": AuditLog(log)}
    ).start()
    yield live, tokens, log
    live.stop()


def _fields(entries: list[dict[str, Any]]) -> list[Any]:
    return [e["fields"] for e in entries]


def test_a_scoped_admin_reads_only_its_tenants_entries(
    server: tuple[LiveServer, Tokens, Path],
) -> None:
    live, tokens, _ = server
    admin, scoped = live.client(tokens.admin), live.client(tokens.contoso_admin)
    fabrikam = {"g": "fabrikam/engineering", "m": "fabrikam/erin"}
    admin.data(MOVE % "removeGroupMember", fabrikam)
    admin.data(MOVE % "addGroupMember", fabrikam)
    admin.data(MOVE % "addGroupMember", {"g": "contoso/project", "m": "carol"})
    invite = {
        "invitedBy": "contoso/alice",
        "invitedUserEmailAddress": "fay@fabrikam.com",
        "inviteRedirectUrl": "https://myapps.microsoft.com",
        "invitedUser": "fabrikam/fay",
    }
    scoped.data(INVITE, {"i": invite})
    assert scoped.codes(MOVE % "removeGroupMember", fabrikam) == ["forbidden"]
    everything = admin.data(ENTRIES)["auditLog"]
    assert len(everything) == 5
    own = scoped.data(ENTRIES)["auditLog"]
    assert _fields(own) == [["createInvitation"], ["addGroupMember"]]
    assert all("fabrikam/engineering" not in e["variables"] for e in own)
    masked = json.loads(own[0]["variables"])["i"]
    assert masked["invitedUser"] == "fabrikam/<user>"  # the variables, masked as everywhere
    assert masked["invitedBy"] == "contoso/alice"
    unmasked = json.loads(everything[1]["variables"])["i"]
    assert unmasked["invitedUser"] == "fabrikam/fay"


def test_entries_without_owners_are_for_unscoped_admins_only(
    server: tuple[LiveServer, Tokens, Path],
) -> None:
    live, tokens, log = server
    admin, scoped = live.client(tokens.admin), live.client(tokens.contoso_admin)
    with sqlite3.connect(log) as conn:  # as a log written before owners were recorded
        conn.execute(
            "INSERT INTO mutations (at, token_id, role, fields, variables, snapshot, outcome) "
            "VALUES ('2026-01-01T00:00:00Z', 'old', 'admin', '[\"addGroupMember\"]', "
            "'{\"g\": \"contoso/project\"}', 1, 'ok')"
        )
    admin.data(
        "mutation($t: String!) { loadWorld(text: $t) { snapshot { id } } }",
        {"t": WORLD.read_text()},
    )
    assert _fields(admin.data(ENTRIES)["auditLog"]) == [["loadWorld"], ["addGroupMember"]]
    assert scoped.data(ENTRIES)["auditLog"] == []


def test_an_older_log_gains_the_owners_column(tmp_path: Path) -> None:
    path = tmp_path / "old.audit.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute(
            "CREATE TABLE mutations (seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, "
            "token_id TEXT NOT NULL, role TEXT NOT NULL, fields TEXT NOT NULL, "
            "variables TEXT NOT NULL, snapshot INTEGER, outcome TEXT NOT NULL)"
        )
        conn.execute(
            "INSERT INTO mutations (at, token_id, role, fields, variables, outcome) "
            "VALUES ('t', 'old', 'admin', '[]', '{}', 'ok')"
        )
    log = AuditLog(path)
    log.append(
        token_id="new",
        role="admin",
        fields=("assignApp",),
        variables={},
        snapshot=2,
        outcome="ok",
        owners=["contoso"],
    )
    assert [(e.token_id, e.owners) for e in log.entries()] == [("new", ("contoso",)), ("old", None)]
    assert [e.token_id for e in log.entries(tenants=frozenset({"contoso"}))] == ["new"]
    assert log.entries(tenants=frozenset({"fabrikam"})) == []
