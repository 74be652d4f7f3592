"""`evolve_index` per structure: each change touches what it must, shares the rest, and the
old index keeps answering the old way.

Every test makes a small World by hand, changes it the way a writer would (the change
language), and asserts (1) the updated index equals a fresh one (`assert_same_index`:
structures, carried caches), (2) the answer that should change did, while the old index still
gives the old one, and (3) the targeted sharing or invalidation: what the change cannot affect
is the very same object as in the old index. To cover a new structure, add its family to
`FAMILY_STRUCTURES` and a test here that changes it.
"""

from __future__ import annotations

import copy
import doctest
from dataclasses import replace
from datetime import UTC, datetime

import pytest

import graphmodel.engine.index_update
from graphmodel.changes import (
    END,
    START,
    Add,
    ChangeSet,
    ListEdit,
    Patch,
    Remove,
    Replace,
    SetWorld,
    apply_changes,
)
from graphmodel.engine import WorldIndex, check, evolve_index, index_delta, who_can_access
from graphmodel.engine.equivalence import classes_of
from graphmodel.engine.index import INDEXED_FAMILIES
from graphmodel.engine.index_update import FAMILY_STRUCTURES
from graphmodel.errors import Conflict
from graphmodel.ingest import load_world_text
from graphmodel.schema import AppRoleAssignment, Group, User, World
from graphmodel.schema.enums import DirectoryRole, UserType
from graphmodel.schema.verdict import Decision
from tests.audit.support import DEMO, load_world_any

from .index_compare import (
    answers,
    assert_caches_exact,
    assert_same_index,
    fill_caches,
    structures,
)

WORLD = """
tenants:
  - name: contoso
    users:
      - alice
      - {name: gabe, roles: [GlobalAdministrator]}
      - carol
      - {name: bob, guestOf: fabrikam/bob}
      - {name: tom, guestOf: fabrikam/tom}
    groups:
      - {name: finance, members: [alice, bob, tom]}
      - {name: watched, members: [group:probation]}
      - {name: probation, members: [carol]}
      - {name: sales, members: [alice]}
    apps:
      - {name: payroll, assignmentRequired: true, assignedTo: [finance, carol]}
      - {name: wiki}
    crossTenantAccess:
      partners:
        fabrikam:
          b2bCollaborationInbound:
            usersAndGroups:
              {accessType: blocked, targets: [{target: contractors, targetType: group}]}
            applications:
              {accessType: blocked, targets: [{target: payroll, targetType: application}]}
  - name: fabrikam
    users: [bob, tom, una, {name: gabe, roles: [GlobalAdministrator]}]
    groups:
      - {name: contractors, members: [group:temps]}
      - {name: temps, members: [tom]}
      - {name: staff, members: [bob, una]}
"""


@pytest.fixture()
def world() -> World:
    return load_world_text(WORLD)


def _user(ref: str, **fields: object) -> User:
    """A user keyed `ref` (`tenant/name`), with made-up ids."""
    tenant, name = ref.split("/")
    return User(
        tenant=tenant, name=name, id=f"id-{name}", user_principal_name=f"{name}@x", **fields
    )


def _member(group: str, member: str, *, after: object = END) -> Patch:
    return Patch("groups", group, edit=(("members", ListEdit(add=((after, member),))),))


def _evolve(ix: WorldIndex, *changes: object) -> WorldIndex:
    """The updated index, checked against a fresh one; `ix` must not move."""
    cs = ChangeSet(tuple(changes))  # type: ignore[arg-type]
    before = structures(ix)
    world = apply_changes(ix.world, cs)
    evolved = evolve_index(ix, cs, world)
    assert_same_index(evolved, WorldIndex(world))
    assert structures(ix) == before
    assert_caches_exact(ix, WorldIndex(ix.world))  # shared caches hold the old answers too
    return evolved


def test_every_structure_belongs_to_one_family(world: World) -> None:
    """Each `_index_<family>` builder sets exactly the structures `FAMILY_STRUCTURES` lists, so
    a structure added to the index cannot be forgotten by the updater."""
    assert set(FAMILY_STRUCTURES) == set(INDEXED_FAMILIES)
    for family in INDEXED_FAMILIES:
        blank = WorldIndex.__new__(WorldIndex)
        blank._start(world, None)
        empty = set(vars(blank))
        getattr(blank, f"_index_{family}")(world)
        assert set(vars(blank)) - empty == set(FAMILY_STRUCTURES[family]), family


