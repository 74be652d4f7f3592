"""What changed between two Worlds, entity by entity: policies, memberships, accounts, grants.

Why from a ChangeSet: the change language (`graphmodel.changes`) already says which entities
changed; these records explain each of them field by field, so describing a one-member change
of a 1M-user World looks at one group, not at a million users (`describe_changes`).
`diff_worlds(a, b)` first asks the change language what differs (entities that are the same
objects compare by identity), then describes it.

Why field-level records: an access change is explained by the policy or membership change
behind it ("`contoso` blocked `fabrikam`'s contractors on payroll", "`bob` left `finance`"), so
the diff is as fine as those explanations need: one record per cross-tenant access section of
the default or a partner entry, per cloud endpoint, per group / team / channel member, per app
role assignment, per changed field of an account, app, policy or package. Values are rendered
as short text (targets shown by handle where the id is known), and the same records drive which
accesses a what-if recomputes (`graphmodel.audit.impact`).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from graphmodel.changes import ChangeSet, keyed
from graphmodel.changes import diff_worlds as change_set_between
from graphmodel.schema.codec import to_data
from graphmodel.schema.entities import AppRoleAssignment, Tenant
from graphmodel.schema.evidence import SignInUsage
from graphmodel.schema.world import World
from graphmodel.schema.xtap import B2BSetting, CrossTenantAccessPolicy, InboundTrust

__all__ = ["ChangeOp", "EntityChange", "describe_changes", "diff_worlds"]


class ChangeOp(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


@dataclass(frozen=True, slots=True, kw_only=True)
class EntityChange:
    """One changed fact. `kind` names the entity family (`crossTenantAccess`, `groupMember`...).

    `ref` is the entity (tenant handle, `tenant/name`, `principal->app` for an assignment,
    `package->target` for a package assignment); `field` the changed part; `before` / `after`
    short renderings (None when absent on that side); `partner` the tenant (handle, or id when
    it is not in the world) a cross-tenant partner entry is about.
    """

    kind: str
    ref: str
    tenant: str | None
    op: ChangeOp
    field: str | None = None
    before: str | None = None
    after: str | None = None
    partner: str | None = None


_DEFAULT_ROLE = AppRoleAssignment(principal="", app="").app_role_id
_SECTION_ATTRS = (
    ("inboundTrust", "inbound_trust"),
    ("b2bCollaborationInbound", "b2b_collaboration_inbound"),
    ("b2bCollaborationOutbound", "b2b_collaboration_outbound"),
    ("b2bDirectConnectInbound", "b2b_direct_connect_inbound"),
    ("b2bDirectConnectOutbound", "b2b_direct_connect_outbound"),
    ("tenantRestrictions", "tenant_restrictions"),
)
_PARTNER_FLAGS = (
    ("isServiceProvider", "is_service_provider"),
    ("isInMultiTenantOrganization", "is_in_multi_tenant_organization"),
    ("automaticUserConsentSettings", "automatic_user_consent_settings"),
    ("identitySynchronization", "identity_synchronization"),
)


class _Names:
    """Object id / app id -> handle, from both Worlds, so targets read as handles.

    Built on first use: only a changed cross-tenant setting shows targets, and most changes
    (memberships, accounts) never need the million-entry map.
    """

    def __init__(self, *worlds: World) -> None:
        self._worlds = worlds
        self._by_id: dict[str, str] | None = None
        self.tenants: dict[str, str] = {}
        for w in worlds:
            for t in w.tenants:
                self.tenants.setdefault(t.id, t.name)

    @property
    def by_id(self) -> dict[str, str]:
        if self._by_id is None:
            found: dict[str, str] = {}
            for w in self._worlds:
                for u in w.users:
                    found.setdefault(u.id, u.ref)
                for g in w.groups:
                    found.setdefault(g.id, g.ref)
                for a in w.apps:
                    found.setdefault(a.app_id, a.ref)
            self._by_id = found
        return self._by_id

    def show(self, value: object) -> str | None:
        if value is None:
            return None
        if isinstance(value, B2BSetting):
            halves = []
            for label, cfg in (("users", value.users_and_groups), ("apps", value.applications)):
                targets = ", ".join(self.by_id.get(t.target, t.target) for t in cfg.targets)
                halves.append(f"{label} {cfg.access_type.value} [{targets}]")
            return "; ".join(halves)
        if isinstance(value, InboundTrust):
            flags = [
                name
                for flag, name in (
                    (value.is_mfa_accepted, "mfa"),
                    (value.is_compliant_device_accepted, "compliantDevice"),
                    (value.is_hybrid_azure_ad_joined_device_accepted, "hybridJoinedDevice"),
                )
                if flag
            ]
            return "trusts " + (", ".join(flags) if flags else "nothing")
        data = to_data(value)
        return data if isinstance(data, str) else json.dumps(data, sort_keys=True)


def _fields(
    kind: str, ref: str, tenant: str | None, a: object, b: object, names: _Names
) -> Iterator[EntityChange]:
    for f in dataclasses.fields(a):  # type: ignore[arg-type]
        if f.name in ("tenant", "name", "members"):
            continue
        va, vb = getattr(a, f.name), getattr(b, f.name)
        if va != vb:
            yield EntityChange(
                kind=kind,
                ref=ref,
                tenant=tenant,
                op=ChangeOp.CHANGED,
                field=_camel(f.name),
                before=names.show(va),
                after=names.show(vb),
            )


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def _keyed(
    kind: str,
    a: Mapping[str, object],
    b: Mapping[str, object],
    tenant_of: Mapping[str, str | None],
    names: _Names,
    *,
    members: bool = False,
) -> Iterator[EntityChange]:
    for ref in sorted(set(a) | set(b)):
        va, vb = a.get(ref), b.get(ref)
        tenant = tenant_of.get(ref)
        if va is None or vb is None:
            op = ChangeOp.ADDED if va is None else ChangeOp.REMOVED
            yield EntityChange(kind=kind, ref=ref, tenant=tenant, op=op)
            continue
        if va == vb:
            continue
        yield from _fields(kind, ref, tenant, va, vb, names)
        if members:
            before = set(getattr(va, "members", ()))
            after = set(getattr(vb, "members", ()))
            for m in sorted(before ^ after):
                yield EntityChange(
                    kind=f"{kind}Member",
                    ref=ref,
                    tenant=tenant,
                    op=ChangeOp.ADDED if m in after else ChangeOp.REMOVED,
                    field="members",
                    before=m if m in before else None,
                    after=m if m in after else None,
                )


def _xtap(
    tenant: str, a: CrossTenantAccessPolicy, b: CrossTenantAccessPolicy, names: _Names
) -> Iterator[EntityChange]:
    def change(
        op: ChangeOp, field: str, va: object, vb: object, partner: str | None = None
    ) -> EntityChange:
        return EntityChange(
            kind="crossTenantAccess",
            ref=tenant,
            tenant=tenant,
            op=op,
            field=field,
            before=names.show(va),
            after=names.show(vb),
            partner=partner,
        )

    for key, attr in _SECTION_ATTRS:
        va, vb = getattr(a.default, attr), getattr(b.default, attr)
        if va != vb:
            yield change(ChangeOp.CHANGED, f"default.{key}", va, vb)
    pa = {p.tenant_id: p for p in a.partners}
    pb = {p.tenant_id: p for p in b.partners}
    for tid in sorted(set(pa) | set(pb)):
        other = names.tenants.get(tid, tid)
        label = f"partners[{other}]"
        if tid not in pa or tid not in pb:
            op = ChangeOp.ADDED if tid not in pa else ChangeOp.REMOVED
            yield change(op, label, None, None, other)
            continue
        for key, attr in (*_SECTION_ATTRS, *_PARTNER_FLAGS):
            va, vb = getattr(pa[tid], attr), getattr(pb[tid], attr)
            if va != vb:
                yield change(ChangeOp.CHANGED, f"{label}.{key}", va, vb, other)
    ea, eb = set(a.allowed_cloud_endpoints), set(b.allowed_cloud_endpoints)
    for endpoint in sorted(ea ^ eb):
        op = ChangeOp.ADDED if endpoint in eb else ChangeOp.REMOVED
        yield change(op, "allowedCloudEndpoints", None, endpoint)


def _tenants(
    ta: Mapping[str, Tenant], tb: Mapping[str, Tenant], names: _Names
) -> Iterator[EntityChange]:
    for name in sorted(set(ta) | set(tb)):
        va, vb = ta.get(name), tb.get(name)
        if va is None or vb is None:
            op = ChangeOp.ADDED if va is None else ChangeOp.REMOVED
            yield EntityChange(kind="tenant", ref=name, tenant=name, op=op)
            continue
        if va == vb:
            continue
        yield from _xtap(name, va.cross_tenant_access, vb.cross_tenant_access, names)
        for f in dataclasses.fields(Tenant):
            if f.name in ("name", "cross_tenant_access"):
                continue
            x, y = getattr(va, f.name), getattr(vb, f.name)
            if x != y:
                show = _evidence if f.name == "sign_ins" else names.show
                yield EntityChange(
                    kind="tenant",
                    ref=name,
                    tenant=name,
                    op=ChangeOp.CHANGED,
                    field=_camel(f.name),
                    before=show(x),
                    after=show(y),
                )


def _evidence(value: object) -> str:
    """Sign-in aggregates in one line: how many, and the latest (a tenant may hold thousands)."""
    items = value if isinstance(value, tuple) else ()
    lasts = [s.last for s in items if isinstance(s, SignInUsage)]
    latest = f", latest {max(lasts):%Y-%m-%d %H:%M} UTC" if lasts else ""
    return f"{len(items)} sign-in aggregate(s){latest}"


def _pairs(
    kind: str, a: Iterable[tuple[str, object]], b: Iterable[tuple[str, object]], names: _Names
) -> Iterator[EntityChange]:
    da, db = dict(a), dict(b)
    tenants = {k: k.split("/", 1)[0] for k in (*da, *db)}
    yield from _keyed(kind, da, db, tenants, names)


def _assignment_key(x: AppRoleAssignment) -> str:
    role = "" if x.app_role_id == _DEFAULT_ROLE else f"#{x.app_role_id}"
    return f"{x.principal}->{x.app}{role}"


def _touched(world: World, family: str, changes: ChangeSet) -> dict[Any, Any]:
    """`world`'s entities of `family` that `changes` adds, removes or patches, by family key
    (every entity when the family was replaced as a whole)."""
    keys = changes.keys(family)
    found = keyed(world, family)
    if keys is None:
        return {k: v for k, v in found.items()}
    return {k: found[k] for k in keys if k in found}


def describe_changes(changes: ChangeSet, a: World, b: World) -> tuple[EntityChange, ...]:
    """The records of `changes`, which turn World `a` into `b`, grouped by family, in ref order.

    Examples
    --------
    >>> describe_changes(ChangeSet(), World(), World())
    ()
    """
    names = _Names(a, b)
    out: list[EntityChange] = list(
        _tenants(_touched(a, "tenants", changes), _touched(b, "tenants", changes), names)
    )
    families = (
        ("user", "users", False),
        ("group", "groups", True),
        ("app", "apps", False),
        ("team", "teams", True),
        ("channel", "channels", True),
        ("conditionalAccess", "conditional_access", False),
        ("connectedOrganization", "connected_organizations", False),
        ("accessPackage", "access_packages", False),
    )
    for kind, family, members in families:
        ma = {e.ref: e for e in _touched(a, family, changes).values()}
        mb = {e.ref: e for e in _touched(b, family, changes).values()}
        tenants = {ref: ref.split("/", 1)[0] for ref in (*ma, *mb)}
        out.extend(_keyed(kind, ma, mb, tenants, names, members=members))
    out.extend(
        _pairs(
            "assignment",
            ((_assignment_key(x), x) for x in _touched(a, "assignments", changes).values()),
            ((_assignment_key(x), x) for x in _touched(b, "assignments", changes).values()),
            names,
        )
    )
    for kind, family, key in (
        ("packageAssignment", "access_package_assignments", _package_key),
        ("invitation", "invitations", _invitation_key),
    ):
        out.extend(
            _pairs(
                kind,
                ((key(x), x) for x in _touched(a, family, changes).values()),
                ((key(x), x) for x in _touched(b, family, changes).values()),
                names,
            )
        )
    if a.as_of != b.as_of:
        out.append(
            EntityChange(
                kind="asOf",
                ref="asOf",
                tenant=None,
                op=ChangeOp.CHANGED,
                field="asOf",
                before=names.show(a.as_of),
                after=names.show(b.as_of),
            )
        )
    return tuple(out)


def _package_key(x: Any) -> str:
    return f"{x.package}->{x.target}"


def _invitation_key(x: Any) -> str:
    return str(x.invited_user)


def diff_worlds(
    a: World, b: World, changes: ChangeSet | None = None
) -> tuple[EntityChange, ...]:
    """Every entity change from World `a` to World `b`, grouped by family, in ref order.

    `changes`: the ChangeSet turning `a` into `b` when the caller has it (a store's
    `changes_after`, a write's own), so nothing is compared that did not change.

    Examples
    --------
    >>> diff_worlds(World(), World())
    ()
    """
    return describe_changes(change_set_between(a, b) if changes is None else changes, a, b)
