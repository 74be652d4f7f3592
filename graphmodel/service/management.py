"""Management operations: the Microsoft Graph writes adapters (the API) offer, made atomic.

Why a class next to `GraphService`: each operation is a pure function of the World returning
what changes (`mutations`, `invitations`: a `ChangeSet`; `xtap_mutations`: the new World, whose
change is computed from the one tenant it replaces) applied through `GraphService.update_world`,
which holds the write lock, reads the current World, and stores the change (with re-derived
trust edges when it can move them) as one new snapshot. Gates that the engine owns are asked
*inside* that change, against the very World being changed, so no concurrent write can slip
between the check and the write: an invitation is created only if `can_invite` allows it (L1-L3,
R15, R35), a redemption only if the domain and cross-tenant gates still pass (L4, L8). A refused
gate writes nothing and comes back as the engine's `Answer`, the same data `canInvite` returns.

Every read after a write sees the new snapshot: the service caches indexes per snapshot id.
"""

from __future__ import annotations

import dataclasses
import secrets
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from graphmodel.audit.changeset import AppliedChanges, apply_change_text
from graphmodel.changes import ChangeSet
from graphmodel.engine import Answer, WorldIndex, can_invite
from graphmodel.errors import Issue
from graphmodel.ingest import load_world_text_with_warnings
from graphmodel.schema.entities import User
from graphmodel.schema.enums import IdentityProviderKind, UserType
from graphmodel.schema.governance import Invitation
from graphmodel.schema.verdict import Decision, ReasonCode
from graphmodel.schema.world import World
from graphmodel.schema.xtap import CrossTenantAccessDefault, CrossTenantAccessPartner
from graphmodel.service import invitations, mutations, xtap_mutations
from graphmodel.service.facade import GraphService
from graphmodel.stores.base import SnapshotInfo

__all__ = ["InvitationOutcome", "Management", "Outcome"]

