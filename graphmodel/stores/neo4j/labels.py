"""The only place where labels and relationship types enter Cypher text (P5).

Why: Neo4j cannot take a label or a relationship type as a `$parameter`, so a statement that
creates `(:User)` nodes or `[:MEMBER_OF]` edges must carry the name in its text. That text is
built here and nowhere else, and only from the schema's closed enums (`NodeKind`, `MetaKind`,
`EdgeKind`), each value checked to be a plain identifier, then backtick-quoted.

Templates mark the spot with a backtick-quoted slot, which is itself valid Cypher, so the file
passes Neo4j's parser as it is: `` CREATE (n:TgNode:`{node_kind}`) `` or
`` CREATE (a)-[r:`{edge_kind}`]->(b) ``. A file declares its slot in a `// template:` header.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Final

from graphmodel.schema.kinds import EdgeKind, NodeKind
from graphmodel.stores.base import MetaKind

__all__ = ["Slot", "node_label", "relationship_type", "render"]

_IDENTIFIER: Final = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


class Slot(StrEnum):
    """The template slots a statement may hold; the value names the `// template:` header."""

    NODE_KIND = "node_kind"
    EDGE_KIND = "edge_kind"

    @property
    def marker(self) -> str:
        """The slot as it is written in a template: a backtick-quoted `{name}`."""
        return f"`{{{self.value}}}`"


def _quoted(value: str) -> str:
    # INVARIANT: enum values are identifiers; checked again so no text can break out of `...`.
    if not _IDENTIFIER.fullmatch(value):
        raise ValueError(f"`{value}` is not a plain identifier and cannot be a label")
    return f"`{value}`"


def node_label(kind: NodeKind | MetaKind) -> str:
    """The quoted label of a node kind.

    Examples
    --------
    >>> node_label(NodeKind.USER)
    '`User`'
    >>> node_label("User")
    Traceback (most recent call last):
    TypeError: a label comes only from `NodeKind` or `MetaKind`, not `'User'`
    """
    if not isinstance(kind, NodeKind | MetaKind):
        raise TypeError(f"a label comes only from `NodeKind` or `MetaKind`, not `{kind!r}`")
    return _quoted(kind.value)


def relationship_type(kind: EdgeKind) -> str:
    """The quoted relationship type of an edge kind.

    Examples
    --------
    >>> relationship_type(EdgeKind.MEMBER_OF)
    '`MEMBER_OF`'
    """
    if not isinstance(kind, EdgeKind):
        raise TypeError(f"a relationship type comes only from `EdgeKind`, not `{kind!r}`")
    return _quoted(kind.value)


def render(
    text: str,
    *,
    node_kind: NodeKind | MetaKind | None = None,
    edge_kind: EdgeKind | None = None,
) -> str:
    """Fill the slots of a template; every slot the text holds must be given, and no other.

    Examples
    --------
    >>> render("CREATE (n:TgNode:`{node_kind}`)", node_kind=NodeKind.TENANT)
    'CREATE (n:TgNode:`Tenant`)'
    >>> render("MATCH (n) RETURN n", edge_kind=EdgeKind.GRANTS)
    Traceback (most recent call last):
    ValueError: the statement has no `{edge_kind}` slot
    """
    values = {Slot.NODE_KIND: node_kind, Slot.EDGE_KIND: edge_kind}
    for slot, kind in values.items():
        present = slot.marker in text
        if kind is None and present:
            raise ValueError(f"the statement needs a value for its `{{{slot.value}}}` slot")
        if kind is not None and not present:
            raise ValueError(f"the statement has no `{{{slot.value}}}` slot")
    if node_kind is not None:
        text = text.replace(Slot.NODE_KIND.marker, node_label(node_kind))
    if edge_kind is not None:
        text = text.replace(Slot.EDGE_KIND.marker, relationship_type(edge_kind))
    return text
