"""The engine index is updated, not rebuilt: a change costs the size of the change.

Why: building a `WorldIndex` costs seconds at a million users, and a worker that rebuilt it
for every one-object change could not keep up with a stream of changes. `evolve_index(ix,
changes, world)` returns the index of `world` (the World `changes` make of `ix.world`) in time
proportional to what the changes touch, and answers every question exactly as
`WorldIndex(world)` would (same decisions, paths and reasons, in the same order):

- structures of families the changes do not touch are shared with `ix`;
- the large families (users, groups and their members, app role assignments) are patched:
  each touched dict or list is copied once and edited, in World order (`_index_users`,
  `_index_groups`); an insert in the middle of the World rescans only the lists it lands in;
- the small families (tenants, apps, teams, channels, Conditional Access, connected
  organizations, access packages and their assignments) are rebuilt by the index's own
  builders: they are small, and a rebuild is exact by construction;
- lazily filled caches are shared where the changes cannot affect them, patched where that is
  cheap and exact, else left to be rebuilt on first use (group closures: only those containing
  a group whose parents changed are dropped; the equivalence classes of reverse lookups always
  start empty).

`ix` is never modified and stays valid for readers still holding it (copy-on-write). The one
exception is by design: a cache filled on first use that both indexes would fill alike (a
closure when no group's parents changed, a tenant's resources when its apps and channels did
not move) is shared, so either index's readers may add an entry the other would compute too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from graphmodel.bulk import paused_gc
from graphmodel.changes import ChangeSet, Key
from graphmodel.engine._index_groups import evolve_assignments, evolve_groups
from graphmodel.engine._index_users import evolve_users
from graphmodel.engine.index import INDEXED_FAMILIES, WorldIndex
from graphmodel.engine.index_delta import Carried, FamilyDelta, family_delta, same_objects
from graphmodel.schema.world import World

__all__ = ["FAMILY_STRUCTURES", "evolve_index"]

FAMILY_STRUCTURES: dict[str, tuple[str, ...]] = {
    "tenants": ("tenants", "tenant_by_id"),
    "users": (
        "users",
        "users_by_tenant",
        "representations",
        "principals_by_tenant",
        "admins_by_tenant",
    ),
    "groups": ("groups", "direct_groups"),
    "apps": ("apps", "service_principals", "apps_by_tenant", "registrations_consented_in"),
    "assignments": ("assignees", "assigned_apps"),
    "teams": ("teams", "team_members", "teams_of_user"),
    "channels": (
        "channels",
        "channels_of_team",
        "channels_shared_with",
        "channels_of_member",
        "channels_by_tenant",
    ),
    "conditional_access": ("ca_by_tenant",),
    "connected_organizations": ("connected_orgs",),
    "access_packages": ("packages", "packages_granting"),
    "access_package_assignments": ("package_assignments", "package_assignments_by_package"),
}
"""The index structures built from each World family (by `WorldIndex._index_<family>`); a
structure of an untouched family is shared with the older index."""

# The World's own lookups by key (`functools.cached_property`), used when already built: they
# give the new World's very objects; never built here (a million-entry dict per change).
_WORLD_LOOKUPS = {"users": "user_by_ref", "groups": "group_by_ref"}
_Updater = Callable[[WorldIndex, WorldIndex, FamilyDelta, Carried], None]
_INCREMENTAL: dict[str, _Updater] = {
    "users": evolve_users,
    "groups": evolve_groups,
    "assignments": lambda old, new, delta, _carried: evolve_assignments(old, new, delta),
}


def evolve_index(
    ix: WorldIndex, changes: ChangeSet, world: World, *, now: datetime | None = None
) -> WorldIndex:
    """The index of `world`, made from `ix` by `changes`; `ix` is left as it was.

    `world` must equal `apply_changes(ix.world, changes)` (the caller has it already:
    applying is the store's job); with the World's lookups by key built (`user_by_ref` ...)
    the new index holds the World's own objects, else equal ones replayed from the changes.
    `now` is the clock when `world.as_of` is unset, as for `WorldIndex`.

    Examples
    --------
    >>> from graphmodel.changes import END, ChangeSet, ListEdit, Patch, apply_changes
    >>> from graphmodel.schema import Group, Tenant, User
    >>> t = Tenant(name="t", id="1", domains=("t.com",))
    >>> al = User(tenant="t", name="al", id="2", user_principal_name="al@t.com")
    >>> inner = Group(tenant="t", name="inner", id="3", members=("t/al",))
    >>> outer = Group(tenant="t", name="outer", id="4")
    >>> ix = WorldIndex(World(tenants=(t,), users=(al,), groups=(inner, outer)))
    >>> changes = ChangeSet((Patch("groups", "t/outer", edit=(("members",
    ...     ListEdit(add=((END, "t/inner"),))),)),))
    >>> after = evolve_index(ix, changes, apply_changes(ix.world, changes))
    >>> sorted(after.transitive_groups("t/al")), sorted(ix.transitive_groups("t/al"))
    (['t/inner', 't/outer'], ['t/inner'])
    """
    new = WorldIndex.__new__(WorldIndex)
    new._start(world, now)
    before = ix._carried
    carried = replace(before) if isinstance(before, Carried) else Carried()
    touched = changes.families
    with paused_gc(freeze=True):
        for family in INDEXED_FAMILIES:
            if family not in touched:
                for name in FAMILY_STRUCTURES[family]:
                    setattr(new, name, getattr(ix, name))
                continue
            delta = _delta(ix, changes, world, family)
            if delta is None or delta.whole:
                getattr(new, f"_index_{family}")(world)
                _forget(family, carried)
            else:
                _INCREMENTAL[family](ix, new, delta, carried)
        _carry_caches(ix, new, touched)
    new._carried = carried
    return new


def _forget(family: str, carried: Carried) -> None:
    if family == "users":
        carried.homed = None
    elif family == "groups":
        carried.group_rank = None


def _delta(ix: WorldIndex, changes: ChangeSet, world: World, family: str) -> FamilyDelta | None:
    """The net change of a large family, or None for a small one (rebuilt)."""
    if family not in _INCREMENTAL:
        return None
    before: Mapping[Key, Any] | None = None
    if family in ("users", "groups"):
        before = getattr(ix, family)
        if len(before) != len(getattr(ix.world, family)):
            return FamilyDelta(whole=True)  # repeated keys: only a rebuild matches a scan
    lookup: Mapping[Key, Any] | None = vars(world).get(_WORLD_LOOKUPS.get(family, ""))
    return family_delta(changes, family, before, getattr(world, family), lookup)


def _carry_caches(old: WorldIndex, new: WorldIndex, touched: frozenset[str]) -> None:
    """The lazily built caches of untouched families, shared (the touched families' updaters
    have set theirs). A shared cache that readers fill on first use is only ever filled with
    what both indexes compute alike, since it depends on nothing the changes touched."""
    if "users" not in touched:
        new._by_mail, new._mails_by_tenant = old._by_mail, old._mails_by_tenant
    if "groups" not in touched:
        new._up, new._ids_up = old._up, old._ids_up
        if "users" not in touched:
            new._xtap_ids = old._xtap_ids
    if "tenants" not in touched:
        new._by_domain = old._by_domain
        usage = vars(old).get("usage")
        if usage is not None:
            vars(new)["usage"] = usage
    if "apps" not in touched:
        new._teams_apps = old._teams_apps
    if "apps" not in touched and "channels" not in touched:
        new._resources_in = old._resources_in
    else:
        resources = old._resources_in.copy()
        new._resources_in = {
            key: found for key, found in resources.items() if _same_resources(old, new, key[0])
        }


def _same_resources(old: WorldIndex, new: WorldIndex, tenant: str) -> bool:
    apps = same_objects(old.apps_by_tenant.get(tenant, ()), new.apps_by_tenant.get(tenant, ()))
    return apps and same_objects(
        old.channels_by_tenant.get(tenant, ()), new.channels_by_tenant.get(tenant, ())
    )
