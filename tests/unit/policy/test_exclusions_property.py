"""Exclusions never widen anything and never narrow anything but what they name (property tests).

Every include/exclude pair of the policy layer is driven by hypothesis (seeded, bounded) and
compared with a reference written here from the Graph documentation, not from the engine:

- Conditional Access users (`conditionalAccessUsers`): user/group refs, `All`, directory roles
  (`includeRoles` / `excludeRoles`), and the guest or
  external user settings, where the include side (`includeGuestsOrExternalUsers`) and the
  exclude side (`excludeGuestsOrExternalUsers`) each carry their own types and tenants;
- Conditional Access applications: app refs, `All`, `Office365`;
- cross-tenant access targets (R7, R8): a `blocked` list is an exclusion, an `allowed` list an
  inclusion, for users and groups as for applications.

The central property: adding one exclusion `e` to a policy changes the answer for a subject
exactly when the policy applied and `e` names the subject; adding an inclusion to an allowed
list changes it only for what the inclusion names, and only towards admitting.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from graphmodel.policy.conditional_access import CaSubject, SubjectKind, evaluate_conditional_access
from graphmodel.policy.crosstenant import AppFacts, allows
from graphmodel.schema import (
    AccessType,
    App,
    B2BSetting,
    BuiltinApp,
    CaApplications,
    CaUsers,
    ConditionalAccessPolicy,
    DirectoryRole,
    ExternalUserType,
    Target,
    TargetConfiguration,
    TargetType,
)
from graphmodel.schema.builtin import OFFICE365_SUITE

GUESTS = "GuestsOrExternalUsers"
REFS = ("contoso/u1", "contoso/u2", "contoso/g1", "contoso/g2")
TENANTS = ("fabrikam", "litware", "adatum")
APPS = ("contoso/crm", "contoso/wiki", "contoso/exo")
EXAMPLES = settings(max_examples=300, deadline=None, derandomize=True)  # seeded, bounded


# --- Conditional Access users ----------------------------------------------------------------
@dataclass(frozen=True)
class GuestAtom:
    """One side's guest/external setting: None = every type / every tenant."""

    types: tuple[ExternalUserType, ...] | None
    tenants: tuple[str, ...] | None


@dataclass(frozen=True)
class RoleAtom:
    """A directory role (Graph `includeRoles` / `excludeRoles`)."""

    role: DirectoryRole


Atom = str | GuestAtom | RoleAtom  # a ref, `All`, a guest setting or a role


def names(atom: Atom, s: CaSubject) -> bool:
    """Reference: whether one include/exclude entry names the subject (Graph docs)."""
    if isinstance(atom, RoleAtom):
        return atom.role in s.roles
    if isinstance(atom, GuestAtom):
        if s.external_type is None:
            return False
        if atom.types is not None and s.external_type not in atom.types:
            return False
        return atom.tenants is None or s.home_tenant in atom.tenants
    return atom == "All" or atom in s.object_refs


def side(atoms: list[Atom]) -> tuple[tuple[str, ...], GuestAtom | None, tuple[DirectoryRole, ...]]:
    guest = next((a for a in atoms if isinstance(a, GuestAtom)), None)
    refs = tuple(a for a in atoms if isinstance(a, str))
    roles = tuple(a.role for a in atoms if isinstance(a, RoleAtom))
    return ((*refs, GUESTS) if guest else refs), guest, roles


def users_of(include: list[Atom], exclude: list[Atom]) -> CaUsers:
    inc, inc_guest, inc_roles = side(include)
    exc, exc_guest, exc_roles = side(exclude)
    return CaUsers(
        include=inc,
        exclude=exc,
        guest_or_external_user_types=inc_guest.types if inc_guest else None,
        external_tenants=inc_guest.tenants if inc_guest else None,
        exclude_guest_or_external_user_types=exc_guest.types if exc_guest else None,
        exclude_external_tenants=exc_guest.tenants if exc_guest else None,
        include_roles=inc_roles,
        exclude_roles=exc_roles,
    )


def subsets(items: tuple[str, ...]) -> st.SearchStrategy[tuple[str, ...]]:
    return st.lists(st.sampled_from(items), unique=True).map(tuple)


