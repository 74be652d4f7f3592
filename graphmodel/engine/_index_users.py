"""Updating the user structures of a WorldIndex for a change of the World's `users`.

Why each piece costs the size of the change: a user added at the end of the World is appended
to its tenant's list; one removed or changed is found by identity in its tenant's list only;
the principals a tenant files sorted (`principals_by_tenant`) change only for the users whose
home chain passes through a touched user, found through `homed` (home -> the users standing
for it), which is kept from one index to the next. Only an insert in the middle of the World
rescans: the tenant lists it lands in, in World order.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Mapping

from graphmodel.engine.index import WorldIndex, principal_ref
from graphmodel.engine.index_delta import (
    Carried,
    FamilyDelta,
    ListsEdit,
    by_key,
)
from graphmodel.schema.entities import User
from graphmodel.schema.enums import DirectoryRole

__all__ = ["evolve_users"]

_GA = DirectoryRole.GLOBAL_ADMINISTRATOR


def _ref(u: User) -> str:
    return f"{u.tenant}/{u.name}"


def _home(u: User) -> str | None:
    return u.guest_of or u.synced_from


def _homed_of(ix: WorldIndex, carried: Carried) -> dict[str, list[str]]:
    """`carried.homed` of `ix`, built from its users on first need (World order): one pass
    over every user, paid by the first change of users after a full build."""
    if carried.homed is None:
        homed: dict[str, list[str]] = defaultdict(list)
        for ref, u in ix.users.items():
            home = _home(u)
            if home is not None:
                homed[home].append(ref)
        carried.homed = homed
    return carried.homed


def evolve_users(old: WorldIndex, new: WorldIndex, delta: FamilyDelta, carried: Carried) -> None:
    """Set `new`'s user structures from `old`'s and `delta` (the net change of `users`)."""
    world = new.world
    new.users = by_key(old.users, delta, _ref, world.users)
    homed_before = _homed_of(old, carried)
    homed = ListsEdit(homed_before)
    placed = _tenant_lists(old, new, delta, homed)
    carried.homed = homed.build_dict()
    _place_homed(carried.homed, placed, world.users)
    touched = {*delta.removed, *delta.patched, *map(_ref, delta.added)}
    _representations(old, new, delta, carried.homed)
    affected = _affected(touched, homed_before, carried.homed)
    _principals(old, new, affected, carried.homed)
    _mail_caches(old, new, delta)


def _tenant_lists(
    old: WorldIndex, new: WorldIndex, delta: FamilyDelta, homed: ListsEdit[str, str]
) -> set[str]:
    """`users_by_tenant` and `admins_by_tenant` of `new`, and `homed` edited; returns the
    homes whose lists got a user out of World order (to be placed)."""
    by_tenant: ListsEdit[str, User] = ListsEdit(old.users_by_tenant)
    admins: ListsEdit[str, str] = ListsEdit(old.admins_by_tenant)
    rescan: set[str] = set()  # tenants whose lists are rebuilt from the World
    placed: set[str] = set()
    for ref, u in delta.removed.items():
        by_tenant.drop(u.tenant, u)
        if _GA in u.roles:
            admins.edit(u.tenant).remove(ref)
        home = _home(u)
        if home is not None:
            homed.edit(home).remove(ref)
    for ref, (before, after) in delta.patched.items():
        by_tenant.swap(before.tenant, before, after)
        if (_GA in before.roles) != (_GA in after.roles):
            rescan.add(before.tenant)
        was, now = _home(before), _home(after)
        if was != now:
            if was is not None:
                homed.edit(was).remove(ref)
            if now is not None:
                homed.edit(now).append(ref)
                placed.add(now)
    for u in delta.added:
        ref = _ref(u)
        if delta.tail:
            by_tenant.edit(u.tenant).append(u)
            if _GA in u.roles:
                admins.edit(u.tenant).append(ref)
        else:
            rescan.add(u.tenant)
        home = _home(u)
        if home is not None:
            homed.edit(home).append(ref)
            if not delta.tail:
                placed.add(home)
    if not delta.tail:
        for tenant, found in _scan_tenants(new.world.users, rescan, new.users).items():
            by_tenant.reset(tenant, found)
    new.users_by_tenant = by_tenant.build_dict()
    for tenant in rescan:
        found_users = new.users_by_tenant.get(tenant, ())
        admins.reset(tenant, [_ref(u) for u in found_users if _GA in u.roles])
    new.admins_by_tenant = admins.build_dict()
    return placed


def _scan_tenants(
    users: Iterable[User], tenants: set[str], index_users: Mapping[str, User]
) -> dict[str, list[User]]:
    """The users of each of `tenants`, in World order (one pass over the World), as the objects
    the index holds (`by_key`'s INVARIANT)."""
    found: dict[str, list[User]] = {t: [] for t in tenants}
    for u in users:
        bucket = found.get(u.tenant)
        if bucket is not None:
            bucket.append(index_users[_ref(u)])
    return found


def _place_homed(homed: dict[str, list[str]], homes: set[str], world_users: Iterable[User]) -> None:
    """Sort the (privately copied) lists of `homes` into World order (one pass over the World:
    a user given another home, or inserted in the middle, is rare)."""
    refs = {r for h in homes for r in homed.get(h, ())}
    if not refs:
        return
    names = {r.split("/", 1)[1] for r in refs}
    where = {}
    for i, u in enumerate(world_users):
        if u.name in names and (ref := _ref(u)) in refs:
            where[ref] = i
    for h in homes:
        found = homed.get(h)
        if found:
            found.sort(key=where.__getitem__)


def _representations(
    old: WorldIndex, new: WorldIndex, delta: FamilyDelta, homed: Mapping[str, list[str]]
) -> None:
    """`representations[home]` recomputed for every home a touched user names (before or
    after): tenant -> the last of its users there, keys in order of first appearance."""
    homes: set[str] = set()
    for u in delta.removed.values():
        homes.add(_home(u) or "")
    for before, after in delta.patched.values():
        homes.update((_home(before) or "", _home(after) or ""))
    for u in delta.added:
        homes.add(_home(u) or "")
    homes.discard("")
    if not homes:
        new.representations = old.representations
        return
    reps = old.representations.copy()
    users = new.users
    for home in homes:
        objects: dict[str, User] = {}
        for ref in homed.get(home, ()):
            u = users[ref]
            objects[u.tenant] = u
        if objects:
            reps[home] = objects
        else:
            reps.pop(home, None)
    new.representations = reps


def _affected(
    touched: set[str], before: Mapping[str, list[str]], after: Mapping[str, list[str]]
) -> set[str]:
    """The touched users and every user whose home (or its home) is one: their principal
    (resolved twice, `principal_ref`) may have changed."""

    def standing_for(refs: Iterable[str]) -> set[str]:
        return {r for x in refs for r in (*before.get(x, ()), *after.get(x, ()))}

    first = standing_for(touched)
    return touched | first | standing_for(first)


def _principals(
    old: WorldIndex, new: WorldIndex, affected: set[str], homed: Mapping[str, list[str]]
) -> None:
    """`principals_by_tenant` of `new`: the affected users' old principals leave their tenant
    unless another user there still stands for them; their new principals enter (sorted)."""
    users = new.users
    leaving: dict[str, set[str]] = defaultdict(set)
    entering: dict[str, dict[str, User]] = defaultdict(dict)
    for ref in affected:
        u = old.users.get(ref)
        if u is not None:
            leaving[u.tenant].add(principal_ref(old.users, ref, u))
        u = users.get(ref)
        if u is not None:
            pref = principal_ref(users, ref, u)
            entering[u.tenant][pref] = users[pref]
    out = old.principals_by_tenant.copy()
    for tenant in {*leaving, *entering}:
        refs, principals = out.get(tenant, ([], []))
        refs, principals = list(refs), list(principals)
        staying = entering.get(tenant, {})
        for pref in leaving.get(tenant, set()) - staying.keys():
            if not _still_filed(users, homed, tenant, pref):
                i = bisect_left(refs, pref)
                del refs[i], principals[i]
        for pref, p in staying.items():
            i = bisect_left(refs, pref)
            if i < len(refs) and refs[i] == pref:
                principals[i] = p
            else:
                refs.insert(i, pref)
                principals.insert(i, p)
        if refs:
            out[tenant] = (refs, principals)
        else:
            out.pop(tenant, None)
    new.principals_by_tenant = out


def _still_filed(
    users: Mapping[str, User], homed: Mapping[str, list[str]], tenant: str, pref: str
) -> bool:
    """Whether some user of `tenant` stands for `pref`: it is `pref`, or its home (or its
    home's home) is."""
    first = homed.get(pref, ())
    candidates = [pref, *first, *(r for x in first for r in homed.get(x, ()))]
    for ref in candidates:
        u = users.get(ref)
        if u is not None and u.tenant == tenant and principal_ref(users, ref, u) == pref:
            return True
    return False


def _mail_caches(old: WorldIndex, new: WorldIndex, delta: FamilyDelta) -> None:
    """Carry the mail lookups when the change keeps them exact cheaply (shared when it does not
    change them), else leave them to be rebuilt on first use (a removed user's address may
    still be another user's)."""
    pairs = old._mails_by_tenant
    if pairs is not None:
        if delta.removed or any(_mail(a) != _mail(b) for a, b in delta.patched.values()):
            pairs = None
        else:
            added = {(u.tenant, _mail(u)) for u in delta.added}
            pairs = pairs if added <= pairs else pairs | added
    by_mail = old._by_mail
    new._by_mail = None if by_mail is None else _patched_by_mail(by_mail, delta)
    new._mails_by_tenant = pairs


def _mail(u: User) -> str:
    return (u.mail or "").lower()


def _patched_by_mail(by_mail: dict[str, User], delta: FamilyDelta) -> dict[str, User] | None:
    """`user_by_mail`'s lookup (the first user in World order per address) after `delta`
    (copied on its first change), or None when which user comes first is not known without a
    scan. Holders are compared by ref: the lookup holds the World's objects."""

    def holds(address: str, user: User) -> bool:
        found = by_mail.get(address) if address else None
        return found is not None and found.tenant == user.tenant and found.name == user.name

    if not delta.tail:
        return None
    put: dict[str, User] = {}
    for u in delta.removed.values():
        if holds(_mail(u), u):
            return None
    for before, after in delta.patched.values():
        was, now = _mail(before), _mail(after)
        if was == now:
            if holds(was, before):
                put[was] = after
        elif holds(was, before) or (now and (now in by_mail or now in put)):
            return None
        elif now:
            put[now] = after
    for u in delta.added:
        address = _mail(u)
        if address and address not in by_mail and address not in put:
            put[address] = u
    return {**by_mail, **put} if put else by_mail
