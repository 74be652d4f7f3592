"""Mutations on the directory: invitations, group / channel membership, app assignment, worlds.

Each resolver checks the token's scope, calls one `Management` operation (atomic: one new
snapshot), pins the request to that snapshot and converts the result. Bad input comes back as
`invalid-input` with located issues (`api.errors.input_errors`).
"""

from __future__ import annotations

from collections.abc import Callable

import strawberry

from api.context import Context
from api.errors import ApiError, input_errors
from api.mutations.inputs import CreateInvitationInput, RedeemInvitationInput
from api.mutations.payloads import (
    AppAssignmentPayload,
    ChannelMembershipPayload,
    CreateInvitationPayload,
    GroupMembershipPayload,
    LoadWorldPayload,
    RedeemInvitationPayload,
)
from api.types.directory import Group, User
from api.types.fields import admin_mutation
from api.types.graph import Issue, Snapshot
from api.types.invitation import Invitation
from api.types.resources import App, Channel
from api.types.verdict import Answer
from graphmodel.schema import entities as de
from graphmodel.service.management import InvitationOutcome, Outcome

__all__ = ["DirectoryMutations"]

Info = strawberry.Info[Context, None]


async def _run(
    info: Info, fn: Callable[..., Outcome[str]], target: str, item: str
) -> tuple[object, Snapshot, Context]:
    ctx = info.context
    (await ctx.scope()).require(target, "object")
    with input_errors():
        outcome = await ctx.write(fn, target, item)
    ctx.pin(outcome.snapshot.id)
    scope = await ctx.scope()
    snapshot = Snapshot.from_domain(outcome.snapshot, scope)
    found = (
        scope.world.group_by_ref.get(target)
        or scope.world.channel_by_ref.get(target)
        or scope.world.app_by_ref.get(target)
    )
    return found, snapshot, ctx


async def _invitation_payload(
    ctx: Context, outcome: InvitationOutcome
) -> tuple[Answer, Invitation | None, User | None, Snapshot | None]:
    if outcome.snapshot is not None:
        ctx.pin(outcome.snapshot.id)
    scope = await ctx.scope()
    return (
        Answer.from_domain(outcome.answer, scope),
        None if outcome.invitation is None else Invitation.from_domain(outcome.invitation, scope),
        None if outcome.user is None else User.from_domain(outcome.user, scope),
        None if outcome.snapshot is None else Snapshot.from_domain(outcome.snapshot, scope),
    )


@strawberry.type
class DirectoryMutations:
    @admin_mutation(
        description="Invite a guest (POST /invitations); honours collaboration "
        "and cross-tenant settings, refusing with the gates' reasons."
    )
    async def create_invitation(
        self, info: Info, input: CreateInvitationInput
    ) -> CreateInvitationPayload:
        ctx = info.context
        (await ctx.scope()).require(input.invited_by, "inviter")
        with input_errors():
            outcome = await ctx.write(
                ctx.management.create_invitation,
                inviter=input.invited_by,
                address=input.invited_user_email_address,
                redirect_url=input.invite_redirect_url,
                user_type=input.invited_user_type,
                reset_user=input.invited_user if input.reset_redemption else None,
            )
        answer, invitation, user, snapshot = await _invitation_payload(ctx, outcome)
        return CreateInvitationPayload(
            answer=answer,
            invitation=invitation,
            invited_user=user,
            snapshot=snapshot,
            invite_redeem_url=invitation.invite_redeem_url if invitation else None,
        )

    @admin_mutation(
        description="The invitee redeems; domain and cross-tenant gates are checked again (L8)."
    )
    async def redeem_invitation(
        self, info: Info, input: RedeemInvitationInput
    ) -> RedeemInvitationPayload:
        ctx = info.context
        scope = await ctx.scope()
        if input.user is not None:
            scope.require(input.user, "user")
        invitation = next((i for i in scope.world.invitations if i.id == input.invitation_id), None)
        if invitation is not None:
            scope.require_tenant(invitation.tenant)
        with input_errors():
            outcome = await ctx.write(
                ctx.management.redeem_invitation,
                invitation_id=input.invitation_id,
                user_ref=input.user,
                identity_provider=input.identity_provider,
            )
        answer, inv, user, snapshot = await _invitation_payload(ctx, outcome)
        return RedeemInvitationPayload(answer=answer, invitation=inv, user=user, snapshot=snapshot)

    @admin_mutation()
    async def add_group_member(self, info: Info, group: str, member: str) -> GroupMembershipPayload:
        found, snap, ctx = await _run(info, info.context.management.add_group_member, group, member)
        assert isinstance(found, de.Group)
        return GroupMembershipPayload(
            group=Group.from_domain(found, await ctx.scope()), snapshot=snap
        )

    @admin_mutation()
    async def remove_group_member(
        self, info: Info, group: str, member: str
    ) -> GroupMembershipPayload:
        found, snap, ctx = await _run(
            info, info.context.management.remove_group_member, group, member
        )
        assert isinstance(found, de.Group)
        return GroupMembershipPayload(
            group=Group.from_domain(found, await ctx.scope()), snapshot=snap
        )

    @admin_mutation()
    async def add_channel_member(
        self, info: Info, channel: str, user: str
    ) -> ChannelMembershipPayload:
        found, snap, ctx = await _run(
            info, info.context.management.add_channel_member, channel, user
        )
        assert isinstance(found, de.Channel)
        return ChannelMembershipPayload(
            channel=Channel.from_domain(found, await ctx.scope()), snapshot=snap
        )

    @admin_mutation()
    async def remove_channel_member(
        self, info: Info, channel: str, user: str
    ) -> ChannelMembershipPayload:
        found, snap, ctx = await _run(
            info, info.context.management.remove_channel_member, channel, user
        )
        assert isinstance(found, de.Channel)
        return ChannelMembershipPayload(
            channel=Channel.from_domain(found, await ctx.scope()), snapshot=snap
        )

    @admin_mutation()
    async def assign_app(self, info: Info, app: str, principal: str) -> AppAssignmentPayload:
        found, snap, ctx = await _run(info, info.context.management.assign_app, app, principal)
        assert isinstance(found, de.App)
        return AppAssignmentPayload(app=App.from_domain(found, await ctx.scope()), snapshot=snap)

    @admin_mutation()
    async def unassign_app(self, info: Info, app: str, principal: str) -> AppAssignmentPayload:
        found, snap, ctx = await _run(info, info.context.management.unassign_app, app, principal)
        assert isinstance(found, de.App)
        return AppAssignmentPayload(app=App.from_domain(found, await ctx.scope()), snapshot=snap)

    @admin_mutation(description="Upload a world file (YAML text); it becomes the new snapshot.")
    async def load_world(
        self, info: Info, text: str, file_name: str = "upload.yaml"
    ) -> LoadWorldPayload:
        ctx = info.context
        if ctx.viewer.tenants is not None:
            raise ApiError(
                "forbidden", "loading a world replaces every tenant; this token is scoped"
            )
        outcome = await ctx.write(ctx.management.load_world_text, text, file=file_name)
        ctx.pin(outcome.snapshot.id)
        return LoadWorldPayload(
            snapshot=Snapshot.from_domain(outcome.snapshot, await ctx.scope()),
            warnings=[Issue.from_domain(w) for w in outcome.warnings],
        )
