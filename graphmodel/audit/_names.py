"""A world-file name index rebuilt from a stored World, for reading change sets.

Why: a change set writes cross-tenant sections in exactly the world-file shape, so it is read by
the world loader's own section readers (`graphmodel.ingest._targets.read_setting`,
`graphmodel.ingest._xtap`), which resolve handles through a `NameIndex`. Those readers give the
ids a world file would (derived from handles); `IdRemap` maps them to the ids the stored World
really has (a Graph export keeps Graph's ids), so a handle in a change set always means the
object of the current World.
"""

from __future__ import annotations

import dataclasses

from graphmodel.ingest.readers import Kind, Named, NameIndex, TenantEntry, object_id
from graphmodel.schema.ids import derive_id
from graphmodel.schema.world import World
from graphmodel.schema.xtap import (
    B2BSetting,
    CrossTenantAccessPartner,
    Target,
    TargetConfiguration,
)

__all__ = ["IdRemap", "name_index"]


def name_index(world: World) -> NameIndex:
    """Every tenant and named object of `world`, as the world loader's pass 1 would record it."""
    index = NameIndex()
    for t in world.tenants:
        entry = TenantEntry(
            name=t.name,
            loc=("tenants", t.name),
            raw={"name": t.name},
            id=t.id,
            domains=t.domains,
            cloud=t.cloud,
            type=t.type,
        )
        index.tenants[t.name] = entry
        index.by_id.setdefault(t.id, entry)
    named: list[tuple[Kind, str, str]] = [
        *(("user", x.tenant, x.name) for x in world.users),
        *(("group", x.tenant, x.name) for x in world.groups),
        *(("app", x.tenant, x.name) for x in world.apps),
        *(("team", x.tenant, x.name) for x in world.teams),
    ]
    for kind, tenant, name in named:
        found = index.tenants.get(tenant)
        if found is None or name in found.kinds:
            continue
        found.kinds[name] = kind
        found.objects[kind][name] = Named(name=name, loc=(tenant, name), raw={"name": name})
    return index


class IdRemap:
    """Handle-derived ids (what the readers produce) -> the World's real ids."""

    def __init__(self, world: World) -> None:
        self.ids: dict[str, str] = {}
        for u in world.users:
            self.ids[object_id("user", u.tenant, u.name)] = u.id
        for g in world.groups:
            self.ids[object_id("group", g.tenant, g.name)] = g.id
        for a in world.apps:
            self.ids[derive_id("appId", a.tenant, a.name)] = a.app_id

    def _config(self, cfg: TargetConfiguration) -> TargetConfiguration:
        targets = tuple(
            Target(target=self.ids.get(t.target, t.target), target_type=t.target_type)
            for t in cfg.targets
        )
        return dataclasses.replace(cfg, targets=targets)

    def setting(self, setting: B2BSetting | None) -> B2BSetting | None:
        if setting is None:
            return None
        return B2BSetting(
            users_and_groups=self._config(setting.users_and_groups),
            applications=self._config(setting.applications),
        )

    def partner(self, p: CrossTenantAccessPartner) -> CrossTenantAccessPartner:
        return dataclasses.replace(
            p,
            b2b_collaboration_inbound=self.setting(p.b2b_collaboration_inbound),
            b2b_collaboration_outbound=self.setting(p.b2b_collaboration_outbound),
            b2b_direct_connect_inbound=self.setting(p.b2b_direct_connect_inbound),
            b2b_direct_connect_outbound=self.setting(p.b2b_direct_connect_outbound),
            tenant_restrictions=self.setting(p.tenant_restrictions),
        )
