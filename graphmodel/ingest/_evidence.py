"""Pass 2 for a tenant's `signIns`: aggregated cross-tenant sign-in evidence (`SignInUsage`).

An entry names the home identity (`user`), what it signed in to (`app`: an app of this tenant,
or a `tenant/team/channel` channel; an app or channel of another tenant for this tenant's own
users signing in elsewhere, the outbound side) and the latest successful sign-in (`last`).
Exactly one end must be in this tenant and the other outside it: a sign-in that stays inside
one tenant is not cross-tenant evidence, and one between two other tenants is not in this
tenant's logs.
"""

from __future__ import annotations

from datetime import datetime

from graphmodel.ingest._fields import Collector
from graphmodel.ingest._index import NameIndex, TenantEntry
from graphmodel.ingest.yamlsource import Loc
from graphmodel.schema.evidence import CrossTenantAccessType, SignInUsage

__all__ = ["SIGN_IN_FIELDS", "build_sign_ins"]

SIGN_IN_FIELDS = ("user", "app", "crossTenantAccessType", "last", "first", "count")


def build_sign_ins(c: Collector, index: NameIndex, tenant: TenantEntry) -> tuple[SignInUsage, ...]:
    """The tenant's `signIns` entries in file order; each problem becomes an issue in `c`."""
    out: list[SignInUsage] = []
    loc: Loc = (*tenant.loc, "signIns")
    for item_loc, item in c.items(tenant.raw.get("signIns"), loc, what="signIns"):
        usage = _usage(c, index, tenant, item, item_loc)
        if usage is not None:
            out.append(usage)
    return tuple(out)


def _usage(
    c: Collector, index: NameIndex, tenant: TenantEntry, item: object, loc: Loc
) -> SignInUsage | None:
    m = c.mapping(
        item, loc, what="signIns[]", fields=SIGN_IN_FIELDS, required=("user", "app", "last")
    )
    if m is None:
        return None
    text = c.text(m.get("user"), (*loc, "user"), what="user") if "user" in m else None
    user = None if text is None else index.user_ref(c, (*loc, "user"), text)
    resource = _resource(c, index, tenant, m.get("app"), (*loc, "app")) if "app" in m else None
    kind = (
        c.choice(
            m["crossTenantAccessType"],
            (*loc, "crossTenantAccessType"),
            CrossTenantAccessType,
            what="crossTenantAccessType",
        )
        if m.get("crossTenantAccessType") is not None
        else None
    )
    last = _time(c, m, "last", loc)
    first = _time(c, m, "first", loc)
    count = _count(c, m.get("count"), (*loc, "count"))
    if user is None or resource is None or last is None:
        return None
    user_tenant, resource_tenant = user.split("/", 1)[0], resource.split("/", 1)[0]
    if user_tenant == resource_tenant or tenant.name not in (user_tenant, resource_tenant):
        c.error(
            "invalid-reference",
            loc,
            f"`{user}` -> `{resource}` is not a cross-tenant sign-in of `{tenant.name}`: "
            "the user's home tenant and the resource's tenant differ, and one of them is this "
            "tenant",
        )
        return None
    if first is not None and first > last:
        c.error("invalid-value", (*loc, "first"), "`first` is later than `last`")
        return None
    if kind is None:
        channel = resource.count("/") == 2
        kind = (
            CrossTenantAccessType.B2B_DIRECT_CONNECT
            if channel
            else CrossTenantAccessType.B2B_COLLABORATION
        )
    return SignInUsage(
        user=user,
        resource=resource,
        cross_tenant_access_type=kind,
        last=last,
        first=first,
        count=count,
    )


def _resource(
    c: Collector, index: NameIndex, tenant: TenantEntry, value: object, loc: Loc
) -> str | None:
    """An app (`name` of this tenant, or `tenant/name`) or a channel (`tenant/team/channel`)."""
    text = c.text(value, loc, what="app")
    if text is None:
        return None
    parts = text.split("/")
    if len(parts) == 3:
        owner = index.tenants.get(parts[0])
        if owner is None or parts[2] not in owner.channels.get(parts[1], {}):
            c.error("unknown-reference", loc, f"`{text}` is not a channel of the world")
            return None
        return text
    ref = text if len(parts) == 2 else f"{tenant.name}/{text}"
    found = index.lookup(ref)
    if found is None or found[1] != "app":
        if found is None:
            index.unknown(c, loc, ref, "an app")
        else:
            c.error("invalid-reference", loc, f"`{text}` is {index.describe(ref)}, not an app")
        return None
    return ref


def _time(c: Collector, m: dict[str, object], key: str, loc: Loc) -> datetime | None:
    if m.get(key) is None:
        return None
    return c.timestamp(m[key], (*loc, key), what=key)


def _count(c: Collector, value: object, loc: Loc) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        c.wrong_type(loc, "count", "a positive whole number", value)
        return None
    return value
