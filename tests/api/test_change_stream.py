"""Changes streaming into a served store: two workers, a CLI writer and an API writer at once.

How to write tests here: real processes only (`processes.serve`, `processes.tenantgraph`) over
one sqlite file. Readers carry what they have seen as a consistency token (`At-Least-Snapshot`),
so the snapshot they read may never go backwards; every acknowledged write must be in the final
state, and a reader asking for the snapshot a write returned must see that write.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from tests.api.processes import Served, serve, tenantgraph
from tests.api.test_processes import ADD, CURRENT, DEMO, MEMBERS

TOGGLE = """changes:
  - {op}: {{tenant: contoso, section: b2bDirectConnectInbound}}
"""
MEMBERS_TO_ADD = [f"contoso/{name}" for name in ("carol", "gabe", "gina", "uma", "chris", "dana")]
_ACK_KEY = "Idempotency-Key"


def _members(served: Served, token: int) -> set[str]:
    body = served.graphql(
        MEMBERS, {"g": "contoso/finance"}, headers={"At-Least-Snapshot": str(token)}
    )
    assert body["extensions"]["snapshot"] >= token, body
    return {m["ref"] for m in body["data"]["group"]["members"]}


def test_readers_never_go_back_and_no_acknowledged_write_is_lost(tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    tenantgraph("load", str(DEMO), "--db", str(db))
    served = serve("--no-auth", "--db", str(db), "--workers", "2")
    stop = threading.Event()
    seen: list[list[int]] = [[], []]
    problems: list[str] = []

    def read(log: list[int]) -> None:
        token = 1
        while not stop.is_set():
            body = served.graphql(CURRENT, headers={"At-Least-Snapshot": str(token)})
            got = body.get("extensions", {}).get("snapshot")
            if not isinstance(got, int) or got < token:
                problems.append(f"asked for at least {token}, read {body}")
                return
            log.append(got)
            token = got

    readers = [threading.Thread(target=read, args=(log,)) for log in seen]
    for r in readers:
        r.start()
    cli_written: list[int] = []
    api_written: dict[str, int] = {}
    try:
        for i, member in enumerate(MEMBERS_TO_ADD):
            change = tmp_path / f"toggle{i}.yaml"
            op = "blockSection" if i % 2 == 0 else "unblockSection"
            change.write_text(TOGGLE.format(op=op), encoding="utf-8")
            out = tenantgraph("whatif", str(change), "--apply", "--db", str(db)).stdout
            cli_written.append(int(out.rsplit("snapshot ", 2)[1].split()[0]))
            key = {_ACK_KEY: f"add-{member}"}
            body = served.graphql(ADD, {"g": "contoso/finance", "m": member}, headers=key)
            if body.get("errors"):  # lost a race with the CLI: a conflict, retried as is
                assert body["errors"][0]["extensions"]["code"] in ("conflict",), body
                body = served.graphql(ADD, {"g": "contoso/finance", "m": member}, headers=key)
            assert body.get("data"), body
            made = body["data"]["addGroupMember"]["snapshot"]["id"]
            api_written[member] = made
            assert member in _members(served, made)  # read your own write, on any worker
            retry = served.graphql(ADD, {"g": "contoso/finance", "m": member}, headers=key)
            assert retry["errors"][0]["extensions"] == {"code": "already-applied", "snapshot": made}
        time.sleep(1.0)  # readers keep reading past the last write
    finally:
        stop.set()
        for r in readers:
            r.join(timeout=120)
        try:
            newest = max([*cli_written, *api_written.values()], default=1)
            final = _members(served, newest)
        finally:
            served.stop()
    assert not problems, problems
    for log in seen:
        assert log and log == sorted(log), log  # never backwards
    assert set(MEMBERS_TO_ADD) <= final  # no acknowledged API write is lost
    ids = sorted([*cli_written, *api_written.values()])
    assert len(set(ids)) == len(ids) and ids == list(range(2, 2 + len(ids)))  # nothing twice
    listed = tenantgraph("snapshots", "--json", "--db", str(db)).stdout
    assert f'"id": {ids[-1]}' in listed and f'"id": {ids[-1] + 1}' not in listed
