"""Pass 2 for collaboration settings: external collaboration (who may invite, domain lists,
guest access, self-service sign-up), the tenant's Teams channel policy and identity providers.

These gate invitations, sign-up and shared channels (`lifecycle.md` §1); omitted settings are the
values Graph shows for an untouched tenant.
"""

from __future__ import annotations

from collections.abc import Mapping

from graphmodel.ingest._fields import Collector
from graphmodel.ingest._index import NameIndex, TenantEntry
from graphmodel.ingest.yamlsource import Loc
from graphmodel.schema.entities import (
    ExternalCollaboration,
    FederatedIdentityProvider,
    SelfServiceSignUp,
    TeamsPolicy,
)
from graphmodel.schema.enums import (
    AllowInvitesFrom,
    GuestUserAccess,
    IdentityProviderKind,
)
from graphmodel.schema.guest_roles import guest_access_for_role_id
from graphmodel.schema.ids import is_guid

__all__ = ["build_external_collaboration", "build_identity_providers", "build_teams_policy"]


def build_external_collaboration(
    c: Collector, index: NameIndex, tenant: TenantEntry
) -> ExternalCollaboration:
    """authorizationPolicy + domain lists + sign-up: the gates of invitation and sign-up (L1-L4,
    L33)."""
    loc = (*tenant.loc, "externalCollaboration")
    raw = tenant.raw.get("externalCollaboration")
    fields = (
        "allowInvitesFrom",
        "blockedDomains",
        "allowedDomains",
        "guestUserAccess",
        "guestUserRoleId",
        "selfServiceSignUp",
    )
    m = None if raw is None else c.mapping(raw, loc, what="externalCollaboration", fields=fields)
    if m is None:
        return ExternalCollaboration()
    lists: dict[str, tuple[str, ...] | None] = {}
    for key in ("blockedDomains", "allowedDomains"):
        lists[key] = None
        if m.get(key) is not None:
            found = [
                c.domain(text, item_loc, what=f"{key}[]", wildcard=True)
                for item_loc, text in c.texts(m[key], (*loc, key), what=key)
            ]
            lists[key] = tuple(d for d in found if d is not None)
    if lists["blockedDomains"] is not None and lists["allowedDomains"] is not None:
        later = max(("blockedDomains", "allowedDomains"), key=lambda k: c.line((*loc, k)) or 0)
        c.error(
            "conflicting-fields",
            (*loc, later),
            "`blockedDomains` and `allowedDomains` cannot both be set; a tenant keeps either a "
            "deny list or an allow list",
        )
    invites = None
    if m.get("allowInvitesFrom") is not None:
        invites = c.choice(
            m["allowInvitesFrom"],
            (*loc, "allowInvitesFrom"),
            AllowInvitesFrom,
            what="allowInvitesFrom",
        )
    access, role_id = _guest_access(c, m, loc)
    return ExternalCollaboration(
        allow_invites_from=invites,
        blocked_domains=lists["blockedDomains"],
        allowed_domains=lists["allowedDomains"],
        guest_user_access=access,
        guest_user_role_id=role_id,
        self_service_sign_up=_sign_up(
            c, index, tenant, m.get("selfServiceSignUp"), (*loc, "selfServiceSignUp")
        ),
    )


def _guest_access(
    c: Collector, m: Mapping[str, object], loc: Loc
) -> tuple[GuestUserAccess | None, str | None]:
    """`guestUserAccess` (a level name, or a role id) or Graph's `guestUserRoleId`: a documented
    id maps to its level, any other GUID is kept as an unknown level (L17) so audits can fail
    closed on it."""
    level, role = m.get("guestUserAccess"), m.get("guestUserRoleId")
    if level is not None and role is not None:
        c.error(
            "conflicting-fields",
            (*loc, "guestUserRoleId"),
            "give the guest access level once: `guestUserAccess` or `guestUserRoleId`",
        )
        return GuestUserAccess.LIMITED, None
    if role is not None:
        if not (isinstance(role, str) and is_guid(role.strip())):
            c.error(
                "invalid-value",
                (*loc, "guestUserRoleId"),
                f"`guestUserRoleId` is a role id (a GUID), not `{role}`",
            )
            return GuestUserAccess.LIMITED, None
        level = role
    if level is None:
        return GuestUserAccess.LIMITED, None
    if isinstance(level, str) and is_guid(level.strip()):
        access = guest_access_for_role_id(level)
        return access, None if access is not None else level.strip().lower()
    found = c.choice(level, (*loc, "guestUserAccess"), GuestUserAccess, what="guestUserAccess")
    return (GuestUserAccess.LIMITED if found is None else found), None


