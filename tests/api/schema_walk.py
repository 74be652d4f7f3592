"""Walking a GraphQL schema by introspection: a document per root field selecting every field
below it, what was selected, and the strings of an answer (base64 decoded) to search.

Why a helper of its own: `test_scope_walk.py` asks every field of the schema with scoped tokens;
the walk is generic (no field is named here), the cases are the test's.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from tests.api.support import Client

__all__ = ["Enum", "Schema", "Walk", "literal", "matches"]


class Enum(str):
    """An enum value: written bare in a document."""


INTROSPECTION = """{ __schema { queryType { name } mutationType { name } types {
  kind name possibleTypes { name }
  fields { name args { name defaultValue type { ...T } } type { ...T } } } } }
fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name
  ofType { kind name } } } } }"""


# --- the schema, by introspection --------------------------------------------------------
@dataclass
class Schema:
    types: dict[str, dict[str, Any]]
    roots: dict[str, str]  # "Query" / "Mutation" -> type name

    @classmethod
    def of(cls, client: Client) -> Schema:
        data = client.data(INTROSPECTION)["__schema"]
        return cls(
            {t["name"]: t for t in data["types"]},
            {"Query": data["queryType"]["name"], "Mutation": data["mutationType"]["name"]},
        )

    def reachable_fields(self) -> set[str]:
        """Every `Type.field` of every object or interface type reachable from the roots."""
        seen: set[str] = set()
        todo = list(self.roots.values())
        out: set[str] = set()
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            t = self.types[name]
            todo.extend(p["name"] for p in t.get("possibleTypes") or ())
            for f in t.get("fields") or ():
                out.add(f"{name}.{f['name']}")
                todo.append(_named(f["type"]))
        return {f for f in out if not f.split(".")[0].startswith("__")}


def _named(t: dict[str, Any]) -> str:
    while t.get("ofType"):
        t = t["ofType"]
    return str(t["name"])


def _required(arg: dict[str, Any]) -> bool:
    return arg["type"]["kind"] == "NON_NULL" and arg["defaultValue"] is None


def literal(value: Any) -> str:
    if isinstance(value, Enum):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    return json.dumps(value)


class Walk:
    """Builds the selection of every field below a type, and records what it selected."""

    def __init__(self, schema: Schema, *, depth: int, nested: dict[str, dict[str, Any]]) -> None:
        self.schema = schema
        self.depth = depth
        self.nested = nested
        self.covered: set[str] = set()
        self.missing: set[str] = set()

    def selection(
        self, type_name: str, path: tuple[str, ...], depth: int, *, aliased: bool = False
    ) -> str:
        """The fields of `type_name`; `aliased` (inside a fragment on one member of a union or
        interface) gives each an alias of its own, as members may type a field differently."""
        t = self.schema.types[type_name]
        if t["kind"] in ("INTERFACE", "UNION"):
            parts = ["__typename"]
            for f in t.get("fields") or ():  # the interface's own scalar fields
                if self.schema.types[_named(f["type"])]["kind"] in ("SCALAR", "ENUM"):
                    parts.append(f["name"])
                    self.covered.add(f"{type_name}.{f['name']}")
            for p in t["possibleTypes"]:
                if p["name"] not in path:
                    inner = self.selection(p["name"], (*path, p["name"]), depth, aliased=True)
                    parts.append(f"... on {p['name']} {{ {inner} }}")
            return " ".join(parts)
        parts = []
        for f in t["fields"]:
            key = f"{type_name}.{f['name']}"
            name = f"{type_name}_{f['name']}: {f['name']}" if aliased else f["name"]
            args = ""
            if any(_required(a) for a in f["args"]):
                if key not in self.nested:
                    self.missing.add(key)
                    continue
                args = (
                    "(" + ", ".join(f"{k}: {literal(v)}" for k, v in self.nested[key].items()) + ")"
                )
            inner_type = _named(f["type"])
            if self.schema.types[inner_type]["kind"] in ("SCALAR", "ENUM"):
                parts.append(name + args)
                self.covered.add(key)
            elif inner_type not in path and depth < self.depth:
                inner = self.selection(inner_type, (*path, inner_type), depth + 1)
                parts.append(f"{name}{args} {{ {inner} }}")
                self.covered.add(key)
        return " ".join(parts) or "__typename"

    def document(self, root: str, name: str, args: dict[str, Any]) -> str:
        root_type = self.schema.roots[root]
        fields = {f["name"]: f for f in self.schema.types[root_type]["fields"]}
        f = fields[name]
        self.covered.add(f"{root_type}.{name}")
        written = ", ".join(f"{k}: {literal(v)}" for k, v in args.items())
        call = f"{name}({written})" if written else name
        inner_type = _named(f["type"])
        body = (
            ""
            if self.schema.types[inner_type]["kind"] in ("SCALAR", "ENUM")
            else (" { " + self.selection(inner_type, (root_type, inner_type), 1) + " }")
        )
        return f"{'mutation' if root == 'Mutation' else 'query'} {{ {call}{body} }}"


# --- finding refs in answers --------------------------------------------------------------
def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
        yield from _decoded(value)
    elif isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _decoded(text: str) -> Iterator[str]:
    """A base64 string (a node id, an export file) decoded, when it decodes to text."""
    if len(text) < 8 or not re.fullmatch(r"[A-Za-z0-9+/_=-]+", text):
        return
    try:
        raw = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=False)
        yield raw.decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return


def matches(answer: Any, pattern: re.Pattern[str]) -> list[str]:
    """Every distinct match of `pattern` in the strings of a JSON answer (keys too), base64
    strings decoded."""
    return sorted({m.group(0) for s in _strings(answer) for m in pattern.finditer(s)})
