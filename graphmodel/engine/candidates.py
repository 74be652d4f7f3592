"""Candidate sets of the reverse questions: who could possibly reach a resource, and which
resources a principal could possibly reach.

Why a superset, not an answer: candidates come from the indexes alone (objects of the resource
tenant and their home identities, channel and shared-team members, members of tenants holding a
consented service principal); the decision for each is `check`'s, directly or through its
equivalence class (`graphmodel.engine.reverse`).
"""

from __future__ import annotations

from collections.abc import Collection

from graphmodel.engine.check import resolve_resource
from graphmodel.engine.index import WorldIndex
from graphmodel.policy.apps import is_multitenant_registration
from graphmodel.schema.entities import App, Channel, User
from graphmodel.schema.enums import TenantType

__all__ = ["candidates_for", "near_items", "principal_of", "resources_near"]


def principal_of(ix: WorldIndex, user: User) -> User:
    """The principal `check` decides for a candidate object: its home identity, resolved as
    `resolve_principal` resolves the candidate's ref."""
    return ix.home_identity(ix.home_identity(user))


def candidates_for(ix: WorldIndex, resource_ref: str) -> list[str]:
    """Every principal that could possibly reach the resource, sorted (home identities).

    Raises NodeNotFound for an unknown resource. Channel members and shared-team members are
    mapped to their home identities like the resource tenant's objects, so a person appears
    once even when named through a guest object.
    """
    resource = resolve_resource(ix, resource_ref)
    tenant = resource.tenant
    refs: set[str] = set()
    for u in ix.users_by_tenant.get(tenant, ()):
        refs.add(principal_of(ix, u).ref)

    def add(ref: str) -> None:
        user = ix.users.get(ref)
        if user is not None:
            refs.add(principal_of(ix, user).ref)

    if isinstance(resource, Channel):
        for m in resource.members:
            add(m)
        for team in resource.shared_with_teams:
            for m in ix.team_members.get(team, ()):
                add(m)
    elif isinstance(resource, App) and is_multitenant_registration(resource):
        for sp_tenant in ix.service_principals.get(resource.ref, {}):
            refs.update(u.ref for u in ix.users_by_tenant.get(sp_tenant, ()) if u.home_ref is None)
    if ix.tenants[tenant].type == TenantType.B2C:
        for person, objects in ix.representations.items():
            if tenant in objects:
                refs.add(person)
    return sorted(refs)


def near_items(
    ix: WorldIndex, person: User, *, channels: Collection[str] | None = None
) -> list[tuple[str, App | Channel]]:
    """Every resource `person` (a resolved principal) could possibly reach, as (ref, resource)
    sorted by ref: apps and channels of tenants where it has an object, multitenant
    registrations consented in its home tenant, channels it is a member of or shared with one
    of its teams. With `channels`, only the channels among those refs are kept (the apps all
    are): a caller that knows where grants are skips the rest without touching them."""
    tenants = [person.tenant, *ix.representations.get(person.ref, {})]
    extra: dict[str, App | Channel] = {}
    for reg in ix.registrations_consented_in.get(person.tenant, ()):
        if is_multitenant_registration(reg):
            extra[reg.ref] = reg
    for c in ix.channels_of_member.get(person.ref, ()):
        extra[c.ref] = c
    for team in ix.teams_of_user.get(person.ref, ()):
        for c in ix.channels_shared_with.get(team, ()):
            extra[c.ref] = c
    if channels is not None:
        homes = set(tenants)
        for ref in channels:
            c = ix.channels[ref]
            if c.tenant in homes:
                extra[ref] = c
        extra = {r: x for r, x in extra.items() if isinstance(x, App) or r in channels}
    apps_only = channels is not None
    if len(tenants) == 1 and not extra:  # the common case: one tenant, already sorted
        return ix.resources_in(tenants[0], apps_only=apps_only)
    merged: dict[str, App | Channel] = {}
    for tenant in tenants:
        merged.update(ix.resources_in(tenant, apps_only=apps_only))
    merged.update(extra)
    return sorted(merged.items(), key=lambda item: item[0])


def resources_near(ix: WorldIndex, person: User) -> list[str]:
    """The refs of `near_items`: every resource `person` could possibly reach, sorted."""
    return [ref for ref, _resource in near_items(ix, person)]
