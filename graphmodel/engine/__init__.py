"""The reasoning engine: indexes, routes, check, reverse lookups, derivation, explanations."""

from graphmodel.engine.check import CheckLimits, check, resolve_principal, resolve_resource
from graphmodel.engine.derive import derive_trust_edges
from graphmodel.engine.explain import render, render_reason
from graphmodel.engine.held import collaboration_grants
from graphmodel.engine.index import WorldIndex
from graphmodel.engine.index_update import evolve_index
from graphmodel.engine.invitations import Answer, can_invite, can_request, can_sign_up
from graphmodel.engine.lookup import (
    Reach,
    candidates_for,
    decide,
    reachable,
    who_can_access,
    who_can_access_decided,
)
from graphmodel.engine.outsiders import (
    OUTSIDER_KINDS,
    home_tenant,
    is_outsider,
    is_outsider_ref,
    principal_kind,
)
from graphmodel.engine.reach_filter import ReachFilter
from graphmodel.engine.usage import (
    DEFAULT_UNUSED_DAYS,
    Direction,
    PartnerUsage,
    UsageFilter,
    UsageIndex,
    older_than,
)

__all__ = [
    "DEFAULT_UNUSED_DAYS",
    "OUTSIDER_KINDS",
    "Answer",
    "CheckLimits",
    "Direction",
    "PartnerUsage",
    "Reach",
    "ReachFilter",
    "UsageFilter",
    "UsageIndex",
    "WorldIndex",
    "can_invite",
    "can_request",
    "can_sign_up",
    "candidates_for",
    "check",
    "collaboration_grants",
    "decide",
    "derive_trust_edges",
    "evolve_index",
    "home_tenant",
    "is_outsider",
    "is_outsider_ref",
    "older_than",
    "principal_kind",
    "reachable",
    "render",
    "render_reason",
    "resolve_principal",
    "resolve_resource",
    "who_can_access",
    "who_can_access_decided",
]