def _sign_up(
    c: Collector, index: NameIndex, tenant: TenantEntry, value: object, loc: Loc
) -> SelfServiceSignUp:
    if value is None:
        return SelfServiceSignUp()
    m = c.mapping(value, loc, what="selfServiceSignUp", fields=("enabled", "apps"))
    if m is None:
        return SelfServiceSignUp()
    apps = index.local_refs(c, tenant, m.get("apps"), (*loc, "apps"), "apps", ("app",))
    return SelfServiceSignUp(enabled=c.flag(m, "enabled", loc, default=False), apps=apps)


def build_teams_policy(c: Collector, tenant: TenantEntry) -> TeamsPolicy:
    """The tenant-wide shared-channel switches (L25); both default true, as Teams ships them."""
    loc = (*tenant.loc, "teamsPolicy")
    raw = tenant.raw.get("teamsPolicy")
    fields = ("allowUserToParticipateInExternalSharedChannel", "allowChannelSharingToExternalUser")
    m = None if raw is None else c.mapping(raw, loc, what="teamsPolicy", fields=fields)
    if m is None:
        return TeamsPolicy()
    participate, share = (c.flag(m, key, loc, default=True) for key in fields)
    return TeamsPolicy(
        allow_user_to_participate_in_external_shared_channel=participate,
        allow_channel_sharing_to_external_user=share,
    )


def _federated_tenant(
    c: Collector, index: NameIndex, kind: IdentityProviderKind | None, value: object, loc: Loc
) -> str | None:
    text = c.text(value, loc, what="tenant")
    if kind is not None and kind is not IdentityProviderKind.ENTRA:
        c.error(
            "conflicting-fields",
            loc,
            f"`tenant` names an entra tenant and needs `type: entra`, not `{kind}`",
        )
        return None
    found = None if text is None else index.tenant_for(text)
    if text is not None and found is None:
        index.unknown(c, loc, text, "a tenant")
    return None if found is None else found.name


def build_identity_providers(
    c: Collector, index: NameIndex, tenant: TenantEntry
) -> tuple[FederatedIdentityProvider, ...]:
    """`[google, {type: entra, tenant: contoso}]` → the federations the tenant offers."""
    out: list[FederatedIdentityProvider] = []
    loc = (*tenant.loc, "identityProviders")
    for item_loc, item in c.items(
        tenant.raw.get("identityProviders"), loc, what="identityProviders"
    ):
        if isinstance(item, dict):
            m = c.mapping(
                item,
                item_loc,
                what="identityProvider",
                fields=("type", "tenant"),
                required=("type",),
            )
            if m is None or "type" not in m:
                continue
            kind = c.choice(m["type"], (*item_loc, "type"), IdentityProviderKind, what="type")
            handle = None
            if m.get("tenant") is not None:
                handle = _federated_tenant(c, index, kind, m["tenant"], (*item_loc, "tenant"))
        else:
            kind = c.choice(item, item_loc, IdentityProviderKind, what="identityProviders")
            handle = None
        if kind is None:
            continue
        provider = FederatedIdentityProvider(kind=kind, tenant=handle)
        if provider in out:
            c.error("duplicate-value", item_loc, f"identity provider `{kind}` is listed twice")
            continue
        out.append(provider)
    return tuple(out)
