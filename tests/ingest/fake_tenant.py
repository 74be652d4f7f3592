"""The tenant the fake Graph server serves: Microsoft's samples, wired into one coherent tenant.

Routes map a Graph path (no version, no query) to a collection (a list, paged by the server) or
an entity (a dict). Most bodies are the shared samples as published; a few small objects tie
them together (a guest, a shared channel, assignments) so the collected export imports cleanly.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from tests.ingest.graph_folders import CONTOSO_ID, FABRIKAM_ID, SAMPLES

__all__ = ["SHARED", "TEAM", "make_certificate", "routes"]

TEAM = "02bd9fd6-8f93-4758-87c3-1fb73740a315"  # group/get-group-m365-team.json
SHARED = "19:shared@thread.tacv2"
MY_APP = "00af5dfb-85da-4b41-a677-0c6b86dd34f8"  # servicePrincipal/get-servicePrincipal.json


def _s(rel: str) -> Any:
    return json.loads((SAMPLES / rel).read_text(encoding="utf-8"))


def _values(rel: str) -> list[Any]:
    body = _s(rel)
    return list(body.get("value") or body.get("values") or [])


def routes() -> dict[str, Any]:
    em = "/identityGovernance/entitlementManagement"
    xtap = "/policies/crossTenantAccessPolicy"
    guest = {"id": "0c7a3d57-3b55-4f5e-8d66-2f0a1f5c9b11", "displayName": "bob",
             "userPrincipalName": "bob_fabrikam.com#EXT#@contoso.onmicrosoft.com",
             "mail": "bob@fabrikam.com", "userType": "Guest", "creationType": "Invitation",
             "externalUserState": "Accepted",
             "identities": [{"signInType": "federated", "issuer": "ExternalAzureAD"}]}
    teams_app = {"id": "6b0e6a5e-0e1e-4c7e-9d8e-0a0b0c0d0e0f", "displayName": "Microsoft Teams",
                 "appId": "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe"}
    tenant_info = {**_s("tenantInformation/findTenantInformationByTenantId.json"),
                   "tenantId": FABRIKAM_ID, "displayName": "Fabrikam",
                   "defaultDomainName": "fabrikam.com"}
    channel = f"/teams/{TEAM}/channels/{SHARED}"
    return {
        "/organization": [_s("organization/get-organization.json")],
        "/domains": [_s("domain/get-domain.json")],
        "/users": [*_values("user/list-users-default.json"),
                   _s("user/get-user-member-default.json"), guest,
                   *_values("user/list-guest-users-by-ext-upn.json")],
        "/groups": [_s("group/get-group-m365-team.json"),
                    *_values("group/list-transitiveMembers-cast-group.json")],
        "/groups/4d0ef681-e88f-42a3-a2db-e6bf1e249e10/members": [
            {"@odata.type": "#microsoft.graph.user", "id": "6ea91a8d-e32e-41a1-b7bd-d2d185eed0e0"},
            {"@odata.type": "#microsoft.graph.user", "id": guest["id"]}],
        "/roleManagement/directory/roleAssignments": [
            {"id": "r1", "principalId": "4562bcc8-c436-4f95-b7c0-4f8ce89dca5e",
             "roleDefinitionId": "62e90394-69f5-4237-9190-012177145e10", "directoryScopeId": "/"}],
        "/applications": [_s("application/get-application.json")],
        "/servicePrincipals": [_s("servicePrincipal/get-servicePrincipal.json"),
                               _s("servicePrincipal/get-servicePrincipal-select-appRoles-"
                                  "scopes.json"), teams_app],
        f"/servicePrincipals/{MY_APP}/appRoleAssignedTo": [
            {"id": "a1", "appRoleId": "00000000-0000-0000-0000-000000000000",
             "principalId": "4d0ef681-e88f-42a3-a2db-e6bf1e249e10", "principalType": "Group",
             "resourceId": MY_APP}],
        "/oauth2PermissionGrants": _values(
            "oAuth2PermissionGrant/list-oauth2PermissionGrants.json"),
        xtap: {"displayName": "CrossTenantAccessPolicy", "allowedCloudEndpoints": []},
        f"{xtap}/default": _s("crossTenantAccessPolicyConfigurationDefault/"
                              "get-default-service-default.json"),
        f"{xtap}/partners": [_s("crossTenantAccessPolicyConfigurationPartner/get-partner.json")],
        f"{xtap}/partners/{FABRIKAM_ID}/identitySynchronization": _s(
            "crossTenantIdentitySyncPolicyPartner/get-identitySynchronization.json"),
        f"/tenantRelationships/findTenantInformationByTenantId(tenantId='{FABRIKAM_ID}')":
            tenant_info,
        "/policies/authorizationPolicy": _s("authorizationPolicy/get-authorizationPolicy.json"),
        "/policies/b2bManagementPolicies": [{
            "id": "b2b", "isOrganizationDefault": True, "definition": [
                '{"B2BManagementPolicy":{"InvitationsAllowedAndBlockedDomainsPolicy":'
                '{"BlockedDomains":["adatum.com"]}}}']}],
        "/policies/authenticationFlowsPolicy": {"selfServiceSignUp": {"isEnabled": True}},
        "/identity/conditionalAccess/policies": [_s("conditionalAccessPolicy/get-policy.json")],
        "/identity/identityProviders": _values(
            "identityProvider/list-identityProviders-entra-tenant.json"),
        "/identity/b2xUserFlows": _values(
            "b2xIdentityUserFlow/list-b2xUserFlows-expand-identityProviders.json"),
        f"{em}/connectedOrganizations": [
            _s("connectedOrganization/get-connectedOrganization.json")],
        f"{em}/accessPackages": [_s("accessPackage/get-accessPackage.json")],
        f"{em}/assignmentPolicies": [_s("accessPackageAssignmentPolicy/"
                                       "get-policy-allDirectoryUsers.json")],
        f"{em}/settings": {"externalUserLifecycleAction": "blockSignIn"},
        "/tenantRelationships/multiTenantOrganization": _s(
            "multiTenantOrganization/get-multiTenantOrganization.json"),
        "/tenantRelationships/multiTenantOrganization/tenants": _values(
            "multiTenantOrganization/list-tenants.json"),
        f"/teams/{TEAM}": {**_s("team/get-team.json"), "id": TEAM, "displayName": "HR Taskforce"},
        f"/teams/{TEAM}/members": [{"@odata.type": "#microsoft.graph.aadUserConversationMember",
                                    "userId": "6ea91a8d-e32e-41a1-b7bd-d2d185eed0e0",
                                    "tenantId": CONTOSO_ID, "roles": []}],
        f"/teams/{TEAM}/allChannels": [
            _s("channel/get-channel-standard.json"),
            {"id": SHARED, "displayName": "Partners", "membershipType": "shared",
             "tenantId": CONTOSO_ID},
            _values("channel/team-allChannels-incl-shared.json")[1],
        ],
        f"{channel}/allMembers": [{"@odata.type": "#microsoft.graph.aadUserConversationMember",
                                   "userId": "4562bcc8-c436-4f95-b7c0-4f8ce89dca5e",
                                   "tenantId": CONTOSO_ID, "email": "admin@contoso.com",
                                   "roles": ["owner"]},
                                  {"@odata.type": "#microsoft.graph.aadUserConversationMember",
                                   "userId": "5a1b8e0c-2b7e-4c1b-9c1e-1f2e3d4c5b6a",
                                   "tenantId": FABRIKAM_ID, "email": "frank@fabrikam.com",
                                   "displayName": "frank", "roles": []}],
        f"{channel}/sharedWithTeams": [
            {"id": TEAM, "tenantId": CONTOSO_ID, "displayName": "HR", "isHostTeam": True},
            {**_s("sharedWithChannelTeamInfo/get-sharedWithTeam.json")["value"],
             "tenantId": "df81db53-c7e2-418a-8803-0e68d4b88607", "isHostTeam": False}],
        f"{channel}/sharedWithTeams/2173de69-de69-2173-69de-732169de7321/allowedMembers":
            _values("conversationMember/sharedWithTeam-allowedMembers.json"),
    }


def make_certificate(folder: Path, *, server: bool) -> tuple[Path, Path]:
    """A self-signed RSA certificate (for 127.0.0.1 when `server`) and its key, as PEM files."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME,
                                         "127.0.0.1" if server else "tenantgraph-test-app")])
    now = datetime.datetime.now(datetime.UTC)
    builder = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(minutes=5))
               .not_valid_after(now + datetime.timedelta(days=1)))
    if server:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        ).add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
    cert = builder.sign(key, hashes.SHA256())
    folder.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path
