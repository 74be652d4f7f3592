"""Sign-in evidence from a tenant folder: raw `auditLogs/signIns` pages or their aggregate.

Two files may hold it (`docs/export-layout.md`): `signIns.json` (+ `.pageN`), raw bodies of
`GET /auditLogs/signIns` as Graph returned them, aggregated here while streaming; and
`signInUsage.json`, the aggregate the collector and the exporter write (raw logs are large and
personal, so tenantgraph never stores them). Only successful (`status.errorCode` 0)
cross-tenant sign-ins count: `crossTenantAccessType` `b2bCollaboration` or `b2bDirectConnect`
with a home tenant other than the resource tenant, one of which is the folder's tenant.

Linking happens once the World is built: the user is the home identity (a guest object's id in
the resource tenant's log is mapped to its home user), the resource is the service principal of
`appId` in the resource tenant, or a channel by id (aggregates only).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from graphmodel.ingest.graph_export import layout as L
from graphmodel.ingest.graph_export.files import iter_collection, iter_file
from graphmodel.ingest.graph_export.read_directory import graph_time
from graphmodel.ingest.graph_export.reader import Report
from graphmodel.ingest.graph_export.records import SignInAgg, SignInKey, TenantData
from graphmodel.ingest.graph_export.values import At
from graphmodel.schema.evidence import CrossTenantAccessType, SignInUsage
from graphmodel.schema.world import World

__all__ = ["add_raw_sign_in", "link_sign_ins", "read_sign_ins", "usage_entries"]

_TYPES = {t.value.lower(): t.value for t in CrossTenantAccessType}


def read_sign_ins(data: TenantData, report: Report) -> None:
    """Aggregate the folder's raw sign-in pages and read its aggregate file into `data`."""
    for at, obj in iter_collection(data.folder, L.SIGN_INS, report):
        add_raw_sign_in(data, at, obj)
    for at, obj in iter_file(data.folder / L.SIGN_IN_USAGE, report):
        _aggregate(data, at, obj)


def _kind(at: At, obj: dict[str, Any]) -> str | None:
    raw = at.text(obj, "crossTenantAccessType")
    return None if raw is None else _TYPES.get(raw.lower())


def _key(data: TenantData, at: At, obj: dict[str, Any], kind: str) -> SignInKey | None:
    user_id = at.text(obj, "userId")
    home, resource = at.text(obj, "homeTenantId"), at.text(obj, "resourceTenantId")
    if not user_id or not home or not resource:
        at.warn("missing-property", "a cross-tenant sign-in without userId, homeTenantId or "
                "resourceTenantId is left out")
        return None
    home, resource = home.lower(), resource.lower()
    if home == resource or data.tenant_id.lower() not in (home, resource):
        return None
    return SignInKey(
        user_id=user_id.lower(),
        upn=at.text(obj, "userPrincipalName"),
        home_tenant_id=home,
        resource_tenant_id=resource,
        app_id=(at.text(obj, "appId") or "").lower() or None,
        channel_id=at.text(obj, "channelId"),
        access_type=kind,
    )


def _add(data: TenantData, key: SignInKey, agg: SignInAgg) -> None:
    seen = data.sign_ins.get(key)
    if seen is None:
        data.sign_ins[key] = agg
        return
    firsts = [f for f in (seen.first, agg.first) if f is not None]
    seen.first = min(firsts) if firsts else None
    seen.last = max(seen.last, agg.last)
    seen.count = None if seen.count is None or agg.count is None else seen.count + agg.count


def add_raw_sign_in(data: TenantData, at: At, obj: dict[str, Any]) -> None:
    """One Graph `signIn` entry: counted when successful and cross-tenant."""
    kind = _kind(at, obj)
    status = obj.get("status")
    ok = isinstance(status, dict) and status.get("errorCode") == 0
    when = graph_time(at, obj, "createdDateTime")
    if kind is None or not ok or when is None:
        return
    key = _key(data, at, obj, kind)
    if key is not None and key.app_id is not None:
        _add(data, key, SignInAgg(at=at, last=when, first=when, count=1))


def _aggregate(data: TenantData, at: At, obj: dict[str, Any]) -> None:
    """One `signInUsage.json` entry (first/last successful sign-in and their count)."""
    kind = _kind(at, obj)
    last = graph_time(at, obj, "lastSignInDateTime")
    if kind is None or last is None:
        at.warn("missing-property", "a sign-in aggregate without a known crossTenantAccessType "
                "or lastSignInDateTime is left out")
        return
    key = _key(data, at, obj, kind)
    if key is None:
        return
    count = obj.get("signInCount")
    _add(data, key, SignInAgg(
        at=at,
        last=last,
        first=graph_time(at, obj, "firstSignInDateTime"),
        count=count if isinstance(count, int) and not isinstance(count, bool) else None,
    ))


def usage_entries(data: TenantData) -> list[dict[str, Any]]:
    """`data`'s aggregates as `signInUsage.json` entries (what the collector writes)."""

    def when(value: datetime | None) -> str | None:
        return None if value is None else value.isoformat().replace("+00:00", "Z")

    return [
        {
            "userId": key.user_id,
            "userPrincipalName": key.upn,
            "homeTenantId": key.home_tenant_id,
            "resourceTenantId": key.resource_tenant_id,
            "appId": key.app_id,
            "channelId": key.channel_id,
            "crossTenantAccessType": key.access_type,
            "firstSignInDateTime": when(agg.first),
            "lastSignInDateTime": when(agg.last),
            "signInCount": agg.count,
        }
        for key, agg in data.sign_ins.items()
    ]


def link_sign_ins(world: World, datas: Sequence[TenantData]) -> World:
    """`world` with each imported tenant's sign-in aggregates resolved to refs."""
    by_id = {(u.tenant, u.id.lower()): u for u in world.users}
    by_upn = {u.user_principal_name.lower(): u for u in world.users}
    tenant_by_id = {t.id.lower(): t.name for t in world.tenants}
    apps = {(a.tenant, a.app_id.lower()): a.ref for a in world.apps}
    channels = {c.id: c.ref for c in world.channels}
    found: dict[str, list[SignInUsage]] = {}
    for d in datas:
        tenant = tenant_by_id.get(d.tenant_id.lower())
        if tenant is None:
            continue
        for key, agg in d.sign_ins.items():
            home = tenant_by_id.get(key.home_tenant_id)
            owner = tenant_by_id.get(key.resource_tenant_id)
            user = by_id.get((home or "", key.user_id)) or by_id.get((owner or "", key.user_id))
            if user is None and key.upn:
                user = by_upn.get(key.upn.lower())
            if key.channel_id is not None:
                resource = channels.get(key.channel_id)
            else:
                resource = apps.get((owner or "", key.app_id or ""))
            if user is None or resource is None:
                what = "user" if user is None else "app or channel"
                agg.at.warn("unknown-reference", f"a sign-in's {what} is not in the imported "
                            "tenants; the sign-in is left out")
                continue
            found.setdefault(tenant, []).append(SignInUsage(
                user=user.home_ref or user.ref,
                resource=resource,
                cross_tenant_access_type=CrossTenantAccessType(key.access_type),
                last=agg.last,
                first=agg.first,
                count=agg.count,
            ))
    if not found:
        return world
    tenants = tuple(
        replace(t, sign_ins=tuple(found[t.name])) if t.name in found else t
        for t in world.tenants
    )
    return replace(world, tenants=tenants)
