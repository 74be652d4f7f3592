"""Invitation mutations as pure `World -> World` functions (Graph `POST /invitations`).

Why here and not in the engine: whether an invitation is *allowed* is the engine's question
(`can_invite`, asked by `graphmodel.service.management` before calling these); what an allowed
invitation *writes* is plain Graph bookkeeping, done here: the guest user object is created at
once in `PendingAcceptance` with `creationType: Invitation` and an `#EXT#` UPN (L5), next to an
`Invitation` entity holding the `inviteRedeemUrl`. Redemption flips both to accepted (L7).

An invitee whose address belongs to an Entra home account in the world becomes a guest of that
account (`guestOf`, identity provider `entra`). Any other invitee is modelled, until redemption,
as an email one-time-passcode guest; redemption may name the provider actually used (L9).
Random parts (invitation id, ticket) are arguments, so the functions stay deterministic.
"""

from __future__ import annotations

import dataclasses
import re
from urllib.parse import quote, urlsplit

from graphmodel.changes import Add, ChangeSet, entity_patch
from graphmodel.errors import Conflict, Issue, NodeNotFound, WorldInvalid
from graphmodel.schema.entities import Tenant, User
from graphmodel.schema.enums import (
    Cloud,
    CreationType,
    DirectoryRole,
    ExternalUserState,
    IdentityProviderKind,
    InvitationStatus,
    TenantType,
    UserType,
)
from graphmodel.schema.governance import Invitation
from graphmodel.schema.ids import derive_id
from graphmodel.schema.world import World
from graphmodel.service.mutations import invalid, user_named

__all__ = [
    "ADMIN_ROLES",
    "RESET_ROLES",
    "check_input",
    "create_invitation",
    "find_pending",
    "home_account",
    "redeem_invitation",
    "reset_redemption",
]

ADMIN_ROLES = frozenset({DirectoryRole.GLOBAL_ADMINISTRATOR, DirectoryRole.USER_ADMINISTRATOR})
RESET_ROLES = ADMIN_ROLES | {DirectoryRole.HELPDESK_ADMINISTRATOR}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LOGIN = {
    Cloud.GLOBAL: "login.microsoftonline.com",
    Cloud.USGOV: "login.microsoftonline.us",
    Cloud.CHINA: "login.partner.microsoftonline.cn",
}


def home_account(world: World, address: str, *, besides: str) -> User | None:
    """The Entra home account (not a guest or synced copy) whose mail or UPN is `address`."""
    wanted = address.lower()
    for u in world.users:
        if u.tenant == besides or u.home_ref is not None:
            continue
        if u.identity_provider is not IdentityProviderKind.ENTRA:
            continue
        if world.tenant_by_name[u.tenant].type is not TenantType.WORKFORCE:
            continue
        if wanted in {(u.mail or "").lower(), u.user_principal_name.lower()}:
            return u
    return None


