"""Updating the group and app-assignment structures of a WorldIndex for a change.

Why per member: `direct_groups[m]` lists the groups `m` is directly in, in World group order,
once per listing; one member added to a 400k-member group changes one such list (the group
goes in at its place, found by its rank in World order), never the other 400k. Group closures
cached on the old index stay valid unless they contain a group whose own parents changed (a
group added to or taken out of another, a group removed) or, for the object ids, a group whose
`id` changed; user members invalidate none. App role assignments are appended, or taken out of
`assignees[app]` / `assigned_apps[principal]` where that is unambiguous (a principal holding
several roles on one app rescans that app's list from the World).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable
from itertools import compress, repeat

from graphmodel.changes import Key, Patch
from graphmodel.engine.index import WorldIndex
from graphmodel.engine.index_delta import Carried, FamilyDelta, ListsEdit, by_key
from graphmodel.schema.entities import AppRoleAssignment, Group

__all__ = ["evolve_assignments", "evolve_groups"]

_FEW = 8  # member counts taken with tuple.count below this many candidates, by one Counter above


def _ref(g: Group) -> str:
    return f"{g.tenant}/{g.name}"


def evolve_groups(old: WorldIndex, new: WorldIndex, delta: FamilyDelta, carried: Carried) -> None:
    """Set `new.groups`, `new.direct_groups` and the closure caches from `old` and `delta`."""
    new.groups = by_key(old.groups, delta, _ref, new.world.groups)
    rank = _Ranks(old, new, delta, carried)
    direct: ListsEdit[str, str] = ListsEdit(old.direct_groups, overlay=True)
    changed: set[str] = set()  # members whose direct groups changed
    for ref, g in delta.removed.items():
        for m in dict.fromkeys(g.members):
            lst = direct.edit(m)
            lst[:] = [x for x in lst if x != ref]
            changed.add(m)
    for ref, (before, after) in delta.patched.items():
        if before.members is after.members:
            continue
        for m, count in _member_counts(before, after, delta.patches.get(ref, ())).items():
            if direct.peek(m).count(ref) != count:
                _place(direct.edit(m), ref, count, rank)
                changed.add(m)
    for g in delta.added:
        ref = _ref(g)
        for m in g.members:
            if delta.tail:
                direct.edit(m).append(ref)  # the last group in World order
            else:
                lst = direct.edit(m)
                lst.insert(bisect_right(lst, rank[ref], key=rank.__getitem__), ref)
            changed.add(m)
    new.direct_groups = direct.build()
    rank.carry()
    _closures(old, new, delta, changed)


def _member_counts(before: Group, after: Group, patches: Iterable[Patch]) -> dict[str, int]:
    """Member -> times listed in `after`, for every member whose count may differ from
    `before`: the items the patches' member edits name, or all members when a patch set the
    whole list."""
    named: set[str] = set()
    for p in patches:
        if any(path == "members" for path, _value in p.set):
            counts_before, counts_after = Counter(before.members), Counter(after.members)
            return {
                m: counts_after[m]
                for m in counts_before.keys() | counts_after.keys()
                if counts_before[m] != counts_after[m]
            }
        for path, edit in p.edit:
            if path == "members":
                named.update(str(k) for k in edit.drop)
                named.update(str(item) for _anchor, item in edit.add)
    if len(named) < _FEW:
        return {m: after.members.count(m) for m in named}
    counts = Counter(after.members)
    return {m: counts[m] for m in named}


def _place(lst: list[str], group: str, count: int, rank: _Ranks) -> None:
    """Make `lst` (a member's groups, in World order) list `group` `count` times."""
    kept = [x for x in lst if x != group]
    if count:
        at = bisect_right(kept, rank[group], key=rank.__getitem__)
        kept[at:at] = [group] * count
    lst[:] = kept


class _Ranks:
    """Group ref -> a number increasing in World order, built on first use and carried."""

    def __init__(
        self, old: WorldIndex, new: WorldIndex, delta: FamilyDelta, carried: Carried
    ) -> None:
        self.old, self.new, self.delta, self.carried = old, new, delta, carried
        self.ranks: dict[str, int] | None = None

    def __getitem__(self, ref: str) -> int:
        if self.ranks is None:
            self.ranks = self._build()
        return self.ranks[ref]

    def _build(self) -> dict[str, int]:
        carried, delta = self.carried, self.delta
        if not delta.tail:
            carried.next_rank = len(self.new.groups)
            return {ref: i for i, ref in enumerate(self.new.groups)}
        base = carried.group_rank
        if base is None:
            base = {ref: i for i, ref in enumerate(self.old.groups)}
            carried.next_rank = len(base)
        if not delta.added:
            return base  # shared: a removed group's rank is never asked for again
        out = base.copy()
        for g in delta.added:
            out[_ref(g)] = carried.next_rank
            carried.next_rank += 1
        return out

    def carry(self) -> None:
        """Hand the ranks to the next index: the ones built here, or the old ones patched
        when there were any (cheap), else none (built on a later need)."""
        if self.ranks is None and self.carried.group_rank is not None:
            self.ranks = self._build()
        self.carried.group_rank = self.ranks


def _closures(old: WorldIndex, new: WorldIndex, delta: FamilyDelta, changed: set[str]) -> None:
    """Keep the old cached closures that cannot have changed: those containing no group whose
    parents changed (nor a removed group), and for object ids no group whose `id` changed.

    When none can have changed and no group is new, the caches are shared with the old index:
    both compute the same closure for every group either one has, so an entry either one adds
    is right for the other too (the INVARIANT of lazily filled caches in `WorldIndex`). A new
    group's closure must not land in a dict the old index keeps: another index made from the
    old one may give that ref other parents.
    """
    groups_before = old.groups  # INVARIANT: an old closure holds only groups of the old index
    moved: set[Key] = {m for m in changed if m in groups_before}
    moved.update(delta.removed)
    ids_moved = set(moved)
    ids_moved.update(r for r, (a, b) in delta.patched.items() if a.id != b.id)
    same_groups = not delta.added and not delta.removed
    if same_groups and not ids_moved:
        new._up, new._ids_up = old._up, old._ids_up
        return
    ids = old._ids_up.copy()  # first: an _ids_up entry is made after its _up entry
    up = old._up.copy()  # a copy: readers of the old index keep filling theirs
    if same_groups and not moved:
        new._up = old._up
    else:  # C-level passes: 100k cached closures at 1M users
        new._up = dict(compress(up.items(), map(frozenset(moved).isdisjoint, up.values())))
    gone = frozenset(ids_moved)  # also stands for a closure not cached (never disjoint)
    closures = map(up.get, ids.keys(), repeat(gone))
    new._ids_up = dict(compress(ids.items(), map(gone.isdisjoint, closures)))


def evolve_assignments(old: WorldIndex, new: WorldIndex, delta: FamilyDelta) -> None:
    """Set `new.assignees` and `new.assigned_apps` from `old` and `delta` (removed entries are
    keys `(principal, app, app_role_id)`)."""
    assignees: ListsEdit[str, str] = ListsEdit(old.assignees, overlay=True)
    apps_of: ListsEdit[str, str] = ListsEdit(old.assigned_apps, overlay=True)
    rescan_apps: set[str] = set()
    rescan_principals: set[str] = set()
    for key in delta.removed:
        principal, app = str(key[0]), str(key[1])
        _drop_one(assignees, app, principal, rescan_apps)
        _drop_one(apps_of, principal, app, rescan_principals)
    for a in delta.added:
        if delta.tail:
            assignees.edit(a.app).append(a.principal)
            apps_of.edit(a.principal).append(a.app)
        else:
            rescan_apps.add(a.app)
            rescan_principals.add(a.principal)
    if rescan_apps or rescan_principals:
        by_app, by_principal = _scan(new.world.assignments, rescan_apps, rescan_principals)
        for app, principals in by_app.items():
            assignees.reset(app, principals)
        for principal, apps in by_principal.items():
            apps_of.reset(principal, apps)
    new.assignees = assignees.build()
    new.assigned_apps = apps_of.build()


def _drop_one(lists: ListsEdit[str, str], key: str, value: str, rescan: set[str]) -> None:
    """Take `value` out of `lists[key]` when it is there once; else mark the list for a rescan
    (which of its equal entries went is a matter of World order)."""
    if key in rescan:
        return
    if lists.peek(key).count(value) == 1:
        lists.edit(key).remove(value)
    else:
        rescan.add(key)


def _scan(
    assignments: Iterable[AppRoleAssignment], apps: set[str], principals: set[str]
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """The assignees of `apps` and the apps of `principals`, in World order (one pass)."""
    by_app: dict[str, list[str]] = {a: [] for a in apps}
    by_principal: dict[str, list[str]] = {p: [] for p in principals}
    for a in assignments:
        found = by_app.get(a.app)
        if found is not None:
            found.append(a.principal)
        found = by_principal.get(a.principal)
        if found is not None:
            found.append(a.app)
    return by_app, by_principal
