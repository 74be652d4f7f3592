"""Pass 2 for users: what Graph holds for each user object, from the world file's terse form.

`- alice` is a member (`alice@<primary domain>`); `guestOf` makes an invited B2B guest and
`syncedFrom` a cross-tenant-synced user, both pointing at a home account in another tenant; a
non-entra `identityProvider` makes a social/OTP/SAML guest in a workforce tenant and a consumer
account in a B2C tenant. The user principal name, mail, userType, externalUserState and
creationType follow Graph's conventions for each (`graph-schemas.md`), so the engine can read
them as it would read an export.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from graphmodel.ingest._fields import Collector
from graphmodel.ingest._index import Named, NameIndex, TenantEntry, object_id
from graphmodel.ingest.yamlsource import Loc
from graphmodel.schema.entities import User
from graphmodel.schema.enums import (
    CreationType,
    DirectoryRole,
    ExternalUserState,
    IdentityProviderKind,
    TenantType,
    UserType,
)

__all__ = ["DATE_FIELDS", "USER_FIELDS", "build_users"]

# Graph's user dates, kept as given (ISO 8601, UTC); an absent date is unknown.
DATE_FIELDS = ("createdDateTime", "externalUserStateChangeDateTime", "lastSignInDateTime")

USER_FIELDS = (
    "name",
    "email",
    "accountEnabled",
    "roles",
    "userType",
    "identityProvider",
    "guestOf",
    "syncedFrom",
    "state",
    *DATE_FIELDS,
)


@dataclass(frozen=True, slots=True)
class _Home:
    ref: str
    upn: str
    mail: str


def build_users(c: Collector, index: NameIndex, tenant: TenantEntry) -> list[User]:
    """The tenant's users in file order, each with the Graph fields its kind implies."""
    out: list[User] = []
    for named in tenant.objects["user"].values():
        user = _user(c, index, tenant, named)
        if user is not None:
            out.append(user)
    return out


def _user(c: Collector, index: NameIndex, tenant: TenantEntry, named: Named) -> User | None:
    loc, name = named.loc, named.name
    m = c.mapping(named.raw, loc, what="user", fields=USER_FIELDS)
    if m is None:  # pragma: no cover - pass 1 keeps mappings only
        return None
    idp = c.field_choice(
        m, "identityProvider", loc, IdentityProviderKind, default=IdentityProviderKind.ENTRA
    )
    email = c.email(m["email"], (*loc, "email"), what="email") if "email" in m else None
    given_type = (
        c.choice(m["userType"], (*loc, "userType"), UserType, what="userType")
        if m.get("userType") is not None
        else None
    )
    state = (
        c.choice(m["state"], (*loc, "state"), ExternalUserState, what="state")
        if m.get("state") is not None
        else None
    )
    guest_of = _home(c, index, tenant, m, "guestOf", loc)
    synced_from = _home(c, index, tenant, m, "syncedFrom", loc)
    if m.get("guestOf") is not None and m.get("syncedFrom") is not None:
        c.error(
            "conflicting-fields",
            (*loc, "syncedFrom"),
            "a user is either invited (`guestOf`) or synced (`syncedFrom`), not both",
        )
    home_given = m.get("guestOf") is not None or m.get("syncedFrom") is not None
    if home_given and idp is not IdentityProviderKind.ENTRA:
        c.error(
            "conflicting-fields",
            (*loc, "identityProvider"),
            f"a user with a home account in another tenant signs in with `entra`, not `{idp}`",
        )
    consumer = tenant.type is TenantType.B2C and idp is not IdentityProviderKind.ENTRA
    social_guest = not home_given and not consumer and idp is not IdentityProviderKind.ENTRA
    if social_guest and idp is IdentityProviderKind.LOCAL:
        c.error(
            "invalid-value",
            (*loc, "identityProvider"),
            f"local accounts exist only in b2c tenants, and `{tenant.name}` is a workforce tenant",
        )
    invited = m.get("guestOf") is not None or social_guest
    if state is not None and not invited:
        c.error(
            "invalid-value",
            (*loc, "state"),
            "`state` is the invitation state of a guest (`guestOf` or a non-entra "
            "`identityProvider`); this user was not invited",
        )
    if m.get("externalUserStateChangeDateTime") is not None and not invited:
        c.error(
            "invalid-value",
            (*loc, "externalUserStateChangeDateTime"),
            "`externalUserStateChangeDateTime` dates the invitation state of a guest; this user "
            "was not invited",
        )
    home = guest_of or synced_from
    local_upn = f"{name}@{tenant.domains[0]}"
    external = home_given or social_guest
    if external:
        source = email or (home.upn if home else None)
        if source is None:
            upn = f"{name}#EXT#@{tenant.name}.onmicrosoft.com"
        else:
            local, _, domain = source.rpartition("@")
            upn = f"{local}_{domain}#EXT#@{tenant.name}.onmicrosoft.com"
    else:
        upn = local_upn
    mail = email or (home.mail if home else None) or upn
    if invited:
        user_type = given_type or UserType.GUEST
        ext_state: ExternalUserState | None = state or ExternalUserState.ACCEPTED
        creation: CreationType | None = CreationType.INVITATION
    else:
        user_type, ext_state = given_type or UserType.MEMBER, None
        creation = CreationType.LOCAL_ACCOUNT if consumer else None
    return User(
        tenant=tenant.name,
        name=name,
        id=object_id("user", tenant.name, name),
        user_principal_name=upn,
        mail=mail,
        user_type=user_type,
        external_user_state=ext_state,
        creation_type=creation,
        account_enabled=c.flag(m, "accountEnabled", loc, default=True),
        identity_provider=idp,
        roles=tuple(c.choices(m.get("roles"), (*loc, "roles"), DirectoryRole, what="roles")),
        guest_of=guest_of.ref if guest_of else None,
        synced_from=synced_from.ref if synced_from else None,
        created_date_time=_date(c, m, "createdDateTime", loc),
        external_user_state_change_date_time=_date(c, m, "externalUserStateChangeDateTime", loc),
        last_sign_in_date_time=_date(c, m, "lastSignInDateTime", loc),
    )


def _date(c: Collector, m: dict[str, object], key: str, loc: Loc) -> datetime | None:
    if m.get(key) is None:
        return None
    return c.timestamp(m[key], (*loc, key), what=key)


def _home(
    c: Collector, index: NameIndex, tenant: TenantEntry, m: dict[str, object], key: str, loc: Loc
) -> _Home | None:
    """The home account a guest (`guestOf`) or synced user (`syncedFrom`) stands for."""
    if m.get(key) is None:
        return None
    loc = (*loc, key)
    ref = c.text(m[key], loc, what=key)
    if ref is None or index.user_ref(c, loc, ref) is None:
        return None
    found = index.lookup(ref)
    assert found is not None  # INVARIANT: user_ref succeeded
    home_tenant, _, home = found
    if home_tenant is tenant:
        c.error(
            "invalid-reference", loc, f"`{key}` must name a user of another tenant, not `{ref}`"
        )
        return None
    if index.is_external(home_tenant, home):
        c.error(
            "invalid-reference",
            loc,
            f"`{ref}` is itself an external or non-entra account; `{key}` must name the "
            "person's entra home account",
        )
        return None
    upn = f"{home.name}@{home_tenant.domains[0]}"
    raw_mail = home.raw.get("email")
    mail = raw_mail if isinstance(raw_mail, str) and "@" in raw_mail else upn
    return _Home(ref=ref, upn=upn, mail=mail)
