"""The pure mutations: validation (located issues), conflicts, results.

How to write tests here: build a World from `tests/api/world.yaml` (`world()`), run one
function, apply the changes it returns (`apply_changes`) and assert on the World, or on the
exception's `issues` / `code`.
"""

from __future__ import annotations

import doctest
import importlib
from functools import cache

import pytest

from graphmodel.changes import apply_changes
from graphmodel.errors import Conflict, NodeNotFound, WorldInvalid
from graphmodel.ingest import load_world_file
from graphmodel.schema.enums import AccessType, ExternalUserState, IdentityProviderKind
from graphmodel.schema.world import World
from graphmodel.service import invitations, mutations, xtap_mutations
from tests.api.support import WORLD


@cache
def world() -> World:
    return load_world_file(WORLD)


def _issues(exc: pytest.ExceptionInfo[WorldInvalid]) -> set[tuple[str, str]]:
    return {(i.code, i.path) for i in exc.value.issues}


@pytest.mark.parametrize(
    "name", ["graphmodel.service.mutations", "api.cursors", "api.scope", "api.mutations.inputs"]
)
def test_examples_run(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_group_membership_rules() -> None:
    changes = mutations.add_group_member(world(), "contoso/project", "contoso/dave")
    assert len(changes) == 1  # one list edit of the group, not the group rewritten
    w = apply_changes(world(), changes)
    assert w.group_by_ref["contoso/project"].members == ("contoso/dave",)
    assert world().group_by_ref["contoso/project"].members == ()  # the input is unchanged
    with pytest.raises(Conflict):
        mutations.add_group_member(w, "contoso/project", "dave")
    with pytest.raises(WorldInvalid) as cycle:
        mutations.add_group_member(world(), "contoso/auditors", "finance")
    assert _issues(cycle) == {("invalid-reference", "input.member")}
    with pytest.raises(NodeNotFound):
        mutations.remove_group_member(world(), "contoso/project", "alice")


def test_unassign_removes_every_role_of_the_principal() -> None:
    w = apply_changes(world(), mutations.assign_app(world(), "contoso/wiki", "alice"))
    assert [a.principal for a in w.assignments if a.app == "contoso/wiki"] == ["contoso/alice"]
    w = apply_changes(w, mutations.assign_app(w, "contoso/wiki", "contoso/project"))
    gone = apply_changes(w, mutations.unassign_app(w, "contoso/wiki", "alice"))
    assert [a.principal for a in gone.assignments if a.app == "contoso/wiki"] == [
        "contoso/project"
    ]


def test_invitation_of_a_person_with_an_entra_home() -> None:
    changes, inv, user = invitations.create_invitation(
        world(),
        inviter="contoso/alice",
        address="Erin@Fabrikam.com",
        redirect_url="https://example.com",
        invitation_id="inv-1",
        ticket="t",
    )
    assert user.guest_of == "fabrikam/erin" and user.identity_provider is IdentityProviderKind.ENTRA
    assert user.user_principal_name == "Erin_Fabrikam.com#EXT#@contoso.onmicrosoft.com"
    w = apply_changes(world(), changes)
    assert inv.invited_user == user.ref and w.invitations == (inv,)
    assert w.user_by_ref[user.ref] == user and len(changes) == 2  # the user and the invitation
    redeemed, accepted, done = invitations.redeem_invitation(w, invitation_id="inv-1")
    assert accepted.external_user_state is ExternalUserState.ACCEPTED
    assert done is not None and done.status == "Completed"
    w2 = apply_changes(w, redeemed)
    assert w2.user_by_ref[user.ref] == accepted and w2.invitations == (done,)
    with pytest.raises(Conflict):
        invitations.redeem_invitation(w2, invitation_id="inv-1")


def test_invitation_names_do_not_collide() -> None:
    _, _, user = invitations.create_invitation(
        world(),
        inviter="contoso/alice",
        address="bob@example.org",
        redirect_url="https://example.com",
        invitation_id="i",
        ticket="t",
    )
    assert user.name == "bob-example"  # `bob` is taken by fabrikam's guest


def test_partner_targets_resolve_where_graph_ids_live() -> None:
    users = {"accessType": "allowed", "targets": [{"target": "lou", "targetType": "user"}]}
    body: dict[str, object] = {
        "tenantId": "litware",
        "b2bCollaborationInbound": {
            "usersAndGroups": users,  # inbound users: the partner's (litware/lou)
            "applications": {
                "accessType": "allowed",  # inbound apps: this tenant's
                "targets": [{"target": "tracker", "targetType": "application"}],
            },
        },
        "b2bCollaborationOutbound": {
            "usersAndGroups": {
                "accessType": "allowed",  # outbound users: this tenant's
                "targets": [{"target": "engineering", "targetType": "group"}],
            },
            "applications": {
                "accessType": "blocked",
                "targets": [{"target": "litware/lou", "targetType": "application"}],
            },
        },
    }
    with pytest.raises(WorldInvalid) as exc:
        xtap_mutations.create_partner(world(), "fabrikam", body)
    assert _issues(exc) == {
        ("unknown-reference", "input.b2bCollaborationOutbound.applications.targets[0].target")
    }
    body["b2bCollaborationOutbound"] = None
    w, partner, warnings = xtap_mutations.create_partner(world(), "fabrikam", body)
    inbound = partner.b2b_collaboration_inbound
    assert inbound is not None and warnings == []
    assert inbound.users_and_groups.targets[0].target == w.user_by_ref["litware/lou"].id
    assert inbound.applications.targets[0].target == w.app_by_ref["fabrikam/tracker"].app_id
    assert partner.b2b_collaboration_outbound is None
    assert partner.tenant_id == w.tenant_by_name["litware"].id


def test_partner_errors_are_all_reported() -> None:
    body = {
        "tenantId": "contoso",
        "bogus": 1,
        "inboundTrust": {"isMfaAccepted": "yes"},
        "b2bDirectConnectInbound": {"usersAndGroups": {"accessType": "maybe"}},
    }
    with pytest.raises(WorldInvalid) as exc:
        xtap_mutations.create_partner(world(), "contoso", body)
    assert _issues(exc) == {
        ("unknown-field", "input.bogus"),
        ("invalid-reference", "input.tenantId"),
        ("wrong-type", "input.inboundTrust.isMfaAccepted"),
        ("invalid-value", "input.b2bDirectConnectInbound.usersAndGroups.accessType"),
    }
    with pytest.raises(NodeNotFound):
        xtap_mutations.update_partner(world(), "litware", "fabrikam", {})


def test_default_update_resets_a_section_with_null() -> None:
    blocked = {
        "usersAndGroups": {
            "accessType": "blocked",
            "targets": [{"target": "AllUsers", "targetType": "user"}],
        }
    }
    w, default, warnings = xtap_mutations.update_default(
        world(), "contoso", {"b2bCollaborationOutbound": blocked}
    )
    assert default.b2b_collaboration_outbound.users_and_groups.access_type is AccessType.BLOCKED
    assert [i.code for i in warnings] == ["b2b-setting-half-inherited"]
    _, reset, _ = xtap_mutations.update_default(w, "contoso", {"b2bCollaborationOutbound": None})
    assert reset.b2b_collaboration_outbound.users_and_groups.access_type is AccessType.ALLOWED