T = TypeVar("T")
_REDEMPTION_GATES = frozenset(
    {
        ReasonCode.DOMAIN_BLOCKED,
        ReasonCode.DOMAIN_NOT_ALLOWED,
        ReasonCode.OUTBOUND_BLOCKED,
        ReasonCode.INBOUND_BLOCKED,
        ReasonCode.CROSS_CLOUD_NOT_ENABLED,
        ReasonCode.CLOUD_PAIR_UNSUPPORTED,
    }
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Outcome(Generic[T]):
    """A write that happened: what was written, the new snapshot, and input warnings."""

    value: T
    snapshot: SnapshotInfo
    warnings: tuple[Issue, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class InvitationOutcome:
    """An invitation or redemption: written (snapshot set) or refused by `answer`'s gates."""

    answer: Answer
    invitation: Invitation | None = None
    user: User | None = None
    snapshot: SnapshotInfo | None = None


class _Refused(Exception):
    def __init__(self, answer: Answer) -> None:
        super().__init__("refused")
        self.answer = answer


class Management:
    """Graph-shaped writes against one `GraphService`; thread-safe (writes are serialised)."""

    def __init__(self, service: GraphService, *, origin: str = "api") -> None:
        """`origin` names the adapter in every snapshot's source (`api: addGroupMember ...`)."""
        self.service = service
        self.origin = origin

    def _apply(self, change: Callable[[World], ChangeSet | World], source: str) -> SnapshotInfo:
        return self.service.update_world(change, source=f"{self.origin}: {source}")

    def _index_of(self, world: World) -> WorldIndex:
        """The engine index of `world`: the cached one when it is the current World."""
        current = self.service.index()
        return current if current.world is world else WorldIndex(world)

    # --- invitations -------------------------------------------------------------------
    def create_invitation(
        self,
        *,
        inviter: str,
        address: str,
        redirect_url: str,
        user_type: UserType = UserType.GUEST,
        reset_user: str | None = None,
    ) -> InvitationOutcome:
        """Invite `address` as a guest of the inviter's tenant (or reset `reset_user`, L11)."""
        made: list[tuple[Invitation, User]] = []
        invitation_id, ticket = str(uuid.uuid4()), secrets.token_urlsafe(24)

        def change(world: World) -> ChangeSet:
            if reset_user is not None:
                changed, inv, user = invitations.reset_redemption(
                    world,
                    inviter=inviter,
                    user_ref=reset_user,
                    address=address,
                    redirect_url=redirect_url,
                    invitation_id=invitation_id,
                    ticket=ticket,
                )
            else:
                invitations.check_input(world, inviter, address, redirect_url)
                answer = can_invite(self._index_of(world), address, inviter)
                if answer.decision is not Decision.ALLOW:
                    raise _Refused(answer)
                changed, inv, user = invitations.create_invitation(
                    world,
                    inviter=inviter,
                    address=address,
                    redirect_url=redirect_url,
                    user_type=user_type,
                    invitation_id=invitation_id,
                    ticket=ticket,
                )
            made.append((inv, user))
            return changed

        try:
            info = self._apply(change, f"createInvitation {address}")
        except _Refused as refused:
            return InvitationOutcome(answer=refused.answer)
        inv, user = made[-1]
        return InvitationOutcome(
            answer=Answer(decision=Decision.ALLOW), invitation=inv, user=user, snapshot=info
        )

    def redeem_invitation(
        self,
        *,
        invitation_id: str | None = None,
        user_ref: str | None = None,
        identity_provider: IdentityProviderKind | None = None,
    ) -> InvitationOutcome:
        """The invitee redeems: the domain list and cross-tenant settings are re-checked (L8)."""
        made: list[tuple[User, Invitation | None]] = []

        def change(world: World) -> ChangeSet:
            user, invitation = invitations.find_pending(
                world, invitation_id=invitation_id, user_ref=user_ref
            )
            self._redemption_gates(world, user, invitation)
            changed, accepted, done = invitations.redeem_invitation(
                world,
                invitation_id=invitation_id,
                user_ref=user_ref,
                identity_provider=identity_provider,
            )
            made.append((accepted, done))
            return changed

        try:
            info = self._apply(change, f"redeemInvitation {invitation_id or user_ref}")
        except _Refused as refused:
            return InvitationOutcome(answer=refused.answer)
        user, invitation = made[-1]
        return InvitationOutcome(
            answer=Answer(decision=Decision.ALLOW),
            invitation=invitation,
            user=user,
            snapshot=info,
        )

    def _redemption_gates(self, world: World, user: User, invitation: Invitation | None) -> None:
        """Ask `can_invite` for the invitee as if the pending object did not exist yet.

        The inviter gate and `already_exists` are invitation-time facts and are dropped; the
        gates that redemption re-checks (L4, L8: domain list, cross-tenant settings, clouds)
        are kept. Without a recorded inviter any user of the tenant stands in (its own
        permission is not looked at).
        """
        address = (invitation.invited_user_email_address if invitation else None) or user.mail
        inviter = invitation.invited_by if invitation else None
        if inviter is None:
            inviter = next(
                (
                    u.ref
                    for u in world.users
                    if u.tenant == user.tenant and u is not user and u.home_ref is None
                ),
                None,
            )
        if address is None or inviter is None:
            return
        without = dataclasses.replace(world, users=tuple(u for u in world.users if u is not user))
        answer = can_invite(WorldIndex(without), address, inviter)
        failing = tuple(r for r in answer.reasons if r.code in _REDEMPTION_GATES)
        if failing:
            raise _Refused(Answer(decision=Decision.DENY, reasons=failing))

    # --- memberships and assignments ---------------------------------------------------
    def add_group_member(self, group: str, member: str) -> Outcome[str]:
        return self._edit(mutations.add_group_member, "addGroupMember", group, member)

    def remove_group_member(self, group: str, member: str) -> Outcome[str]:
        return self._edit(mutations.remove_group_member, "removeGroupMember", group, member)

    def add_channel_member(self, channel: str, user: str) -> Outcome[str]:
        return self._edit(mutations.add_channel_member, "addChannelMember", channel, user)

    def remove_channel_member(self, channel: str, user: str) -> Outcome[str]:
        return self._edit(mutations.remove_channel_member, "removeChannelMember", channel, user)

    def assign_app(self, app: str, principal: str) -> Outcome[str]:
        return self._edit(mutations.assign_app, "assignApp", app, principal)

    def unassign_app(self, app: str, principal: str) -> Outcome[str]:
        return self._edit(mutations.unassign_app, "unassignApp", app, principal)

    def _edit(
        self, edit: Callable[[World, str, str], ChangeSet], name: str, target: str, item: str
    ) -> Outcome[str]:
        """Apply a membership / assignment edit of `target`; the outcome names `target`."""
        info = self._apply(lambda w: edit(w, target, item), f"{name} {target} {item}")
        return Outcome(value=target, snapshot=info)

    # --- cross-tenant access -------------------------------------------------------------
    def update_cross_tenant_access_default(
        self, tenant: str, body: Mapping[str, object]
    ) -> Outcome[CrossTenantAccessDefault]:
        got: list[tuple[CrossTenantAccessDefault, list[Issue]]] = []

        def change(world: World) -> World:
            changed, default, warnings = xtap_mutations.update_default(world, tenant, body)
            got.append((default, warnings))
            return changed

        info = self._apply(change, f"updateCrossTenantAccessDefault {tenant}")
        default, warnings = got[-1]
        return Outcome(value=default, snapshot=info, warnings=tuple(warnings))

    def create_cross_tenant_access_partner(
        self, tenant: str, body: Mapping[str, object]
    ) -> Outcome[CrossTenantAccessPartner]:
        return self._partner_write(
            lambda w: xtap_mutations.create_partner(w, tenant, body),
            f"createCrossTenantAccessPartner {tenant}",
        )

    def update_cross_tenant_access_partner(
        self, tenant: str, partner: str, body: Mapping[str, object]
    ) -> Outcome[CrossTenantAccessPartner]:
        return self._partner_write(
            lambda w: xtap_mutations.update_partner(w, tenant, partner, body),
            f"updateCrossTenantAccessPartner {tenant} {partner}",
        )

    def _partner_write(
        self, write: Callable[[World], xtap_mutations.Result], source: str
    ) -> Outcome[CrossTenantAccessPartner]:
        got: list[tuple[CrossTenantAccessPartner, list[Issue]]] = []

        def change(world: World) -> World:
            changed, partner, warnings = write(world)
            got.append((partner, warnings))
            return changed

        info = self._apply(change, source)
        partner, warnings = got[-1]
        return Outcome(value=partner, snapshot=info, warnings=tuple(warnings))

    def delete_cross_tenant_access_partner(
        self, tenant: str, partner: str
    ) -> Outcome[CrossTenantAccessPartner]:
        got: list[CrossTenantAccessPartner] = []

        def change(world: World) -> World:
            changed, deleted = xtap_mutations.delete_partner(world, tenant, partner)
            got.append(deleted)
            return changed

        info = self._apply(change, f"deleteCrossTenantAccessPartner {tenant} {partner}")
        return Outcome(value=got[-1], snapshot=info)

    # --- change sets ---------------------------------------------------------------------
    def apply_change_set(self, text: str, *, file: str) -> Outcome[int]:
        """Apply a what-if change set (`graphmodel.audit.changeset`) to the newest World and
        store it as the next snapshot; the value is how many changes it held."""
        got: list[AppliedChanges] = []

        def change(world: World) -> ChangeSet:
            done = apply_change_text(world, text, file=file)
            got.append(done)
            return done.changes

        info = self._apply(change, f"change set {file}")
        done = got[-1]
        return Outcome(value=done.count, snapshot=info, warnings=done.warnings)

    # --- whole worlds --------------------------------------------------------------------
    def load_world_text(self, text: str, *, file: str) -> Outcome[World]:
        """Validate a world file (every issue at once) and store it as the new snapshot."""
        world, warnings = load_world_text_with_warnings(text, file=file)
        info = self.service.load_world(world, source=file)
        return Outcome(value=world, snapshot=info, warnings=tuple(warnings))
