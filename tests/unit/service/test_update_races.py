"""`GraphService.update_world` against other writers of the same store file.

How to write tests here: open two services on one sqlite file (`pair`), as two processes
would; make the other one publish from inside the change function (exactly between this
service's read and its publish, a real race made deterministic) and assert what is stored.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from graphmodel.changes import ChangeSet, apply_changes
from graphmodel.errors import NodeNotFound, SnapshotConflict
from graphmodel.ingest import load_world_file
from graphmodel.schema.world import World
from graphmodel.service import GraphService
from graphmodel.service.mutations import add_group_member, remove_group_member
from graphmodel.service.writes import WRITE_ATTEMPTS
from graphmodel.stores import open_store
from tests.api.support import WORLD

Pair = tuple[GraphService, GraphService]


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[Pair]:
    path = tmp_path / "store.db"
    with GraphService(open_store("memory", path=path)) as ours:
        ours.load_world(load_world_file(WORLD), source="world.yaml")
        with GraphService(open_store("memory", path=path)) as theirs:
            yield ours, theirs


def members(svc: GraphService, group: str = "contoso/project") -> tuple[str, ...]:
    svc.refresh()
    return svc.world().group_by_ref[group].members


def test_a_stale_process_applies_its_change_to_the_newest_world(pair: Pair) -> None:
    ours, theirs = pair
    theirs.refresh()
    theirs.update_world(lambda w: add_group_member(w, "contoso/project", "alice"), source="t")
    assert ours.current_snapshot() is not None and ours.current_snapshot().id == 1  # stale
    info = ours.update_world(lambda w: add_group_member(w, "contoso/project", "dave"), source="o")
    assert info.id == 3
    assert members(theirs) == ("contoso/alice", "contoso/dave")


def test_a_lost_race_is_re_applied_to_the_winner(pair: Pair) -> None:
    ours, theirs = pair
    bases: list[str | None] = []

    def change(world: World) -> ChangeSet:
        bases.append(world.title)
        if len(bases) == 1:  # the other process publishes between our read and our publish
            theirs.update_world(
                lambda w: dataclasses.replace(
                    apply_changes(w, add_group_member(w, "contoso/project", "alice")),
                    title="theirs",
                ),
                source="t",
            )
        return add_group_member(world, "contoso/project", "dave")

    info = ours.update_world(change, source="o")
    assert bases == [load_world_file(WORLD).title, "theirs"]
    assert info.id == 3
    assert members(theirs) == ("contoso/alice", "contoso/dave")
    assert [s.id for s in theirs.snapshots()] == [3, 2, 1]


def test_a_change_that_no_longer_applies_is_a_conflict_naming_both_snapshots(
    pair: Pair,
) -> None:
    ours, theirs = pair
    ours.update_world(lambda w: add_group_member(w, "contoso/project", "dave"), source="o")
    theirs.refresh()
    calls = 0

    def remove_dave(world: World) -> ChangeSet:
        nonlocal calls
        calls += 1
        if calls == 1:  # someone else removes dave first
            theirs.update_world(
                lambda w: remove_group_member(w, "contoso/project", "dave"), source="t"
            )
        return remove_group_member(world, "contoso/project", "dave")

    with pytest.raises(SnapshotConflict) as caught:
        ours.update_world(remove_dave, source="o")
    assert (caught.value.base, caught.value.current, caught.value.code) == (2, 3, "conflict")
    assert "no longer applies" in str(caught.value) and "dave" in str(caught.value)
    assert [s.id for s in theirs.snapshots()] == [3, 2, 1]  # nothing written by the loser


def test_errors_on_the_first_attempt_are_the_change_s_own(pair: Pair) -> None:
    ours, _ = pair
    with pytest.raises(NodeNotFound):
        ours.update_world(lambda w: add_group_member(w, "contoso/nope", "dave"), source="o")
    assert [s.id for s in ours.snapshots()] == [1]


def test_a_writer_that_always_loses_gives_up_with_a_conflict(pair: Pair) -> None:
    ours, theirs = pair
    calls = 0

    def change(world: World) -> World:
        nonlocal calls
        calls += 1
        theirs.load_world(world, source=f"t{calls}")  # always one step ahead
        return world

    with pytest.raises(SnapshotConflict) as caught:
        ours.update_world(change, source="o")
    assert calls == WRITE_ATTEMPTS
    assert (caught.value.base, caught.value.current) == (1, 1 + WRITE_ATTEMPTS)
    assert ours.refresh() is not None and ours.refresh().id == 1 + WRITE_ATTEMPTS
