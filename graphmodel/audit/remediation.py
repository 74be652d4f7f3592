"""How to fix each check: the steps, the Microsoft Learn page, and a change set that fixes it.

Why a catalogue beside the checks rather than in them: the checks decide what is wrong; this
is advice for the people reading a report (the HTML report shows it under each finding). The
change set is the what-if an administrator can run first (`tenantgraph whatif FIX.yaml`) to
see which accesses and findings it removes before touching a tenant; it is given only where a
change-set operation (graphmodel/audit/changeset.py) expresses the fix, and a test applies every
one to the demo world and checks that its finding disappears.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import yaml

from graphmodel.audit.model import Finding

__all__ = ["REMEDIATIONS", "Remediation", "fix_change_set", "remediation_of"]

Change = dict[str, dict[str, object]]
_NO_TRUST = {
    "isMfaAccepted": False,
    "isCompliantDeviceAccepted": False,
    "isHybridAzureADJoinedDeviceAccepted": False,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Remediation:
    """Plain-text steps (names in `backticks`), the Learn page, and the fixing changes."""

    fix: str
    learn: str
    changes: Callable[[Finding], list[Change]] | None = None


def _block_default_inbound(f: Finding) -> list[Change]:
    return [{"blockSection": {"tenant": f.tenant, "section": "b2bCollaborationInbound"}}]


def _remove_cloud(f: Finding) -> list[Change]:
    _tenant, _, endpoint = f.subject.partition(":")
    return [{"removeCloud": {"tenant": f.tenant, "endpoint": endpoint}}]


def _remove_guest(f: Finding) -> list[Change]:
    return [{"removeUser": {"user": f.subject}}]


def _no_default_trust(f: Finding) -> list[Change]:
    return [{"setInboundTrust": {"tenant": f.tenant, "value": dict(_NO_TRUST)}}]


_XTAP_B2B = (
    "https://learn.microsoft.com/entra/external-id/cross-tenant-access-settings-b2b-collaboration"
)
_XTAP_DC = (
    "https://learn.microsoft.com/entra/external-id/cross-tenant-access-settings-b2b-direct-connect"
)

REMEDIATIONS: dict[str, Remediation] = {
    "scuba.8.1": Remediation(
        fix="In External collaboration settings, set guest user access to the most restricted "
        "level (`guestUserRoleId` of the authorization policy), so guests see only their own "
        "directory objects.",
        learn="https://learn.microsoft.com/entra/identity/users/users-restrict-guest-permissions",
    ),
    "scuba.8.2": Remediation(
        fix="Set `allowInvitesFrom` to `adminsAndGuestInviters` so only admins and users with "
        "the Guest Inviter role can invite.",
        learn="https://learn.microsoft.com/entra/external-id/external-collaboration-settings-configure",
    ),
    "scuba.8.3": Remediation(
        fix="Limit invitations to an allow list of partner domains in the collaboration "
        "restrictions of External collaboration settings.",
        learn="https://learn.microsoft.com/entra/external-id/allow-deny-list",
    ),
    "scuba.8.3.xtap": Remediation(
        fix="Block inbound B2B collaboration in the default cross-tenant access settings and add "
        "each partner organisation you work with explicitly, with the users and apps it needs.",
        learn=_XTAP_B2B,
        changes=_block_default_inbound,
    ),
    "xtap.default-inbound-open": Remediation(
        fix="Block (or narrow to named groups and apps) inbound B2B collaboration in the default "
        "cross-tenant access settings; partners that need access get their own entry.",
        learn=_XTAP_B2B,
        changes=_block_default_inbound,
    ),
    "xtap.trust-by-default": Remediation(
        fix="Turn off trust of MFA and device claims in the default inbound trust settings, and "
        "trust them only for named partners whose controls you know.",
        learn="https://learn.microsoft.com/entra/external-id/cross-tenant-access-settings-b2b-collaboration#to-change-inbound-trust-settings-for-mfa-and-device-claims",
        changes=_no_default_trust,
    ),
    "xtap.direct-connect-one-way": Remediation(
        fix="Either agree with the partner to open its matching direct connect side, or block "
        "the side that is open here so the configuration states what really happens.",
        learn=_XTAP_DC,
    ),
    "xtap.direct-connect-no-ca": Remediation(
        fix="Create a Conditional Access policy of the resource tenant that targets B2B direct "
        "connect users (`b2bDirectConnectUser`) on Microsoft Teams and requires MFA.",
        learn="https://learn.microsoft.com/entra/identity/conditional-access/policy-guests-mfa-strength",
    ),
    "xtap.cross-cloud-no-partner": Remediation(
        fix="Remove the other Microsoft cloud from the allowed cloud endpoints, or add the "
        "partner of that cloud you meant to collaborate with.",
        learn="https://learn.microsoft.com/entra/external-id/cross-cloud-settings",
        changes=_remove_cloud,
    ),
    "invitation.pending-with-paths": Remediation(
        fix="Remove the access (groups, assignments) of guests until they redeem, or delete "
        "invitations that were never redeemed.",
        learn="https://learn.microsoft.com/entra/external-id/redemption-experience",
        changes=_remove_guest,
    ),
    "guest.stale-with-paths": Remediation(
        fix="Review guests that have not signed in for the period (an access review of guest "
        "users), then block their sign-in or remove them along with their group memberships and "
        "assignments; `tenantgraph remove-unused` proposes the change set.",
        learn="https://learn.microsoft.com/entra/identity/monitoring-health/howto-manage-inactive-user-accounts",
    ),
    "partner.unused-trust": Remediation(
        fix="Remove the partner entry, or block the sections nobody used, in the cross-tenant "
        "access settings; re-open them when the collaboration resumes.",
        learn=_XTAP_B2B,
    ),
    "assignment.unused": Remediation(
        fix="Remove the app role assignment (or the group membership or access package that "
        "grants it) of the external principal, or let an access review remove unused access.",
        learn="https://learn.microsoft.com/entra/id-governance/access-reviews-overview",
    ),
    "guest.home-disabled-with-paths": Remediation(
        fix="Block sign-in of, or delete, guest objects whose home account was disabled, and "
        "review guests regularly with access reviews.",
        learn="https://learn.microsoft.com/entra/id-governance/manage-guest-access-with-access-reviews",
        changes=_remove_guest,
    ),
    "sync.access-outside-groups": Remediation(
        fix="Scope cross-tenant synchronization to the groups that justify it, and remove the "
        "synced users' assignments and memberships outside them.",
        learn="https://learn.microsoft.com/entra/identity/multi-tenant-organizations/cross-tenant-synchronization-configure",
    ),
    "package.open-to-all-external": Remediation(
        fix="Limit the access package policy to specific connected organisations instead of "
        "all external users, and require approval.",
        learn="https://learn.microsoft.com/entra/id-governance/entitlement-management-access-package-request-policy",
    ),
    "app.open-to-every-guest": Remediation(
        fix="Set assignment required (`appRoleAssignmentRequired`) on the app and assign the "
        "groups that need it.",
        learn="https://learn.microsoft.com/entra/identity/enterprise-apps/assign-user-or-group-access-portal",
    ),
    "channel.external-outside-zone": Remediation(
        fix="Remove external members of tenants outside the zone of trust from the shared "
        "channel, or add the tenant to the zone if the collaboration is intended.",
        learn="https://learn.microsoft.com/microsoftteams/shared-channels",
    ),
    "zone.access-from-outside": Remediation(
        fix="Block inbound B2B collaboration and direct connect for the tenant outside the zone "
        "(a partner entry), or add it to the zone of trust if the access is intended.",
        learn=_XTAP_B2B,
    ),
}


def remediation_of(check: str) -> Remediation | None:
    return REMEDIATIONS.get(check)


def fix_change_set(f: Finding) -> str | None:
    """The change-set YAML that would fix `f` (for `tenantgraph whatif`), or None."""
    found = REMEDIATIONS.get(f.check)
    if found is None or found.changes is None:
        return None
    body = {"title": f"fix {f.check} for {f.subject}", "changes": found.changes(f)}
    return yaml.safe_dump(body, sort_keys=False, default_flow_style=None, width=100)
