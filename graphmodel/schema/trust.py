"""Derived tenant -> tenant trust edges, each with the rule and policy object behind it."""

from __future__ import annotations

from dataclasses import dataclass

from graphmodel.schema.kinds import EdgeKind

__all__ = ["TrustEdge"]


@dataclass(frozen=True, slots=True, kw_only=True)
class TrustEdge:
    """`source` -[kind]-> `target` between tenant handles.

    Direction: `B2B_COLLAB_OUT` / `DIRECT_CONNECT_OUT` point from the home tenant whose outbound
    setting allows to the partner; `*_IN` from the resource tenant whose inbound setting admits
    to the partner; `TRUSTS_*` from the trusting (resource) tenant to the trusted home tenant;
    `SYNCS_USERS_TO` from source to target tenant; `CROSS_CLOUD_ENABLED` from a tenant to a partner
    in another cloud that it has enabled. `scope` is `all` when every user x app is allowed and
    `partial` when targeting narrows it.
    """

    kind: EdgeKind
    source: str
    target: str
    rule: str
    policy: str
    scope: str = "all"
    source_url: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind.value, self.source, self.target)
