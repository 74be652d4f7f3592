"""Applications: audience, consent and the assignment gate of the service principal.

Rules: L35 (signInAudience decides which accounts a registration admits; multitenant apps do
not cross national clouds), L36 (a user of another tenant needs the app's service principal in
the tenant they sign in to — created by consent), L37 (a disabled service principal issues no
tokens; with assignment required, only a direct assignment or DIRECT membership of an assigned
group counts — nested groups do not; Global Administrators are exempt), L38 (a guest signing in
through the resource tenant uses that tenant's service principal and gates).
Sources: https://learn.microsoft.com/entra/identity/enterprise-apps/application-properties ,
https://learn.microsoft.com/entra/identity-platform/howto-convert-app-to-be-multi-tenant ,
https://learn.microsoft.com/entra/identity-platform/single-and-multi-tenant-apps
"""

from __future__ import annotations

from graphmodel.policy.reasons import reason
from graphmodel.schema.entities import App
from graphmodel.schema.enums import IdentityProviderKind, SignInAudience
from graphmodel.schema.verdict import Reason, ReasonCode, Side

__all__ = [
    "MULTITENANT_AUDIENCES",
    "app_enabled_gate",
    "audience_gate",
    "is_multitenant_registration",
]

MULTITENANT_AUDIENCES = frozenset(
    {
        SignInAudience.AZURE_AD_MULTIPLE_ORGS,
        SignInAudience.AZURE_AD_AND_PERSONAL_MICROSOFT_ACCOUNT,
        SignInAudience.PERSONAL_MICROSOFT_ACCOUNT,
    }
)


def is_multitenant_registration(app: App) -> bool:
    """A registration (not a consented service principal) whose audience spans tenants."""
    return app.instance_of is None and app.sign_in_audience in MULTITENANT_AUDIENCES


def app_enabled_gate(app: App) -> list[Reason]:
    """L37: a disabled service principal issues no tokens to anyone."""
    if app.account_enabled:
        return []
    return [
        reason(
            ReasonCode.APP_DISABLED,
            "L37",
            f"`{app.ref}` is disabled for sign-in",
            tenant=app.tenant,
            policy=f"apps[{app.name}].accountEnabled",
            side=Side.RESOURCE,
        )
    ]


def audience_gate(
    registration: App, identity: IdentityProviderKind, *, directory_object: bool = False
) -> list[Reason]:
    """L35: whether the registration's signInAudience admits an account of this kind.

    `directory_object` = the account signs in as a user object of the tenant it signs in to
    (a member or guest there): every organizational audience admits it, whatever its IdP;
    only `PersonalMicrosoftAccount` keeps it out (personal accounts only).
    """
    audience = registration.sign_in_audience or SignInAudience.AZURE_AD_MY_ORG
    entra = identity == IdentityProviderKind.ENTRA or directory_object
    msa = identity == IdentityProviderKind.MICROSOFT_ACCOUNT
    admitted = {
        SignInAudience.AZURE_AD_MY_ORG: entra,
        SignInAudience.AZURE_AD_MULTIPLE_ORGS: entra,
        SignInAudience.AZURE_AD_AND_PERSONAL_MICROSOFT_ACCOUNT: entra or msa,
        SignInAudience.PERSONAL_MICROSOFT_ACCOUNT: msa,
    }[audience]
    if admitted:
        return []
    return [
        reason(
            ReasonCode.AUDIENCE_MISMATCH,
            "L35",
            f"`{registration.ref}` has signInAudience `{audience.value}`, which does not admit "
            f"a `{identity.value}` account",
            tenant=registration.tenant,
            policy=f"apps[{registration.name}].signInAudience",
            side=Side.RESOURCE,
        )
    ]
