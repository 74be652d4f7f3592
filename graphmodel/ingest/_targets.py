"""Cross-tenant access targets: one B2BSetting read and its handles resolved to Graph ids.

A world file may name a target by handle (`sales`), but Graph stores object ids and application
ids, and *which tenant's* object a target means depends on where it sits (xtap.md §1.2, R5).
Resolving here, once, means the engine compares ids exactly as Entra does — a resource-side
group of the same name never matches an inbound target, and a dangling raw id never matches
anything (R40). In a partner entry for tenant P inside tenant T:

    section      usersAndGroups            applications
    inbound      P's users/groups (id)     T's apps (app id)
    outbound     T's users/groups (id)     P's apps (app id)
    restrictions P's users/groups (id)     P's apps (app id)

In T's default, inbound usersAndGroups may only be `AllUsers` (R6), inbound apps are T's, outbound
users and groups are T's, and targets in other tenants need an explicit `tenant/name` handle.
A B2BSetting given with one half only takes the other half from the effective default and is
reported as a warning (xtap.md §1.4 [INFERENCE]).
"""

from __future__ import annotations

from dataclasses import dataclass

from graphmodel.ingest._fields import Collector, suggest
from graphmodel.ingest._index import KIND_WORDS, NameIndex, TenantEntry, object_id
from graphmodel.ingest.yamlsource import Loc
from graphmodel.schema.enums import AccessType, TargetType
from graphmodel.schema.ids import is_guid
from graphmodel.schema.xtap import (
    B2BSetting,
    Keyword,
    Target,
    TargetConfiguration,
)

__all__ = ["SECTIONS", "Scope", "read_setting"]

SECTIONS = {  # world-file key -> direction
    "b2bCollaborationInbound": "inbound",
    "b2bCollaborationOutbound": "outbound",
    "b2bDirectConnectInbound": "inbound",
    "b2bDirectConnectOutbound": "outbound",
    "tenantRestrictions": "restrictions",
}
_USERS, _APPS = "usersAndGroups", "applications"

_KEYWORDS = tuple(k.value for k in Keyword)


@dataclass(frozen=True, slots=True)
class Scope:
    """Where a section sits: whose settings, for which partner, which direction."""

    home: TenantEntry
    partner: TenantEntry | None  # None: the default, or a partner id that is not in the file
    partner_key: str | None  # as written; None in the default
    section: str

    @property
    def direction(self) -> str:
        return SECTIONS[self.section]

    def owner(self, half: str) -> TenantEntry | None:
        """The tenant whose objects a bare handle in `half` names."""
        home_side = (
            (self.direction == "outbound") if half == _USERS else self.direction == "inbound"
        )
        return self.home if home_side else self.partner


def read_setting(
    c: Collector,
    index: NameIndex,
    scope: Scope,
    value: object,
    loc: Loc,
    fallback: B2BSetting | None,
) -> B2BSetting | None:
    """One B2BSetting; a missing half is taken from `fallback` (with a warning)."""
    m = c.mapping(value, loc, what=scope.section, fields=(_USERS, _APPS))
    if m is None:
        return None
    halves: dict[str, TargetConfiguration | None] = {}
    for half in (_USERS, _APPS):
        if m.get(half) is not None:
            halves[half] = _configuration(c, index, scope, half, m[half], (*loc, half))
            continue
        inherited = None
        if fallback is not None:
            inherited = fallback.users_and_groups if half == _USERS else fallback.applications
        source = "Microsoft's shipped default" if scope.partner_key is None else "the default"
        if inherited is None:
            c.error(
                "missing-field",
                loc,
                f"`{scope.section}` needs `{half}`: {source} has no `{scope.section}` to "
                "inherit it from",
            )
        else:
            c.warn(
                "b2b-setting-half-inherited",
                loc,
                f"`{scope.section}` does not set `{half}`, so it is taken from {source} "
                f"`{scope.section}` (an unusual configuration, xtap.md §1.4)",
                half=half,
            )
        halves[half] = inherited
    users, apps = halves[_USERS], halves[_APPS]
    if users is None or apps is None:
        return None
    return B2BSetting(users_and_groups=users, applications=apps)


