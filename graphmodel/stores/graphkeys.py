"""Node keys of the graph mapping: which World fields are nodes, and how a node is named.

Why apart from `graphmap`: the node mapping (`graphmap`) and the edge mapping (`graphedges`)
both name nodes; this module is what they share, so neither imports the other's internals.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

from graphmodel.schema.entities import App, Channel, Group, Team, Tenant, User
from graphmodel.schema.governance import (
    AccessPackage,
    ConditionalAccessPolicy,
    ConnectedOrganization,
    Invitation,
)
from graphmodel.schema.kinds import NodeKind
from graphmodel.stores.base import MetaKind, PropValue

__all__ = ["ENTITY_FIELDS", "FIELD_KINDS", "NO_PROPS", "WORLD_KEY", "entity_ref", "node_key"]

WORLD_KEY: Final = "World:meta"

ENTITY_FIELDS: Final[tuple[tuple[NodeKind, str, type[Any]], ...]] = (
    (NodeKind.TENANT, "tenants", Tenant),
    (NodeKind.USER, "users", User),
    (NodeKind.GROUP, "groups", Group),
    (NodeKind.APP, "apps", App),
    (NodeKind.TEAM, "teams", Team),
    (NodeKind.CHANNEL, "channels", Channel),
    (NodeKind.CONDITIONAL_ACCESS_POLICY, "conditional_access", ConditionalAccessPolicy),
    (NodeKind.CONNECTED_ORGANIZATION, "connected_organizations", ConnectedOrganization),
    (NodeKind.ACCESS_PACKAGE, "access_packages", AccessPackage),
    (NodeKind.INVITATION, "invitations", Invitation),
)
"""(kind, World field, entity class) of every World field whose entities are nodes, in World
field order."""
FIELD_KINDS: Final = {field: kind for kind, field, _cls in ENTITY_FIELDS}
"""The node kind of each World field whose entities are nodes."""
NO_PROPS: Final[Mapping[str, PropValue]] = MappingProxyType({})
"""The props of most edges, shared: an edge per membership must not cost a dict each."""


def node_key(kind: NodeKind | MetaKind, ref: str) -> str:
    """The key of the node for the entity `ref` of `kind`.

    Examples
    --------
    >>> node_key(NodeKind.USER, "contoso/alice")
    'User:contoso/alice'
    """
    return f"{kind.value}:{ref}"


def entity_ref(entity: Any) -> str:
    """The ref naming `entity` in its node key (an invitation: `tenant/id`)."""
    if isinstance(entity, Invitation):
        return f"{entity.tenant}/{entity.id}"
    return str(entity.ref)
