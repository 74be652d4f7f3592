"""Derived tenant -> tenant trust edges, each with the rule and policy object behind it."""

from __future__ import annotations

from dataclasses import dataclass

from graphmodel.schema.kinds import EdgeKind

__all__ = ["TRUST_RULES", "TrustEdge"]


TRUST_RULES: dict[EdgeKind, str] = {
    EdgeKind.TRUSTS_MFA: "R29",
    EdgeKind.TRUSTS_COMPLIANT_DEVICE: "R31",
    EdgeKind.TRUSTS_HYBRID_JOINED: "R31",
}
"""The rule behind each inbound-trust edge (xtap.md): R29 MFA claims, R31 device claims.

Why one table: the trust graph, a verdict's `mfa_trusted` / `device_trusted` notes and the audit
report's trust column must cite the same rule for the same trust. R28 (trust is resolved like
any section and only changes how Conditional Access is satisfied) underlies all three kinds but
says nothing of one claim, so no edge cites it.
"""


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
