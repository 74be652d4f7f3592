"""Pass 1 of world loading: every name in the file, so pass 2 can resolve references anywhere.

A reference may point forward (a guest listed before its home tenant) or across tenants, so the
loader first records each tenant and, per tenant, its users, groups, apps and teams (one name
space: the `tenant/name` handle must be unambiguous), channels per team, and Conditional Access
policies, connected organizations and access packages (each their own name space). Pass 1 also
reads the tenant scalars that other tenants' objects depend on (id, domains, cloud, type).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from graphmodel.ingest._fields import Collector, suggest
from graphmodel.ingest.yamlsource import Loc
from graphmodel.schema.builtin import BUILTIN_APP_IDS
from graphmodel.schema.enums import BuiltinApp, Cloud, IdentityProviderKind, TenantType
from graphmodel.schema.ids import derive_id, is_guid

__all__ = ["KIND_WORDS", "Kind", "NameIndex", "Named", "TenantEntry", "build_index", "object_id"]

Kind = Literal["user", "group", "app", "team"]
_OBJECT_LISTS: tuple[tuple[str, Kind], ...] = (
    ("users", "user"),
    ("groups", "group"),
    ("apps", "app"),
    ("teams", "team"),
)
_PREFIXES: dict[str, Kind] = {"user": "user", "group": "group", "app": "app"}
_BUILTIN_NAMES = frozenset(b.value for b in BuiltinApp)
KIND_WORDS: dict[Kind, str] = {
    "user": "a user",
    "group": "a group",
    "app": "an app",
    "team": "a team",
}


def object_id(kind: Kind, tenant: str, name: str) -> str:
    """The Graph object id given to a user, group, app or team the file does not number."""
    return derive_id(kind, tenant, name)


@dataclass(slots=True)
class Named:
    """One named item of the file: its handle, where it is, and its mapping."""

    name: str
    loc: Loc
    raw: dict[str, object]


@dataclass(slots=True)
class TenantEntry:
    name: str
    loc: Loc
    raw: dict[str, object]
    id: str
    domains: tuple[str, ...]
    cloud: Cloud
    type: TenantType
    kinds: dict[str, Kind] = field(default_factory=dict)
    objects: dict[Kind, dict[str, Named]] = field(
        default_factory=lambda: {"user": {}, "group": {}, "app": {}, "team": {}}
    )
    channels: dict[str, dict[str, Named]] = field(default_factory=dict)  # team -> channel
    conditional_access: dict[str, Named] = field(default_factory=dict)
    connected_organizations: dict[str, Named] = field(default_factory=dict)
    access_packages: dict[str, Named] = field(default_factory=dict)

    def get(self, kind: Kind, name: str) -> Named | None:
        return self.objects[kind].get(name)


@dataclass(slots=True)
class NameIndex:
    tenants: dict[str, TenantEntry] = field(default_factory=dict)
    by_id: dict[str, TenantEntry] = field(default_factory=dict)

    def tenant_for(self, key: str) -> TenantEntry | None:
        """The tenant a handle or a tenant id names."""
        return self.tenants.get(key) or self.by_id.get(key.lower())

    def split(self, ref: str) -> tuple[TenantEntry, str] | None:
        tenant, sep, name = ref.partition("/")
        entry = self.tenants.get(tenant)
        return (entry, name) if sep and entry is not None else None

    def lookup(self, ref: str) -> tuple[TenantEntry, Kind, Named] | None:
        """The user, group, app or team a `tenant/name` handle names."""
        found = self.split(ref)
        if found is None:
            return None
        tenant, name = found
        kind = tenant.kinds.get(name)
        if kind is None:
            return None
        return tenant, kind, tenant.objects[kind][name]

    def is_external(self, tenant: TenantEntry, user: Named) -> bool:
        """Whether a user object stands for someone else's identity (guest, synced, social)."""
        raw = user.raw
        if raw.get("guestOf") is not None or raw.get("syncedFrom") is not None:
            return True
        idp = raw.get("identityProvider", IdentityProviderKind.ENTRA.value)
        return idp not in (IdentityProviderKind.ENTRA.value, None)

    def app_id(self, tenant: TenantEntry, app: Named, _depth: int = 0) -> str:
        """The application (client) id: first-party, the registration's, or derived."""
        builtin = app.raw.get("builtin")
        if isinstance(builtin, str) and builtin in _BUILTIN_NAMES:
            return BUILTIN_APP_IDS[BuiltinApp(builtin)]
        target = app.raw.get("instanceOf")
        if isinstance(target, str) and _depth < 8:
            found = self.lookup(target)
            if found is not None and found[1] == "app" and found[0] is not tenant:
                return self.app_id(found[0], found[2], _depth + 1)
        return derive_id("appId", tenant.name, app.name)

    def describe(self, ref: str) -> str:
        """`a user`, `a group`... for the object a handle names ('nothing' if none)."""
        found = self.lookup(ref)
        return KIND_WORDS[found[1]] if found else "nothing"

    def unknown(self, c: Collector, loc: Loc, ref: str, wanted: str) -> None:
        """Report `ref` as naming no `wanted`, with the closest name as a suggestion."""
        tenant_name, sep, name = ref.partition("/")
        tenant = self.tenants.get(tenant_name)
        if not sep:
            hint = suggest(ref, self.tenants)
            c.error("unknown-reference", loc, f"`{ref}` is not a tenant of this file{hint}")
        elif tenant is None:
            hint = suggest(tenant_name, self.tenants)
            c.error("unknown-reference", loc, f"`{ref}`: no tenant `{tenant_name}`{hint}")
        else:
            hint = suggest(name, tenant.kinds)
            c.error(
                "unknown-reference",
                loc,
                f"`{ref}` is not {wanted} of tenant `{tenant_name}`{hint}",
            )

    def local_ref(
        self,
        c: Collector,
        tenant: TenantEntry,
        text: str,
        loc: Loc,
        *,
        kinds: tuple[Kind, ...],
    ) -> tuple[Kind, str] | None:
        """Resolve `name`, `group:name`/`app:name`/`user:name` or `tenant/name` in `tenant`.

        Returns the kind and the `tenant/name` ref, or None after recording why not.
        """
        name, marked = text, None
        prefix, colon, rest = text.partition(":")
        if colon and prefix in _PREFIXES:
            name, marked = rest, _PREFIXES[prefix]
        owner, slash, local = name.partition("/")
        if slash:
            if owner != tenant.name:
                c.error(
                    "invalid-reference",
                    loc,
                    f"`{text}` names an object of tenant `{owner}`; only objects of "
                    f"`{tenant.name}` can be used here",
                )
                return None
            name = local
        wanted = " or ".join(KIND_WORDS[k] for k in kinds)
        kind = tenant.kinds.get(name)
        if kind is None:
            hint = suggest(name, [n for n, k in tenant.kinds.items() if k in kinds])
            c.error(
                "unknown-reference",
                loc,
                f"`{text}` is not {wanted} of tenant `{tenant.name}`{hint}",
            )
            return None
        if kind not in kinds or (marked is not None and marked != kind):
            expected = KIND_WORDS[marked] if marked is not None else wanted
            c.error(
                "invalid-reference",
                loc,
                f"`{name}` is {KIND_WORDS[kind]} of tenant `{tenant.name}`, not {expected}",
            )
            return None
        return kind, f"{tenant.name}/{name}"

    def local_refs(
        self,
        c: Collector,
        tenant: TenantEntry,
        value: object,
        loc: Loc,
        what: str,
        kinds: tuple[Kind, ...],
        keywords: tuple[str, ...] = (),
    ) -> tuple[str, ...]:
        """A list of this tenant's object names → refs, once each; `keywords` kept as written."""
        out: dict[str, None] = {}  # an ordered set
        for item_loc, text in c.texts(value, loc, what=what):
            if text in keywords:
                out.setdefault(text)
                continue
            found = self.local_ref(c, tenant, text, item_loc, kinds=kinds)
            if found is not None:
                out.setdefault(found[1])
        return tuple(out)

    def user_ref(self, c: Collector, loc: Loc, text: str, *, what: str = "a user") -> str | None:
        """A `tenant/user` handle naming an existing user of any tenant."""
        found = self.lookup(text)
        if found is None:
            self.unknown(c, loc, text, what)
            return None
        if found[1] != "user":
            c.error("invalid-reference", loc, f"`{text}` is {KIND_WORDS[found[1]]}, not {what}")
            return None
        return text


