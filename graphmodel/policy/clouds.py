"""Microsoft cloud settings: cross-cloud B2B collaboration and its limits.

Rules: R24 (direct connect never crosses clouds), R35 (cross-cloud collaboration needs, on BOTH
sides, the other cloud in `allowedCloudEndpoints` AND an explicit partner entry; commercial <->
US Government and commercial <-> 21Vianet only — US Gov <-> 21Vianet is unsupported, an
[INFERENCE]), R36 (cross-cloud supports collaboration, CA and trust).
Source: https://learn.microsoft.com/entra/external-id/cross-cloud-settings
"""

from __future__ import annotations

from graphmodel.policy.reasons import reason
from graphmodel.schema.entities import Tenant
from graphmodel.schema.enums import Cloud
from graphmodel.schema.verdict import Reason, ReasonCode, Side

__all__ = ["CLOUD_ENDPOINTS", "cloud_gate", "cross_cloud_enabled", "same_cloud"]

CLOUD_ENDPOINTS: dict[Cloud, str] = {
    Cloud.GLOBAL: "microsoftonline.com",
    Cloud.USGOV: "microsoftonline.us",
    Cloud.CHINA: "partner.microsoftonline.cn",
}

_SUPPORTED_PAIRS = frozenset(
    {frozenset({Cloud.GLOBAL, Cloud.USGOV}), frozenset({Cloud.GLOBAL, Cloud.CHINA})}
)


def same_cloud(a: Tenant, b: Tenant) -> bool:
    return a.cloud == b.cloud


def cross_cloud_enabled(owner: Tenant, other: Tenant) -> bool:
    """One side of R35: `owner` lists `other`'s cloud and has a partner entry for `other`."""
    policy = owner.cross_tenant_access
    return (
        CLOUD_ENDPOINTS[other.cloud] in policy.allowed_cloud_endpoints
        and policy.partner(other.id) is not None
    )


def cloud_gate(home: Tenant, resource: Tenant, *, direct_connect: bool) -> list[Reason]:
    """Every failing cloud gate between a home and a resource tenant (empty = same cloud or ok)."""
    if same_cloud(home, resource):
        return []
    if direct_connect:
        return [
            reason(
                ReasonCode.DIRECT_CONNECT_CROSS_CLOUD,
                "R24",
                f"B2B direct connect is not available between the {home.cloud.value} and "
                f"{resource.cloud.value} clouds",
                tenant=resource.name,
            )
        ]
    if frozenset({home.cloud, resource.cloud}) not in _SUPPORTED_PAIRS:
        return [
            reason(
                ReasonCode.CLOUD_PAIR_UNSUPPORTED,
                "R35",
                f"the {home.cloud.value} and {resource.cloud.value} clouds cannot collaborate",
                tenant=resource.name,
            )
        ]
    out: list[Reason] = []
    for owner, other, side in ((home, resource, Side.HOME), (resource, home, Side.RESOURCE)):
        if not cross_cloud_enabled(owner, other):
            endpoint = CLOUD_ENDPOINTS[other.cloud]
            has_cloud = endpoint in owner.cross_tenant_access.allowed_cloud_endpoints
            missing = (
                f"has no partner entry for `{other.name}`"
                if has_cloud
                else f"does not list `{endpoint}` in allowedCloudEndpoints"
            )
            out.append(
                reason(
                    ReasonCode.CROSS_CLOUD_NOT_ENABLED,
                    "R35",
                    f"`{owner.name}` {missing}, so cross-cloud collaboration with "
                    f"`{other.name}` ({other.cloud.value}) is not enabled",
                    tenant=owner.name,
                    policy="crossTenantAccess.allowedCloudEndpoints"
                    if not has_cloud
                    else f"crossTenantAccess.partners[{other.name}]",
                    side=side,
                )
            )
    return out
