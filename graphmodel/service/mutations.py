"""Directory mutations as pure `World -> ChangeSet` functions: memberships and assignments.

Why pure functions returning changes: `GraphService.update_world(change)` runs a change against
the current World under the write lock and stores what it returns as one new snapshot, so every
function here takes a World and says what changes (the change language, `graphmodel.changes`:
one group member is one item of a list edit, whatever the group's size), never touching a
store, and either succeeds completely or raises:

- `WorldInvalid` — the input is wrong, with every problem as a located `Issue`
  (`loc` starts at `("input", ...)`, codes as in world files: `unknown-reference`,
  `invalid-reference`, `invalid-value`);
- `NodeNotFound` — the object being changed (group, channel, app, invitation) does not exist,
  or the membership / assignment to remove is not there;
- `Conflict` — the change is already in place (a member added twice, a redeemed invitation).

Microsoft Graph semantics kept: a group holds users and groups of its own tenant (guests are
objects of that tenant); only a shared channel has members from other tenants and a standard
channel's membership is its team's (L25); an invitation creates the guest object at once in
`PendingAcceptance` (L5) and redemption flips it to `Accepted` (L7).
"""

from __future__ import annotations

from graphmodel.changes import END, Add, ChangeSet, ListEdit, Patch, Remove
from graphmodel.errors import Conflict, Issue, NodeNotFound, WorldInvalid
from graphmodel.schema.entities import AppRoleAssignment, Channel, Group, User
from graphmodel.schema.enums import MembershipType
from graphmodel.schema.world import World

__all__ = [
    "add_channel_member",
    "add_group_member",
    "assign_app",
    "invalid",
    "remove_channel_member",
    "remove_group_member",
    "unassign_app",
    "user_named",
]



def invalid(code: str, loc: tuple[str | int, ...], msg: str) -> WorldInvalid:
    """One located input problem, as the error every mutation raises for bad input."""
    return WorldInvalid([Issue(code=code, loc=("input", *loc), msg=msg)])


def _full_ref(text: str, tenant: str) -> str:
    return text if "/" in text else f"{tenant}/{text}"


def _group(world: World, ref: str) -> Group:
    found = world.group_by_ref.get(ref)
    if found is None:
        raise NodeNotFound(ref, kind="group")
    return found


def _channel(world: World, ref: str) -> Channel:
    found = world.channel_by_ref.get(ref)
    if found is None:
        raise NodeNotFound(ref, kind="channel")
    return found


def _local_principal(world: World, tenant: str, text: str, key: str) -> str:
    """The ref of a user or group of `tenant` named by `text` (a handle or `tenant/name`)."""
    ref = _full_ref(text, tenant)
    if ref not in world.user_by_ref and ref not in world.group_by_ref:
        raise invalid("unknown-reference", (key,), f"`{text}` is not a user or group")
    owner = ref.partition("/")[0]
    if owner != tenant:
        raise invalid(
            "invalid-reference",
            (key,),
            f"`{ref}` belongs to tenant `{owner}`; only users and groups of `{tenant}` (guests "
            "included) can be used here",
        )
    return ref


def _contains(world: World, group_ref: str, wanted: str) -> bool:
    """True when `wanted` is `group_ref` or a (transitively) nested member of it."""
    seen: set[str] = set()
    stack = [group_ref]
    while stack:
        ref = stack.pop()
        if ref == wanted:
            return True
        if ref in seen:
            continue
        seen.add(ref)
        group = world.group_by_ref.get(ref)
        if group is not None:
            stack.extend(m for m in group.members if m in world.group_by_ref)
    return False


def _members(family: str, ref: str, edit: ListEdit) -> ChangeSet:
    return ChangeSet((Patch(family, ref, edit=(("members", edit),)),))


