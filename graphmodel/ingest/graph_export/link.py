"""Pass 2, part 1: tenant handles, users, home identities and placeholder tenants.

A guest object in a resource tenant stands for a person whose *home* account lives elsewhere.
Graph never stores the home object id, so the home is found the way an administrator would: the
guest's `mail`, `otherMails` or the address encoded in its `#EXT#` UPN is matched against the
UPNs and mail addresses of the imported tenants' own users. When the home tenant is not part of
the import, the person still gets a home: a user in a *placeholder* tenant named by the domain
(or by the tenant id, for channel members known only by `tenantId`), so every question about
them keeps working and the answer says which tenant it could not see.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graphmodel.ingest.graph_export.handles import HandleSpace
from graphmodel.ingest.graph_export.reader import Report
from graphmodel.ingest.graph_export.records import TenantData, UserRec
from graphmodel.ingest.graph_export.values import At
from graphmodel.schema.entities import Team, Tenant, User
from graphmodel.schema.enums import (
    DirectoryRole,
    IdentityProviderKind,
    TenantType,
    UserType,
)
from graphmodel.schema.ids import derive_id

__all__ = ["Linker", "decode_ext_upn"]


def decode_ext_upn(upn: str | None) -> str | None:
    """The invited address inside a B2B UPN: `bob_fabrikam.com#EXT#@x` -> `bob@fabrikam.com`.

    Examples
    --------
    >>> decode_ext_upn("AdeleV_adatum.com#EXT#@contoso.onmicrosoft.com")
    'AdeleV@adatum.com'
    >>> decode_ext_upn("alice@contoso.com") is None
    True
    """
    if not upn or "#EXT#" not in upn.upper():
        return None
    head = upn[: upn.upper().index("#EXT#")]
    local, sep, domain = head.rpartition("_")
    return f"{local}@{domain}" if sep and local and "." in domain else None


@dataclass(slots=True)
class _Draft:
    """A user being built: Graph facts plus the links found in this pass."""

    rec: UserRec
    tenant: str
    name: str
    guest_of: str | None = None
    synced_from: str | None = None


@dataclass
class Linker:
    """Every id -> handle mapping of the import, and the placeholder objects it had to create."""

    report: Report
    data: list[TenantData]
    names: dict[int, str] = field(default_factory=dict)  # id(TenantData) -> tenant handle
    tenant_by_id: dict[str, str] = field(default_factory=dict)
    tenant_by_domain: dict[str, str] = field(default_factory=dict)
    spaces: dict[str, HandleSpace] = field(default_factory=dict)
    user_ref: dict[tuple[str, str], str] = field(default_factory=dict)  # (tenant, id) -> ref
    user_by_id: dict[str, str] = field(default_factory=dict)  # any tenant's object id -> ref
    drafts: dict[str, _Draft] = field(default_factory=dict)
    homes: dict[str, str] = field(default_factory=dict)  # address -> home user ref
    group_ref: dict[tuple[str, str], str] = field(default_factory=dict)  # (tenant, id) -> ref
    app_ref: dict[tuple[str, str], str] = field(default_factory=dict)  # (tenant, sp id) -> ref
    app_by_app_id: dict[tuple[str, str], str] = field(default_factory=dict)  # (tenant, appId)
    team_ref: dict[tuple[str, str], str] = field(default_factory=dict)  # (tenant, id) -> ref
    placeholder_tenants: list[Tenant] = field(default_factory=list)
    placeholder_users: list[User] = field(default_factory=list)
    placeholder_teams: list[Team] = field(default_factory=list)
    known: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    _ph_users: dict[tuple[str, str], str] = field(default_factory=dict)
    _ph_teams: dict[tuple[str, str], str] = field(default_factory=dict)
    _ph_names: set[str] = field(default_factory=set)
    _ph_domains: dict[str, str] = field(default_factory=dict)  # placeholder -> its domain
    _tenant_names: HandleSpace = field(default_factory=HandleSpace)

    # --- tenants --------------------------------------------------------------------------
    def name_tenants(self) -> None:
        for d in self.data:
            name = self._tenant_names.claim(d.label, d.display, fallback=d.tenant_id)
            if name != d.label:
                self.report.warn("renamed", d.label, (), f"folder `{d.label}` is imported as "
                                 f"tenant `{name}` (the folder name is not a unique handle)")
            self.names[id(d)] = name
            self.spaces[name] = HandleSpace()
            if d.tenant_id in self.tenant_by_id:
                self.report.warn("duplicate-object", d.label, (), f"tenant `{d.tenant_id}` is "
                                 f"imported twice (also as `{self.tenant_by_id[d.tenant_id]}`)")
            self.tenant_by_id.setdefault(d.tenant_id, name)
            for dom in d.domains:
                self.tenant_by_domain.setdefault(dom, name)
            for tid, info in d.known_tenants.items():
                old = self.known.get(tid, (None, None))
                self.known[tid] = (old[0] or info[0], old[1] or info[1])

    def name_of(self, d: TenantData) -> str:
        return self.names[id(d)]

    def tenant_for_id(self, tenant_id: str, at: At) -> str:
        """The handle of tenant `tenant_id`: imported, or a placeholder made on first use."""
        found = self.tenant_by_id.get(tenant_id.lower())
        if found is not None:
            return found
        display, domain = self.known.get(tenant_id.lower(), (None, None))
        if domain and domain in self.tenant_by_domain:
            return self.tenant_by_domain[domain]
        name = self._placeholder_tenant(
            tenant_id.lower(), (domain or f"tenant-{tenant_id[:8].lower()}.invalid",),
            display, domain or f"tenant-{tenant_id[:8]}", at
        )
        return name

    def tenant_for_domain(self, domain: str, at: At) -> str:
        domain = domain.lower()
        found = self.tenant_by_domain.get(domain)
        if found is not None:
            return found
        tenant_id = next((t for t, (_, d) in self.known.items() if d == domain), None)
        if tenant_id is not None:
            return self.tenant_for_id(tenant_id, at)
        return self._placeholder_tenant(derive_id("tenant", domain), (domain,), None, domain, at)

    def _placeholder_tenant(
        self, tenant_id: str, domains: tuple[str, ...], display: str | None, fallback: str, at: At
    ) -> str:
        name = self._tenant_names.claim(display, fallback=fallback)
        self.spaces[name] = HandleSpace()
        self._ph_names.add(name)
        self._ph_domains[name] = domains[0]
        self.tenant_by_id[tenant_id] = name
        for dom in domains:
            self.tenant_by_domain.setdefault(dom, name)
        self.placeholder_tenants.append(
            Tenant(name=name, id=tenant_id, domains=domains, type=TenantType.WORKFORCE)
        )
        at.warn("placeholder-tenant", f"tenant `{fallback}` is referenced here but not imported; "
                f"placeholder tenant `{name}` stands for it", tenant=tenant_id)
        return name

    def placeholder_user(
        self, tenant: str, *, object_id: str | None, address: str | None, display: str | None
    ) -> str:
        """A home identity in a placeholder tenant, found again by id or address."""
        keys = [k for k in (object_id, (address or "").lower() or None) if k]
        for key in keys:
            if (tenant, key) in self._ph_users:
                return self._ph_users[(tenant, key)]
        local = address.partition("@")[0] if address else None
        name = self.spaces[tenant].claim(display, local, fallback=object_id or "user")
        uid = object_id or derive_id("user", tenant, address or name)
        upn = address or f"{name}@{self._domain(tenant)}"
        user = User(tenant=tenant, name=name, id=uid, user_principal_name=upn, mail=address)
        self.placeholder_users.append(user)
        for key in keys:
            self._ph_users[(tenant, key)] = user.ref
        self.user_by_id.setdefault(uid, user.ref)
        return user.ref

    def placeholder_team(
        self, tenant: str, team_id: str, display: str | None, members: list[str]
    ) -> str:
        """A team of a placeholder tenant (a shared channel's shared-with team, a host team)."""
        found = self._ph_teams.get((tenant, team_id))
        if found is not None:
            return found
        name = self.spaces[tenant].claim(display, fallback=team_id)
        team = Team(tenant=tenant, name=name, id=team_id, members=tuple(dict.fromkeys(members)))
        self.placeholder_teams.append(team)
        self._ph_teams[(tenant, team_id)] = team.ref
        self.team_ref[(tenant, team_id)] = team.ref
        return team.ref

    def resolve_member(self, own: str, own_id: str, user_id: str, tenant_id: str | None,
                       email: str | None, display: str | None, at: At) -> str | None:
        """A conversation member (object id in its home tenant `tenant_id`) as a user ref."""
        home_id = (tenant_id or own_id).lower()
        home = own if home_id == own_id else self.tenant_by_id.get(home_id)
        if home is not None and not self.is_placeholder(home):
            ref = self.user_ref.get((home, user_id))
            if ref is None:
                at.warn("unknown-reference", f"member `{email or display or user_id}` is not a "
                        f"user of tenant `{home}`, so it is left out", "userId")
            return ref
        home = self.tenant_for_id(home_id, at)
        return self.placeholder_user(home, object_id=user_id, address=email, display=display)

    def _domain(self, tenant: str) -> str:
        return self._ph_domains.get(tenant, f"{tenant}.invalid")

    def is_placeholder(self, tenant: str) -> bool:
        return tenant in self._ph_names

    # --- users ----------------------------------------------------------------------------
    def name_users(self) -> None:
        for d in self.data:
            tenant = self.name_of(d)
            for rec in d.users.values():
                local = decode_ext_upn(rec.upn) or rec.upn or rec.mail or ""
                name = self.spaces[tenant].claim(rec.display, local.partition("@")[0],
                                                 fallback=rec.id)
                ref = f"{tenant}/{name}"
                self.drafts[ref] = _Draft(rec, tenant, name)
                self.user_ref[(tenant, rec.id)] = ref
                self.user_by_id.setdefault(rec.id, ref)
                if not rec.external and d.type is TenantType.WORKFORCE and (
                    rec.idp is IdentityProviderKind.ENTRA
                ):
                    for address in (rec.upn, rec.mail):
                        if address:
                            self.homes.setdefault(address.lower(), ref)

    def link_homes(self) -> None:
        for draft in self.drafts.values():
            rec = draft.rec
            if not rec.external or rec.idp is not IdentityProviderKind.ENTRA:
                continue
            candidates = [a for a in (rec.mail, *rec.other_mails, decode_ext_upn(rec.upn)) if a]
            home = next(
                (
                    self.homes[a.lower()]
                    for a in candidates
                    if a.lower() in self.homes and not self.homes[a.lower()].startswith(
                        draft.tenant + "/"
                    )
                ),
                None,
            )
            if home is None:
                home = self._unmatched_home(draft, candidates)
            if home is None:
                continue
            if rec.invited:
                draft.guest_of = home
            else:
                draft.synced_from = home

    def _unmatched_home(self, draft: _Draft, candidates: list[str]) -> str | None:
        rec = draft.rec
        address = next((a for a in candidates if "@" in a), None)
        if address is None:
            rec.at.warn("home-unknown", f"external user `{draft.tenant}/{draft.name}` has no mail "
                        "or `#EXT#` user principal name, so its home account is unknown")
            return None
        domain = address.rpartition("@")[2].lower()
        imported = self.tenant_by_domain.get(domain)
        if imported is not None and not self.is_placeholder(imported):
            rec.at.warn("home-not-found", f"`{address}` (home of `{draft.tenant}/{draft.name}`) is "
                        f"not a user of imported tenant `{imported}`; the guest is kept unlinked")
            return None
        tenant = self.tenant_for_domain(domain, rec.at)
        return self.placeholder_user(tenant, object_id=None, address=address, display=None)

    def build_users(self, roles: dict[tuple[str, str], tuple[DirectoryRole, ...]]) -> list[User]:
        out: list[User] = []
        for draft in self.drafts.values():
            rec = draft.rec
            upn = rec.upn or rec.mail or f"{draft.name}@{draft.tenant}.invalid"
            out.append(
                User(
                    tenant=draft.tenant,
                    name=draft.name,
                    id=rec.id,
                    user_principal_name=upn,
                    mail=rec.mail,
                    user_type=rec.user_type or _default_type(rec),
                    external_user_state=rec.state,
                    creation_type=rec.creation,
                    account_enabled=rec.enabled is not False,
                    identity_provider=rec.idp,
                    roles=tuple(roles.get((draft.tenant, rec.id), ())),
                    guest_of=draft.guest_of,
                    synced_from=draft.synced_from,
                    created_date_time=rec.created,
                    external_user_state_change_date_time=rec.state_changed,
                    last_sign_in_date_time=rec.last_sign_in,
                )
            )
        return out


def _default_type(rec: UserRec) -> UserType:
    """`userType` when it was not selected: invited external users are guests by default."""
    return UserType.GUEST if rec.external and rec.invited else UserType.MEMBER