def test_a_group_nested_into_a_group_changes_transitive_groups(world: World) -> None:
    ix = WorldIndex(world)
    assert check(ix, "fabrikam/bob", "contoso/payroll").decision == Decision.ALLOW
    staff_up, temps_up = ix._up["fabrikam/staff"], ix._up["fabrikam/temps"]
    new = _evolve(ix, _member("fabrikam/contractors", "fabrikam/staff"))
    # cross-tenant targeting sees bob in contractors now (R5); the old index does not
    assert check(new, "fabrikam/bob", "contoso/payroll").decision == Decision.DENY
    assert check(ix, "fabrikam/bob", "contoso/payroll").decision == Decision.ALLOW
    assert new.transitive_groups("fabrikam/bob") == {"fabrikam/staff", "fabrikam/contractors"}
    assert ix.transitive_groups("fabrikam/bob") == {"fabrikam/staff"}
    # only closures containing staff were dropped; the others are the old objects
    assert "fabrikam/staff" not in new._up or new._up["fabrikam/staff"] is not staff_up
    assert new._up["fabrikam/temps"] is temps_up
    assert new._up["contoso/finance"] is ix._up["contoso/finance"]
    assert new.direct_groups["fabrikam/bob"] is ix.direct_groups["fabrikam/bob"]


def test_a_user_member_invalidates_no_closure(world: World) -> None:
    ix = WorldIndex(world)
    new = _evolve(ix, _member("fabrikam/temps", "fabrikam/una"))
    assert check(new, "fabrikam/una", "contoso/payroll").decision == Decision.DENY
    assert new._up is ix._up and new._ids_up is ix._ids_up  # shared: the same closures
    assert new.direct_groups["fabrikam/una"] == ["fabrikam/temps", "fabrikam/staff"]  # World order


def test_nesting_cycles_made_and_broken(world: World) -> None:
    ix = WorldIndex(world)
    cyclic = _evolve(ix, _member("fabrikam/temps", "fabrikam/contractors"))
    assert cyclic.group_closure("fabrikam/temps") == {"fabrikam/temps", "fabrikam/contractors"}
    assert "fabrikam/temps" in cyclic.transitive_groups("fabrikam/temps")  # on a cycle
    broken = _evolve(
        cyclic,
        Patch(
            "groups",
            "fabrikam/contractors",
            edit=(("members", ListEdit(drop=("fabrikam/temps",))),),
        ),
    )
    assert broken.transitive_groups("fabrikam/tom") == {"fabrikam/temps"}
    assert check(broken, "fabrikam/tom", "contoso/payroll").decision == Decision.ALLOW
    assert check(cyclic, "fabrikam/tom", "contoso/payroll").decision == Decision.DENY


def test_a_group_removed_or_given_a_new_id(world: World) -> None:
    ix = WorldIndex(world)
    renumbered = _evolve(ix, Patch("groups", "fabrikam/contractors", set=(("id", "new-id"),)))
    assert renumbered._up["fabrikam/temps"] is ix._up["fabrikam/temps"]  # same groups above
    assert "fabrikam/temps" not in renumbered._ids_up  # but their object ids changed
    assert renumbered._ids_up["fabrikam/staff"] is ix._ids_up["fabrikam/staff"]
    gone = _evolve(ix, Remove("groups", "fabrikam/contractors"))
    assert gone.transitive_groups("fabrikam/tom") == {"fabrikam/temps"}
    assert check(gone, "fabrikam/tom", "contoso/payroll").decision == Decision.ALLOW


def test_indexes_made_from_one_index_keep_their_own_closures(world: World) -> None:
    """Two branches from one index give the same new group other parents: neither may see the
    other's closure of it (a new group's closure never lands in a dict the old index keeps)."""
    ix = WorldIndex(world)
    extra = Group(tenant="fabrikam", name="extra", id="x", members=("fabrikam/una",))
    nested = _evolve(ix, Add("groups", extra), _member("fabrikam/contractors", "fabrikam/extra"))
    nested.warm()
    assert nested.group_closure("fabrikam/extra") == {"fabrikam/extra", "fabrikam/contractors"}
    alone = _evolve(ix, Add("groups", extra))
    assert alone.group_closure("fabrikam/extra") == {"fabrikam/extra"}
    assert "fabrikam/extra" not in ix._up