guest_atoms = st.builds(
    GuestAtom,
    types=st.none() | st.lists(st.sampled_from(list(ExternalUserType)), unique=True).map(tuple),
    tenants=st.none() | subsets(TENANTS),
)
ref_atoms = st.sampled_from(("All", *REFS))
role_atoms = st.sampled_from(list(DirectoryRole)).map(RoleAtom)


@st.composite
def atom_lists(draw: st.DrawFn) -> list[Atom]:
    """Refs plus at most one guest setting (a side has one `*GuestsOrExternalUsers`)."""
    atoms: list[Atom] = list(draw(st.lists(ref_atoms | role_atoms, unique=True, max_size=3)))
    if draw(st.booleans()):
        atoms.append(draw(guest_atoms))
    return atoms


@st.composite
def subjects(draw: st.DrawFn) -> CaSubject:
    kind = draw(st.sampled_from(list(SubjectKind)))
    refs = frozenset(draw(subsets(REFS)))
    roles = frozenset(draw(st.lists(st.sampled_from(list(DirectoryRole)), unique=True)))
    if kind == SubjectKind.MEMBER:
        internal_guest = draw(st.booleans())
        return CaSubject(
            kind=kind,
            external_type=ExternalUserType.INTERNAL_GUEST if internal_guest else None,
            home_tenant=None,
            object_refs=refs,
            roles=roles,
        )
    if kind == SubjectKind.DIRECT_CONNECT:
        return CaSubject(
            kind=kind,
            external_type=ExternalUserType.B2B_DIRECT_CONNECT_USER,
            home_tenant=draw(st.sampled_from(TENANTS)),
            object_refs=frozenset(),
        )
    if kind == SubjectKind.COLLABORATION_NON_ENTRA:
        return CaSubject(
            kind=kind,
            external_type=ExternalUserType.B2B_COLLABORATION_GUEST,
            home_tenant=None,
            object_refs=refs,
            roles=roles,
        )
    member = draw(st.booleans())
    return CaSubject(
        kind=kind,
        external_type=(
            ExternalUserType.B2B_COLLABORATION_MEMBER
            if member
            else ExternalUserType.B2B_COLLABORATION_GUEST
        ),
        home_tenant=draw(st.sampled_from(TENANTS)),
        object_refs=refs,
        roles=roles,
    )


APP = App(tenant="contoso", name="crm", id="crm-id", app_id="crm-app-id")


def applied(users: CaUsers, s: CaSubject, app: App = APP) -> bool:
    pol = ConditionalAccessPolicy(
        tenant="contoso",
        name="p",
        id="p-id",
        users=users,
        applications=CaApplications(include=("All",)),
    )
    return "p" in evaluate_conditional_access([pol], s, app, "contoso").applied


@EXAMPLES
@given(include=atom_lists(), exclude=atom_lists(), s=subjects())
def test_ca_users_follow_the_reference(
    include: list[Atom], exclude: list[Atom], s: CaSubject
) -> None:
    expected = any(names(a, s) for a in include) and not any(names(a, s) for a in exclude)
    assert applied(users_of(include, exclude), s) is expected


@EXAMPLES
@given(
    include=atom_lists(),
    exclude=atom_lists(),
    extra=ref_atoms | guest_atoms | role_atoms,
    s=subjects(),
)
def test_one_more_user_exclusion_removes_exactly_what_it_names(
    include: list[Atom], exclude: list[Atom], extra: Atom, s: CaSubject
) -> None:
    if isinstance(extra, GuestAtom) and any(isinstance(a, GuestAtom) for a in exclude):
        exclude = [a for a in exclude if not isinstance(a, GuestAtom)]  # one setting per side
    before = applied(users_of(include, exclude), s)
    after = applied(users_of(include, [*exclude, extra]), s)
    assert after is (before and not names(extra, s))


@EXAMPLES
@given(
    types=st.lists(st.sampled_from(list(ExternalUserType)), unique=True, min_size=1).map(tuple),
    excluded=st.sampled_from(list(ExternalUserType)),
    s=subjects(),
)
def test_excluding_one_external_type_never_exempts_another(
    types: tuple[ExternalUserType, ...], excluded: ExternalUserType, s: CaSubject
) -> None:
    users = users_of(["All"], [GuestAtom(types=(excluded,), tenants=None)])
    assert applied(users, s) is (s.external_type != excluded)
    inclusion = users_of([GuestAtom(types=types, tenants=None)], [GuestAtom((excluded,), None)])
    assert applied(inclusion, s) is (s.external_type in types and s.external_type != excluded)


