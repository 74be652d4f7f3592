"""Node kinds, edge kinds and the named edge sets the engine and the stores share.

Enum member name = Python symbol; enum value = the stored label / relationship type.
Labels and relationship types in Cypher come only from these enums.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "DERIVED_EDGES",
    "EDGE_RULES",
    "OBSERVED_EDGES",
    "PATH_EDGES",
    "TRUST_EDGES",
    "EdgeKind",
    "EdgeRule",
    "NodeKind",
]


class NodeKind(StrEnum):
    TENANT = "Tenant"
    USER = "User"
    GROUP = "Group"
    APP = "App"
    TEAM = "Team"
    CHANNEL = "Channel"
    CONDITIONAL_ACCESS_POLICY = "ConditionalAccessPolicy"
    CONNECTED_ORGANIZATION = "ConnectedOrganization"
    ACCESS_PACKAGE = "AccessPackage"
    INVITATION = "Invitation"


class EdgeKind(StrEnum):
    # --- observed: facts from the directory ---
    HOMED_IN = "HOMED_IN"  # object -> tenant
    MEMBER_OF = "MEMBER_OF"  # user/group -> group (direct)
    GUEST_OF = "GUEST_OF"  # guest object in R -> home identity
    SYNCED_FROM = "SYNCED_FROM"  # synced object in T -> source identity
    ASSIGNED_TO = "ASSIGNED_TO"  # user/group -> app (app role assignment)
    INSTANCE_OF = "INSTANCE_OF"  # service principal -> multitenant registration
    TEAM_MEMBER = "TEAM_MEMBER"  # user -> team
    CHANNEL_OF = "CHANNEL_OF"  # channel -> team
    CHANNEL_MEMBER = "CHANNEL_MEMBER"  # user (any tenant) -> channel
    SHARED_WITH_TEAM = "SHARED_WITH_TEAM"  # channel -> team (any tenant)
    CONNECTED_ORG = "CONNECTED_ORG"  # connected organization -> tenant it names
    GRANTS = "GRANTS"  # access package -> group/app
    HAS_ASSIGNMENT = "HAS_ASSIGNMENT"  # home identity -> access package
    SIGNS_IN_TO = "SIGNS_IN_TO"  # path-only hop: user -> app without assignment required
    # --- derived: tenant -> tenant trust, recomputed after every write ---
    B2B_COLLAB_OUT = "B2B_COLLAB_OUT"
    B2B_COLLAB_IN = "B2B_COLLAB_IN"
    DIRECT_CONNECT_OUT = "DIRECT_CONNECT_OUT"
    DIRECT_CONNECT_IN = "DIRECT_CONNECT_IN"
    DIRECT_CONNECT_MUTUAL = "DIRECT_CONNECT_MUTUAL"
    TRUSTS_MFA = "TRUSTS_MFA"
    TRUSTS_COMPLIANT_DEVICE = "TRUSTS_COMPLIANT_DEVICE"
    TRUSTS_HYBRID_JOINED = "TRUSTS_HYBRID_JOINED"
    SYNCS_USERS_TO = "SYNCS_USERS_TO"
    CROSS_CLOUD_ENABLED = "CROSS_CLOUD_ENABLED"


OBSERVED_EDGES: frozenset[EdgeKind] = frozenset(
    {
        EdgeKind.HOMED_IN,
        EdgeKind.MEMBER_OF,
        EdgeKind.GUEST_OF,
        EdgeKind.SYNCED_FROM,
        EdgeKind.ASSIGNED_TO,
        EdgeKind.INSTANCE_OF,
        EdgeKind.TEAM_MEMBER,
        EdgeKind.CHANNEL_OF,
        EdgeKind.CHANNEL_MEMBER,
        EdgeKind.SHARED_WITH_TEAM,
        EdgeKind.CONNECTED_ORG,
        EdgeKind.GRANTS,
        EdgeKind.HAS_ASSIGNMENT,
    }
)

TRUST_EDGES: frozenset[EdgeKind] = frozenset(
    {
        EdgeKind.B2B_COLLAB_OUT,
        EdgeKind.B2B_COLLAB_IN,
        EdgeKind.DIRECT_CONNECT_OUT,
        EdgeKind.DIRECT_CONNECT_IN,
        EdgeKind.DIRECT_CONNECT_MUTUAL,
        EdgeKind.TRUSTS_MFA,
        EdgeKind.TRUSTS_COMPLIANT_DEVICE,
        EdgeKind.TRUSTS_HYBRID_JOINED,
        EdgeKind.SYNCS_USERS_TO,
        EdgeKind.CROSS_CLOUD_ENABLED,
    }
)

DERIVED_EDGES: frozenset[EdgeKind] = TRUST_EDGES

# Edges an access path may follow from a principal to a resource (hops of a Verdict path).
PATH_EDGES: frozenset[EdgeKind] = frozenset(
    {
        EdgeKind.GUEST_OF,
        EdgeKind.SYNCED_FROM,
        EdgeKind.MEMBER_OF,
        EdgeKind.ASSIGNED_TO,
        EdgeKind.INSTANCE_OF,
        EdgeKind.TEAM_MEMBER,
        EdgeKind.CHANNEL_OF,
        EdgeKind.CHANNEL_MEMBER,
        EdgeKind.SHARED_WITH_TEAM,
        EdgeKind.GRANTS,
        EdgeKind.HAS_ASSIGNMENT,
        EdgeKind.SIGNS_IN_TO,
    }
)


@dataclass(frozen=True, slots=True)
class EdgeRule:
    """Which node kinds an edge kind may connect; stores and validation read this table."""

    kind: EdgeKind
    sources: frozenset[NodeKind]
    targets: frozenset[NodeKind]


def _rule(kind: EdgeKind, sources: set[NodeKind], targets: set[NodeKind]) -> EdgeRule:
    return EdgeRule(kind, frozenset(sources), frozenset(targets))


_N = NodeKind
_ANY_OBJECT = {
    _N.USER,
    _N.GROUP,
    _N.APP,
    _N.TEAM,
    _N.CHANNEL,
    _N.CONDITIONAL_ACCESS_POLICY,
    _N.CONNECTED_ORGANIZATION,
    _N.ACCESS_PACKAGE,
    _N.INVITATION,
}
_TT = {_N.TENANT}

EDGE_RULES: dict[EdgeKind, EdgeRule] = {
    r.kind: r
    for r in (
        # (:User|:Group|...)-[:HOMED_IN]->(:Tenant)
        _rule(EdgeKind.HOMED_IN, _ANY_OBJECT, _TT),
        # (:User|:Group)-[:MEMBER_OF]->(:Group)
        _rule(EdgeKind.MEMBER_OF, {_N.USER, _N.GROUP}, {_N.GROUP}),
        # (:User)-[:GUEST_OF]->(:User)   guest object -> home identity
        _rule(EdgeKind.GUEST_OF, {_N.USER}, {_N.USER}),
        # (:User)-[:SYNCED_FROM]->(:User)
        _rule(EdgeKind.SYNCED_FROM, {_N.USER}, {_N.USER}),
        # (:User|:Group)-[:ASSIGNED_TO]->(:App)
        _rule(EdgeKind.ASSIGNED_TO, {_N.USER, _N.GROUP}, {_N.APP}),
        # (:App)-[:INSTANCE_OF]->(:App)
        _rule(EdgeKind.INSTANCE_OF, {_N.APP}, {_N.APP}),
        # (:User)-[:TEAM_MEMBER]->(:Team)
        _rule(EdgeKind.TEAM_MEMBER, {_N.USER}, {_N.TEAM}),
        # (:Channel)-[:CHANNEL_OF]->(:Team)
        _rule(EdgeKind.CHANNEL_OF, {_N.CHANNEL}, {_N.TEAM}),
        # (:User)-[:CHANNEL_MEMBER]->(:Channel)
        _rule(EdgeKind.CHANNEL_MEMBER, {_N.USER}, {_N.CHANNEL}),
        # (:Channel)-[:SHARED_WITH_TEAM]->(:Team)
        _rule(EdgeKind.SHARED_WITH_TEAM, {_N.CHANNEL}, {_N.TEAM}),
        # (:ConnectedOrganization)-[:CONNECTED_ORG]->(:Tenant)
        _rule(EdgeKind.CONNECTED_ORG, {_N.CONNECTED_ORGANIZATION}, _TT),
        # (:AccessPackage)-[:GRANTS]->(:Group|:App)
        _rule(EdgeKind.GRANTS, {_N.ACCESS_PACKAGE}, {_N.GROUP, _N.APP}),
        # (:User)-[:HAS_ASSIGNMENT]->(:AccessPackage)
        _rule(EdgeKind.HAS_ASSIGNMENT, {_N.USER}, {_N.ACCESS_PACKAGE}),
        # (:User)-[:SIGNS_IN_TO]->(:App)
        _rule(EdgeKind.SIGNS_IN_TO, {_N.USER}, {_N.APP}),
        *(_rule(k, _TT, _TT) for k in sorted(TRUST_EDGES)),
    )
}