def _configuration(
    c: Collector, index: NameIndex, scope: Scope, half: str, value: object, loc: Loc
) -> TargetConfiguration | None:
    fields = ("accessType", "targets")
    m = c.mapping(value, loc, what=half, fields=fields, required=fields)
    if m is None or "accessType" not in m:
        return None
    access = c.choice(m["accessType"], (*loc, "accessType"), AccessType, what="accessType")
    targets: list[Target] = []
    for item_loc, item in c.items(m.get("targets"), (*loc, "targets"), what="targets"):
        t = c.mapping(
            item,
            item_loc,
            what="target",
            fields=("target", "targetType"),
            required=("target", "targetType"),
        )
        if t is None or "target" not in t or "targetType" not in t:
            continue
        text = c.text(t["target"], (*item_loc, "target"), what="target")
        kind = c.choice(t["targetType"], (*item_loc, "targetType"), TargetType, what="targetType")
        if text is None or kind is None:
            continue
        resolved = _resolve(c, index, scope, half, text, kind, item_loc)
        if resolved is not None:
            targets.append(Target(target=resolved, target_type=kind))
    return (
        None if access is None else TargetConfiguration(access_type=access, targets=tuple(targets))
    )


def _resolve(
    c: Collector,
    index: NameIndex,
    scope: Scope,
    half: str,
    text: str,
    kind: TargetType,
    loc: Loc,
) -> str | None:
    """The Graph id a target stands for (keywords and raw ids as written)."""
    target_loc, type_loc = (*loc, "target"), (*loc, "targetType")
    users = half == _USERS
    allowed = (TargetType.USER, TargetType.GROUP) if users else (TargetType.APPLICATION,)
    if kind not in allowed:
        c.error(
            "target-type-mismatch",
            type_loc,
            f"`{half}` targets have `targetType` "
            + " or ".join(f"`{a}`" for a in allowed)
            + f", not `{kind}`",
        )
        return None
    if scope.partner_key is None and users and scope.direction != "outbound" and text != "AllUsers":
        c.error(
            "inbound-default-scoped",
            target_loc,
            f"the default `{scope.section}` can only target `AllUsers`; scope users and groups "
            "in a partner entry (R6)",
        )
        return None
    if text in _KEYWORDS:
        return _keyword(c, Keyword(text), half, kind, target_loc, type_loc)
    if is_guid(text):
        return text.lower()  # may dangle: a deleted object's id never matches (R40)
    owner_name, slash, name = text.rpartition("/")
    owner = index.tenants.get(owner_name) if slash else scope.owner(half)
    if slash and owner is None:
        index.unknown(c, target_loc, text, "a tenant")
        return None
    if owner is None:
        where = (
            f"the default `{scope.section}` can name objects of any tenant"
            if scope.partner_key is None
            else f"partner `{scope.partner_key}` is not a tenant of this file"
        )
        c.error(
            "unknown-reference",
            target_loc,
            f"`{text}` is not a keyword or an id{suggest(text, _KEYWORDS)}, and {where}; write "
            "it as `tenant/name` or a raw id",
        )
        return None
    wanted = ("user", "group") if users else ("app",)
    found = owner.kinds.get(name)
    if found is None:
        names = [n for n, k in owner.kinds.items() if k in wanted]
        hint = suggest(text, _KEYWORDS) or suggest(name, names)
        c.error(
            "unknown-reference",
            target_loc,
            f"`{text}` is not a keyword, an id or "
            + ("a user or group" if users else "an app")
            + f" of tenant `{owner.name}`{hint}",
        )
        return None
    if found not in wanted:
        c.error(
            "invalid-reference",
            target_loc,
            f"`{text}` is {KIND_WORDS[found]} of tenant `{owner.name}`, not "
            + ("a user or group" if users else "an app"),
        )
        return None
    if users:
        if found != kind.value:
            c.error(
                "target-type-mismatch",
                type_loc,
                f"`{text}` is a {found}; set `targetType: {found}`",
            )
            return None
        return object_id(found, owner.name, name)
    return index.app_id(owner, owner.objects["app"][name])


def _keyword(
    c: Collector, keyword: Keyword, half: str, kind: TargetType, target_loc: Loc, type_loc: Loc
) -> str | None:
    for_users = keyword is Keyword.ALL_USERS
    if for_users != (half == _USERS):
        c.error(
            "invalid-value",
            target_loc,
            f"`{keyword}` is a keyword for `{_USERS if for_users else _APPS}`, not `{half}`",
        )
        return None
    needed = TargetType.USER if for_users else TargetType.APPLICATION
    if kind is not needed:
        c.error("target-type-mismatch", type_loc, f"`{keyword}` needs `targetType: {needed}`")
        return None
    return keyword.value
