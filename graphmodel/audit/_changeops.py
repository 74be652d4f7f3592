"""The operations of a change set, each a validated, pure edit of a World (see `changeset`).

Why one small function per operation: each reads its fields through the `Applier` (located
issues, references checked against the World as the earlier changes left it) and replaces the
few entities it touches with `dataclasses.replace`, so the original World is never modified.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from graphmodel.audit._applier import ATTR, Applier, Body, PartnerRef
from graphmodel.audit._names import IdRemap, name_index
from graphmodel.ingest.readers import (
    CLOUD_ENDPOINTS,
    Scope,
    read_inbound_trust,
    read_partner,
    read_setting,
)
from graphmodel.ingest.yamlsource import Loc
from graphmodel.schema.entities import Tenant, User
from graphmodel.schema.enums import AccessPackageAssignmentState, AccessType
from graphmodel.schema.governance import CaUsers
from graphmodel.schema.suggest import suggest
from graphmodel.schema.xtap import InboundTrust, b2b_setting

__all__ = ["OPS", "Applier"]


def _targets(
    a: Applier, body: object, loc: Loc, op: str, required: tuple[str, ...]
) -> tuple[Tenant, PartnerRef | None, Body, str | None] | None:
    """The `tenant`, optional `partner` (None = the default) and `section` a change applies to."""
    m = a.body(body, loc, op, required, ("partner",))
    if m is None:
        return None
    section = a.section(m, loc) if "section" in required else None
    tenant = a.tenant(m, loc)
    if tenant is None:
        return None
    partner = None
    if m.get("partner") is not None:
        partner = a.partner(tenant, m, loc, exists=True)
        if partner is None:
            return None
    if "section" in required and section is None:
        return None
    return tenant, partner, m, section


def _block(access: AccessType) -> Callable[[Applier, object, Loc], None]:
    def run(a: Applier, body: object, loc: Loc) -> None:
        op = "blockSection" if access == AccessType.BLOCKED else "unblockSection"
        found = _targets(a, body, loc, op, ("tenant", "section"))
        if found is not None and (section := found[3]) is not None:
            a.set_section(found[0], found[1], section, b2b_setting(access))

    return run


def _set_section(a: Applier, body: object, loc: Loc) -> None:
    found = _targets(a, body, loc, "setSection", ("tenant", "section", "value"))
    if found is None:
        return
    tenant, partner, m, section = found
    if section is None:
        return
    if m["value"] is None:
        a.set_section(tenant, partner, section, None)
        return
    index = name_index(a.world)
    attr = ATTR[section]
    default = getattr(tenant.cross_tenant_access.default, attr)
    fallback = (
        default
        if partner is None or partner.entry is None
        else (getattr(partner.entry, attr) or default)
    )
    scope = Scope(
        home=index.tenants[tenant.name],
        partner=None
        if partner is None or partner.tenant is None
        else index.tenants[partner.tenant.name],
        partner_key=None if partner is None else partner.key,
        section=section,
    )
    setting = read_setting(a.c, index, scope, m["value"], (*loc, "value"), fallback)
    if setting is not None:
        a.set_section(tenant, partner, section, IdRemap(a.world).setting(setting))


def _set_trust(a: Applier, body: object, loc: Loc) -> None:
    found = _targets(a, body, loc, "setInboundTrust", ("tenant", "value"))
    if found is None:
        return
    tenant, partner, m, _section = found
    trust = read_inbound_trust(a.c, m["value"], (*loc, "value")) if m["value"] is not None else None
    policy = tenant.cross_tenant_access
    if partner is None:
        default = dataclasses.replace(
            policy.default, is_service_default=False, inbound_trust=trust or InboundTrust()
        )
        a.set_policy(tenant, dataclasses.replace(policy, default=default))
    elif partner.entry is not None:
        a.set_partner(
            tenant, partner.entry, dataclasses.replace(partner.entry, inbound_trust=trust)
        )


def _add_partner(a: Applier, body: object, loc: Loc) -> None:
    m = a.body(body, loc, "addPartner", ("tenant", "partner"), ("value",))
    tenant = None if m is None else a.tenant(m, loc)
    if m is None or tenant is None:
        return
    partner = a.partner(tenant, m, loc, exists=False)
    if partner is None:
        return
    index = name_index(a.world)
    entry = read_partner(
        a.c,
        index,
        index.tenants[tenant.name],
        None if partner.tenant is None else index.tenants[partner.tenant.name],
        partner.key,
        partner.tenant_id,
        m.get("value"),
        (*loc, "value"),
        tenant.cross_tenant_access.default,
    )
    a.set_partner(tenant, None, IdRemap(a.world).partner(entry))


def _remove_partner(a: Applier, body: object, loc: Loc) -> None:
    m = a.body(body, loc, "removePartner", ("tenant", "partner"))
    tenant = None if m is None else a.tenant(m, loc)
    partner = None if m is None or tenant is None else a.partner(tenant, m, loc, exists=True)
    if tenant is None or partner is None or partner.entry is None:
        return
    if partner.entry.is_service_provider:
        a.c.error(
            "invalid-value",
            (*loc, "partner"),
            f"`{partner.key}` is a service provider partner of `{tenant.name}` and cannot be "
            "removed (R4)",
        )
        return
    a.set_partner(tenant, partner.entry, None)


def _cloud(add: bool) -> Callable[[Applier, object, Loc], None]:
    def run(a: Applier, body: object, loc: Loc) -> None:
        op = "addCloud" if add else "removeCloud"
        m = a.body(body, loc, op, ("tenant", "endpoint"))
        tenant = None if m is None else a.tenant(m, loc)
        if m is None or tenant is None:
            return
        endpoint = a.c.one_of(m["endpoint"], (*loc, "endpoint"), CLOUD_ENDPOINTS, what="endpoint")
        if endpoint is None:
            return
        policy = tenant.cross_tenant_access
        listed = endpoint in policy.allowed_cloud_endpoints
        if listed == add:
            state = "already lists" if add else "does not list"
            a.c.error("invalid-value", (*loc, "endpoint"), f"`{tenant.name}` {state} `{endpoint}`")
            return
        endpoints = (
            (*policy.allowed_cloud_endpoints, endpoint)
            if add
            else tuple(e for e in policy.allowed_cloud_endpoints if e != endpoint)
        )
        a.set_policy(tenant, dataclasses.replace(policy, allowed_cloud_endpoints=endpoints))

    return run


def _remove_assignment(a: Applier, body: object, loc: Loc) -> None:
    m = a.body(body, loc, "removeAssignment", ("app", "principal"))
    app = None if m is None else a.ref(m, "app", loc, a.world.app_by_ref, "an app")
    if m is None or app is None:
        return
    principal = a.c.text(m["principal"], (*loc, "principal"), what="principal")
    if principal is None:
        return
    ref = a.local(app.split("/", 1)[0], principal)
    kept = tuple(x for x in a.world.assignments if not (x.app == app and x.principal == ref))
    if len(kept) == len(a.world.assignments):
        holders = [x.principal for x in a.world.assignments if x.app == app]
        a.c.error(
            "unknown-reference",
            (*loc, "principal"),
            f"`{ref}` is not assigned to `{app}`{suggest(ref, holders)}",
        )
        return
    a.world = dataclasses.replace(a.world, assignments=kept)


def _remove_member(a: Applier, body: object, loc: Loc) -> None:
    m = a.body(body, loc, "removeGroupMember", ("group", "member"))
    group = None if m is None else a.ref(m, "group", loc, a.world.group_by_ref, "a group")
    if m is None or group is None:
        return
    text = a.c.text(m["member"], (*loc, "member"), what="member")
    if text is None:
        return
    old = a.world.group_by_ref[group]
    ref = a.local(old.tenant, text)
    if ref not in old.members:
        a.c.error(
            "unknown-reference",
            (*loc, "member"),
            f"`{ref}` is not a direct member of `{group}`{suggest(ref, old.members)}",
        )
        return
    new = dataclasses.replace(old, members=tuple(x for x in old.members if x != ref))
    a.world = dataclasses.replace(
        a.world, groups=tuple(new if g is old else g for g in a.world.groups)
    )


def _user(a: Applier, body: object, loc: Loc, op: str) -> User | None:
    m = a.body(body, loc, op, ("user",))
    ref = None if m is None else a.ref(m, "user", loc, a.world.user_by_ref, "a user")
    return None if ref is None else a.world.user_by_ref[ref]


def _enable(enabled: bool) -> Callable[[Applier, object, Loc], None]:
    def run(a: Applier, body: object, loc: Loc) -> None:
        user = _user(a, body, loc, "enableUser" if enabled else "disableUser")
        if user is not None:
            new = dataclasses.replace(user, account_enabled=enabled)
            a.world = dataclasses.replace(
                a.world, users=tuple(new if u is user else u for u in a.world.users)
            )

    return run


def _drop(items: tuple[str, ...], ref: str) -> tuple[str, ...]:
    return tuple(x for x in items if x != ref)


def _remove_user(a: Applier, body: object, loc: Loc) -> None:
    user = _user(a, body, loc, "removeUser")
    if user is None:
        return
    pointing = sorted(u.ref for u in a.world.users if u.home_ref == user.ref)
    if pointing:
        a.c.error(
            "invalid-reference",
            (*loc, "user"),
            f"`{user.ref}` is the home identity of `{pointing[0]}`; remove those objects first",
        )
        return
    ref, w = user.ref, a.world

    def ca_users(u: CaUsers) -> CaUsers:
        return dataclasses.replace(u, include=_drop(u.include, ref), exclude=_drop(u.exclude, ref))

    a.world = dataclasses.replace(
        w,
        users=tuple(u for u in w.users if u is not user),
        groups=tuple(dataclasses.replace(g, members=_drop(g.members, ref)) for g in w.groups),
        teams=tuple(dataclasses.replace(t, members=_drop(t.members, ref)) for t in w.teams),
        channels=tuple(dataclasses.replace(c, members=_drop(c.members, ref)) for c in w.channels),
        assignments=tuple(x for x in w.assignments if x.principal != ref),
        access_package_assignments=tuple(
            x for x in w.access_package_assignments if x.target != ref
        ),
        invitations=tuple(x for x in w.invitations if x.invited_user != ref),
        conditional_access=tuple(
            dataclasses.replace(p, users=ca_users(p.users)) for p in w.conditional_access
        ),
    )


def _expire(a: Applier, body: object, loc: Loc) -> None:
    m = a.body(body, loc, "expireAssignment", ("accessPackage", "target"))
    package = (
        None
        if m is None
        else a.ref(m, "accessPackage", loc, a.world.access_package_by_ref, "an access package")
    )
    if m is None or package is None:
        return
    target = a.c.text(m["target"], (*loc, "target"), what="target")
    if target is None:
        return
    mine = [x for x in a.world.access_package_assignments if x.package == package]
    if not any(x.target == target for x in mine):
        a.c.error(
            "unknown-reference",
            (*loc, "target"),
            f"`{target}` has no assignment of `{package}`"
            + suggest(target, [x.target for x in mine]),
        )
        return
    expired = AccessPackageAssignmentState.EXPIRED
    a.world = dataclasses.replace(
        a.world,
        access_package_assignments=tuple(
            dataclasses.replace(x, state=expired)
            if x.package == package and x.target == target
            else x
            for x in a.world.access_package_assignments
        ),
    )


OPS: dict[str, Callable[[Applier, object, Loc], None]] = {
    "blockSection": _block(AccessType.BLOCKED),
    "unblockSection": _block(AccessType.ALLOWED),
    "setSection": _set_section,
    "setInboundTrust": _set_trust,
    "addPartner": _add_partner,
    "removePartner": _remove_partner,
    "addCloud": _cloud(True),
    "removeCloud": _cloud(False),
    "removeAssignment": _remove_assignment,
    "removeGroupMember": _remove_member,
    "disableUser": _enable(False),
    "enableUser": _enable(True),
    "removeUser": _remove_user,
    "expireAssignment": _expire,
}
