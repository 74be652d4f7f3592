"""Spec rule ids (`xtap.md` R1-R42, `lifecycle.md` L1-L39): their sources and inference marks."""

from __future__ import annotations

__all__ = ["INFERRED_RULES", "RULE_SOURCES", "rule_source"]

_XTAP = "https://learn.microsoft.com/entra/external-id/"
_OVERVIEW = _XTAP + "cross-tenant-access-overview"
_B2BCFG = _XTAP + "cross-tenant-access-settings-b2b-collaboration"
_DC = _XTAP + "b2b-direct-connect-overview"
_AUTHCA = _XTAP + "authentication-conditional-access"
_XCLOUD = _XTAP + "cross-cloud-settings"
_GRAPHOV = "https://learn.microsoft.com/graph/api/resources/crosstenantaccesspolicy-overview"
_ALLOWDENY = _XTAP + "allow-deny-list"
_REDEEM = _XTAP + "redemption-experience"
_EM = "https://learn.microsoft.com/entra/id-governance/entitlement-management-external-users"
_SHARED = "https://learn.microsoft.com/microsoftteams/shared-channels"
_SYNC = (
    "https://learn.microsoft.com/entra/identity/multi-tenant-organizations/"
    "cross-tenant-synchronization-overview"
)
_APPPROPS = "https://learn.microsoft.com/entra/identity/enterprise-apps/application-properties"
_MULTI = "https://learn.microsoft.com/entra/identity-platform/howto-convert-app-to-be-multi-tenant"
_AUDIENCE = "https://learn.microsoft.com/entra/identity-platform/single-and-multi-tenant-apps"
_B2C = "https://learn.microsoft.com/azure/active-directory-b2c/technical-overview"
_AUTHZ = "https://learn.microsoft.com/graph/api/resources/authorizationpolicy"
_SSSU = _XTAP + "self-service-sign-up-overview"
_USER = "https://learn.microsoft.com/graph/api/resources/user"

RULE_SOURCES: dict[str, str] = {
    "R1": _OVERVIEW,
    "R2": _AUTHCA,
    "R3": "https://learn.microsoft.com/graph/api/resources/crosstenantaccesspolicyconfigurationpartner",
    "R4": _B2BCFG,
    "R5": _B2BCFG,
    "R6": _B2BCFG,
    "R7": _GRAPHOV,
    "R8": "https://learn.microsoft.com/graph/api/resources/crosstenantaccesspolicytargetconfiguration",
    "R9": _B2BCFG,
    "R10": "https://learn.microsoft.com/graph/api/resources/crosstenantaccesspolicytarget",
    "R11": _OVERVIEW,
    "R12": _AUTHCA,
    "R13": _OVERVIEW,
    "R14": _AUTHCA,
    "R15": _B2BCFG,
    "R16": _AUTHCA,
    "R17": "https://learn.microsoft.com/graph/api/resources/crosstenantusersyncinbound",
    "R18": _OVERVIEW + "#automatic-redemption-setting",
    "R19": _DC,
    "R20": _XTAP + "cross-tenant-access-settings-b2b-direct-connect",
    "R21": _DC,
    "R22": _DC,
    "R23": _AUTHCA,
    "R24": _XCLOUD,
    "R27": _AUTHCA,
    "R28": _OVERVIEW,
    "R29": _AUTHCA,
    "R30": _AUTHCA,
    "R31": _AUTHCA,
    "R32": _AUTHCA,
    "R34": _B2BCFG,
    "R35": _XCLOUD,
    "R36": _XCLOUD,
    "R40": _GRAPHOV,
    "R42": _AUTHCA,
    "R43": "https://learn.microsoft.com/entra/identity/conditional-access/"
    "concept-conditional-access-users-groups",
    "L1": _AUTHZ,
    "L2": _ALLOWDENY,
    "L3": _ALLOWDENY,
    "L4": _ALLOWDENY,
    "L5": _XTAP + "user-properties",
    "L6": _XTAP + "customize-invitation-api",
    "L7": _REDEEM,
    "L8": _REDEEM,
    "L13": _USER,
    "L19": _EM,
    "L20": _EM,
    "L21": _EM,
    "L22": _EM,
    "L24": _DC,
    "L25": _SHARED,
    "L26": _SHARED,
    "L29": _SYNC,
    "L30": _SYNC,
    "L33": _SSSU,
    "L34": _B2C,
    "L35": _AUDIENCE,
    "L36": _MULTI,
    "L37": _APPPROPS,
    "L38": _REDEEM,
}

# Rules whose engine behaviour rests on an [INFERENCE] of the spec (as implemented here).
INFERRED_RULES: frozenset[str] = frozenset(
    {"R5", "R9", "R14", "R16", "R17", "R23", "R30", "R32", "R40", "R42", "L6", "L8", "L21", "L26"}
)


def rule_source(rule: str) -> str | None:
    """The public Microsoft page a rule id rests on.

    Examples
    --------
    >>> rule_source("R7")
    'https://learn.microsoft.com/graph/api/resources/crosstenantaccesspolicy-overview'
    >>> rule_source("R99") is None
    True
    """
    return RULE_SOURCES.get(rule)
