"""Pass 2, part 3: tenants with their settings, Conditional Access, entitlement management.

Conditional Access and access packages name users, groups and apps by Graph id; the model names
them by handle, so ids are resolved in the policy's own tenant (an id that resolves to nothing
is reported, never guessed). External tenants (a CA policy's `externalTenants`, a connected
organization's identity source, an Entra federation) may be anywhere: imported tenants are used
when present, placeholders otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graphmodel.ingest.graph_export import layout as L
from graphmodel.ingest.graph_export.handles import HandleSpace
from graphmodel.ingest.graph_export.link import Linker
from graphmodel.ingest.graph_export.records import CaGuestsRec, CaRec, TenantData
from graphmodel.ingest.graph_export.values import At
from graphmodel.schema.entities import (
    EntitlementSettings,
    ExternalCollaboration,
    FederatedIdentityProvider,
    SelfServiceSignUp,
    TeamsPolicy,
    Tenant,
    User,
)
from graphmodel.schema.enums import DirectoryRole, ExternalUserType
from graphmodel.schema.governance import (
    AccessPackage,
    AccessPackageAssignment,
    AccessPackagePolicy,
    CaApplications,
    CaUsers,
    ConditionalAccessPolicy,
    ConnectedOrganization,
    Invitation,
)

__all__ = ["Governance", "build_governance", "build_tenants"]

_USER_KEYWORDS = ("All", "GuestsOrExternalUsers")
_APP_KEYWORDS = ("All", "Office365")
_GUESTS = "GuestsOrExternalUsers"
_ROLE_BY_TEMPLATE = {v: k for k, v in L.ROLE_TEMPLATE_IDS.items()}


@dataclass(slots=True)
class Governance:
    conditional_access: list[ConditionalAccessPolicy] = field(default_factory=list)
    connected_organizations: list[ConnectedOrganization] = field(default_factory=list)
    access_packages: list[AccessPackage] = field(default_factory=list)
    access_package_assignments: list[AccessPackageAssignment] = field(default_factory=list)
    invitations: list[Invitation] = field(default_factory=list)


def build_tenants(lk: Linker) -> list[Tenant]:
    out: list[Tenant] = []
    for d in lk.data:
        tenant = lk.name_of(d)
        apps: list[str] = []
        for at, app_id in d.sssu_apps:
            ref = lk.app_by_app_id.get((tenant, app_id))
            if ref is None:
                at.warn("unknown-reference", f"sign-up user flow app `{app_id}` is not a service "
                        "principal of this tenant", "appId")
            elif ref not in apps:
                apps.append(ref)
        idps = tuple(
            FederatedIdentityProvider(
                kind=p.kind, tenant=lk.tenant_for_id(p.tenant_id, p.at) if p.tenant_id else None
            )
            for p in d.idps
        )
        out.append(
            Tenant(
                name=tenant,
                id=d.tenant_id,
                domains=tuple(d.domains) or (f"{tenant}.invalid",),
                cloud=d.cloud,
                type=d.type,
                cross_tenant_access=d.xtap,
                external_collaboration=ExternalCollaboration(
                    allow_invites_from=d.allow_invites_from,
                    blocked_domains=d.blocked_domains,
                    allowed_domains=d.allowed_domains,
                    guest_user_access=d.guest_access,
                    guest_user_role_id=d.guest_role_id,
                    self_service_sign_up=SelfServiceSignUp(enabled=d.sssu_enabled,
                                                           apps=tuple(apps)),
                ),
                teams_policy=TeamsPolicy(
                    allow_user_to_participate_in_external_shared_channel=d.participate_external,
                    allow_channel_sharing_to_external_user=d.share_external,
                ),
                entitlement_settings=EntitlementSettings(external_user_lifecycle_action=d.lifecycle),
                identity_providers=idps,
            )
        )
    return out


def build_governance(lk: Linker, users: dict[str, User]) -> Governance:
    out = Governance()
    for d in lk.data:
        tenant = lk.name_of(d)
        ca_space = HandleSpace()
        for rec in d.ca:
            out.conditional_access.append(_ca(lk, tenant, rec, ca_space))
        orgs = _connected_orgs(lk, d, out)
        packages = _packages(lk, d, orgs, out)
        for a in d.package_assignments:
            package = packages.get(a.package_id)
            if package is None:
                a.at.warn("unknown-reference", f"assignment to access package `{a.package_id}`, "
                          "which is not in `accessPackages`, is left out", "accessPackage")
                continue
            target = _target(lk, tenant, a.object_id, a.addresses, users, a.at)
            if target is not None:
                out.access_package_assignments.append(AccessPackageAssignment(
                    package=package, target=target, state=a.state, expires=a.expires))
        for inv in d.invitations:
            invited = lk.user_ref.get((tenant, inv.user_id))
            if invited is None:
                inv.at.warn("unknown-reference", f"invited user `{inv.user_id}` is not a user of "
                            f"`{tenant}`, so the invitation is left out", "invitedUser")
                continue
            by = lk.user_ref.get((tenant, inv.invited_by)) if inv.invited_by else None
            out.invitations.append(Invitation(
                tenant=tenant, id=inv.id, invited_user_email_address=inv.email,
                invited_user=invited, invite_redeem_url=inv.redeem_url, invited_by=by,
                status=inv.status))
    return out


def _ca(lk: Linker, tenant: str, rec: CaRec, space: HandleSpace) -> ConditionalAccessPolicy:
    at = rec.at.sub("conditions", "users")
    include = _principals(lk, tenant, rec.include_users, rec.include_groups, at, "include")
    exclude = _principals(lk, tenant, rec.exclude_users, rec.exclude_groups, at, "exclude")
    types, tenants = _guest_setting(lk, rec.include_guests, include, at)
    exclude_types, exclude_tenants = _guest_setting(lk, rec.exclude_guests, exclude, at)
    apps_at = rec.at.sub("conditions", "applications")
    return ConditionalAccessPolicy(
        tenant=tenant,
        name=space.claim(rec.display, fallback=rec.id),
        id=rec.id,
        state=rec.state,
        users=CaUsers(include=tuple(include), exclude=tuple(exclude),
                      guest_or_external_user_types=types, external_tenants=tenants,
                      exclude_guest_or_external_user_types=exclude_types,
                      exclude_external_tenants=exclude_tenants,
                      include_roles=_roles(rec.include_roles, at, "includeRoles"),
                      exclude_roles=_roles(rec.exclude_roles, at, "excludeRoles")),
        applications=CaApplications(
            include=tuple(_apps(lk, tenant, rec.include_apps, apps_at, "includeApplications")),
            exclude=tuple(_apps(lk, tenant, rec.exclude_apps, apps_at, "excludeApplications")),
        ),
        grant=tuple(dict.fromkeys(rec.grant)),
        grant_operator=rec.operator,
    )


def _guest_setting(
    lk: Linker, rec: CaGuestsRec | None, side: list[str], at: At
) -> tuple[tuple[ExternalUserType, ...] | None, tuple[str, ...] | None]:
    """One side's `*GuestsOrExternalUsers` as the keyword on that side plus its own types and
    tenants: include and exclude settings never borrow from each other. With the legacy
    `GuestsOrExternalUsers` keyword on the same side, every external user is named already."""
    if rec is None or _GUESTS in side:
        return None, None
    side.append(_GUESTS)
    tenants = None
    if rec.tenants is not None:
        tenants = tuple(dict.fromkeys(lk.tenant_for_id(t, at) for t in rec.tenants))
    return rec.types, tenants


def _roles(template_ids: list[str], at: At, key: str) -> tuple[DirectoryRole, ...]:
    """Role template ids as the roles users hold in the model; a role the model does not know
    is reported (nobody's roles can match it, so who it includes or excludes is not known)."""
    out: list[DirectoryRole] = []
    for i, template in enumerate(template_ids):
        role = _ROLE_BY_TEMPLATE.get(template)
        if role is None:
            at.warn("not-modelled", f"directory role `{template}` is not one tenantgraph models; "
                    "users holding it are not matched by this policy", key, i)
        elif role not in out:
            out.append(role)
    return tuple(out)


def _principals(
    lk: Linker, tenant: str, users: list[str], groups: list[str], at: At, side: str
) -> list[str]:
    out: list[str] = []
    for i, value in enumerate(users):
        if value in _USER_KEYWORDS:
            out.append(value)
        elif value != "None":
            ref = lk.user_ref.get((tenant, value.lower()))
            if ref is None:
                at.warn("unknown-reference", f"user `{value}` is not a user of `{tenant}` and is "
                        "ignored", f"{side}Users", i)
            else:
                out.append(ref)
    for i, value in enumerate(groups):
        ref = lk.group_ref.get((tenant, value))
        if ref is None:
            at.warn("unknown-reference", f"group `{value}` is not a group of `{tenant}` and is "
                    "ignored", f"{side}Groups", i)
        else:
            out.append(ref)
    return list(dict.fromkeys(out))


def _apps(lk: Linker, tenant: str, values: list[str], at: At, key: str) -> list[str]:
    out: list[str] = []
    for i, value in enumerate(values):
        if value in _APP_KEYWORDS:
            out.append(value)
        elif value != "None":
            ref = lk.app_by_app_id.get((tenant, value.lower()))
            if ref is None:
                at.warn("unknown-reference", f"application `{value}` is not a service principal "
                        f"of `{tenant}` (or a keyword tenantgraph models) and is ignored", key, i)
            else:
                out.append(ref)
    return list(dict.fromkeys(out))


def _connected_orgs(lk: Linker, d: TenantData, out: Governance) -> dict[str, str]:
    tenant = lk.name_of(d)
    space = HandleSpace()
    refs: dict[str, str] = {}
    for o in d.connected_orgs:
        if o.tenant_id is not None:
            identity = lk.tenant_for_id(o.tenant_id, o.at)
        else:
            assert o.domain is not None  # INVARIANT: the reader keeps orgs with a tenant or domain
            identity = lk.tenant_for_domain(o.domain, o.at)
        org = ConnectedOrganization(tenant=tenant, name=space.claim(o.display, fallback=o.id),
                                    id=o.id, identity_tenant=identity, state=o.state)
        out.connected_organizations.append(org)
        refs[o.id] = org.ref
    return refs


def _packages(
    lk: Linker, d: TenantData, orgs: dict[str, str], out: Governance
) -> dict[str, str]:
    tenant = lk.name_of(d)
    space = HandleSpace()
    policies: dict[str, list[AccessPackagePolicy]] = {}
    for p in d.policies:
        targets = []
        for org in p.connected_orgs:
            if org in orgs:
                targets.append(orgs[org])
            else:
                p.at.warn("unknown-reference", f"connected organization `{org}` is not in "
                          "`connectedOrganizations` and is ignored", "specificAllowedTargets")
        policies.setdefault(p.package_id, []).append(AccessPackagePolicy(
            allowed_target_scope=p.scope, specific_allowed_targets=tuple(targets),
            expiration=p.expiration))
    refs: dict[str, str] = {}
    for pkg in d.packages:
        resources: list[str] = []
        for at, system, origin in pkg.resources:
            ref = None
            if system == "AadGroup":
                ref = lk.group_ref.get((tenant, origin))
            elif system == "AadApplication":
                ref = lk.app_ref.get((tenant, origin))
            else:
                at.warn("not-modelled", f"`{system}` resources are not modelled and are ignored")
                continue
            if ref is None:
                at.warn("unknown-reference", f"{system} resource `{origin}` is not in this "
                        "tenant's export and is ignored")
            elif ref not in resources:
                resources.append(ref)
        package = AccessPackage(tenant=tenant, name=space.claim(pkg.display, fallback=pkg.id),
                                id=pkg.id, resources=tuple(resources),
                                policies=tuple(policies.pop(pkg.id, ())), is_hidden=pkg.hidden,
                                catalog_externally_visible=pkg.externally_visible)
        out.access_packages.append(package)
        refs[pkg.id] = package.ref
    for rec in d.policies:
        if rec.package_id in policies:
            rec.at.warn("unknown-reference", f"access package `{rec.package_id}` is not in "
                        "`accessPackages`, so its policy is left out", "accessPackage")
            policies.pop(rec.package_id)
    return refs


def _target(
    lk: Linker,
    tenant: str,
    object_id: str | None,
    addresses: tuple[str, ...],
    users: dict[str, User],
    at: At,
) -> str | None:
    """The principal (home identity) an access package assignment belongs to."""
    ref = None
    if object_id is not None:
        ref = lk.user_ref.get((tenant, object_id)) or lk.user_by_id.get(object_id)
    if ref is None:
        ref = next((lk.homes[a.lower()] for a in addresses if a.lower() in lk.homes), None)
    if ref is None:
        address = next((a for a in addresses if "@" in a), None)
        if address is None:
            at.warn("unknown-reference", f"assignment target `{object_id}` is not a user of any "
                    "imported tenant, so the assignment is left out", "target")
            return None
        home = lk.tenant_for_domain(address.rpartition("@")[2], at)
        if not lk.is_placeholder(home):
            at.warn("unknown-reference", f"assignment target `{address}` is not a user of "
                    f"imported tenant `{home}`, so the assignment is left out", "target")
            return None
        return lk.placeholder_user(home, object_id=None, address=address, display=None)
    user = users.get(ref)
    return user.home_ref if user is not None and user.home_ref else ref