def build_index(c: Collector, tenants: list[tuple[Loc, object]]) -> NameIndex:
    """Record every tenant and the names it holds; duplicates and bad names are issues."""
    index = NameIndex()
    domains: dict[str, str] = {}
    for loc, raw in tenants:
        entry = _tenant_entry(c, index, loc, raw)
        if entry is None:
            continue
        for domain in entry.domains:
            if domain in domains:
                c.error(
                    "duplicate-value",
                    (*loc, "domains"),
                    f"domain `{domain}` is already verified by tenant `{domains[domain]}`",
                )
            domains.setdefault(domain, entry.name)
        _collect_objects(c, entry)
        _collect_named(
            c, entry, "conditionalAccess", "conditional access policy", entry.conditional_access
        )
        _collect_named(
            c,
            entry,
            "connectedOrganizations",
            "connected organization",
            entry.connected_organizations,
        )
        _collect_named(c, entry, "accessPackages", "access package", entry.access_packages)
    return index


def _tenant_entry(c: Collector, index: NameIndex, loc: Loc, raw: object) -> TenantEntry | None:
    if not isinstance(raw, dict):
        c.wrong_type(loc, "tenants[]", "a mapping", raw)
        return None
    if "name" not in raw:
        c.error("missing-field", loc, "`tenant` needs `name`")
        return None
    name = c.name(raw["name"], (*loc, "name"), what="name")
    if name is None:
        return None
    if name in index.tenants:
        first = index.tenants[name]
        c.error(
            "duplicate-name",
            (*loc, "name"),
            f"tenant `{name}` is already defined (line {c.line(first.loc)})",
        )
        return None
    tenant_id = derive_id("tenant", name)
    if raw.get("id") is not None:
        given = c.text(raw["id"], (*loc, "id"), what="id")
        if given is not None and not is_guid(given):
            c.error("invalid-value", (*loc, "id"), f"tenant id `{given}` is not a GUID")
        elif given is not None:
            tenant_id = given.lower()
    if tenant_id in index.by_id:
        c.error(
            "duplicate-id",
            (*loc, "id"),
            f"tenant id `{tenant_id}` is already the id of `{index.by_id[tenant_id].name}`",
        )
    domains: list[str] = []
    if "domains" in raw:
        for item_loc, text in c.texts(raw["domains"], (*loc, "domains"), what="domains"):
            domain = c.domain(text, item_loc, what="domains[]")
            if domain is not None:
                domains.append(domain)
        if not domains and isinstance(raw["domains"], list) and not raw["domains"]:
            c.error("invalid-value", (*loc, "domains"), "`domains` needs at least one domain")
    else:
        domains.append(f"{name}.com".lower())
    entry = TenantEntry(
        name=name,
        loc=loc,
        raw=raw,
        id=tenant_id,
        domains=tuple(domains) or (f"{name}.com".lower(),),
        cloud=c.field_choice(raw, "cloud", loc, Cloud, default=Cloud.GLOBAL),
        type=c.field_choice(raw, "type", loc, TenantType, default=TenantType.WORKFORCE),
    )
    index.tenants[name] = entry
    index.by_id.setdefault(tenant_id, entry)
    return entry


