"""Closed value sets, spelled exactly as Microsoft Graph (or the world-file format) spells them."""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "AccessPackageAssignmentState",
    "AccessType",
    "AllowInvitesFrom",
    "AllowedTargetScope",
    "BuiltinApp",
    "CaState",
    "Cloud",
    "ConnectedOrgState",
    "CreationType",
    "DirectoryRole",
    "ExternalUserState",
    "ExternalUserType",
    "GrantControl",
    "GrantOperator",
    "GuestUserAccess",
    "IdentityProviderKind",
    "InvitationStatus",
    "LifecycleAction",
    "MembershipType",
    "PrincipalKind",
    "SignInAudience",
    "TargetType",
    "TenantType",
    "UserType",
    "Via",
]


class Cloud(StrEnum):
    GLOBAL = "global"
    USGOV = "usgov"
    CHINA = "china"


class TenantType(StrEnum):
    WORKFORCE = "workforce"
    B2C = "b2c"


class UserType(StrEnum):
    MEMBER = "Member"
    GUEST = "Guest"


class ExternalUserState(StrEnum):
    PENDING_ACCEPTANCE = "PendingAcceptance"
    ACCEPTED = "Accepted"


class InvitationStatus(StrEnum):
    """Graph `invitation.status`: redemption pending, done, under way, or failed."""

    PENDING_ACCEPTANCE = "PendingAcceptance"
    COMPLETED = "Completed"
    IN_PROGRESS = "InProgress"
    ERROR = "Error"


class CreationType(StrEnum):
    INVITATION = "Invitation"
    LOCAL_ACCOUNT = "LocalAccount"
    EMAIL_VERIFIED = "EmailVerified"
    SELF_SERVICE_SIGN_UP = "SelfServiceSignUp"


class IdentityProviderKind(StrEnum):
    """Who authenticates the account (the primary `identities[].issuer` family)."""

    ENTRA = "entra"
    LOCAL = "local"
    GOOGLE = "google"
    FACEBOOK = "facebook"
    MICROSOFT_ACCOUNT = "microsoftAccount"
    EMAIL_OTP = "emailOtp"
    SAML = "saml"


class DirectoryRole(StrEnum):
    GLOBAL_ADMINISTRATOR = "GlobalAdministrator"
    USER_ADMINISTRATOR = "UserAdministrator"
    GUEST_INVITER = "GuestInviter"
    HELPDESK_ADMINISTRATOR = "HelpdeskAdministrator"


class BuiltinApp(StrEnum):
    """Microsoft first-party apps the scenario format can name."""

    TEAMS = "Teams"
    SHAREPOINT = "SharePoint"
    EXCHANGE = "Exchange"
    ONEDRIVE = "OneDrive"
    OFFICE_WEB = "OfficeWeb"
    AZURE_PORTAL = "AzurePortal"
    MICROSOFT_GRAPH = "MicrosoftGraph"
    POWER_BI = "PowerBI"
    MY_APPS = "MyApps"
    TERMS_OF_USE = "TermsOfUse"


class SignInAudience(StrEnum):
    AZURE_AD_MY_ORG = "AzureADMyOrg"
    AZURE_AD_MULTIPLE_ORGS = "AzureADMultipleOrgs"
    AZURE_AD_AND_PERSONAL_MICROSOFT_ACCOUNT = "AzureADandPersonalMicrosoftAccount"
    PERSONAL_MICROSOFT_ACCOUNT = "PersonalMicrosoftAccount"


class MembershipType(StrEnum):
    STANDARD = "standard"
    PRIVATE = "private"
    SHARED = "shared"


class AccessType(StrEnum):
    ALLOWED = "allowed"
    BLOCKED = "blocked"


class TargetType(StrEnum):
    USER = "user"
    GROUP = "group"
    APPLICATION = "application"


class AllowInvitesFrom(StrEnum):
    NONE = "none"
    ADMINS_AND_GUEST_INVITERS = "adminsAndGuestInviters"
    ADMINS_GUEST_INVITERS_AND_ALL_MEMBERS = "adminsGuestInvitersAndAllMembers"
    EVERYONE = "everyone"


class GuestUserAccess(StrEnum):
    SAME_AS_MEMBERS = "sameAsMembers"
    LIMITED = "limited"
    RESTRICTED = "restricted"


