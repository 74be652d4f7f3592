"""Lookups the API derives from a World once per snapshot, not once per request.

Why: a World is immutable and shared by every request reading its snapshot, so tables such as
"app -> assignees", "partner configuration by `tenant/id`" or "users sorted by ref" only need
building once. They are kept per World object (keyed by identity, dropped when the World is
garbage-collected), mirroring the service's per-snapshot index; a new snapshot is a new World,
so nothing here can go stale.
"""

from __future__ import annotations

import threading
import weakref
from bisect import bisect_right
from collections.abc import Callable, Iterator, Mapping
from functools import cached_property

from graphmodel.schema.world import World

__all__ = ["KINDS", "WorldLookups", "lookups_for"]

KINDS = (
    "tenant",
    "user",
    "group",
    "app",
    "team",
    "channel",
    "policy",
    "partner",
    "invitation",
    "principal",
)
_CACHE: dict[int, tuple[weakref.ref[World], WorldLookups]] = {}
_LOCK = threading.Lock()


def lookups_for(world: World) -> WorldLookups:
    """The (cached) lookups of `world`."""
    key = id(world)
    with _LOCK:
        entry = _CACHE.get(key)
        if entry is not None and entry[0]() is world:
            return entry[1]
        found = WorldLookups(world)
        _CACHE[key] = (weakref.ref(world, lambda _ref: _CACHE.pop(key, None)), found)
        return found


class Sorted:
    """Items ordered by key, for paging with a key cursor."""

    def __init__(self, items: list[tuple[str, object]]) -> None:
        items.sort(key=lambda kv: kv[0])
        self.keys = [k for k, _ in items]
        self.items = [v for _, v in items]

    def after(self, cursor: str | None) -> Iterator[tuple[str, object]]:
        start = 0 if cursor is None else bisect_right(self.keys, cursor)
        for i in range(start, len(self.keys)):
            yield self.keys[i], self.items[i]


class WorldLookups:
    """Tables by ref and sorted lists of one World, each built on first use."""

    def __init__(self, world: World) -> None:
        self.world = world
        self._sorted: dict[str, Sorted] = {}
        self._derived: dict[str, Sorted] = {}
        self._lock = threading.Lock()

    @cached_property
    def policies(self) -> dict[str, object]:
        return {p.ref: p for p in self.world.conditional_access}

    @cached_property
    def partners(self) -> dict[str, object]:
        """`tenant/partnerTenantId` -> `(tenant, partner configuration)`."""
        return {
            f"{t.name}/{p.tenant_id}": (t.name, p)
            for t in self.world.tenants
            for p in t.cross_tenant_access.partners
        }

    @cached_property
    def invitations(self) -> dict[str, object]:
        return {f"{i.tenant}/{i.id}": i for i in self.world.invitations}

    @cached_property
    def assignees(self) -> dict[str, list[str]]:
        """App ref -> principal refs with a direct app role assignment."""
        out: dict[str, list[str]] = {}
        for a in self.world.assignments:
            refs = out.setdefault(a.app, [])
            if a.principal not in refs:
                refs.append(a.principal)
        return out

    @cached_property
    def objects_of(self) -> dict[str, dict[str, str]]:
        """Home identity ref -> {tenant: ref of its guest or synced object there}."""
        out: dict[str, dict[str, str]] = {}
        for u in self.world.users:
            if u.home_ref is not None:
                out.setdefault(u.home_ref, {})[u.tenant] = u.ref
        return out

    def object_in(self, principal: str, tenant: str) -> str | None:
        """The user object `principal` signs in to `tenant` with: itself when it belongs to
        `tenant`, else its guest or synced object there; None when it has none."""
        if principal.partition("/")[0] == tenant:
            return principal
        return self.objects_of.get(principal, {}).get(tenant)

    @cached_property
    def channels_of_team(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for c in self.world.channels:
            out.setdefault(c.team_ref, []).append(c.ref)
        return out

    def _tables(self) -> dict[str, Mapping[str, object]]:
        w = self.world
        return {
            "tenant": w.tenant_by_name,
            "user": w.user_by_ref,
            "group": w.group_by_ref,
            "app": w.app_by_ref,
            "team": w.team_by_ref,
            "channel": w.channel_by_ref,
            "policy": self.policies,
            "partner": self.partners,
            "invitation": self.invitations,
        }

    def find(self, kind: str, ref: str) -> object | None:
        """The object of `kind` named `ref` (`principal`: a user or a group), or None."""
        if kind == "principal":
            return self.world.user_by_ref.get(ref) or self.world.group_by_ref.get(ref)
        return self._tables()[kind].get(ref)

    def sorted(self, kind: str) -> Sorted:
        """Every object of `kind` ordered by its ref (the list cursor)."""
        with self._lock:
            found = self._sorted.get(kind)
            if found is None:
                found = self._sorted[kind] = Sorted(list(self._source(kind)))
            return found

    def derived(self, name: str, build: Callable[[], Sorted]) -> Sorted:
        """A sorted list another module derives from this World (e.g. `search`), built once."""
        with self._lock:
            found = self._derived.get(name)
        if found is None:
            built = build()  # outside the lock: `build` may call `sorted()`
            with self._lock:
                found = self._derived.setdefault(name, built)
        return found

    def _source(self, kind: str) -> Iterator[tuple[str, object]]:
        yield from self._tables()[kind].items()
