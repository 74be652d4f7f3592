"""Consistency tokens, idempotency keys and write deadlines, through a live server.

How to write tests here: a `LiveServer` over a sqlite file stands for one API process; a second
`GraphService` opened on the same file in the test stands for another process writing. Write
deadlines need a write that takes time: `SlowStore` is the real memory store with a pause at a
named step (what a slow disk or a lock held by another process looks like from the API).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from api import Limits, NoAuth, create_app
from graphmodel.changes import ChangeSet
from graphmodel.service import GraphService
from graphmodel.service.mutations import add_group_member
from graphmodel.stores import SnapshotInfo, open_store
from graphmodel.stores.memory import MemoryStore
from tests.api.support import LiveServer, seed

CURRENT = "{ currentSnapshot { id } }"
ADD = """mutation($g: String!, $m: String!) {
  addGroupMember(group: $g, member: $m) { snapshot { id } } }"""


def _post(
    url: str, query: str, variables: dict[str, Any] | None = None, **headers: str
) -> httpx.Response:
    sent = {k.replace("_", "-"): v for k, v in headers.items()}
    return httpx.post(
        f"{url}/graphql",
        json={"query": query, "variables": variables or {}},
        headers=sent,
        timeout=60,
    )


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "store.db"
    seed(path)
    return path


@pytest.fixture
def server(db: Path) -> Any:
    live = LiveServer(db, NoAuth()).start()
    yield live
    live.stop()


def _write_elsewhere(db: Path, member: str) -> SnapshotInfo:
    """Another process adds `member` to contoso/project; returns the snapshot it wrote."""
    with GraphService(open_store("memory", path=db)) as other:
        return other.update_world(
            lambda w: add_group_member(w, "contoso/project", member), source="elsewhere"
        )


def test_a_token_makes_the_request_wait_for_that_snapshot(server: LiveServer, db: Path) -> None:
    assert _post(server.url, CURRENT).json()["extensions"]["snapshot"] == 1
    written = _write_elsewhere(db, "contoso/carol")
    body = _post(server.url, CURRENT, At_Least_Snapshot=str(written.id)).json()
    assert body["extensions"]["snapshot"] == written.id
    assert body["data"]["currentSnapshot"]["id"] == written.id


def test_without_a_token_the_request_reads_what_is_held_and_catches_up_soon(
    server: LiveServer, db: Path
) -> None:
    written = _write_elsewhere(db, "contoso/carol")
    seen = set()
    deadline = time.monotonic() + 60
    while written.id not in seen:
        assert time.monotonic() < deadline, seen
        seen.add(_post(server.url, CURRENT).json()["extensions"]["snapshot"])
        time.sleep(0.05)
    assert seen <= {1, written.id}


@pytest.mark.parametrize(
    ("value", "status", "code"),
    [
        ("soon", 400, "invalid-request"),
        ("0", 400, "invalid-request"),
        ("99", 404, "snapshot-not-found"),
    ],
)
def test_a_bad_or_unknown_token_is_refused(
    server: LiveServer, value: str, status: int, code: str
) -> None:
    answer = _post(server.url, CURRENT, At_Least_Snapshot=value)
    assert answer.status_code == status
    assert answer.json()["errors"][0]["extensions"]["code"] == code


def test_an_idempotency_key_applies_a_write_once(server: LiveServer) -> None:
    variables = {"g": "contoso/project", "m": "contoso/carol"}
    first = _post(server.url, ADD, variables, Idempotency_Key="k-1").json()
    made = first["data"]["addGroupMember"]["snapshot"]["id"]
    again = _post(server.url, ADD, variables, Idempotency_Key="k-1").json()
    assert again["errors"][0]["extensions"] == {"code": "already-applied", "snapshot": made}
    other = _post(server.url, ADD, {**variables, "m": "contoso/uma"}, Idempotency_Key="k-2")
    assert other.json()["data"]["addGroupMember"]["snapshot"]["id"] == made + 1
    long = _post(server.url, ADD, variables, Idempotency_Key="x" * 201)
    assert long.status_code == 400


class SlowStore(MemoryStore):
    """The memory store, pausing `pause` seconds before the step named `at`."""

    def __init__(self, path: Path, *, at: str, pause: float) -> None:
        super().__init__(path)
        self.at, self.pause = at, pause
        self.entered = threading.Event()

    def snapshot_for_request(self, request_key: str) -> SnapshotInfo | None:
        if self.at == "before-commit":  # the write has not started committing yet
            self.entered.set()
            time.sleep(self.pause)
        return super().snapshot_for_request(request_key)

    def write_changes(self, changes: ChangeSet, **kwargs: Any) -> SnapshotInfo:
        if self.at == "committing":  # the write is committing
            self.entered.set()
            time.sleep(self.pause)
        return super().write_changes(changes, **kwargs)


def _slow_server(db: Path, at: str) -> tuple[LiveServer, SlowStore]:
    store = SlowStore(db, at=at, pause=2.0)
    live = LiveServer(db, NoAuth(), Limits(deadline_s=0.5, hard_deadline_s=0.8))
    app = create_app(GraphService(store), auth=NoAuth(), limits=live.limits)
    live.start_app(app)
    return live, store


@pytest.mark.parametrize("at", ["before-commit", "committing"])
def test_a_write_commits_before_the_hard_deadline_or_not_at_all(db: Path, at: str) -> None:
    live, store = _slow_server(db, at)
    try:
        answer = _post(
            live.url, ADD, {"g": "contoso/project", "m": "contoso/carol"}, Idempotency_Key="d"
        )
        assert store.entered.is_set()
        time.sleep(2.5)  # whatever the write thread does, it has finished by now
        with GraphService(open_store("memory", path=db)) as other:
            snapshots = [s.id for s in other.snapshots()]
        if at == "before-commit":  # cancelled: nothing was written
            assert answer.status_code == 503
            assert answer.json()["errors"][0]["extensions"]["code"] == "deadline-exceeded"
            assert snapshots == [1]
        else:  # committing when the deadline passed: the answer names what was written
            assert answer.status_code == 200, answer.text
            assert answer.json()["data"]["addGroupMember"]["snapshot"]["id"] == 2
            assert snapshots == [2, 1]
    finally:
        live.stop()
