"""World objects -> the Graph JSON shapes of policies, settings and entitlement management.

Pure functions, one per Graph resource, used by the exporter. Each writes what the real API
returns for the facts the model holds and nothing invented beyond stable ids (derived from the
object's id) where Graph requires one; `import_export` reads every shape back to the same facts.
"""

from __future__ import annotations

import json
from typing import Any

from graphmodel.ingest.graph_export import layout as L
from graphmodel.schema.entities import FederatedIdentityProvider, Tenant
from graphmodel.schema.enums import ExternalUserType, GrantControl, IdentityProviderKind
from graphmodel.schema.governance import (
    AccessPackageAssignment,
    CaUsers,
    ConditionalAccessPolicy,
)
from graphmodel.schema.guest_roles import GUEST_ROLE_IDS
from graphmodel.schema.ids import derive_id
from graphmodel.schema.world import World
from graphmodel.schema.xtap import (
    B2BSetting,
    CrossTenantAccessDefault,
    CrossTenantAccessPartner,
    InboundTrust,
    TargetConfiguration,
)

__all__ = [
    "authorization_policy",
    "b2b_management_policy",
    "ca_policy",
    "identity_provider",
    "package_assignment",
    "xtap_default",
    "xtap_partner",
]

_GUESTS = "GuestsOrExternalUsers"
_OTHER_CONTROLS = {GrantControl.TERMS_OF_USE.value, *L.AUTH_STRENGTH_IDS}


def _config(c: TargetConfiguration) -> dict[str, Any]:
    return {
        "accessType": c.access_type.value,
        "targets": [{"target": t.target, "targetType": t.target_type.value} for t in c.targets],
    }


def _setting(s: B2BSetting | None) -> dict[str, Any] | None:
    if s is None:
        return None
    return {"usersAndGroups": _config(s.users_and_groups), "applications": _config(s.applications)}


def _trust(t: InboundTrust | None) -> dict[str, Any] | None:
    if t is None:
        return None
    return {
        "isMfaAccepted": t.is_mfa_accepted,
        "isCompliantDeviceAccepted": t.is_compliant_device_accepted,
        "isHybridAzureADJoinedDeviceAccepted": t.is_hybrid_azure_ad_joined_device_accepted,
    }


def xtap_default(d: CrossTenantAccessDefault) -> dict[str, Any]:
    body: dict[str, Any] = {
        "isServiceDefault": d.is_service_default,
        "inboundTrust": _trust(d.inbound_trust),
        "b2bCollaborationOutbound": _setting(d.b2b_collaboration_outbound),
        "b2bCollaborationInbound": _setting(d.b2b_collaboration_inbound),
        "b2bDirectConnectOutbound": _setting(d.b2b_direct_connect_outbound),
        "b2bDirectConnectInbound": _setting(d.b2b_direct_connect_inbound),
    }
    if d.tenant_restrictions is not None:
        body["tenantRestrictions"] = _setting(d.tenant_restrictions)
    return body


def xtap_partner(p: CrossTenantAccessPartner) -> dict[str, Any]:
    return {
        "tenantId": p.tenant_id,
        "isServiceProvider": p.is_service_provider,
        "isInMultiTenantOrganization": p.is_in_multi_tenant_organization,
        "inboundTrust": _trust(p.inbound_trust),
        "automaticUserConsentSettings": {
            "inboundAllowed": p.automatic_user_consent_settings.inbound_allowed,
            "outboundAllowed": p.automatic_user_consent_settings.outbound_allowed,
        },
        "b2bCollaborationInbound": _setting(p.b2b_collaboration_inbound),
        "b2bCollaborationOutbound": _setting(p.b2b_collaboration_outbound),
        "b2bDirectConnectOutbound": _setting(p.b2b_direct_connect_outbound),
        "b2bDirectConnectInbound": _setting(p.b2b_direct_connect_inbound),
        "tenantRestrictions": _setting(p.tenant_restrictions),
    }


def _guest_role_id(t: Tenant) -> str | None:
    """The level's role id, or the unknown id read in (so an unknown level stays unknown)."""
    c = t.external_collaboration
    return c.guest_user_role_id if c.guest_user_access is None else GUEST_ROLE_IDS[
        c.guest_user_access]


def authorization_policy(t: Tenant) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": "authorizationPolicy",
        "displayName": "Authorization Policy",
        "guestUserRoleId": _guest_role_id(t),
    }
    if t.external_collaboration.allow_invites_from is not None:
        body["allowInvitesFrom"] = t.external_collaboration.allow_invites_from.value
    return body


def b2b_management_policy(t: Tenant) -> dict[str, Any] | None:
    ec = t.external_collaboration
    lists: dict[str, list[str]] = {}
    if ec.allowed_domains is not None:
        lists["AllowedDomains"] = list(ec.allowed_domains)
    elif ec.blocked_domains is not None:
        lists["BlockedDomains"] = list(ec.blocked_domains)
    else:
        return None
    definition = {"B2BManagementPolicy": {"InvitationsAllowedAndBlockedDomainsPolicy": lists}}
    return {
        "@odata.type": "#microsoft.graph.b2bManagementPolicy",
        "id": derive_id("b2bManagementPolicy", t.id),
        "displayName": "B2BManagementPolicy",
        "isOrganizationDefault": True,
        "definition": [json.dumps(definition)],
    }


