"""The serving snapshot: catch-up by changes, background catch-up, consistency tokens, writes.

How to write tests here: two `GraphService`s over one sqlite file stand for two processes;
assert what each answers (decisions, snapshot ids), that indexes were evolved rather than
rebuilt, and that an evolved index answers as a fresh one does.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import pytest

from graphmodel.changes import apply_changes
from graphmodel.errors import NodeNotFound, SnapshotConflict, SnapshotNotFound
from graphmodel.ingest import load_world_file
from graphmodel.service import GraphService
from graphmodel.service.mutations import add_group_member, remove_group_member
from graphmodel.service.writes import WriteAbandoned, WriteRequest, WriteTicket, write_request
from graphmodel.stores import open_store

DEMO = Path(__file__).resolve().parents[3] / "fixtures" / "demo.yaml"
PAIR = ("fabrikam/bob", "contoso/payroll")


def _service(db: Path) -> GraphService:
    return GraphService(open_store("memory", path=db))


@pytest.fixture
def pair(tmp_path: Path) -> tuple[GraphService, GraphService, Path]:
    db = tmp_path / "store.db"
    writer = _service(db)
    writer.load_world(load_world_file(DEMO), source="demo")
    reader = _service(db)
    reader.refresh()
    yield writer, reader, db
    writer.close()
    reader.close()


def _verdicts(svc: GraphService) -> list[tuple[str, str, str]]:
    ix = svc.index()
    resources = [a.ref for a in ix.world.apps] + [c.ref for c in ix.world.channels]
    out = []
    for user in ix.world.users[:40]:
        for r in resources:
            v = svc.check(user.ref, r)
            out.append((user.ref, r, f"{v.decision.value} {v.mfa.value} {len(v.paths)}"))
    return out


def test_a_reader_catches_up_by_evolving_its_index(
    pair: tuple[GraphService, GraphService, Path],
) -> None:
    writer, reader, db = pair
    assert reader.check(*PAIR).decision.value == "allow"
    writer.update_world(lambda w: remove_group_member(w, "contoso/finance", "bob"), source="t")
    before = reader.indexes.evolved
    assert reader.refresh() == writer.current_snapshot()
    assert reader.indexes.evolved == before + 1  # by the change, not a rebuild
    assert reader.check(*PAIR).decision.value == "deny"
    with _service(db) as fresh:  # an evolved index answers as a fresh one does
        assert _verdicts(reader) == _verdicts(fresh)


def test_a_background_catch_up_keeps_answering_from_the_snapshot_held(
    pair: tuple[GraphService, GraphService, Path],
) -> None:
    writer, reader, _ = pair
    held = reader.current_snapshot()
    written = writer.update_world(
        lambda w: remove_group_member(w, "contoso/finance", "bob"), source="t"
    )
    assert reader.refresh_pending()
    assert reader.current_snapshot() == held  # nothing waits for the catch-up
    reader.catch_up_soon()
    deadline = time.monotonic() + 60
    while reader.current_snapshot() != written:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert not reader.refresh_pending()


def test_waiting_for_a_snapshot(pair: tuple[GraphService, GraphService, Path]) -> None:
    writer, reader, _ = pair
    written = writer.update_world(
        lambda w: add_group_member(w, "contoso/finance", "carol"), source="t"
    )
    assert reader.wait_for_snapshot(written.id, timeout=60) == written
    assert reader.check("contoso/carol", "contoso/payroll").decision.value == "allow"
    with pytest.raises(SnapshotNotFound):
        reader.wait_for_snapshot(written.id + 5, timeout=1)


def test_a_change_that_no_longer_applies_after_another_writer_is_a_conflict(
    pair: tuple[GraphService, GraphService, Path],
) -> None:
    writer, reader, _ = pair
    read = reader.current_snapshot()
    assert read is not None
    writer.update_world(lambda w: remove_group_member(w, "contoso/finance", "bob"), source="t")
    # the reader read snapshot `read`, where bob was a member; since then he is not
    with write_request(WriteRequest(read_snapshot=read.id)), pytest.raises(SnapshotConflict) as e:
        reader.update_world(lambda w: remove_group_member(w, "contoso/finance", "bob"), source="r")
    assert e.value.code == "conflict" and "no longer applies" in str(e.value)
    with pytest.raises(NodeNotFound):  # asked on the newest snapshot: its own error
        reader.update_world(lambda w: remove_group_member(w, "contoso/finance", "bob"), source="r")


def test_a_ticket_abandoned_before_the_commit_writes_nothing(
    pair: tuple[GraphService, GraphService, Path],
) -> None:
    writer, _, _ = pair
    before = writer.snapshots()
    ticket = WriteTicket()
    assert ticket.abandon()
    with pytest.raises(WriteAbandoned):
        writer.update_world(
            lambda w: add_group_member(w, "contoso/finance", "carol"), source="t", ticket=ticket
        )
    assert writer.snapshots() == before
    committing = WriteTicket()
    writer.update_world(
        lambda w: add_group_member(w, "contoso/finance", "carol"), source="t", ticket=committing
    )
    assert not committing.abandon()  # too late: it committed


def test_a_load_that_mostly_matches_is_written_as_its_change(
    pair: tuple[GraphService, GraphService, Path],
) -> None:
    writer, reader, _ = pair
    world = writer.world()
    users = list(world.users)
    users[3] = dataclasses.replace(users[3], account_enabled=not users[3].account_enabled)
    changed = dataclasses.replace(world, users=tuple(users))
    info = writer.load_world(changed, source="reload")
    assert info.base is not None and info.stored_bytes is not None and info.stored_bytes < 1000
    assert reader.refresh() == info and reader.world() == changed
    other = writer.load_world(dataclasses.replace(changed, users=()), source="different")
    assert other.base is None  # most of the World changed: stored whole
    assert reader.refresh() == other and reader.world().users == ()
    assert apply_changes(changed, writer.store.changes_after(info.id, info.id) or ()) == changed
