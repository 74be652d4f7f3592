"""The reasoning engine: indexes, routes, check, reverse lookups, derivation, explanations."""

from graphmodel.engine.check import CheckLimits, check, resolve_principal, resolve_resource
from graphmodel.engine.derive import derive_trust_edges
from graphmodel.engine.explain import render, render_reason
from graphmodel.engine.held import collaboration_grants
from graphmodel.engine.index import WorldIndex
from graphmodel.engine.invitations import Answer, can_invite, can_request, can_sign_up
from graphmodel.engine.lookup import (
    Reach,
    candidates_for,
    decide,
    reachable,
    reachable_decided,
    who_can_access,
    who_can_access_decided,
)
from graphmodel.engine.outsiders import is_outsider
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
    "Answer",
    "CheckLimits",
    "Direction",
    "PartnerUsage",
    "Reach",
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
    "is_outsider",
    "older_than",
    "reachable",
    "reachable_decided",
    "render",
    "render_reason",
    "resolve_principal",
    "resolve_resource",
    "who_can_access",
    "who_can_access_decided",
]