def _collect_objects(c: Collector, tenant: TenantEntry) -> None:
    for key, kind in _OBJECT_LISTS:
        loc = (*tenant.loc, key)
        for item_loc, item in c.items(tenant.raw.get(key), loc, what=key):
            named = _named(c, item_loc, item, kind, allow_bare=kind == "user")
            if named is None:
                continue
            other = tenant.kinds.get(named.name)
            if other is not None:
                first = tenant.objects[other][named.name]
                c.error(
                    "duplicate-name",
                    (*item_loc, "name") if isinstance(item, dict) else item_loc,
                    f"`{named.name}` is already the name of {KIND_WORDS[other]} in tenant "
                    f"`{tenant.name}` (line {c.line(first.loc)}); names are "
                    "unique across a tenant's users, groups, apps and teams",
                )
                continue
            tenant.kinds[named.name] = kind
            tenant.objects[kind][named.name] = named
            if kind == "team":
                tenant.channels[named.name] = {}
                _collect_channels(c, tenant, named)


def _collect_channels(c: Collector, tenant: TenantEntry, team: Named) -> None:
    channels = tenant.channels[team.name]
    loc = (*team.loc, "channels")
    for item_loc, item in c.items(team.raw.get("channels"), loc, what="channels"):
        named = _named(c, item_loc, item, "channel", allow_bare=False)
        if named is None:
            continue
        if named.name in channels:
            c.error(
                "duplicate-name",
                (*item_loc, "name"),
                f"team `{tenant.name}/{team.name}` already has a channel `{named.name}`",
            )
            continue
        channels[named.name] = named


def _collect_named(
    c: Collector, tenant: TenantEntry, key: str, what: str, into: dict[str, Named]
) -> None:
    loc = (*tenant.loc, key)
    for item_loc, item in c.items(tenant.raw.get(key), loc, what=key):
        named = _named(c, item_loc, item, what, allow_bare=False)
        if named is None:
            continue
        if named.name in into:
            c.error(
                "duplicate-name",
                (*item_loc, "name"),
                f"tenant `{tenant.name}` already has a {what} `{named.name}`",
            )
            continue
        into[named.name] = named


def _named(c: Collector, loc: Loc, item: object, what: str, *, allow_bare: bool) -> Named | None:
    if allow_bare and isinstance(item, str):
        name = c.name(item, loc, what="name")
        return None if name is None else Named(name=name, loc=loc, raw={"name": item})
    if not isinstance(item, dict):
        expected = "a name or a mapping" if allow_bare else "a mapping"
        c.wrong_type(loc, what, expected, item)
        return None
    if "name" not in item:
        c.error("missing-field", loc, f"`{what}` needs `name`")
        return None
    name = c.name(item["name"], (*loc, "name"), what="name")
    return None if name is None else Named(name=name, loc=loc, raw=item)