# --- Conditional Access applications ---------------------------------------------------------
def app_named(entry: str, app: App) -> bool:
    if entry == "All" or entry == app.ref:
        return True
    return entry == "Office365" and app.builtin in OFFICE365_SUITE


def app_of(ref: str) -> App:
    name = ref.partition("/")[2]
    builtin = BuiltinApp.EXCHANGE if name == "exo" else None
    return App(tenant="contoso", name=name, id=f"{name}-id", app_id=f"{name}-app", builtin=builtin)


app_entries = st.sampled_from(("All", "Office365", *APPS))


@EXAMPLES
@given(
    include=st.lists(app_entries, unique=True, max_size=3),
    exclude=st.lists(app_entries, unique=True, max_size=2),
    extra=app_entries,
    target=st.sampled_from(APPS),
)
def test_one_more_app_exclusion_removes_exactly_what_it_names(
    include: list[str], exclude: list[str], extra: str, target: str
) -> None:
    app = app_of(target)
    s = CaSubject(
        kind=SubjectKind.MEMBER, external_type=None, home_tenant=None, object_refs=frozenset()
    )

    def on(exc: list[str]) -> bool:
        pol = ConditionalAccessPolicy(
            tenant="contoso",
            name="p",
            id="p-id",
            users=CaUsers(include=("All",)),
            applications=CaApplications(include=tuple(include), exclude=tuple(exc)),
        )
        return "p" in evaluate_conditional_access([pol], s, app, "contoso").applied

    expected = any(app_named(e, app) for e in include) and not any(
        app_named(e, app) for e in exclude
    )
    assert on(exclude) is expected
    assert on([*exclude, extra]) is (expected and not app_named(extra, app))


# --- cross-tenant access targets -------------------------------------------------------------
USER_IDS = ("u1", "u2", "g1", "g2")
APP_IDS = ("a1", "a2")
user_targets = st.sampled_from(("AllUsers", *USER_IDS))
app_targets = st.sampled_from(("AllApplications", *APP_IDS))


def config(access: AccessType, targets: list[str], kind: TargetType) -> TargetConfiguration:
    return TargetConfiguration(
        access_type=access, targets=tuple(Target(target=t, target_type=kind) for t in targets)
    )


def user_named(target: str, ids: frozenset[str]) -> bool:
    return target == "AllUsers" or target in ids


def app_target_named(target: str, app: AppFacts) -> bool:
    return target == "AllApplications" or target == app.app_id


@EXAMPLES
@given(
    users_access=st.sampled_from(list(AccessType)),
    apps_access=st.sampled_from(list(AccessType)),
    users=st.lists(user_targets, unique=True, min_size=1, max_size=3),
    apps=st.lists(app_targets, unique=True, min_size=1, max_size=2),
    extra_user=user_targets,
    extra_app=app_targets,
    ids=subsets(USER_IDS).map(frozenset),
    app_id=st.sampled_from(APP_IDS),
)
def test_a_cross_tenant_target_changes_only_what_it_names_in_its_direction(
    users_access: AccessType,
    apps_access: AccessType,
    users: list[str],
    apps: list[str],
    extra_user: str,
    extra_app: str,
    ids: frozenset[str],
    app_id: str,
) -> None:
    app = AppFacts(app_id)

    def decide(u: list[str], a: list[str]) -> bool:
        return allows(
            B2BSetting(
                users_and_groups=config(users_access, u, TargetType.USER),
                applications=config(apps_access, a, TargetType.APPLICATION),
            ),
            ids,
            app,
        )

    before = decide(users, apps)
    for after, named, access in (
        (decide([*users, extra_user], apps), user_named(extra_user, ids), users_access),
        (decide(users, [*apps, extra_app]), app_target_named(extra_app, app), apps_access),
    ):
        if not named:
            assert after is before  # a target changes nothing for what it does not name
        elif access == AccessType.BLOCKED:
            assert after <= before  # one more blocked target never widens (an exclusion)
        else:
            assert after >= before  # one more allowed target never narrows (an inclusion)