def identity_provider(world: World, p: FederatedIdentityProvider) -> dict[str, Any] | None:
    kind = p.kind
    if kind in (IdentityProviderKind.GOOGLE, IdentityProviderKind.FACEBOOK):
        name = "Google" if kind is IdentityProviderKind.GOOGLE else "Facebook"
        return {"@odata.type": "#microsoft.graph.socialIdentityProvider", "id": f"{name}-OAUTH",
                "displayName": name, "identityProviderType": name, "clientSecret": "******"}
    if kind is IdentityProviderKind.SAML:
        return {"@odata.type": "#microsoft.graph.samlOrWsFedExternalDomainFederation",
                "id": "saml-federation", "displayName": "SAML federation", "domains": []}
    if kind is IdentityProviderKind.ENTRA and p.tenant is not None:
        tenant = world.tenant_by_name.get(p.tenant)
        if tenant is None:
            return None
        url = f"https://login.microsoftonline.com/{tenant.id}/v2.0/.well-known/openid-configuration"
        return {"@odata.type": "#microsoft.graph.openIdConnectIdentityProvider",
                "id": derive_id("oidc", tenant.id), "displayName": p.tenant, "metadataUrl": url}
    builtin = {
        IdentityProviderKind.ENTRA: "AADSignup",
        IdentityProviderKind.MICROSOFT_ACCOUNT: "MicrosoftAccount",
        IdentityProviderKind.EMAIL_OTP: "EmailOTP",
        IdentityProviderKind.LOCAL: "EmailPassword",
    }[kind]
    return {"@odata.type": "#microsoft.graph.builtInIdentityProvider", "id": f"{builtin}-OAUTH",
            "displayName": builtin, "identityProviderType": builtin}


def _guests(
    types: tuple[ExternalUserType, ...] | None, tenants: list[str] | None
) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if types is not None:
        body["guestOrExternalUserTypes"] = ",".join(t.value for t in types) or "none"
    if tenants is None:
        body["externalTenants"] = {
            "@odata.type": "#microsoft.graph.conditionalAccessAllExternalTenants",
            "membershipKind": "all",
        }
    else:
        body["externalTenants"] = {
            "@odata.type": "#microsoft.graph.conditionalAccessEnumeratedExternalTenants",
            "membershipKind": "enumerated",
            "members": tenants,
        }
    return body


def _users(world: World, u: CaUsers) -> dict[str, Any]:
    def ids(tenants: tuple[str, ...] | None) -> list[str] | None:
        if tenants is None:
            return None
        return [world.tenant_by_name[t].id if t in world.tenant_by_name else t for t in tenants]

    out: dict[str, Any] = {
        "includeRoles": [L.ROLE_TEMPLATE_IDS[r] for r in u.include_roles],
        "excludeRoles": [L.ROLE_TEMPLATE_IDS[r] for r in u.exclude_roles],
    }
    for side, refs, types, tenant_ids, roles in (
        ("include", u.include, u.guest_or_external_user_types, ids(u.external_tenants),
         u.include_roles),
        ("exclude", u.exclude, u.exclude_guest_or_external_user_types,
         ids(u.exclude_external_tenants), u.exclude_roles),
    ):
        users: list[str] = []
        groups: list[str] = []
        guests = None
        for ref in refs:
            if ref == _GUESTS and (types is not None or tenant_ids is not None):
                guests = _guests(types, tenant_ids)
            elif ref in ("All", _GUESTS):
                users.append(ref)
            elif ref in world.user_by_ref:
                users.append(world.user_by_ref[ref].id)
            elif ref in world.group_by_ref:
                groups.append(world.group_by_ref[ref].id)
        if side == "include" and not users and not groups and guests is None and not roles:
            users = ["None"]
        out[f"{side}Users"] = users
        out[f"{side}Groups"] = groups
        out[f"{side}GuestsOrExternalUsers"] = guests
    return out


def ca_policy(world: World, p: ConditionalAccessPolicy) -> dict[str, Any]:
    def apps(refs: tuple[str, ...], include: bool) -> list[str]:
        out = [r if r in ("All", "Office365") else world.app_by_ref[r].app_id
               for r in refs if r in ("All", "Office365") or r in world.app_by_ref]
        return out or (["None"] if include else [])

    grant: dict[str, Any] = {
        "operator": p.grant_operator.value,
        "builtInControls": [g for g in p.grant if g not in _OTHER_CONTROLS],
        "customAuthenticationFactors": [],
        "termsOfUse": [derive_id("termsOfUse", p.id)] if "termsOfUse" in p.grant else [],
        "authenticationStrength": None,
    }
    strength = next((g for g in p.grant if g in L.AUTH_STRENGTH_IDS), None)
    if strength is not None:
        grant["authenticationStrength"] = {"id": L.AUTH_STRENGTH_IDS[strength],
                                           "displayName": strength.partition(":")[2]}
    return {
        "id": p.id,
        "displayName": p.name,
        "state": p.state.value,
        "conditions": {
            "clientAppTypes": ["all"],
            "users": _users(world, p.users),
            "applications": {
                "includeApplications": apps(p.applications.include, True),
                "excludeApplications": apps(p.applications.exclude, False),
                "includeUserActions": [],
            },
        },
        "grantControls": grant,
    }


def package_assignment(world: World, a: AccessPackageAssignment) -> dict[str, Any] | None:
    package = world.access_package_by_ref.get(a.package)
    user = world.user_by_ref.get(a.target)
    if package is None or user is None:
        return None
    expiration: dict[str, Any] = {"type": "noExpiration"}
    if a.expires is not None:
        expiration = {"type": "afterDateTime", "endDateTime": a.expires.isoformat()}
    return {
        "id": derive_id("accessPackageAssignment", package.id, user.id),
        "state": a.state.value,
        "status": a.state.value[:1].upper() + a.state.value[1:],
        "accessPackage": {"id": package.id},
        "target": {"objectId": user.id, "email": user.mail, "principalName":
                   user.user_principal_name, "subjectType": "user"},
        "schedule": {"expiration": expiration},
    }
