"""Machine-readable output with one casing of enum values: the GraphQL enum member names.

Why not `codec.to_data`: the codec is the storage format and keeps each enum's Graph or
world-file spelling (`Guest`, `b2b_collaboration`) so stored snapshots read back unchanged.
Output for people's scripts follows the API instead: every enum is written as its GraphQL
value (`DENY`, `B2B_COLLABORATION`, `GUEST`), so `tenantgraph check --json` and the API agree.
Reason codes are the exception, in both: they are the stable strings of reasons.md
(`inbound_blocked`), not an enum of the schema.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from enum import Enum

from graphmodel.schema.codec import JsonValue, camel
from graphmodel.schema.verdict import ReasonCode

__all__ = ["enum_name", "to_output"]

# Enums written with their value: codes clients switch on, strings in the API too.
_CODES: tuple[type[Enum], ...] = (ReasonCode,)


def enum_name(value: Enum) -> str:
    """The enum value as the API writes it.

    Examples
    --------
    >>> from graphmodel.schema.verdict import Decision
    >>> enum_name(Decision.DENY)
    'DENY'
    >>> enum_name(ReasonCode.INBOUND_BLOCKED)
    'inbound_blocked'
    """
    return str(value.value) if isinstance(value, _CODES) else value.name


def to_output(value: object) -> JsonValue:
    """Like `codec.to_data` (camelCase keys, dataclass trees), with enums as the API spells them.

    Examples
    --------
    >>> from graphmodel.schema.enums import Via
    >>> to_output({"via": Via.B2B_COLLABORATION, "routes": (Via.MEMBER,)})
    {'via': 'B2B_COLLABORATION', 'routes': ['MEMBER']}
    """
    if isinstance(value, Enum):  # before `str`: StrEnum members are strings too
        return enum_name(value)
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            camel(f.name): to_output(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if not f.name.startswith("_")
        }
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [to_output(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_output(v) for k, v in value.items()}
    return value
