"""Rows from the database back into the store protocol's records.

Why a module: the bookkeeping props the writer adds (`snapshot`, `key`, `kind` on nodes, `gen`
on trust edges) must never reach callers, lists come back where the mapping has tuples, and
the orderings the protocol promises are applied here, in Python, so they do not depend on a
server's collation.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from graphmodel.errors import StoreIncompatible
from graphmodel.schema.kinds import EdgeKind, NodeKind
from graphmodel.schema.trust import TrustEdge
from graphmodel.stores.base import EdgeRecord, MetaKind, NodeRecord, PropValue
from graphmodel.stores.graphmap import HELD_PROPS, node_key, sorted_edges
from graphmodel.stores.neo4j.writer import RESERVED_EDGE_PROPS, RESERVED_NODE_PROPS
from graphmodel.stores.sync_derived import record_to_trust

__all__ = ["edge_records", "node_kind", "node_record", "positions", "props_of", "trust_edges"]


def props_of(raw: Mapping[str, Any], reserved: frozenset[str]) -> dict[str, PropValue]:
    """Stored properties without the `reserved` bookkeeping names, lists as tuples.

    Examples
    --------
    >>> props_of({"key": "User:a", "domains": ["a.com"], "ord": 0}, frozenset({"key"}))
    {'domains': ('a.com',), 'ord': 0}
    """
    return {k: tuple(v) if isinstance(v, list) else v for k, v in raw.items() if k not in reserved}


def node_kind(value: str) -> NodeKind | MetaKind:
    """The kind stored in a node's `kind` prop; `StoreIncompatible` for anything else."""
    try:
        return MetaKind(value) if value == MetaKind.WORLD.value else NodeKind(value)
    except ValueError as exc:
        raise StoreIncompatible(f"the database holds a node of unknown kind `{value}`") from exc


def node_record(key: str, kind: str, raw: Mapping[str, Any], *, gap: int = 1) -> NodeRecord:
    """The record of a stored node version; `gap` > 1 shows its order keys as positions."""
    props = props_of(raw, RESERVED_NODE_PROPS)
    return NodeRecord(key=key, kind=node_kind(kind), props=positions(props, gap))


def positions(props: dict[str, PropValue], gap: int) -> dict[str, PropValue]:
    """`props` with the order keys of a line of scale `gap` shown as World positions.

    Why: a whole write stores position x `gap` (`positions.py` makes room for inserts), so its
    nodes read back exactly as the shared mapping made them; after changes, a key divided by
    the scale is still in World order, with gaps where entities went and equal to its
    predecessor's for an entity inserted between two (`read_world` orders by the keys).

    Examples
    --------
    >>> positions({"ord": 6, "appRoleAssignments": '[[4,{"app":"a"}],[9,{"app":"a"}]]'}, 2)
    {'ord': 3, 'appRoleAssignments': '[[2,{"app":"a"}],[4,{"app":"a"}]]'}
    """
    if gap == 1:
        return props
    order = props.get("ord")
    if isinstance(order, int):
        props["ord"] = order // gap
    for name in HELD_PROPS.values():
        text = props.get(name)
        if isinstance(text, str):
            entries = [[int(k) // gap, data] for k, data in json.loads(text)]
            props[name] = json.dumps(entries, separators=(",", ":"), ensure_ascii=False)
    return props


def edge_records(
    key: str, rows: Iterable[Mapping[str, Any]], *, direction: Literal["out", "in"]
) -> list[EdgeRecord]:
    """Edges of node `key` from `{kind, other, props}` rows, in the protocol's order."""
    out = []
    for row in rows:
        other = row["other"]
        source, target = (key, other) if direction == "out" else (other, key)
        props = props_of(row["props"], RESERVED_EDGE_PROPS)
        out.append(
            EdgeRecord(source=source, target=target, kind=EdgeKind(row["kind"]), props=props)
        )
    return sorted_edges(out, by="target" if direction == "out" else "source")


def trust_edges(rows: Iterable[Mapping[str, Any]]) -> list[TrustEdge]:
    """Trust edges from `{kind, source, target, props}` rows, sorted by key."""
    edges = []
    for row in rows:
        record = EdgeRecord(
            source=node_key(NodeKind.TENANT, row["source"]),
            target=node_key(NodeKind.TENANT, row["target"]),
            kind=EdgeKind(row["kind"]),
            props=props_of(row["props"], RESERVED_EDGE_PROPS),
        )
        try:
            edges.append(record_to_trust(record))
        except ValueError as exc:
            raise StoreIncompatible(f"the database holds an unreadable trust edge: {exc}") from exc
    return sorted(edges, key=lambda e: e.key)
