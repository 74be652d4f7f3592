"""Lossless conversion between schema dataclasses and JSON-able data (camelCase keys).

Stores persist entities through this codec, so a snapshot written and read back is equal to
the World that was loaded. Field names map snake_case -> Graph camelCase.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import datetime
from enum import Enum
from functools import cache
from typing import Any, TypeVar, Union

__all__ = ["JsonValue", "camel", "from_data", "to_data"]

JsonValue = Any  # JSON-able: None | bool | int | float | str | list | dict
T = TypeVar("T")

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


def to_data(value: object) -> JsonValue:
    """Encode a dataclass tree (enums, tuples, datetimes included) as JSON-able data."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            camel(f.name): to_data(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if not f.name.startswith("_")
        }
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (tuple, list)):
        return [to_data(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_data(v) for k, v in value.items()}
    return value


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def from_data(cls: type[T], data: JsonValue) -> T:
    """Decode data produced by `to_data` back into `cls`. Raises ValueError on a mismatch."""
    return typing.cast(T, _decode(cls, data))


def _decode(tp: Any, data: JsonValue) -> Any:
    origin = typing.get_origin(tp)
    if origin in (Union, types.UnionType):
        args = typing.get_args(tp)
        if data is None and type(None) in args:
            return None
        non_none = [a for a in args if a is not type(None)]
        return _decode(non_none[0], data)
    if origin is tuple:
        (item, *_rest) = typing.get_args(tp)
        return tuple(_decode(item, v) for v in data)
    if origin is dict:
        _k, v_tp = typing.get_args(tp)
        return {k: _decode(v_tp, v) for k, v in data.items()}
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        if not isinstance(data, dict):
            raise ValueError(f"expected an object for `{tp.__name__}`")
        hints = _hints(tp)
        kwargs = {}
        for f in dataclasses.fields(tp):
            key = camel(f.name)
            if key in data:
                kwargs[f.name] = _decode(hints[f.name], data[key])
        return tp(**kwargs)
    if isinstance(tp, type) and issubclass(tp, Enum):
        return tp(data)
    if tp is datetime:
        return datetime.fromisoformat(data)
    if tp in (str, int, float, bool):
        if not isinstance(data, tp):
            raise ValueError(f"expected {tp.__name__}, got `{data!r}`")
        return data
    if tp is Any:
        return data
    raise ValueError(f"cannot decode type {tp!r}")
