"""Lossless conversion between schema dataclasses and JSON-able data (camelCase keys).

Stores persist entities through this codec, so a snapshot written and read back is equal to
the World that was loaded. Field names map snake_case -> Graph camelCase. Encoders and decoders
are compiled once per type (a closure per field), because stores call them millions of times.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from datetime import datetime
from enum import Enum
from functools import cache
from typing import Any, TypeVar, Union

__all__ = [
    "JsonValue",
    "camel",
    "decoder",
    "encoder",
    "field_keys",
    "from_data",
    "row_decoder",
    "row_encoder",
    "to_data",
]

JsonValue = Any  # JSON-able: None | bool | int | float | str | list | dict
T = TypeVar("T")
Decoder = Callable[[Any], Any]

_CAMEL_OVERRIDES = {
    "is_hybrid_azure_ad_joined_device_accepted": "isHybridAzureADJoinedDeviceAccepted",
}


@cache
def camel(name: str) -> str:
    """snake_case -> camelCase, with Graph's irregular spellings.

    Examples
    --------
    >>> camel("b2b_collaboration_inbound")
    'b2bCollaborationInbound'
    """
    if name in _CAMEL_OVERRIDES:
        return _CAMEL_OVERRIDES[name]
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


@cache
def _field_keys(cls: type) -> tuple[tuple[str, str], ...]:
    return tuple(
        (f.name, camel(f.name)) for f in dataclasses.fields(cls) if not f.name.startswith("_")
    )


def field_keys(cls: type[Any]) -> tuple[str, ...]:
    """The JSON keys of `cls`, in field order: the column order of `row_encoder`'s rows."""
    return tuple(key for _, key in _field_keys(typing.cast(Any, cls)))


def to_data(value: object) -> JsonValue:
    """Encode a dataclass tree (enums, tuples, datetimes included) as JSON-able data.

    Examples
    --------
    >>> from graphmodel.schema.xtap import InboundTrust
    >>> to_data(InboundTrust(is_mfa_accepted=True))["isMfaAccepted"]
    True
    """
    if isinstance(value, Enum):  # before `str`: StrEnum members are strings too
        return value.value
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {key: to_data(getattr(value, name)) for name, key in _field_keys(type(value))}
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (tuple, list)):
        return [to_data(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_data(v) for k, v in value.items()}
    return value


def encoder(cls: type[Any]) -> Callable[[Any], JsonValue]:
    """`to_data` for instances of `cls`, generated once per class (see `_encoder`)."""
    return _encoder(typing.cast(Any, cls))


@cache
def _encoder(cls: Any) -> Callable[[Any], JsonValue]:
    """`to_data` for instances of one dataclass, generated once: each field is read and
    converted inline (enums by `.value`, tuples of scalars by a list comprehension), the rest
    through `to_data`. An instance whose fields do not have their annotated types (a plain
    string where an enum belongs) is encoded by `to_data`, which accepts anything.

    Why: snapshots encode a million users when written; the generic `to_data` dispatches on
    type for every value.
    """
    hints = typing.get_type_hints(cls)
    items = []
    for i, (name, key) in enumerate(_field_keys(cls)):
        items.append(f"{key!r}: {_encode_expr(hints[name], f'o.{name}', i)}")
    source = "\n".join(
        [
            "def encode(o):",
            "    try:",
            f"        return {{{', '.join(items)}}}",
            "    except AttributeError:",
            "        return to_data(o)",
        ]
    )
    namespace: dict[str, Any] = {"to_data": to_data}
    exec(source, namespace)  # the source is built above from field names only
    encode: Callable[[Any], JsonValue] = namespace["encode"]
    return encode


def _encode_expr(tp: Any, expr: str, i: int) -> str:
    """A Python expression encoding `expr` of type `tp` as `to_data` would."""
    if tp in _SCALARS:
        return expr
    optional = typing.get_origin(tp) in (Union, types.UnionType)
    inner = tp
    if optional:
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) != 1:
            return f"to_data({expr})"
        inner = args[0]
    if inner in _SCALARS:
        return expr
    if isinstance(inner, type) and issubclass(inner, Enum):
        if optional:
            return f"(None if (v{i} := {expr}) is None else v{i}.value)"
        return f"{expr}.value"
    if typing.get_origin(inner) is tuple and not optional:
        item = typing.get_args(inner)[0]
        if item in _SCALARS:
            return f"list({expr})"
        if isinstance(item, type) and issubclass(item, Enum):
            return f"[x.value for x in {expr}]"
    return f"to_data({expr})"


def from_data(cls: type[T], data: JsonValue) -> T:
    """Decode data produced by `to_data` back into `cls`. Raises ValueError on a mismatch.

    Examples
    --------
    >>> from graphmodel.schema.xtap import InboundTrust
    >>> from_data(InboundTrust, {"isMfaAccepted": True}).is_mfa_accepted
    True
    """
    decode: Decoder = _decoder(typing.cast(Any, cls))
    return typing.cast(T, decode(data))