class CaState(StrEnum):
    ENABLED = "enabled"
    DISABLED = "disabled"
    REPORT_ONLY = "enabledForReportingButNotEnforced"


class ExternalUserType(StrEnum):
    """`conditionalAccessGuestsOrExternalUsers.guestOrExternalUserTypes` values."""

    INTERNAL_GUEST = "internalGuest"
    B2B_COLLABORATION_GUEST = "b2bCollaborationGuest"
    B2B_COLLABORATION_MEMBER = "b2bCollaborationMember"
    B2B_DIRECT_CONNECT_USER = "b2bDirectConnectUser"
    OTHER_EXTERNAL_USER = "otherExternalUser"
    SERVICE_PROVIDER = "serviceProvider"


class GrantControl(StrEnum):
    MFA = "mfa"
    COMPLIANT_DEVICE = "compliantDevice"
    DOMAIN_JOINED_DEVICE = "domainJoinedDevice"
    BLOCK = "block"
    APPROVED_APPLICATION = "approvedApplication"
    COMPLIANT_APPLICATION = "compliantApplication"
    PASSWORD_CHANGE = "passwordChange"
    TERMS_OF_USE = "termsOfUse"
    AUTH_STRENGTH_MFA = "authStrength:mfa"
    AUTH_STRENGTH_PASSWORDLESS = "authStrength:passwordless"
    AUTH_STRENGTH_PHISHING_RESISTANT = "authStrength:phishingResistant"


class GrantOperator(StrEnum):
    OR = "OR"
    AND = "AND"


class ConnectedOrgState(StrEnum):
    CONFIGURED = "configured"
    PROPOSED = "proposed"


class AllowedTargetScope(StrEnum):
    NOT_SPECIFIED = "notSpecified"
    SPECIFIC_DIRECTORY_USERS = "specificDirectoryUsers"
    SPECIFIC_CONNECTED_ORGANIZATION_USERS = "specificConnectedOrganizationUsers"
    SPECIFIC_DIRECTORY_SERVICE_PRINCIPALS = "specificDirectoryServicePrincipals"
    ALL_MEMBER_USERS = "allMemberUsers"
    ALL_DIRECTORY_USERS = "allDirectoryUsers"
    ALL_DIRECTORY_SERVICE_PRINCIPALS = "allDirectoryServicePrincipals"
    ALL_CONFIGURED_CONNECTED_ORGANIZATION_USERS = "allConfiguredConnectedOrganizationUsers"
    ALL_EXTERNAL_USERS = "allExternalUsers"


class AccessPackageAssignmentState(StrEnum):
    DELIVERING = "delivering"
    PARTIALLY_DELIVERED = "partiallyDelivered"
    DELIVERED = "delivered"
    EXPIRED = "expired"
    DELIVERY_FAILED = "deliveryFailed"


class LifecycleAction(StrEnum):
    NONE = "none"
    BLOCK_SIGN_IN = "blockSignIn"
    BLOCK_SIGN_IN_AND_DELETE = "blockSignInAndDelete"


class Via(StrEnum):
    """How a principal reaches a resource (the scenario format's `via`)."""

    MEMBER = "member"
    B2B_COLLABORATION = "b2b_collaboration"
    B2B_DIRECT_CONNECT = "b2b_direct_connect"
    B2C = "b2c"
    ANY = "any"


class PrincipalKind(StrEnum):
    """What a principal is to a resource's tenant (the `kind` filter of reverse lookups).

    Judged by the object that signs in there; `graphmodel.engine.outsiders` decides it, and the
    last four are the outsiders (scenarios.md, "Outsiders").
    """

    MEMBER = "member"  # the tenant's own user
    INTERNAL_GUEST = "internal_guest"  # the tenant's own account with userType Guest
    CONSUMER = "consumer"  # a B2C tenant's own consumer account
    B2B_GUEST = "b2b_guest"  # another tenant's user through a guest object (userType Guest)
    B2B_MEMBER = "b2b_member"  # ... through a synced or member object (userType Member)
    OTHER_TENANT = "other_tenant"  # another tenant's user with no object here (direct connect)
    SOCIAL_GUEST = "social_guest"  # Google, Facebook, MSA, one-time passcode, SAML/WS-Fed