def test_a_guest_invited_into_a_group(world: World) -> None:
    """The commonest write: a user appended to the World and to a group in one change set."""
    ix = WorldIndex(world)
    fill_caches(ix)
    una = User(
        tenant="contoso",
        name="una",
        id="una-guest",
        user_principal_name="una_fabrikam#EXT#@contoso.com",
        user_type=UserType.GUEST,
        guest_of="fabrikam/una",
    )
    new = _evolve(ix, Add("users", una), _member("contoso/finance", "contoso/una"))
    assert check(new, "fabrikam/una", "contoso/payroll").decision == Decision.ALLOW
    assert check(ix, "fabrikam/una", "contoso/payroll").decision == Decision.DENY
    assert new.users_by_tenant["contoso"][-1] is una
    assert new.representations["fabrikam/una"] == {"contoso": una}
    refs, _principals = new.principals_by_tenant["contoso"]
    assert "fabrikam/una" in refs and "fabrikam/una" not in ix.principals_by_tenant["contoso"][0]
    assert new.users_by_tenant["fabrikam"] is ix.users_by_tenant["fabrikam"]  # untouched list
    assert new._up is ix._up  # a user member changes no closure
    assert new.tenants is ix.tenants and new.apps is ix.apps
    assert new._by_mail is not None and new._mails_by_tenant is not None  # patched, not dropped
    assert [r.principal for r in who_can_access(new, "contoso/payroll")] == [
        "contoso/alice",
        "contoso/carol",
        "contoso/gabe",
        "fabrikam/bob",
        "fabrikam/una",
    ]


def test_a_user_inserted_in_the_middle_keeps_world_order(world: World) -> None:
    ix = WorldIndex(world)
    dora = _user("contoso/dora")
    new = _evolve(ix, Add("users", dora, after="contoso/alice"))
    assert [u.name for u in new.users_by_tenant["contoso"]][:3] == ["alice", "dora", "gabe"]
    assert list(new.users)[:3] == ["contoso/alice", "contoso/dora", "contoso/gabe"]
    first = _evolve(new, Add("users", replace(dora, name="abe", id="a"), after=START))
    assert next(iter(first.users)) == "contoso/abe"


def test_a_removed_guest_leaves_its_tenant_unless_another_object_stands_for_it(
    world: World,
) -> None:
    ix = WorldIndex(world)
    synced = _user("contoso/bob-sync", synced_from="fabrikam/bob")
    both = _evolve(ix, Add("users", synced))
    assert both.representations["fabrikam/bob"] == {"contoso": synced}  # the last one there
    one = _evolve(both, Remove("users", "contoso/bob"))
    assert "fabrikam/bob" in one.principals_by_tenant["contoso"][0]
    none = _evolve(one, Remove("users", "contoso/bob-sync"))
    assert "fabrikam/bob" not in none.principals_by_tenant["contoso"][0]
    assert "fabrikam/bob" not in none.representations
    home_gone = _evolve(ix, Remove("users", "fabrikam/tom"))  # contoso/tom now stands for itself
    assert "contoso/tom" in home_gone.principals_by_tenant["contoso"][0]


def test_a_chain_of_homes_resolves_twice(world: World) -> None:
    """A guest whose home is itself a guest stands for the end of the chain; when the end goes,
    it stands for the middle one (`principal_ref` resolves twice)."""
    ix = WorldIndex(world)
    una = _user("contoso/una", guest_of="fabrikam/una")
    far = _user("fabrikam/una-far", guest_of="contoso/una")
    chained = _evolve(ix, Add("users", una), Add("users", far))
    assert "fabrikam/una" in chained.principals_by_tenant["contoso"][0]
    cut = _evolve(chained, Remove("users", "fabrikam/una"))
    assert "contoso/una" in cut.principals_by_tenant["fabrikam"][0]
    assert "fabrikam/una" not in cut.principals_by_tenant["fabrikam"][0]
    moved = _evolve(chained, Patch("users", "contoso/una", set=(("guest_of", "fabrikam/bob"),)))
    # two objects of bob in contoso now: the later in World order represents him
    assert moved.representations["fabrikam/bob"] == {"contoso": moved.users["contoso/una"]}


