"""Tenants and users of a generated world: skewed tenant sizes, members, guests, synced users.

Why these shapes: the engine's costs are driven by the biggest tenant (reverse lookups), by the
number of foreign footholds a person has (guest and synced objects) and by how many tenants
configure each other. Tenant sizes follow a Zipf law (exponent 1.5), so at L the largest tenant
holds ~40% of all members — the "hundreds of thousands of principals" of issue 8. Every value
follows the conventions the world-file loader uses (ids from `derive_id`, UPNs, mail), so a
generated world written as YAML loads back to the same facts.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from graphmodel.schema import (
    AccessPackage,
    AccessPackageAssignment,
    App,
    AppRoleAssignment,
    Channel,
    Cloud,
    ConditionalAccessPolicy,
    ConnectedOrganization,
    CreationType,
    DirectoryRole,
    ExternalUserState,
    Group,
    IdentityProviderKind,
    Team,
    TenantType,
    User,
    UserType,
)
from graphmodel.schema.ids import derive_id

__all__ = ["Draft", "Gen", "TenantDraft", "make_tenants", "make_users"]


@dataclass(slots=True)
class TenantDraft:
    """Everything generated for one tenant before it becomes schema objects."""

    index: int
    name: str
    id: str
    domain: str
    weight: float
    cloud: Cloud = Cloud.GLOBAL
    type: TenantType = TenantType.WORKFORCE
    members: list[User] = field(default_factory=list)  # home identities (or B2C consumers)
    externals: list[User] = field(default_factory=list)  # guests, synced and social accounts
    partners: list[int] = field(default_factory=list)  # tenant indexes it works with
    groups: list[Group] = field(default_factory=list)
    leaf_groups: list[str] = field(default_factory=list)
    group_ids: dict[str, str] = field(default_factory=dict)  # group ref -> object id
    apps: list[App] = field(default_factory=list)
    assignments: list[AppRoleAssignment] = field(default_factory=list)
    teams: list[Team] = field(default_factory=list)
    channels: list[Channel] = field(default_factory=list)
    ca: list[ConditionalAccessPolicy] = field(default_factory=list)
    orgs: list[ConnectedOrganization] = field(default_factory=list)
    packages: list[AccessPackage] = field(default_factory=list)
    package_assignments: list[AccessPackageAssignment] = field(default_factory=list)
    synced_from: set[int] = field(default_factory=set)  # tenants that sync users into this one

    @property
    def users(self) -> list[User]:
        return self.members + self.externals


@dataclass(slots=True)
class Draft:
    """The tenants of a world in the making."""

    tenants: list[TenantDraft]


@dataclass(slots=True)
class Gen:
    """Generation parameters shared by the steps."""

    rng: random.Random
    users: int
    groups: int
    apps: int
    tenants: int


_ZIPF = 1.5
GUEST_SHARE = 0.10
SYNCED_SHARE = 0.02
SOCIAL_SHARE = 0.005


def make_tenants(gen: Gen) -> Draft:
    """Tenants `t0000`...: Zipf weights, ~1% US Government, ~1% Azure AD B2C (small ones)."""
    rng = gen.rng
    out: list[TenantDraft] = []
    for i in range(gen.tenants):
        name = f"t{i:04d}"
        draft = TenantDraft(
            index=i,
            name=name,
            id=derive_id("tenant", name),
            domain=f"{name}.example",
            weight=1.0 / (i + 1) ** _ZIPF,
        )
        if i >= 10 and rng.random() < 0.01:
            draft.cloud = Cloud.USGOV
        elif i >= 10 and rng.random() < 0.01:
            draft.type = TenantType.B2C
        out.append(draft)
    workforce = [t for t in out if t.type == TenantType.WORKFORCE]
    weights = [t.weight for t in workforce]
    for t in workforce:
        same_cloud = [u for u in workforce if u.cloud == t.cloud and u is not t]
        if not same_cloud:
            same_cloud = [workforce[0]] if t is not workforce[0] else []
        count = min(len(same_cloud), 2 + int(t.weight * 60 + rng.random() * 4))
        if t.cloud == Cloud.GLOBAL:
            picks = rng.choices(workforce, weights=weights, k=count * 2)
            picks = [p for p in picks if p is not t and p.cloud == Cloud.GLOBAL]
        else:
            picks = [*same_cloud[:count], workforce[0]]
        seen: dict[int, None] = {}
        for p in picks:
            seen.setdefault(p.index)
        t.partners = list(seen)[: max(count, 1)]
    return Draft(tenants=out)


def _member(t: TenantDraft, name: str, rng: random.Random, k: int) -> User:
    upn = f"{name}@{t.domain}"
    roles: tuple[DirectoryRole, ...] = ()
    if k == 0:
        roles = (DirectoryRole.GLOBAL_ADMINISTRATOR,)
    elif k == 1:
        roles = (DirectoryRole.GUEST_INVITER,)
    consumer = t.type == TenantType.B2C
    return User(
        tenant=t.name,
        name=name,
        id=derive_id("user", t.name, name),
        user_principal_name=upn,
        mail=upn,
        creation_type=CreationType.LOCAL_ACCOUNT if consumer else None,
        identity_provider=IdentityProviderKind.LOCAL if consumer else IdentityProviderKind.ENTRA,
        account_enabled=k < 2 or rng.random() >= 0.01,
        roles=roles,
    )


def _external(t: TenantDraft, name: str, home: User, *, synced: bool, pending: bool) -> User:
    mail = home.mail or home.user_principal_name
    local, _, domain = mail.rpartition("@")
    return User(
        tenant=t.name,
        name=name,
        id=derive_id("user", t.name, name),
        user_principal_name=f"{local}_{domain}#EXT#@{t.name}.onmicrosoft.com",
        mail=mail,
        user_type=UserType.MEMBER if synced else UserType.GUEST,
        external_user_state=None
        if synced
        else (ExternalUserState.PENDING_ACCEPTANCE if pending else ExternalUserState.ACCEPTED),
        creation_type=None if synced else CreationType.INVITATION,
        guest_of=None if synced else f"{home.tenant}/{home.name}",
        synced_from=f"{home.tenant}/{home.name}" if synced else None,
    )


def _social(t: TenantDraft, name: str, rng: random.Random) -> User:
    idp = rng.choice((IdentityProviderKind.GOOGLE, IdentityProviderKind.EMAIL_OTP))
    mail = f"{name}.{t.name}@{'gmail.com' if idp == IdentityProviderKind.GOOGLE else 'mail.test'}"
    local, _, domain = mail.rpartition("@")
    return User(
        tenant=t.name,
        name=name,
        id=derive_id("user", t.name, name),
        user_principal_name=f"{local}_{domain}#EXT#@{t.name}.onmicrosoft.com",
        mail=mail,
        user_type=UserType.GUEST,
        external_user_state=ExternalUserState.ACCEPTED,
        creation_type=CreationType.INVITATION,
        identity_provider=idp,
    )


def make_users(gen: Gen, draft: Draft) -> None:
    """Members by tenant weight, then guests, synced users and social guests between partners."""
    rng = gen.rng
    tenants = draft.tenants
    n_external = int(gen.users * (GUEST_SHARE + SYNCED_SHARE + SOCIAL_SHARE))
    n_members = gen.users - n_external
    total_w = sum(t.weight for t in tenants)
    sizes = [max(5, int(n_members * t.weight / total_w)) for t in tenants]
    sizes[0] += n_members - sum(sizes)
    for t, size in zip(tenants, sizes, strict=True):
        t.members = [_member(t, f"u{k}", rng, k) for k in range(size)]
    workforce = [t for t in tenants if t.type == TenantType.WORKFORCE and t.partners]
    weights = [t.weight for t in workforce]
    seen: set[tuple[int, int, int]] = set()
    counters = [0] * len(tenants)
    kinds = (
        ["guest"] * int(gen.users * GUEST_SHARE)
        + ["synced"] * int(gen.users * SYNCED_SHARE)
        + ["social"] * (n_external - int(gen.users * GUEST_SHARE) - int(gen.users * SYNCED_SHARE))
    )
    hosts = rng.choices(workforce, weights=weights, k=len(kinds))
    for kind, host in zip(kinds, hosts, strict=True):
        n = counters[host.index]
        counters[host.index] += 1
        if kind == "social":
            host.externals.append(_social(host, f"o{n}", rng))
            continue
        if kind == "synced":
            pool = sorted(host.synced_from) or host.partners[:1]
            home_t = tenants[rng.choice(pool)]
            host.synced_from.add(home_t.index)
        else:
            home_t = tenants[rng.choice(host.partners)]
        if home_t.type != TenantType.WORKFORCE or home_t is host:
            host.externals.append(_social(host, f"o{n}", rng))
            continue
        k = rng.randrange(len(home_t.members))
        for _ in range(8):  # one object per person and tenant
            if (home_t.index, k, host.index) not in seen:
                break
            k = rng.randrange(len(home_t.members))
        else:
            host.externals.append(_social(host, f"o{n}", rng))
            continue
        seen.add((home_t.index, k, host.index))
        home = home_t.members[k]
        prefix = "s" if kind == "synced" else "x"
        host.externals.append(
            _external(
                host,
                f"{prefix}{n}",
                home,
                synced=kind == "synced",
                pending=rng.random() < 0.05,
            )
        )