def decoder(cls: type[T]) -> Callable[[JsonValue], T]:
    """`from_data` for one class, looked up once (for callers decoding many values)."""
    return typing.cast(Callable[[JsonValue], T], _decoder(typing.cast(Any, cls)))


@cache
def _decoder(tp: Any) -> Decoder:
    """A decoding function for one type annotation, built once."""
    origin = typing.get_origin(tp)
    if origin in (Union, types.UnionType):
        args = typing.get_args(tp)
        inner = _decoder(next(a for a in args if a is not type(None)))
        optional = type(None) in args
        return lambda d: None if d is None and optional else inner(d)
    if origin is tuple:
        item_type = typing.get_args(tp)[0]
        if item_type is str:
            return _str_tuple
        item = _decoder(item_type)
        return lambda d: tuple([item(v) for v in d])
    if origin is dict:
        value = _decoder(typing.get_args(tp)[1])
        return lambda d: {k: value(v) for k, v in d.items()}
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return _dataclass_decoder(tp)
    if isinstance(tp, type) and issubclass(tp, Enum):
        return _enum_decoder(tp)
    if tp is datetime:
        return datetime.fromisoformat
    if tp in (str, int, float, bool):
        return _checked(tp)
    if tp is Any:
        return lambda d: d
    raise ValueError(f"cannot decode type {tp!r}")


def _checked(tp: type) -> Decoder:
    def decode(d: Any) -> Any:
        if not isinstance(d, tp):
            raise ValueError(f"expected {tp.__name__}, got `{d!r}`")
        return d

    return decode


def _enum_decoder(tp: type[Enum]) -> Decoder:
    """A dict lookup instead of `tp(value)` (Enum's call machinery is slow at 1M users)."""
    members = {m.value: m for m in tp}

    def decode(d: Any) -> Any:
        try:
            return members[d]
        except (KeyError, TypeError):
            raise ValueError(f"`{d!r}` is not a {tp.__name__}") from None

    return decode


def _str_tuple(d: Any) -> tuple[str, ...]:
    if type(d) is not list or not all(type(v) is str for v in d):
        raise ValueError(f"expected a list of strings, got `{d!r}`")
    return tuple(d)


_SCALARS: dict[Any, str] = {str: "str", int: "int", float: "float", bool: "bool"}


def _dataclass_decoder(cls: type) -> Decoder:
    """Decode a dict into `cls`: a generated function for the usual case (every key present),
    the field-by-field plan when keys are missing (their defaults apply).

    Why generated: snapshots decode a million users on open; one function with each field's
    lookup and check inline (as `dataclasses` itself generates `__init__`) is ~2x faster than a
    closure and a keyword dict per field.
    """
    hints = typing.get_type_hints(cls)
    plan = [(name, key, _decoder(hints[name])) for name, key in _field_keys(cls)]

    def by_plan(d: Any) -> Any:
        if not isinstance(d, dict):
            raise ValueError(f"expected an object for `{cls.__name__}`")
        return cls(**{name: dec(d[key]) for name, key, dec in plan if key in d})

    namespace: dict[str, Any] = {"cls": cls, "by_plan": by_plan, "ValueError": ValueError}
    lines, args = [], []
    for i, (name, key, dec) in enumerate(plan):
        scalar = _SCALARS.get(hints[name])
        optional = _optional_scalar(hints[name])
        lines.append(f"    v{i} = d[{key!r}]")
        if scalar is not None:
            lines.append(f"    if type(v{i}) is not {scalar}: return by_plan(d)")
        elif optional is not None:
            check = f"v{i} is not None and type(v{i}) is not {optional}"
            lines.append(f"    if {check}: return by_plan(d)")
        else:
            namespace[f"dec{i}"] = dec
            lines.append(f"    v{i} = dec{i}(v{i})")
        args.append(f"{name}=v{i}")
    source = "\n".join(
        [
            "def decode(d):",
            f"    if type(d) is not dict or len(d) != {len(plan)}: return by_plan(d)",
            "    try:",
            *("    " + line for line in lines),
            "    except KeyError:",
            "        return by_plan(d)",
            f"    return cls({', '.join(args)})",
        ]
    )
    exec(source, namespace)  # the source is built above from field names only
    decode: Decoder = namespace["decode"]
    return decode


def _optional_inner(tp: Any) -> Any | None:
    """`X` for `X | None`, else None."""
    if typing.get_origin(tp) in (Union, types.UnionType):
        args = typing.get_args(tp)
        if len(args) == 2 and type(None) in args:
            return next(a for a in args if a is not type(None))
    return None