def add_group_member(world: World, group_ref: str, member: str) -> ChangeSet:
    """Add a user or group of the group's tenant to `group_ref` (POST /groups/{id}/members/$ref).

    Examples
    --------
    >>> from graphmodel.schema import Group, Tenant, User
    >>> w = World(tenants=(Tenant(name="t", id="1", domains=("t.com",)),),
    ...           users=(User(tenant="t", name="al", id="2", user_principal_name="al@t.com"),),
    ...           groups=(Group(tenant="t", name="g", id="3"),))
    >>> from graphmodel.changes import apply_changes
    >>> apply_changes(w, add_group_member(w, "t/g", "al")).group_by_ref["t/g"].members
    ('t/al',)
    >>> add_group_member(w, "t/g", "g")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    graphmodel.errors.WorldInvalid: 1 problem in the input: ...cannot contain itself...
    """
    group = _group(world, group_ref)
    ref = _local_principal(world, group.tenant, member, "member")
    if ref in group.members:
        raise Conflict(f"`{ref}` is already a member of `{group.ref}`")
    if ref in world.group_by_ref and _contains(world, ref, group.ref):
        raise invalid(
            "invalid-reference",
            ("member",),
            "a group cannot contain itself, directly or through nesting",
        )
    return _members("groups", group.ref, ListEdit(add=((END, ref),)))


def remove_group_member(world: World, group_ref: str, member: str) -> ChangeSet:
    """Remove a direct member (DELETE /groups/{id}/members/{id}/$ref)."""
    group = _group(world, group_ref)
    ref = _full_ref(member, group.tenant)
    if ref not in group.members:
        raise NodeNotFound(f"{group.ref} -> {ref}", kind="group membership")
    return _members("groups", group.ref, ListEdit(drop=(ref,)))


def add_channel_member(world: World, channel_ref: str, user: str) -> ChangeSet:
    """Add a user to a private or shared channel (POST /teams/{id}/channels/{id}/members).

    A standard channel has its team's members (L25); only a shared channel takes users of other
    tenants (external participants, reached through B2B direct connect). Whether the user can
    then use the channel is the engine's question, not a condition of the write.
    """
    channel = _channel(world, channel_ref)
    if channel.membership_type is MembershipType.STANDARD:
        raise invalid(
            "invalid-value",
            ("channel",),
            f"`{channel.ref}` is a standard channel: its members are the members of team "
            f"`{channel.team_ref}`",
        )
    ref = _full_ref(user, channel.tenant)
    if ref not in world.user_by_ref:
        raise invalid("unknown-reference", ("user",), f"`{user}` is not a user")
    owner = ref.partition("/")[0]
    if owner != channel.tenant and channel.membership_type is not MembershipType.SHARED:
        raise invalid(
            "invalid-value",
            ("user",),
            f"`{ref}` is in another tenant; only a shared channel has external members",
        )
    if ref in channel.members:
        raise Conflict(f"`{ref}` is already a member of `{channel.ref}`")
    return _members("channels", channel.ref, ListEdit(add=((END, ref),)))


def remove_channel_member(world: World, channel_ref: str, user: str) -> ChangeSet:
    """Remove a user from a private or shared channel."""
    channel = _channel(world, channel_ref)
    ref = _full_ref(user, channel.tenant)
    if ref not in channel.members:
        raise NodeNotFound(f"{channel.ref} -> {ref}", kind="channel membership")
    return _members("channels", channel.ref, ListEdit(drop=(ref,)))


def assign_app(world: World, app_ref: str, principal: str) -> ChangeSet:
    """Assign a user or group of the app's tenant to the app (POST appRoleAssignedTo)."""
    app = world.app_by_ref.get(app_ref)
    if app is None:
        raise NodeNotFound(app_ref, kind="app")
    ref = _local_principal(world, app.tenant, principal, "principal")
    if any(a.app == app.ref and a.principal == ref for a in world.assignments):
        raise Conflict(f"`{ref}` is already assigned to `{app.ref}`")
    return ChangeSet((Add("assignments", AppRoleAssignment(principal=ref, app=app.ref)),))


def unassign_app(world: World, app_ref: str, principal: str) -> ChangeSet:
    """Remove every app role assignment of `principal` to the app (DELETE appRoleAssignedTo)."""
    app = world.app_by_ref.get(app_ref)
    if app is None:
        raise NodeNotFound(app_ref, kind="app")
    ref = _full_ref(principal, app.tenant)
    gone = [
        Remove("assignments", (a.principal, a.app, a.app_role_id))
        for a in world.assignments
        if a.app == app.ref and a.principal == ref
    ]
    if not gone:
        raise NodeNotFound(f"{ref} -> {app.ref}", kind="app role assignment")
    return ChangeSet(tuple(gone))


def user_named(world: World, ref: str) -> User:
    """The user `ref`, or NodeNotFound."""
    found = world.user_by_ref.get(ref)
    if found is None:
        raise NodeNotFound(ref, kind="user")
    return found
