"""Hostile inputs made from real ones: mutated world files, mutated Graph exports, and GraphQL
documents built from the API's schema.

Every generator takes a `random.Random`, so the test suite drives them with hypothesis
(`st.randoms()`: reproducible, shrinkable) and `bench/fuzz_*.py` with plain seeds for the big
runs. The mutations aim at the parsers' weak spots rather than at random bytes only: anchors and
aliases, deep nesting, wrong types, truncation, duplicate keys, huge numbers, control
characters, and for GraphQL fragments spread many times, aliases, deep selections and
arguments of the wrong type.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
)

__all__ = [
    "graphql_document",
    "hostile_graphql",
    "mutate_export",
    "mutate_world_text",
]

_YAML_SNIPPETS = (
    "&a ",
    "*a",
    "*nosuch",
    "<<: *a\n",
    "[" * 300,
    "{" * 50,
    "- ",
    ": ",
    "!!python/object:os.system ",
    "!!binary AAAA",
    "\t",
    "\x00",
    "\x1b",
    "'",
    '"',
    "9" * 400,
    "1e99999",
    ".nan",
    "2026-13-40",
    "~",
    "? ",
    "%YAML 1.2\n---\n",
    "...\n",
    "\ufeff",
    "x" * 5000,
)
_STRINGS = ("", "contoso/alice", "contoso/wiki", "fabrikam", "x" * 3000, "\u0000", "../../etc")


def mutate_world_text(text: str, rng: random.Random, *, steps: int = 3) -> str:
    """`text` with a few hostile edits: snippets inserted, slices deleted or duplicated, lines
    swapped, an alias bomb appended, or the whole thing cut short."""
    for _ in range(rng.randint(1, steps)):
        op = rng.randrange(7)
        at = rng.randrange(len(text) + 1)
        if op == 0:
            text = text[:at] + rng.choice(_YAML_SNIPPETS) + text[at:]
        elif op == 1:
            end = min(len(text), at + rng.randint(1, 200))
            text = text[:at] + text[end:]
        elif op == 2:
            end = min(len(text), at + rng.randint(1, 400))
            text = text[:end] + text[at:end] * rng.randint(1, 4) + text[end:]
        elif op == 3:
            lines = text.split("\n")
            i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
            text = "\n".join(lines)
        elif op == 4:
            text += "\n" + _alias_bomb(rng.randint(3, 12), rng.randint(2, 12))
        elif op == 5:
            text = text[:at]
        else:
            depth = rng.choice((10, 99, 101, 500, 5000))
            text = text[:at] + "[" * depth + "]" * depth + text[at:]
    return text


def _alias_bomb(levels: int, width: int) -> str:
    lines = [f"b0: &b0 [{', '.join(['lol'] * width)}]"]
    lines += [f"b{i}: &b{i} [{', '.join([f'*b{i - 1}'] * width)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def _json_value(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randrange(10 if depth < 4 else 6)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice((True, False))
    if kind == 2:
        return rng.choice((0, -1, 2**63, 10**400, 1.5e308, -0.0))
    if kind in (3, 4, 5):
        return rng.choice(_STRINGS)
    if kind in (6, 7):
        return [_json_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    keys = ("id", "displayName", "value", "@odata.nextLink", "members", "userType", "x")
    return {rng.choice(keys): _json_value(rng, depth + 1) for _ in range(rng.randint(0, 4))}


def _replace_somewhere(doc: Any, rng: random.Random) -> Any:
    """`doc` with one randomly chosen node replaced by a random JSON value."""
    if not isinstance(doc, dict | list) or rng.random() < 0.25:
        return _json_value(rng)
    keys = list(doc.keys()) if isinstance(doc, dict) else list(range(len(doc)))
    if not keys:
        return _json_value(rng)
    key = rng.choice(keys)
    doc[key] = _replace_somewhere(doc[key], rng)
    return doc


def mutate_export(root: Path, rng: random.Random, *, steps: int = 2) -> None:
    """Edit the export under `root` in place: JSON nodes replaced, files truncated, bytes
    flipped, deep nesting or a huge string written, a file emptied or removed."""
    files = sorted(root.rglob("*.json"))
    for _ in range(rng.randint(1, steps)):
        path = rng.choice(files)
        if not path.exists():
            continue
        data = path.read_bytes()
        op = rng.randrange(7)
        if op in (0, 1):
            try:
                doc = json.loads(data)
            except (ValueError, RecursionError):  # an earlier step made it unreadable
                continue
            path.write_text(json.dumps(_replace_somewhere(doc, rng)))
        elif op == 2:
            path.write_bytes(data[: rng.randrange(len(data) + 1)])
        elif op == 3 and data:
            at = rng.randrange(len(data))
            path.write_bytes(data[:at] + bytes([rng.randrange(256)]) + data[at + 1 :])
        elif op == 4:
            depth = rng.choice((30, 65, 1000, 100_000))
            inner = "[" * depth + "]" * depth
            path.write_text(rng.choice((f'{{"value": [{inner}]}}', inner)))
        elif op == 5:
            path.write_text(rng.choice(("", "null", "[]", "{}", '"x"', "NaN", "{" * 3)))
        else:
            path.unlink()


# --- GraphQL -----------------------------------------------------------------------------------


def _named(t: Any) -> Any:
    while isinstance(t, GraphQLNonNull | GraphQLList):
        t = t.of_type
    return t


def _literal(t: Any, rng: random.Random, depth: int = 0) -> str:
    """A GraphQL literal for input type `t`, sometimes of the wrong type on purpose."""
    if rng.random() < 0.05:
        return rng.choice(('"wrong"', "-1", "null", "[1, 2]", "{a: 1}", "99999999999999999999"))
    if isinstance(t, GraphQLNonNull):
        return _literal(t.of_type, rng, depth)
    if isinstance(t, GraphQLList):
        return "[" + ", ".join(_literal(t.of_type, rng, depth + 1) for _ in range(2)) + "]"
    if isinstance(t, GraphQLEnumType):
        return str(rng.choice([*t.values, "NOT_A_VALUE"]))
    if isinstance(t, GraphQLInputObjectType):
        if depth > 3:
            return "{}"
        fields = [
            f"{name}: {_literal(f.type, rng, depth + 1)}"
            for name, f in t.fields.items()
            if isinstance(f.type, GraphQLNonNull) or rng.random() < 0.3
        ]
        return "{" + ", ".join(fields) + "}"
    name = getattr(t, "name", "")
    if name == "Int":
        return str(rng.choice((0, 1, 5, 1000, 1001, -1, 2**31)))
    if name == "Float":
        return rng.choice(("0.5", "1e308", "-1.0"))
    if name == "Boolean":
        return rng.choice(("true", "false"))
    return json.dumps(rng.choice(_STRINGS))


def _selection(t: Any, rng: random.Random, depth: int, fragments: list[str]) -> str:
    t = _named(t)
    if isinstance(t, GraphQLScalarType | GraphQLEnumType):
        return ""
    if isinstance(t, GraphQLUnionType):
        chosen = rng.choice(list(t.types))
        inner = _selection(chosen, rng, depth, fragments)
        return f"{{ __typename ... on {chosen.name} {inner} }}"
    assert isinstance(t, GraphQLObjectType | GraphQLInterfaceType)
    names = list(t.fields)
    parts: list[str] = []
    for _ in range(rng.randint(1, 3)):
        name = rng.choice(names)
        f = t.fields[name]
        args = [
            f"{a}: {_literal(arg.type, rng)}"
            for a, arg in f.args.items()
            if isinstance(arg.type, GraphQLNonNull) or rng.random() < 0.3
        ]
        call = f"{name}({', '.join(args)})" if args else name
        if rng.random() < 0.2:
            call = f"a{rng.randrange(100)}: {call}"
        inner_t = _named(f.type)
        if isinstance(inner_t, GraphQLScalarType | GraphQLEnumType):
            parts.append(call)
        elif depth > 0:
            inner = _selection(inner_t, rng, depth - 1, fragments)
            if inner and rng.random() < 0.15 and isinstance(inner_t, GraphQLObjectType):
                fname = f"F{len(fragments)}"
                fragments.append(f"fragment {fname} on {inner_t.name} {inner}")
                inner = f"{{ ...{fname} ...{fname} }}"
            parts.append(f"{call} {inner}" if inner else f"{call} {{ __typename }}")
        else:
            parts.append(f"{call} {{ __typename }}")
    return "{ " + " ".join(parts) + " }"


def graphql_document(schema: GraphQLSchema, rng: random.Random, *, depth: int = 4) -> str:
    """A document of random fields of `Query` (sometimes `Mutation`), with arguments, aliases
    and fragments; mostly valid, sometimes not."""
    fragments: list[str] = []
    root = schema.mutation_type if schema.mutation_type and rng.random() < 0.1 else None
    body = _selection(root or schema.query_type, rng, depth, fragments)
    op = "mutation" if root is not None else "query"
    return "\n".join([f"{op} {body}", *fragments])


def _fragment_bomb(rng: random.Random) -> str:
    n = rng.randint(10, 80)
    parts = ["{ viewer { ...F0 } }"]
    for i in range(n):
        spread = f"...F{i + 1} ...F{i + 1}" if i < n - 1 else "role"
        parts.append(f"fragment F{i} on ViewerInfo {{ role {spread} }}")
    return "\n".join(parts)


def _deep_members(rng: random.Random) -> str:
    n = rng.randint(13, 200)
    inner = "members { ... on Group { " * n + "ref" + " } }" * n
    return '{ group(ref: "contoso/finance") { ' + inner + " } }"


_HOSTILE: tuple[Callable[[random.Random], str], ...] = (
    _fragment_bomb,
    lambda r: "{ viewer { " + "role " * r.randint(1000, 9000) + "} }",
    lambda r: "{ " + "viewer { role } " * r.randint(500, 2400) + "}",
    lambda r: (
        "{ " + " ".join(f"a{i}: viewer {{ role }}" for i in range(r.randint(51, 2000))) + " }"
    ),
    _deep_members,
    lambda r: "{ viewer { role " + "@include(if: true) " * r.randint(100, 3000) + "} }",
    lambda r: '{ user(ref: "' + "x" * r.randint(10_000, 500_000) + '") { ref } }',
    lambda r: "{ " + "{" * r.randint(100, 5000) + "}",
    lambda r: (
        "query("
        + ", ".join(f"$v{i}: Int" for i in range(r.randint(100, 3000)))
        + ") { viewer { role } }"
    ),
    lambda r: (
        "{ __schema { types { fields { type { ofType { ofType { ofType { name } } } } } } } }"
    ),
    lambda r: (
        "\n".join(f"fragment F{i} on ViewerInfo {{ ...F{(i + 1) % 50} }}" for i in range(50))
        + "\n{ viewer { ...F0 } }"
    ),
    lambda r: (
        "{ trustGraph(tenants: ["
        + ", ".join(['"t"'] * r.randint(100, 12_000))
        + "]) { nodes { name } } }"
    ),
)


def hostile_graphql(schema: GraphQLSchema, rng: random.Random) -> str:
    """A known-hostile document (bombs, repetition, deep nesting, huge strings) or, half the
    time, a random document from the schema."""
    if rng.random() < 0.5:
        return graphql_document(schema, rng, depth=rng.randint(2, 8))
    return rng.choice(_HOSTILE)(rng)
