"""The memory store's snapshot encoding: World parts of JSON rows, and the generated codecs.

How to write tests here: build a World (`tests.conformance.worlds`, or a corpus world file),
round-trip it through `encode_world` / `decode_world` or through a store file, and compare
whole Worlds; for damaged files, change the sqlite rows with the stdlib `sqlite3` module.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from graphmodel.errors import StoreUnavailable, WorldInvalid
from graphmodel.ingest.scenario import discover_scenario_files, load_scenario_file
from graphmodel.schema import World, codec
from graphmodel.schema.entities import User
from graphmodel.schema.enums import UserType
from graphmodel.stores.memory import MemoryStore
from graphmodel.stores.memory.encoding import META_PART, decode_world, encode_world
from tests.conformance.worlds import big_world, three_tenants, trust_edges, user

REPO = Path(__file__).resolve().parents[4]
ROOTS = [REPO.parent / "shared" / "scenarios", REPO / "fixtures", REPO / "tests" / "rules"]


def _corpus() -> list[Any]:
    worlds = []
    for path in discover_scenario_files([r for r in ROOTS if r.exists()]):
        try:
            world, _ = load_scenario_file(path)
        except WorldInvalid:
            continue  # written for features this build lacks; tests/scenarios reports it
        worlds.append(pytest.param(world, id=path.name))
    return worlds


def _items(world: World) -> list[object]:
    out: list[object] = []
    for part, _text in encode_world(world):
        if part != META_PART:
            out.extend(getattr(world, part))
    return out


@pytest.mark.parametrize("world", [three_tenants(), big_world(50), *_corpus()])
def test_every_world_round_trips(world: World) -> None:
    assert decode_world(encode_world(world, part_rows=7)) == world


@pytest.mark.parametrize("world", [three_tenants(), *_corpus()])
def test_generated_codecs_equal_the_generic_codec(world: World) -> None:
    for entity in _items(world):
        cls = type(entity)
        data = codec.to_data(entity)
        assert codec.encoder(cls)(entity) == data
        assert codec.decoder(cls)(json.loads(json.dumps(data))) == entity


def test_parts_hold_at_most_part_rows_entities_in_world_order() -> None:
    world = big_world(25)
    parts = list(encode_world(world, part_rows=10))
    assert parts[0][0] == META_PART
    users = [json.loads(text) for name, text in parts if name == "users"]
    assert [len(part["rows"]) for part in users] == [10, 10, len(world.users) - 20]
    assert all(part["keys"] == list(codec.field_keys(User)) for part in users)
    at = codec.field_keys(User).index("name")
    assert [r[at] for part in users for r in part["rows"]] == [u.name for u in world.users]


@pytest.mark.parametrize("world", [three_tenants(), *_corpus()])
def test_row_codecs_equal_the_generic_codec(world: World) -> None:
    for entity in _items(world):
        cls = type(entity)
        data = codec.to_data(entity)
        row = codec.row_encoder(cls)(entity)
        assert row == [data[k] for k in codec.field_keys(cls)]
        decoded = codec.row_decoder(cls)(json.loads(json.dumps(row)))
        assert decoded == entity
        assert hash(decoded) == hash(entity)


def test_row_decoder_refuses_rows_of_another_shape_and_checks_types() -> None:
    decode = codec.row_decoder(User)
    row = codec.row_encoder(User)(user("contoso", "ann"))
    with pytest.raises(ValueError, match="expected a row of"):
        decode(row[:-1])
    with pytest.raises(ValueError, match="expected a row of"):
        decode({"tenant": "contoso"})
    at = codec.field_keys(User).index("name")
    with pytest.raises(ValueError, match="expected str"):
        decode([*row[:at], 3, *row[at + 1 :]])
    at = codec.field_keys(User).index("userType")
    with pytest.raises(ValueError, match="is not a UserType"):
        decode([*row[:at], "Alien", *row[at + 1 :]])


@dataclass(frozen=True)
class _Plain:  # no slots: built through `__init__`
    name: str
    count: int = 0


@dataclass(frozen=True, slots=True)
class _Validated:  # a `__post_init__` must run: built through `__init__`
    name: str

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("the name is empty")


def test_row_decoder_builds_other_classes_through_their_init() -> None:
    assert codec.row_decoder(_Plain)(["a", 2]) == _Plain("a", 2)
    assert codec.row_decoder(_Validated)(["a"]) == _Validated("a")
    with pytest.raises(ValueError, match="the name is empty"):
        codec.row_decoder(_Validated)([""])


def _users_part(keys: list[str], rows: list[list[Any]]) -> list[tuple[str, str]]:
    meta = next(p for p in encode_world(World()) if p[0] == META_PART)
    return [meta, ("users", json.dumps({"keys": keys, "rows": rows}))]


def test_a_part_with_other_keys_decodes_by_name() -> None:
    ann = user("contoso", "ann")
    data = codec.to_data(ann)
    older = [k for k in codec.field_keys(User) if k not in {"mail", "lastSignInDateTime"}]
    assert decode_world(_users_part(older, [[data[k] for k in older]])).users == (ann,)
    newer = [*codec.field_keys(User), "aFieldFromANewerBuild"]
    assert decode_world(_users_part(newer, [[*(data[k] for k in newer[:-1]), 1]])).users == (
        ann,
    )
    with pytest.raises(ValueError, match="does not match its"):
        decode_world(_users_part(older, [[1]]))


def test_a_version_2_part_of_objects_still_decodes() -> None:
    world = three_tenants()
    meta = next(p for p in encode_world(world) if p[0] == META_PART)
    parts = [meta] + [
        (name, json.dumps([codec.to_data(e) for e in getattr(world, name)]))
        for name, _ in encode_world(world)
        if name != META_PART
    ]
    assert decode_world(parts) == world


def test_decoder_handles_missing_and_extra_keys_and_refuses_wrong_types() -> None:
    decode = codec.decoder(User)
    full = codec.to_data(user("contoso", "ann"))
    partial = {k: v for k, v in full.items() if k not in {"mail", "roles", "userType"}}
    assert decode(partial) == user("contoso", "ann")  # defaults apply
    assert decode({**full, "newField": 1}) == user("contoso", "ann")
    with pytest.raises(ValueError, match="expected str"):
        decode({**full, "name": 3})
    with pytest.raises(ValueError, match="is not a UserType"):
        decode({**full, "userType": "Alien"})
    assert decode({**full, "userType": "Guest"}).user_type is UserType.GUEST


def test_encoder_falls_back_for_values_of_another_type() -> None:
    odd = User(tenant="t", name="n", id="i", user_principal_name="u", user_type="Guest")  # type: ignore[arg-type]
    assert codec.encoder(User)(odd) == codec.to_data(odd)


@pytest.mark.parametrize(
    ("rows", "problem"),
    [
        ("[1", "Expecting"),
        ('{"not": "a list"}', "neither rows with keys nor a JSON array"),
        ('{"keys": "tenant", "rows": []}', "has no list of keys"),
        ('[{"tenant": 1}]', "expected"),
    ],
)
def test_a_damaged_part_is_store_unavailable_naming_file_and_snapshot(
    tmp_path: Path, rows: str, problem: str
) -> None:
    path = tmp_path / "store.db"
    with MemoryStore(path) as store:
        info = store.write_snapshot(three_tenants(), source="t", trust_edges=trust_edges())
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE world_parts SET rows = ? WHERE field = 'users'", (rows,))
    conn.close()
    with pytest.raises(
        StoreUnavailable, match=f"`{path}` holds an unreadable snapshot `{info.id}`"
    ):
        MemoryStore(path)
    with pytest.raises(StoreUnavailable, match=problem):
        MemoryStore(path)


def test_older_snapshots_decode_from_their_own_parts(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    with MemoryStore(path, batch_size=3) as store:
        first = store.write_snapshot(three_tenants(title="A"), source="a", trust_edges=())
        store.write_snapshot(big_world(20, title="B"), source="b", trust_edges=())
    with MemoryStore(path) as reopened:
        assert reopened.read_world(first.id) == three_tenants(title="A")
        assert reopened.read_world() == big_world(20, title="B")
