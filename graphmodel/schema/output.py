"""Machine-readable output with one casing of enum values: the GraphQL enum member names.

Why not `codec.to_data`: the codec is the storage format and keeps each enum's Graph or
world-file spelling (`Guest`, `b2b_collaboration`) so stored snapshots read back unchanged.
Output for people's scripts follows the API instead: every enum is written as its GraphQL
value (`DENY`, `B2B_COLLABORATION`, `GUEST`), so `tenantgraph check --json` and the API agree.
Reason codes are the exception, in both: they are the stable strings of reasons.md
(`inbound_blocked`), not an enum of the schema.

`verdict_data` and `trust_edge_data` go further and give exactly the API's shape of a `Verdict`
and a `TrustEdge` (hop `kind`, `sourceUrl`, `principal: {ref}`), so the CLI's `check --json`
equals the API's `access` answer for an unscoped viewer; `tests/api/test_cli_agrees.py` keeps
it so.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from enum import Enum

from graphmodel.schema.codec import JsonValue, camel
from graphmodel.schema.trust import TrustEdge
from graphmodel.schema.verdict import AccessPath, Hop, Reason, ReasonCode, Verdict

__all__ = ["enum_name", "to_output", "trust_edge_data", "verdict_data"]

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


def hop_data(h: Hop) -> dict[str, JsonValue]:
    """A path step as the API's `Hop`."""
    return {
        "source": h.source,
        "target": h.target,
        "kind": enum_name(h.edge),
        "rule": h.rule,
        "policy": h.policy,
        "sourceUrl": h.source_url,
    }


def path_data(p: AccessPath) -> dict[str, JsonValue]:
    """A path as the API's `AccessPath`."""
    return {"via": enum_name(p.via), "hops": [hop_data(h) for h in p.hops], "nodes": list(p.nodes)}


def reason_data(r: Reason) -> dict[str, JsonValue]:
    """A reason as the API's `Reason`."""
    return {
        "code": r.code.value,
        "rule": r.rule,
        "tenant": r.tenant,
        "policy": r.policy,
        "message": r.message,
        "side": None if r.side is None else enum_name(r.side),
        "inferred": r.inferred,
    }


def verdict_data(v: Verdict) -> dict[str, JsonValue]:
    """A verdict as the API's `Verdict` (every field; principal and resource as `{ref}`).

    `mfa` is null on a denial: a denied request makes no claim about where MFA happens.
    """
    return {
        "principal": {"ref": v.principal},
        "resource": {"ref": v.resource},
        "via": enum_name(v.via),
        "decision": enum_name(v.decision),
        "mfa": None if v.mfa_claim is None else enum_name(v.mfa_claim),
        "partial": v.partial,
        "paths": [path_data(p) for p in v.paths],
        "reasons": [reason_data(r) for r in v.reasons],
        "codes": list(v.codes),
    }


def trust_edge_data(e: TrustEdge) -> dict[str, JsonValue]:
    """A derived trust edge as the API's `TrustEdge` (for a viewer who sees its owner)."""
    return {
        "id": ":".join(e.key),
        "kind": enum_name(e.kind),
        "source": e.source,
        "target": e.target,
        "rule": e.rule,
        "policy": e.policy,
        "scope": e.scope.upper(),
        "sourceUrl": e.source_url,
    }


def to_output(value: object) -> JsonValue:
    """Like `codec.to_data` (camelCase keys, dataclass trees), enums and hops as the API has them.

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
    if isinstance(value, Hop):
        return hop_data(value)
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
