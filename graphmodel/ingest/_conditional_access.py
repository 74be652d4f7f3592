"""Pass 2 for Conditional Access policies (conditionalAccessPolicy, trimmed to what decisions use).

User and application conditions name this tenant's objects by handle; they are resolved to refs
here, and `externalTenants` to tenant handles, so a misspelt name is an issue instead of a policy
that silently applies to nobody.
"""

from __future__ import annotations

from graphmodel.ingest._fields import Collector
from graphmodel.ingest._index import NameIndex, TenantEntry
from graphmodel.ingest.yamlsource import Loc
from graphmodel.schema.enums import (
    CaState,
    DirectoryRole,
    ExternalUserType,
    GrantControl,
    GrantOperator,
)
from graphmodel.schema.governance import (
    CaApplications,
    CaUsers,
    ConditionalAccessPolicy,
)
from graphmodel.schema.ids import derive_id, is_guid

_GUESTS = "GuestsOrExternalUsers"
_CA_USER_KEYWORDS = ("All", _GUESTS, "None")
_CA_APP_KEYWORDS = ("All", "Office365", "None")

__all__ = ["build_conditional_access"]


def build_conditional_access(
    c: Collector, index: NameIndex, tenant: TenantEntry
) -> list[ConditionalAccessPolicy]:
    """Each policy with its conditions resolved to refs; `state` defaults to enabled,
    `grantOperator` to OR."""
    out: list[ConditionalAccessPolicy] = []
    fields = ("name", "state", "users", "applications", "grant", "grantOperator")
    for named in tenant.conditional_access.values():
        loc = named.loc
        m = c.mapping(
            named.raw,
            loc,
            what="conditionalAccess",
            fields=fields,
            required=("users", "applications"),
        )
        if m is None:  # pragma: no cover - pass 1 keeps mappings only
            continue
        grant = c.choices(m.get("grant"), (*loc, "grant"), GrantControl, what="grant")
        out.append(
            ConditionalAccessPolicy(
                tenant=tenant.name,
                name=named.name,
                id=derive_id("ca", tenant.name, named.name),
                state=c.field_choice(m, "state", loc, CaState, default=CaState.ENABLED),
                users=_ca_users(c, index, tenant, m.get("users"), (*loc, "users")),
                applications=_ca_apps(
                    c, index, tenant, m.get("applications"), (*loc, "applications")
                ),
                grant=tuple(g.value for g in grant),
                grant_operator=c.field_choice(
                    m, "grantOperator", loc, GrantOperator, default=GrantOperator.OR
                ),
            )
        )
    return out


def _ca_users(
    c: Collector, index: NameIndex, tenant: TenantEntry, value: object, loc: Loc
) -> CaUsers:
    fields = (
        "include",
        "exclude",
        "guestOrExternalUserTypes",
        "excludeGuestOrExternalUserTypes",
        "externalTenants",
        "excludeExternalTenants",
        "includeRoles",
        "excludeRoles",
    )
    m = (
        None
        if value is None
        else c.mapping(value, loc, what="users", fields=fields, required=("include",))
    )
    if m is None:
        return CaUsers()

    def refs(key: str) -> tuple[str, ...]:
        return index.local_refs(
            c, tenant, m.get(key), (*loc, key), key, ("user", "group"), _CA_USER_KEYWORDS
        )

    def types(key: str) -> tuple[ExternalUserType, ...] | None:
        if m.get(key) is None:
            return None
        return tuple(c.choices(m[key], (*loc, key), ExternalUserType, what=key))

    def tenants(key: str) -> tuple[str, ...] | None:
        return _external_tenants(c, index, m.get(key), (*loc, key), key)

    def roles(key: str) -> tuple[DirectoryRole, ...]:
        return tuple(dict.fromkeys(c.choices(m.get(key), (*loc, key), DirectoryRole, what=key)))

    def side(key: str, types_key: str) -> tuple[str, ...]:
        """A side's refs; naming guest or external user types selects those users even without
        the keyword, as Graph's `include/excludeGuestsOrExternalUsers` object does on its own
        (tenants alone select nobody: Graph takes them only beside types)."""
        found = refs(key)
        if _GUESTS not in found and m.get(types_key) is not None:
            found = (*found, _GUESTS)
        return found

    return CaUsers(
        include=side("include", "guestOrExternalUserTypes"),
        exclude=side("exclude", "excludeGuestOrExternalUserTypes"),
        guest_or_external_user_types=types("guestOrExternalUserTypes"),
        exclude_guest_or_external_user_types=types("excludeGuestOrExternalUserTypes"),
        external_tenants=tenants("externalTenants"),
        exclude_external_tenants=tenants("excludeExternalTenants"),
        include_roles=roles("includeRoles"),
        exclude_roles=roles("excludeRoles"),
    )


def _external_tenants(
    c: Collector, index: NameIndex, value: object, loc: Loc, key: str
) -> tuple[str, ...] | None:
    """`all` (or omitted) → None; otherwise tenant handles (raw ids of unknown tenants kept)."""
    if value is None or value == "all":
        return None
    if isinstance(value, str):
        c.error("invalid-value", loc, f"`{key}` is `all` or a list of tenants, not `{value}`")
        return None
    out: list[str] = []
    for item_loc, text in c.texts(value, loc, what=key):
        found = index.tenant_for(text)
        if found is not None:
            out.append(found.name)
        elif is_guid(text):
            out.append(text.lower())
        else:
            index.unknown(c, item_loc, text, "a tenant")
    return tuple(out)


def _ca_apps(
    c: Collector, index: NameIndex, tenant: TenantEntry, value: object, loc: Loc
) -> CaApplications:
    m = (
        None
        if value is None
        else c.mapping(
            value, loc, what="applications", fields=("include", "exclude"), required=("include",)
        )
    )
    if m is None:
        return CaApplications()
    include, exclude = (
        index.local_refs(c, tenant, m.get(key), (*loc, key), key, ("app",), _CA_APP_KEYWORDS)
        for key in ("include", "exclude")
    )
    return CaApplications(include=include, exclude=exclude)
