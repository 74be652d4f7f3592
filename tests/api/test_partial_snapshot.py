"""A snapshot from a partial import says what it lacks in every answer read from it (issue 29):
`extensions.omitted` next to `extensions.snapshot`, on the fast lane and in regular execution,
and on the snapshots mutations derive from it, until a whole World is loaded; an answer that
read no snapshot names what the current one lacks."""

from __future__ import annotations

import json
from pathlib import Path

from graphmodel.cli import main
from tests.api.support import WORLD, LiveServer, Tokens, seed, token_auth

LEFT_OUT = ["1 of the users of contoso"]
ACCESS = '{ access(principal: "litware/lena", resource: "contoso/wiki") { decision } }'


def _partial_import(tmp_path: Path) -> Path:
    exp, db = tmp_path / "exp", tmp_path / "partial.db"
    assert main(["export", "--format", "graph", "--world", str(WORLD), "--out", str(exp)]) == 0
    users = exp / "contoso" / "users.json"
    body = json.loads(users.read_text())
    body["value"][0]["extension"] = "@DEEP@"
    users.write_text(json.dumps(body).replace('"@DEEP@"', "[" * 70 + "]" * 70))
    flags = ["--quiet", "--no-progress", "--allow-partial", "--db", str(db)]
    assert main(["import", *flags, str(exp)]) == 0
    return db


def test_every_answer_from_a_partial_snapshot_names_what_was_left_out(tmp_path: Path) -> None:
    db = _partial_import(tmp_path)
    tokens = Tokens.create(tmp_path / "tokens.sqlite")
    server = LiveServer(db, token_auth(tmp_path / "tokens.sqlite")).start()
    try:
        admin = server.client(tokens.admin)
        fast = admin.result(ACCESS)
        assert server.app.state.fast_lane.answered == 1  # the fast lane answered it
        assert fast["extensions"] == {"snapshot": 1, "omitted": LEFT_OUT}
        listed = admin.result("{ snapshots { id source } }")
        assert listed["extensions"] == {"snapshot": 1, "omitted": LEFT_OUT}
        viewer = admin.result("{ viewer { role } }")
        assert viewer["extensions"] == {"omitted": LEFT_OUT}  # read no snapshot; 1 is current
        assert listed["data"]["snapshots"][0]["source"].endswith(f"left out: {LEFT_OUT[0]}]")
        changed = admin.result(
            'mutation { addGroupMember(group: "contoso/project", member: "carol") '
            "{ snapshot { id } } }"
        )
        assert changed["extensions"] == {"snapshot": 2, "omitted": LEFT_OUT}
        assert admin.result(ACCESS)["extensions"] == {"snapshot": 2, "omitted": LEFT_OUT}
    finally:
        server.stop()
    seed(db)  # a whole World: answers no longer carry the omission
    server = LiveServer(db, token_auth(tmp_path / "tokens.sqlite")).start()
    try:
        assert server.client(tokens.reader).result(ACCESS)["extensions"] == {"snapshot": 3}
    finally:
        server.stop()
