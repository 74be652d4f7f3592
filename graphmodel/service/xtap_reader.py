"""Reading Graph-shaped cross-tenant access settings for mutations, validated like a world file.

Why a separate reader: a mutation body is the same Microsoft Graph shape a world file's
`crossTenantAccess` holds (crossTenantAccessPolicyConfigurationDefault / Partner), so it is held
to the same rules (`graphmodel.ingest`'s `_targets`), checked against the *stored* World instead
of a file's name index, and every problem is reported at once as a located `Issue`
(`loc` = `("input", "b2bCollaborationInbound", "usersAndGroups", "targets", 0, "target")`):

- `targetType` must fit the half (`usersAndGroups`: user or group; `applications`: application)
  and a keyword its half (`target-type-mismatch`, `invalid-value`);
- the default's inbound and tenant-restrictions `usersAndGroups` can only target `AllUsers` (R6)
  (`inbound-default-scoped`);
- a target is a keyword, a raw id (kept as written, lower-cased: a dangling id never matches,
  R40), a `tenant/name` handle, or a bare name resolved in the tenant whose objects Graph's id
  would name (xtap.md §1.2, R5) (`unknown-reference`, `invalid-reference`);
- a `B2BSetting` with one half takes the other from the effective value it replaces and is
  reported as a warning (`b2b-setting-half-inherited`, xtap.md §1.4 [INFERENCE]).

PATCH semantics: a key that is absent leaves the value unchanged, an explicit null resets it
(a partner section then inherits the default, R3; a default section returns to Microsoft's
shipped default).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from graphmodel.errors import Issue, WorldInvalid
from graphmodel.schema.entities import Tenant
from graphmodel.schema.enums import AccessType, TargetType
from graphmodel.schema.ids import is_guid
from graphmodel.schema.world import World
from graphmodel.schema.xtap import (
    SERVICE_DEFAULT,
    B2BSetting,
    Keyword,
    Target,
    TargetConfiguration,
)

__all__ = ["SECTIONS", "Reader", "Side", "shipped_section", "with_tenant"]

SECTIONS = {  # Graph key -> (direction, snake_case attribute)
    "b2bCollaborationInbound": ("inbound", "b2b_collaboration_inbound"),
    "b2bCollaborationOutbound": ("outbound", "b2b_collaboration_outbound"),
    "b2bDirectConnectInbound": ("inbound", "b2b_direct_connect_inbound"),
    "b2bDirectConnectOutbound": ("outbound", "b2b_direct_connect_outbound"),
    "tenantRestrictions": ("restrictions", "tenant_restrictions"),
}
_USERS, _APPS = "usersAndGroups", "applications"
_KEYWORDS = frozenset(k.value for k in Keyword)
Loc = tuple[str | int, ...]
E = TypeVar("E", AccessType, TargetType)


@dataclass(frozen=True, slots=True)
class Side:
    """Whose settings (`home`) and, for a partner entry, which partner (None in the default)."""

    home: Tenant
    partner: Tenant | None
    is_default: bool


@dataclass(slots=True)
class Reader:
    """Reads Graph-shaped settings against `world`, collecting errors and warnings."""

    world: World
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)

    def error(self, code: str, loc: Loc, msg: str) -> None:
        self.errors.append(Issue(code=code, loc=("input", *loc), msg=msg))

    def raise_if_invalid(self) -> None:
        if self.errors:
            raise WorldInvalid(self.errors)

    def flag(self, body: Mapping[str, object], key: str, loc: Loc, default: bool) -> bool:
        value = body.get(key, default)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.error("wrong-type", (*loc, key), f"`{key}` must be true or false")
            return default
        return value

    def opt_flag(self, body: Mapping[str, object], key: str, loc: Loc) -> bool | None:
        value = body.get(key)
        return None if value is None else self.flag(body, key, loc, False)

    def mapping(self, value: object, loc: Loc, fields: tuple[str, ...]) -> Mapping[str, object]:
        if not isinstance(value, Mapping):
            self.error("wrong-type", loc, "expected an object")
            return {}
        for key in value:
            if key not in fields:
                self.error("unknown-field", (*loc, str(key)), f"unknown field `{key}`")
        return value

    def setting(
        self, side: Side, section: str, value: object, loc: Loc, current: B2BSetting | None
    ) -> B2BSetting | None:
        """One B2BSetting; a missing half comes from `current` (with a warning)."""
        body = self.mapping(value, loc, (_USERS, _APPS))
        halves: dict[str, TargetConfiguration | None] = {}
        for half in (_USERS, _APPS):
            if body.get(half) is not None:
                halves[half] = self._configuration(side, section, half, body[half], (*loc, half))
                continue
            inherited = None
            if current is not None:
                inherited = current.users_and_groups if half == _USERS else current.applications
            if inherited is None:
                self.error(
                    "missing-field",
                    (*loc, half),
                    f"`{section}` needs `{half}`: there is no current `{section}` to take it from",
                )
            else:
                self.warnings.append(
                    Issue(
                        code="b2b-setting-half-inherited",
                        loc=("input", *loc),
                        msg=f"`{section}` does not set `{half}`, so it keeps the effective "
                        f"`{half}` (an unusual configuration, xtap.md §1.4)",
                    )
                )
            halves[half] = inherited
        users, apps = halves[_USERS], halves[_APPS]
        if users is None or apps is None:
            return None
        return B2BSetting(users_and_groups=users, applications=apps)

    def _configuration(
        self, side: Side, section: str, half: str, value: object, loc: Loc
    ) -> TargetConfiguration | None:
        body = self.mapping(value, loc, ("accessType", "targets"))
        access = self._choice(body.get("accessType"), (*loc, "accessType"), AccessType)
        raw_targets = body.get("targets") or []
        if not isinstance(raw_targets, list):
            self.error("wrong-type", (*loc, "targets"), "`targets` must be a list")
            raw_targets = []
        targets: list[Target] = []
        for i, item in enumerate(raw_targets):
            item_loc = (*loc, "targets", i)
            t = self.mapping(item, item_loc, ("target", "targetType"))
            text, kind = (
                t.get("target"),
                self._choice(t.get("targetType"), (*item_loc, "targetType"), TargetType),
            )
            if not isinstance(text, str) or not text:
                self.error("missing-field", (*item_loc, "target"), "`target` must be a string")
                continue
            if kind is None:
                continue
            resolved = self._resolve(side, section, half, text, kind, item_loc)
            if resolved is not None:
                targets.append(Target(target=resolved, target_type=kind))
        if access is None:
            return None
        return TargetConfiguration(access_type=access, targets=tuple(targets))

    def _choice(self, value: object, loc: Loc, enum: type[E]) -> E | None:
        try:
            return enum(str(value))
        except ValueError:
            allowed = ", ".join(f"`{e.value}`" for e in enum)
            self.error("invalid-value", loc, f"`{value}` is not one of {allowed}")
            return None

    def _owner(self, side: Side, section: str, half: str) -> Tenant | None:
        direction = SECTIONS[section][0]
        home_side = (direction == "outbound") if half == _USERS else direction == "inbound"
        return side.home if home_side else side.partner

    def _resolve(
        self, side: Side, section: str, half: str, text: str, kind: TargetType, loc: Loc
    ) -> str | None:
        target_loc, type_loc = (*loc, "target"), (*loc, "targetType")
        users = half == _USERS
        allowed = (TargetType.USER, TargetType.GROUP) if users else (TargetType.APPLICATION,)
        if kind not in allowed:
            names = " or ".join(f"`{a.value}`" for a in allowed)
            self.error(
                "target-type-mismatch", type_loc, f"`{half}` targets have `targetType` {names}"
            )
            return None
        inbound_like = SECTIONS[section][0] != "outbound"
        if side.is_default and users and inbound_like and text != Keyword.ALL_USERS.value:
            self.error(
                "inbound-default-scoped",
                target_loc,
                f"the default `{section}` can only target `AllUsers`; scope users and groups in "
                "a partner entry (R6)",
            )
            return None
        if text in _KEYWORDS:
            return self._keyword(Keyword(text), half, kind, target_loc, type_loc)
        if is_guid(text):
            return text.lower()
        owner_name, slash, name = text.rpartition("/")
        owner = (
            self.world.tenant_by_name.get(owner_name) if slash else self._owner(side, section, half)
        )
        if owner is None:
            self.error(
                "unknown-reference",
                target_loc,
                f"`{text}` is not a keyword, an id or a handle this entry can resolve; write it as "
                "`tenant/name` or a raw id",
            )
            return None
        ref = f"{owner.name}/{name}"
        if users:
            user, group = self.world.user_by_ref.get(ref), self.world.group_by_ref.get(ref)
            found, found_kind = (user, "user") if user else (group, "group")
            if found is None:
                self.error("unknown-reference", target_loc, f"`{ref}` is not a user or group")
                return None
            if found_kind != kind.value:
                self.error(
                    "target-type-mismatch",
                    type_loc,
                    f"`{ref}` is a {found_kind}; set `targetType: {found_kind}`",
                )
                return None
            return found.id
        app = self.world.app_by_ref.get(ref)
        if app is None:
            self.error("unknown-reference", target_loc, f"`{ref}` is not an app")
            return None
        return app.app_id

    def _keyword(
        self, keyword: Keyword, half: str, kind: TargetType, target_loc: Loc, type_loc: Loc
    ) -> str | None:
        for_users = keyword is Keyword.ALL_USERS
        if for_users != (half == _USERS):
            self.error(
                "invalid-value",
                target_loc,
                f"`{keyword.value}` is a keyword for `{_USERS if for_users else _APPS}`",
            )
            return None
        needed = TargetType.USER if for_users else TargetType.APPLICATION
        if kind is not needed:
            self.error(
                "target-type-mismatch",
                type_loc,
                f"`{keyword.value}` needs `targetType: {needed.value}`",
            )
            return None
        return keyword.value


def shipped_section(attr: str) -> B2BSetting | None:
    """Microsoft's shipped default for a default-configuration section."""
    value = getattr(SERVICE_DEFAULT, attr)
    assert value is None or isinstance(value, B2BSetting)
    return value


def with_tenant(world: World, old: Tenant, new: Tenant) -> World:
    """`world` with tenant `old` replaced by `new`."""
    tenants = tuple(new if t is old else t for t in world.tenants)
    return dataclasses.replace(world, tenants=tenants)
