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

__all__ = ["JsonValue", "camel", "from_data", "to_data"]

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
        item = _decoder(typing.get_args(tp)[0])
        return lambda d: tuple(item(v) for v in d)
    if origin is dict:
        value = _decoder(typing.get_args(tp)[1])
        return lambda d: {k: value(v) for k, v in d.items()}
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return _dataclass_decoder(tp)
    if isinstance(tp, type) and issubclass(tp, Enum):
        return tp
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


def _dataclass_decoder(cls: type) -> Decoder:
    hints = typing.get_type_hints(cls)
    plan = [(name, key, _decoder(hints[name])) for name, key in _field_keys(cls)]

    def decode(d: Any) -> Any:
        if not isinstance(d, dict):
            raise ValueError(f"expected an object for `{cls.__name__}`")
        return cls(**{name: dec(d[key]) for name, key, dec in plan if key in d})

    return decode