def _optional_scalar(tp: Any) -> str | None:
    if typing.get_origin(tp) in (Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1 and len(typing.get_args(tp)) == 2:
            return _SCALARS.get(args[0])
    return None


# --- rows: one entity as a JSON array of its field values, in `field_keys` order ---------------


def row_encoder(cls: type[Any]) -> Callable[[Any], list[JsonValue]]:
    """Like `encoder`, but the values only, in `field_keys(cls)` order (a row)."""
    return _row_encoder(typing.cast(Any, cls))


@cache
def _row_encoder(cls: Any) -> Callable[[Any], list[JsonValue]]:
    """`row_encoder`, generated once per class.

    Why rows: a million users written as objects repeat every key a million times; as rows the
    JSON text is less than half the size and parses about 3x faster (measured at 1M users).
    """
    hints = typing.get_type_hints(cls)
    items = [
        _encode_expr(hints[name], f"o.{name}", i) for i, (name, _) in enumerate(_field_keys(cls))
    ]
    keys = field_keys(cls)
    source = "\n".join(
        [
            "def encode(o):",
            "    try:",
            f"        return [{', '.join(items)}]",
            "    except AttributeError:",
            "        data = to_data(o)",
            "        return [data[k] for k in keys]",
        ]
    )
    namespace: dict[str, Any] = {"to_data": to_data, "keys": keys}
    exec(source, namespace)  # the source is built above from field names only
    encode: Callable[[Any], list[JsonValue]] = namespace["encode"]
    return encode


def _row_field(tp: Any, i: int, namespace: dict[str, Any]) -> str:
    """The line of a generated row decoder that checks or converts `v{i}` of type `tp`.

    Scalars are only checked; enums are looked up inline (a KeyError or TypeError sends the
    row to the checked path, which names the problem); None and empty lists, the usual
    values, cost no call.
    """
    scalar, optional = _SCALARS.get(tp), _optional_scalar(tp)
    inner = _optional_inner(tp)
    enum = inner if inner is not None else tp
    if scalar is not None:
        return f"    if type(v{i}) is not {scalar}: return slow(r)"
    if optional is not None:
        return f"    if v{i} is not None and type(v{i}) is not {optional}: return slow(r)"
    if isinstance(enum, type) and issubclass(enum, Enum):
        namespace[f"m{i}"] = {m.value: m for m in enum}
        if inner is not None:
            return f"    if v{i} is not None: v{i} = m{i}[v{i}]"
        return f"    v{i} = m{i}[v{i}]"
    if typing.get_origin(tp) is tuple:
        namespace[f"dec{i}"] = _decoder(tp)
        return f"    v{i} = () if v{i} == [] else dec{i}(v{i})"
    if inner is not None:
        namespace[f"dec{i}"] = _decoder(inner)
        return f"    if v{i} is not None: v{i} = dec{i}(v{i})"
    namespace[f"dec{i}"] = _decoder(tp)
    return f"    v{i} = dec{i}(v{i})"


def _settable(cls: type) -> bool:
    """Whether an instance may be built by setting its slots directly (skipping `__init__`):
    a slotted dataclass whose every field is its own slot, encoded and set by `__init__`, with
    no `__post_init__` to run."""
    fields = dataclasses.fields(cls)
    return (
        not hasattr(cls, "__post_init__")
        and all(f.init for f in fields)
        and all(isinstance(cls.__dict__.get(f.name), types.MemberDescriptorType) for f in fields)
        and len(fields) == len(_field_keys(cls))
    )


def row_decoder(cls: type[T]) -> Callable[[JsonValue], T]:
    """The inverse of `row_encoder(cls)`: a row of `field_keys(cls)` values -> an instance.

    A row whose values do not have the expected JSON types is decoded by `decoder(cls)` (same
    checks and errors); anything but a list of the right length raises ValueError.
    """
    return typing.cast(Callable[[JsonValue], T], _row_decoder(typing.cast(Any, cls)))


@cache
def _row_decoder(cls: Any) -> Decoder:
    """`row_decoder`, generated once per class.

    Why generated, and why slots are set directly: a frozen dataclass's `__init__` calls
    `object.__setattr__` once per field; at 1M users that was 2.4 s of a 3.8 s decode, against
    0.9 s for the slots' own setters (measured). The instance is the same (equal, same hash).
    """
    hints = typing.get_type_hints(cls)
    plan = _field_keys(cls)
    keys = field_keys(cls)
    by_name = _decoder(cls)

    def slow(r: Any) -> Any:
        return by_name(dict(zip(keys, r, strict=True)))

    namespace: dict[str, Any] = {"cls": cls, "slow": slow, "new": object.__new__}
    direct = _settable(cls)
    lines = [
        "def decode(r):",
        f"    if type(r) is not list or len(r) != {len(plan)}:",
        f"        raise ValueError(f'expected a row of {len(plan)} values for `{cls.__name__}`')",
        f"    {''.join(f'v{i}, ' for i in range(len(plan)))}= r",
        "    try:",
    ]
    for i, (name, _) in enumerate(plan):
        lines.append("    " + _row_field(hints[name], i, namespace))
    lines += ["    except (KeyError, TypeError):", "        return slow(r)"]
    if direct:
        lines.append("    o = new(cls)")
        for i, (name, _) in enumerate(plan):
            namespace[f"set{i}"] = cls.__dict__[name].__set__
            lines.append(f"    set{i}(o, v{i})")
        lines.append("    return o")
    else:
        lines.append(
            f"    return cls({', '.join(f'{name}=v{i}' for i, (name, _) in enumerate(plan))})"
        )
    exec("\n".join(lines), namespace)  # the source is built above from field names only
    decode: Decoder = namespace["decode"]
    return decode
