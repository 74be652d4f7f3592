"""The closed vocabulary of verdict reason codes (`reasons.md`), as checks may name them.

A scenario check lists reason codes that must all appear in the answer; a misspelt code would
make such a check unsatisfiable (or, worse, be silently ignored), so the loader accepts only
the codes defined here. Keep this set in step with `reasons.md`.
"""

from __future__ import annotations

__all__ = ["ACCESS_DENIALS", "ANNOTATIONS", "REASON_CODES", "REQUEST_DENIALS"]

ACCESS_DENIALS: frozenset[str] = frozenset(
    {
        "no_account",
        "account_disabled",
        "outbound_blocked",
        "inbound_blocked",
        "not_assigned",
        "app_disabled",
        "not_channel_member",
        "guest_in_shared_channel",
        "not_entra_identity",
        "teams_policy_blocks",
        "ca_block",
        "mfa_not_trusted",
        "device_not_trusted",
        "control_unsatisfiable",
        "cross_cloud_not_enabled",
        "cloud_pair_unsupported",
        "direct_connect_cross_cloud",
        "b2c_isolated",
        "audience_mismatch",
        "consent_missing",
        "invitation_pending",
    }
)
"""Why access to an app or channel is denied (or pending)."""

REQUEST_DENIALS: frozenset[str] = frozenset(
    {
        "inviter_not_permitted",
        "domain_blocked",
        "domain_not_allowed",
        "outbound_blocked",
        "inbound_blocked",
        "cross_cloud_not_enabled",
        "already_exists",
        "sign_up_disabled",
        "not_requestable",
    }
)
"""Why an invitation, a self-service sign-up or an access-package request is denied."""

ANNOTATIONS: frozenset[str] = frozenset({"mfa_trusted", "device_trusted", "automatic_redemption"})
"""Notes an allowed answer carries."""

REASON_CODES: frozenset[str] = ACCESS_DENIALS | REQUEST_DENIALS | ANNOTATIONS
"""Every code a verdict may give (30)."""