def test_a_collector_batch_rewrites_a_tenant_list_in_one_pass() -> None:
    """Many users of one tenant changed and removed at once (a collector run): the tenant's list
    is rewritten in one pass, still in World order with the new objects."""
    world = load_world_any(DEMO)
    ix = WorldIndex(world)
    contoso = [u for u in world.users if u.tenant == "contoso"]
    removed = {u.ref for u in contoso[2:12:2]}
    disabled = {u.ref for u in contoso[1::2]}
    changes = [Patch("users", ref, set=(("account_enabled", False),)) for ref in sorted(disabled)]
    new = _evolve(ix, *changes, *(Remove("users", ref) for ref in sorted(removed)))
    after = new.users_by_tenant["contoso"]
    assert [u.ref for u in after] == [u.ref for u in contoso if u.ref not in removed]
    assert {u.ref for u in after if not u.account_enabled} >= disabled
    assert len(disabled) > 4 and removed  # more than the few found one by one


def test_global_administrators_in_world_order(world: World) -> None:
    ix = WorldIndex(world)
    ga = DirectoryRole.GLOBAL_ADMINISTRATOR
    made = _evolve(ix, Patch("users", "contoso/alice", set=(("roles", (ga,)),)))
    assert made.admins_by_tenant["contoso"] == ["contoso/alice", "contoso/gabe"]
    unmade = _evolve(made, Patch("users", "contoso/gabe", set=(("roles", ()),)))
    assert unmade.admins_by_tenant["contoso"] == ["contoso/alice"]
    assert unmade.admins_by_tenant["fabrikam"] is ix.admins_by_tenant["fabrikam"]


def test_assignments_removed_in_world_order(world: World) -> None:
    """A principal holding two roles on one app: the removed one is the right one."""
    ix = WorldIndex(world)
    default = AppRoleAssignment(principal="", app="").app_role_id
    again = AppRoleAssignment(
        principal="contoso/finance", app="contoso/payroll", app_role_id="1" * 8 + default[8:]
    )
    two = _evolve(ix, Add("assignments", again))
    assert two.assignees["contoso/payroll"] == [
        "contoso/finance",
        "contoso/carol",
        "contoso/finance",
    ]
    first_gone = _evolve(
        two, Remove("assignments", ("contoso/finance", "contoso/payroll", default))
    )
    assert first_gone.assignees["contoso/payroll"] == ["contoso/carol", "contoso/finance"]
    gone = _evolve(ix, Remove("assignments", ("contoso/carol", "contoso/payroll", default)))
    assert "contoso/carol" not in gone.assigned_apps  # no key left, as a fresh build
    assert check(gone, "contoso/carol", "contoso/payroll").decision == Decision.DENY
    assert check(ix, "contoso/carol", "contoso/payroll").decision == Decision.ALLOW


def test_a_world_equal_to_the_applied_one_is_enough(world: World) -> None:
    """The World may come from elsewhere (a store's own copy): equal objects, none shared."""
    ix = WorldIndex(world)
    una = _user("contoso/una", guest_of="fabrikam/una")
    changes = ChangeSet(
        (
            Add("users", una),
            _member("contoso/finance", "contoso/una"),
            Patch("users", "contoso/alice", set=(("account_enabled", False),)),
        )
    )
    copied = copy.deepcopy(apply_changes(world, changes))
    new = evolve_index(ix, changes, copied)
    fresh = WorldIndex(copied)
    assert structures(new) == structures(fresh)
    assert answers(new) == answers(fresh)
    later = _evolve(new, Remove("users", "contoso/alice"), Add("users", replace(una, name="ula")))
    assert "contoso/alice" not in later.users


def test_with_the_worlds_lookups_the_index_holds_the_worlds_objects(world: World) -> None:
    assert world.user_by_ref  # built: apply_changes carries it to the next World
    ix = WorldIndex(world)
    changes = ChangeSet((Patch("users", "contoso/alice", set=(("account_enabled", False),)),))
    after = apply_changes(world, changes)
    new = evolve_index(ix, changes, after)
    alice = next(u for u in after.users if u.name == "alice")
    assert new.users["contoso/alice"] is alice and new.users_by_tenant["contoso"][0] is alice


def test_objects_stay_the_indexs_own_through_an_insert_in_the_middle(world: World) -> None:
    """Without the World's lookups a changed user is an equal object replayed from the change;
    an insert in the middle (ordered by the World) must keep it, so that the next change finds
    it in its tenant's list."""
    ix = WorldIndex(replace(world))  # no cached lookups on this World
    patched = _evolve(ix, Patch("users", "contoso/alice", set=(("account_enabled", False),)))
    dora = _user("contoso/dora")
    middle = _evolve(patched, Add("users", dora, after="contoso/gabe"))
    assert middle.users["contoso/alice"] is patched.users["contoso/alice"]
    gone = _evolve(middle, Remove("users", "contoso/alice"))
    assert [u.name for u in gone.users_by_tenant["contoso"]][:2] == ["gabe", "dora"]


