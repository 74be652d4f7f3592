"""A question asked of a store without any snapshot says the store is empty (`store-empty`),
in the CLI and in the API, instead of "principal not found" (issue 29); listings stay empty
answers, not errors.

How to write tests here: `_empty_store` makes a store file that holds no snapshot; ask it with
the CLI (`tenantgraph(...)`, its own process) or a live server.
"""

from __future__ import annotations

import json
from pathlib import Path

from graphmodel.stores import open_store
from tests.api.processes import tenantgraph
from tests.api.support import LiveServer, Tokens, token_auth

EMPTY = "store-empty"


def _empty_store(tmp_path: Path) -> Path:
    db = tmp_path / "empty.db"
    open_store("memory", path=db).close()
    return db


def test_the_cli_says_the_store_is_empty(tmp_path: Path) -> None:
    db = str(_empty_store(tmp_path))
    check = tenantgraph("--db", db, "check", "litware/lena", "contoso/vault", "--json", check=False)
    assert check.returncode == 2
    (error,) = json.loads(check.stdout)["errors"]
    assert error["extensions"]["code"] == EMPTY
    assert "load a world first" in error["message"]
    who = tenantgraph("--db", db, "who", "contoso/vault", check=False)
    assert who.returncode == 2 and "the store holds no snapshot yet" in who.stderr
    assert "not found" not in who.stderr


def test_the_api_says_the_store_is_empty(tmp_path: Path) -> None:
    db = _empty_store(tmp_path)
    tokens = Tokens.create(tmp_path / "tokens.sqlite")
    server = LiveServer(db, token_auth(tmp_path / "tokens.sqlite")).start()
    try:
        reader = server.client(tokens.reader)
        for question in (
            '{ access(principal: "litware/lena", resource: "contoso/vault") { decision } }',
            '{ whoCanAccess(resource: "contoso/vault") { totalCount } }',
            '{ reachableResources(principal: "litware/lena") { totalCount } }',
            '{ canInvite(invitee: "a@b.com", inviter: "contoso/alice") { decision } }',
            '{ whatIf(changes: "changes: [{disableUser: {user: contoso/alice}}]") { title } }',
        ):
            assert reader.codes(question) == [EMPTY], question
        assert reader.data("{ snapshots { id } users { totalCount } }") == {
            "snapshots": [],
            "users": {"totalCount": 0},
        }
    finally:
        server.stop()
