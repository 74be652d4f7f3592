"""A ChangeSet as JSON: how stores keep a change, and how it travels between processes.

Why JSON through the schema codec: entities and values are written exactly as world
snapshots write them (camelCase, `graphmodel.schema.codec`), so a stored change reads back
equal, and ad-hoc SQL (`json_extract`) can look inside. The layout, version 1::

    {"v": 1, "changes": [
      {"op": "add", "family": "users", "entity": {...}, "after": <anchor>},
      {"op": "remove", "family": "users", "key": <key>},
      {"op": "patch", "family": "groups", "key": <key>,
       "set": {"dotted.path": <value>}, "edit": {"members": {"drop": [<key>], "add": [[<anchor>,
       <item>]]}}},
      {"op": "replace", "family": "assignments", "entities": [...]},
      {"op": "world", "field": "title", "value": <value>}]}

A key is a string or a list of strings; an anchor is a key, `{"place": "start"}` or
`{"place": "end"}`.
"""

from __future__ import annotations

import json
import typing
from typing import Any, Final

from graphmodel.changes.model import (
    FAMILIES,
    Add,
    Anchor,
    Change,
    ChangeSet,
    Key,
    ListEdit,
    Patch,
    Place,
    Remove,
    Replace,
    SetWorld,
    path_type,
)
from graphmodel.schema import codec
from graphmodel.schema.world import World

__all__ = ["FORMAT_VERSION", "decode_changes", "encode_changes"]

FORMAT_VERSION: Final = 1
_SCALAR_TYPES: Final = typing.get_type_hints(World)


def _key(key: Key) -> Any:
    return list(key) if isinstance(key, tuple) else key


def _unkey(data: Any) -> Key:
    if isinstance(data, str):
        return data
    if isinstance(data, list) and all(isinstance(x, str) for x in data):
        return tuple(data)
    raise ValueError(f"a key must be a string or a list of strings, not {data!r}")


def _anchor(anchor: Anchor) -> Any:
    return {"place": anchor.value} if isinstance(anchor, Place) else _key(anchor)


def _unanchor(data: Any) -> Anchor:
    if isinstance(data, dict):
        return Place(data.get("place"))
    return _unkey(data)


def _item_type(family: str, path: str) -> Any:
    args = typing.get_args(path_type(FAMILIES[family].cls, path))
    if not args:
        raise ValueError(f"`{path}` of {family} is not a list")
    return args[0]


def _encode(change: Change) -> dict[str, Any]:
    if isinstance(change, SetWorld):
        return {"op": "world", "field": change.field, "value": codec.to_data(change.value)}
    if isinstance(change, Add):
        return {
            "op": "add",
            "family": change.family,
            "entity": codec.encoder(FAMILIES[change.family].cls)(change.entity),
            "after": _anchor(change.after),
        }
    if isinstance(change, Remove):
        return {"op": "remove", "family": change.family, "key": _key(change.key)}
    if isinstance(change, Replace):
        encode = codec.encoder(FAMILIES[change.family].cls)
        return {
            "op": "replace",
            "family": change.family,
            "entities": [encode(e) for e in change.entities],
        }
    return {
        "op": "patch",
        "family": change.family,
        "key": _key(change.key),
        "set": {path: codec.to_data(value) for path, value in change.set},
        "edit": {
            path: {
                "drop": [_key(k) for k in edit.drop],
                "add": [[_anchor(after), codec.to_data(item)] for after, item in edit.add],
            }
            for path, edit in change.edit
        },
    }


def encode_changes(changes: ChangeSet) -> str:
    """`changes` as compact JSON text (see the module docstring)."""
    doc = {"v": FORMAT_VERSION, "changes": [_encode(c) for c in changes]}
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False)


def _decode(data: dict[str, Any]) -> Change:
    op = data["op"]
    if op == "world":
        name = data["field"]
        if name not in ("as_of", "title", "source"):
            raise ValueError(f"`{name}` is not a World scalar")
        return SetWorld(name, codec.decoder(_SCALAR_TYPES[name])(data["value"]))
    family = data["family"]
    cls = FAMILIES[family].cls
    if op == "add":
        return Add(family, codec.decoder(cls)(data["entity"]), _unanchor(data["after"]))
    if op == "remove":
        return Remove(family, _unkey(data["key"]))
    if op == "replace":
        decode = codec.decoder(cls)
        return Replace(family, tuple(decode(e) for e in data["entities"]))
    if op == "patch":
        sets = tuple(
            (path, codec.decoder(path_type(cls, path))(value))
            for path, value in data["set"].items()
        )
        edits = []
        for path, body in data["edit"].items():
            decode_item = codec.decoder(_item_type(family, path))
            add = tuple((_unanchor(a), decode_item(item)) for a, item in body["add"])
            edits.append((path, ListEdit(drop=tuple(_unkey(k) for k in body["drop"]), add=add)))
        return Patch(family, _unkey(data["key"]), set=sets, edit=tuple(edits))
    raise ValueError(f"unknown change `{op}`")


def decode_changes(text: str) -> ChangeSet:
    """The ChangeSet of `encode_changes`' text. Raises ValueError on text it cannot read
    (malformed JSON, an unknown version, family, field or change)."""
    try:
        doc = json.loads(text)
        if not isinstance(doc, dict) or doc.get("v") != FORMAT_VERSION:
            raise ValueError(f"not a change set of format version {FORMAT_VERSION}")
        return ChangeSet(tuple(_decode(c) for c in doc["changes"]))
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"malformed change set: {exc!r}") from exc
