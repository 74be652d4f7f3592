"""The World being changed by a change set, and the typed reads of a change's fields.

Why a holder of the evolving World: a change may refer to what an earlier one created
(`addPartner` then `blockSection` on it), so references are checked against the World as it is
at that change; every problem is recorded on the shared `Collector` with its location and the
change set goes on, so all problems are reported at once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from typing import Any

from graphmodel.ingest.readers import SECTIONS, Collector
from graphmodel.ingest.yamlsource import Loc
from graphmodel.schema.entities import Tenant
from graphmodel.schema.ids import is_guid
from graphmodel.schema.suggest import suggest
from graphmodel.schema.world import World
from graphmodel.schema.xtap import (
    SERVICE_DEFAULT,
    B2BSetting,
    CrossTenantAccessPartner,
    CrossTenantAccessPolicy,
)

__all__ = ["ATTR", "Applier", "Body", "PartnerRef"]

Body = dict[str, object]
ATTR = {
    "b2bCollaborationInbound": "b2b_collaboration_inbound",
    "b2bCollaborationOutbound": "b2b_collaboration_outbound",
    "b2bDirectConnectInbound": "b2b_direct_connect_inbound",
    "b2bDirectConnectOutbound": "b2b_direct_connect_outbound",
    "tenantRestrictions": "tenant_restrictions",
}


@dataclasses.dataclass(slots=True)
class PartnerRef:
    key: str  # as written
    tenant_id: str
    tenant: Tenant | None  # None when the id names a tenant outside the world
    entry: CrossTenantAccessPartner | None  # the current partner configuration, if any


class Applier:
    """The World being changed and the collector of problems."""

    def __init__(self, c: Collector, world: World) -> None:
        self.c = c
        self.world = world

    # --- reading the body ------------------------------------------------------------------
    def body(
        self,
        value: object,
        loc: Loc,
        what: str,
        required: tuple[str, ...],
        optional: tuple[str, ...] = (),
    ) -> Body | None:
        m = self.c.mapping(value, loc, what=what, fields=(*required, *optional), required=required)
        if m is None or any(k not in m for k in required):
            return None
        return m

    def ref(self, m: Body, key: str, loc: Loc, found: Collection[str], what: str) -> str | None:
        text = self.c.text(m[key], (*loc, key), what=key)
        if text is None:
            return None
        if text not in found:
            self.c.error(
                "unknown-reference",
                (*loc, key),
                f"`{text}` is not {what} of the world{suggest(text, found)}",
            )
            return None
        return text

    def tenant(self, m: Body, loc: Loc) -> Tenant | None:
        name = self.ref(m, "tenant", loc, self.world.tenant_by_name, "a tenant")
        return None if name is None else self.world.tenant_by_name[name]

    def partner(
        self, tenant: Tenant, m: Body, loc: Loc, *, exists: bool | None
    ) -> PartnerRef | None:
        """The `partner` of `m`; `exists` True/False requires an entry to exist / not exist."""
        key = self.c.text(m["partner"], (*loc, "partner"), what="partner")
        if key is None:
            return None
        if is_guid(key):
            other = self.world.tenant_by_id.get(key.lower())
            tenant_id = key.lower()
        else:
            other = self.world.tenant_by_name.get(key)
            if other is None:
                self.c.error(
                    "unknown-reference",
                    (*loc, "partner"),
                    f"`{key}` is not a tenant of the world{suggest(key, self.world.tenant_by_name)}"
                    "; use a tenant handle or a tenant id",
                )
                return None
            tenant_id = other.id
        if tenant_id == tenant.id:
            self.c.error(
                "invalid-reference", (*loc, "partner"), "a tenant cannot be its own partner"
            )
            return None
        entry = tenant.cross_tenant_access.partner(tenant_id)
        if exists is True and entry is None:
            self.c.error(
                "unknown-reference",
                (*loc, "partner"),
                f"`{tenant.name}` has no partner entry for `{key}`; add one with `addPartner` "
                "first",
            )
            return None
        if exists is False and entry is not None:
            self.c.error(
                "duplicate-name",
                (*loc, "partner"),
                f"`{tenant.name}` already has a partner entry for `{key}`",
            )
            return None
        return PartnerRef(key=key, tenant_id=tenant_id, tenant=other, entry=entry)

    def section(self, m: Body, loc: Loc) -> str | None:
        return self.c.one_of(m["section"], (*loc, "section"), tuple(SECTIONS), what="section")

    def local(self, tenant: str, text: str) -> str:
        """`name`, `group:name`, `user:name` or `tenant/name` -> a `tenant/name` ref."""
        prefix, colon, rest = text.partition(":")
        if colon and prefix in ("user", "group", "app"):
            text = rest
        return text if "/" in text else f"{tenant}/{text}"

    # --- writing ---------------------------------------------------------------------------
    def replace_tenant(self, old: Tenant, new: Tenant) -> None:
        self.world = dataclasses.replace(
            self.world, tenants=tuple(new if t is old else t for t in self.world.tenants)
        )

    def set_policy(self, tenant: Tenant, policy: CrossTenantAccessPolicy) -> None:
        self.replace_tenant(tenant, dataclasses.replace(tenant, cross_tenant_access=policy))

    def set_partner(
        self,
        tenant: Tenant,
        old: CrossTenantAccessPartner | None,
        new: CrossTenantAccessPartner | None,
    ) -> None:
        policy = tenant.cross_tenant_access
        partners = [p for p in policy.partners if p is not old]
        if new is not None:
            index = policy.partners.index(old) if old is not None else len(partners)
            partners.insert(index, new)
        self.set_policy(tenant, dataclasses.replace(policy, partners=tuple(partners)))

    def set_section(
        self, tenant: Tenant, partner: PartnerRef | None, section: str, value: B2BSetting | None
    ) -> None:
        attr = ATTR[section]
        policy = tenant.cross_tenant_access
        if partner is None:
            changes: dict[str, Any] = {attr: value or getattr(SERVICE_DEFAULT, attr)}
            default = dataclasses.replace(policy.default, is_service_default=False, **changes)
            self.set_policy(tenant, dataclasses.replace(policy, default=default))
            return
        assert partner.entry is not None  # INVARIANT: checked by `partner(exists=True)`
        changes = {attr: value}
        self.set_partner(tenant, partner.entry, dataclasses.replace(partner.entry, **changes))