def check_input(world: World, inviter: str, address: str, redirect_url: str) -> User:
    """The inviter, after checking every field of the request (all problems at once)."""
    issues: list[Issue] = []
    found = world.user_by_ref.get(inviter)
    if found is None:
        issues.append(
            Issue(
                code="unknown-reference",
                loc=("input", "invitedBy"),
                msg=f"`{inviter}` is not a user",
            )
        )
    if not _EMAIL.match(address):
        issues.append(
            Issue(
                code="invalid-value",
                loc=("input", "invitedUserEmailAddress"),
                msg=f"`{address}` is not an email address",
            )
        )
    parts = urlsplit(redirect_url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        issues.append(
            Issue(
                code="invalid-value",
                loc=("input", "inviteRedirectUrl"),
                msg=f"`{redirect_url}` is not an absolute http(s) URL",
            )
        )
    if issues or found is None:
        raise WorldInvalid(issues)
    return found


def _free_name(world: World, tenant: str, address: str) -> str:
    local, _, domain = address.lower().partition("@")
    base = re.sub(r"[^a-z0-9._-]+", "-", local).strip("-") or "guest"
    taken = {
        x.name
        for items in (world.users, world.groups, world.apps, world.teams)
        for x in items
        if x.tenant == tenant
    }
    for candidate in (base, f"{base}-{domain.split('.')[0]}"):
        if candidate not in taken:
            return candidate
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _redeem_url(tenant: Tenant, invitation_id: str, ticket: str) -> str:
    inner = (
        f"https://invitations.microsoft.com/redeem/?tenant={tenant.id}&user={invitation_id}"
        f"&ticket={ticket}&ver=2.0"
    )
    return f"https://{_LOGIN[tenant.cloud]}/redeem?rd={quote(inner, safe='')}"


def create_invitation(
    world: World,
    *,
    inviter: str,
    address: str,
    redirect_url: str,
    user_type: UserType = UserType.GUEST,
    invitation_id: str,
    ticket: str,
) -> tuple[ChangeSet, Invitation, User]:
    """Create the guest object and the invitation in the inviter's tenant.

    Only a Global or User Administrator may invite as `Member` (lifecycle.md §2A). The caller
    has already asked the engine whether the invitation is allowed (`can_invite`).
    """
    by = check_input(world, inviter, address, redirect_url)
    if user_type is UserType.MEMBER and not ADMIN_ROLES & set(by.roles):
        raise invalid(
            "not-permitted",
            ("invitedUserType",),
            f"only an administrator may invite as `Member`; `{by.ref}` is not one",
        )
    tenant = world.tenant_by_name[by.tenant]
    home = home_account(world, address, besides=tenant.name)
    name = _free_name(world, tenant.name, address)
    local, _, domain = address.partition("@")
    user = User(
        tenant=tenant.name,
        name=name,
        id=derive_id("user", tenant.name, name),
        user_principal_name=f"{local}_{domain}#EXT#@{tenant.name}.onmicrosoft.com",
        mail=address,
        user_type=user_type,
        external_user_state=ExternalUserState.PENDING_ACCEPTANCE,
        creation_type=CreationType.INVITATION,
        identity_provider=IdentityProviderKind.ENTRA if home else IdentityProviderKind.EMAIL_OTP,
        guest_of=home.ref if home else None,
    )
    invitation = Invitation(
        tenant=tenant.name,
        id=invitation_id,
        invited_user_email_address=address,
        invited_user=user.ref,
        invite_redeem_url=_redeem_url(tenant, invitation_id, ticket),
        invited_by=by.ref,
    )
    return ChangeSet((Add("users", user), Add("invitations", invitation))), invitation, user


def reset_redemption(
    world: World,
    *,
    inviter: str,
    user_ref: str,
    address: str,
    redirect_url: str,
    invitation_id: str,
    ticket: str,
) -> tuple[ChangeSet, Invitation, User]:
    """Re-invite an existing external user, keeping its object, memberships and grants (L11)."""
    by = check_input(world, inviter, address, redirect_url)
    if not RESET_ROLES & set(by.roles):
        raise invalid(
            "not-permitted",
            ("resetRedemption",),
            "resetting redemption needs a Helpdesk, User or Global "
            f"Administrator; `{by.ref}` is none",
        )
    user = world.user_by_ref.get(user_ref)
    if user is None or user.tenant != by.tenant or user.external_user_state is None:
        raise invalid(
            "invalid-reference",
            ("invitedUser",),
            f"`{user_ref}` is not an invited user of `{by.tenant}`",
        )
    tenant = world.tenant_by_name[by.tenant]
    home = home_account(world, address, besides=tenant.name)
    reset = dataclasses.replace(
        user,
        mail=address,
        external_user_state=ExternalUserState.PENDING_ACCEPTANCE,
        identity_provider=IdentityProviderKind.ENTRA if home else IdentityProviderKind.EMAIL_OTP,
        guest_of=home.ref if home else None,
    )
    invitation = Invitation(
        tenant=tenant.name,
        id=invitation_id,
        invited_user_email_address=address,
        invited_user=user.ref,
        invite_redeem_url=_redeem_url(tenant, invitation_id, ticket),
        invited_by=by.ref,
    )
    changes = _patched("users", user, reset) + ChangeSet((Add("invitations", invitation),))
    return changes, invitation, reset


def find_pending(
    world: World, *, invitation_id: str | None, user_ref: str | None
) -> tuple[User, Invitation | None]:
    """The pending guest (and its newest invitation, if the API created one) to redeem."""
    if (invitation_id is None) == (user_ref is None):
        raise invalid("invalid-value", (), "give exactly one of `invitationId` and `user`")
    invitation: Invitation | None = None
    if invitation_id is not None:
        invitation = next((i for i in world.invitations if i.id == invitation_id), None)
        if invitation is None:
            raise NodeNotFound(invitation_id, kind="invitation")
        user = user_named(world, invitation.invited_user)
    else:
        assert user_ref is not None  # INVARIANT: exactly one of the two was given
        user = user_named(world, user_ref)
        invitation = next(
            (i for i in reversed(world.invitations) if i.invited_user == user.ref), None
        )
    if user.external_user_state is not ExternalUserState.PENDING_ACCEPTANCE:
        raise Conflict(f"`{user.ref}` has no pending invitation to redeem")
    return user, invitation


def redeem_invitation(
    world: World,
    *,
    invitation_id: str | None = None,
    user_ref: str | None = None,
    identity_provider: IdentityProviderKind | None = None,
) -> tuple[ChangeSet, User, Invitation | None]:
    """Mark the guest `Accepted` (and its invitation `Completed`), signing in with the given
    identity provider; an invitee with an Entra home account always redeems with it (L9)."""
    user, invitation = find_pending(world, invitation_id=invitation_id, user_ref=user_ref)
    idp = identity_provider or user.identity_provider
    if user.guest_of is not None and idp is not IdentityProviderKind.ENTRA:
        raise invalid(
            "invalid-value",
            ("identityProvider",),
            f"`{user.ref}` has an Entra home account "
            f"(`{user.guest_of}`), which redemption always uses",
        )
    if user.guest_of is None and idp in (IdentityProviderKind.ENTRA, IdentityProviderKind.LOCAL):
        raise invalid(
            "invalid-value",
            ("identityProvider",),
            f"`{user.ref}` has no Entra home account in the world; "
            "redeem with a social, email or SAML provider",
        )
    accepted = dataclasses.replace(
        user, external_user_state=ExternalUserState.ACCEPTED, identity_provider=idp
    )
    changes = _patched("users", user, accepted)
    if invitation is not None:
        done = dataclasses.replace(invitation, status=InvitationStatus.COMPLETED)
        changes += _patched("invitations", invitation, done)
        invitation = done
    return changes, accepted, invitation


def _patched(family: str, old: object, new: object) -> ChangeSet:
    """The change of one entity (nothing when it is unchanged)."""
    patch = entity_patch(family, old, new)
    return ChangeSet() if patch is None else ChangeSet((patch,))