def test_small_families_are_rebuilt_and_the_rest_shared(world: World) -> None:
    ix = WorldIndex(world)
    fill_caches(ix)
    tenant = ix.tenants["contoso"]
    partner = tenant.cross_tenant_access.partners[0]
    opened = replace(partner, b2b_collaboration_inbound=None)
    policy = replace(tenant.cross_tenant_access, partners=(opened,))
    new = _evolve(ix, Patch("tenants", "contoso", set=(("cross_tenant_access", policy),)))
    assert check(new, "fabrikam/tom", "contoso/payroll").decision == Decision.ALLOW
    assert check(ix, "fabrikam/tom", "contoso/payroll").decision == Decision.DENY
    assert new.tenants is not ix.tenants and new.tenants["contoso"] is not tenant
    for family in ("users", "groups", "apps", "assignments"):
        for name in FAMILY_STRUCTURES[family]:
            assert getattr(new, name) is getattr(ix, name), name
    assert "usage" not in vars(new) and new._by_domain is None  # built from tenants: dropped
    assert new._resources_in is ix._resources_in  # apps and channels did not move


def test_an_app_change_drops_only_its_tenants_resources(world: World) -> None:
    ix = WorldIndex(world)
    fill_caches(ix)
    new = _evolve(ix, Patch("apps", "contoso/wiki", set=(("account_enabled", False),)))
    assert ("contoso", False) not in new._resources_in
    assert new._resources_in[("fabrikam", False)] is ix._resources_in[("fabrikam", False)]


def test_clock_classes_and_per_user_caches(world: World) -> None:
    ix = WorldIndex(world)
    classes_of(ix)
    ix.xtap_object_ids(ix.users["fabrikam/tom"])
    when = datetime(2030, 1, 1, tzinfo=UTC)
    new = _evolve(ix, SetWorld("as_of", when))
    assert new.now == when and ix.now != when
    assert not hasattr(new, "_classes")
    assert new._xtap_ids is ix._xtap_ids  # users and groups did not move
    moved = _evolve(new, Patch("users", "fabrikam/tom", set=(("account_enabled", False),)))
    assert moved._xtap_ids == {}
    later = datetime(2031, 1, 1, tzinfo=UTC)
    undated = evolve_index(
        new, ChangeSet((SetWorld("as_of", None),)), replace(new.world, as_of=None), now=later
    )
    assert undated.now == later


def test_a_replaced_or_renamed_family_is_rebuilt(world: World) -> None:
    ix = WorldIndex(world)
    groups = tuple(reversed(world.groups))
    _evolve(ix, Replace("groups", groups))
    rename = Patch("users", "contoso/carol", set=(("name", "caroline"),))
    with pytest.raises(Conflict, match="may not change its key"):  # a rename is remove + add
        apply_changes(world, ChangeSet((rename,)))
    carol = world.user_by_ref["contoso/carol"]
    _evolve(ix, Remove("users", "contoso/carol"), Add("users", replace(carol, name="caroline")))
    _evolve(
        ix, Patch("groups", "contoso/sales", set=(("members", ("contoso/carol", "contoso/carol")),))
    )
    extra = Group(tenant="contoso", name="extra", id="x", members=("contoso/alice",))
    _evolve(ix, Add("groups", extra, after="contoso/finance"))


def test_doctests() -> None:
    result = doctest.testmod(graphmodel.engine.index_update)
    assert result.attempted > 0 and result.failed == 0


def test_an_overlay_reads_as_the_dict_it_stands_for() -> None:
    base = {f"t/u{i}": [f"t/g{i}"] for i in range(100)}
    changes = {"t/u1": index_delta.GONE, "t/new": ["t/g"]}
    copied = index_delta.changed_mapping(base, changes)  # small: a plain dict
    expected = {k: v for k, v in base.items() if k != "t/u1"} | {"t/new": ["t/g"]}
    for mapping in (copied, index_delta.Overlay(base, changes)):
        assert dict(mapping) == expected and len(mapping) == len(expected)
        assert "t/u1" not in mapping and mapping.get("t/u1") is None and "t/new" in mapping
        assert mapping.get("t/u2") == ["t/g2"] and mapping["t/new"] == ["t/g"]
    assert base["t/u1"] == ["t/g1"]  # the base itself never changes
