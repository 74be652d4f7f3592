"""The one result type of an access question: a Verdict with paths and reasons (data, not prose).

Human-readable text is rendered from a Verdict by `graphmodel.engine.explain.render`; there is
no second "explain" code path.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from graphmodel.schema.enums import Via
from graphmodel.schema.kinds import EdgeKind

__all__ = [
    "AccessPath",
    "Decision",
    "Hop",
    "Mfa",
    "Reason",
    "ReasonCode",
    "Side",
    "Verdict",
]


class Decision(StrEnum):
    ALLOW = "allow"
    PENDING = "pending"
    DENY = "deny"


class Mfa(StrEnum):
    """Where MFA is performed when Conditional Access requires it."""

    NONE = "none"
    HOME = "home"
    RESOURCE = "resource"


class Side(StrEnum):
    """Which tenant owns a gate: the principal's home tenant or the resource tenant."""

    HOME = "home"
    RESOURCE = "resource"


class ReasonCode(StrEnum):
    """The fixed vocabulary of `reasons.md`."""

    NO_ACCOUNT = "no_account"
    ACCOUNT_DISABLED = "account_disabled"
    OUTBOUND_BLOCKED = "outbound_blocked"
    INBOUND_BLOCKED = "inbound_blocked"
    NOT_ASSIGNED = "not_assigned"
    APP_DISABLED = "app_disabled"
    NOT_CHANNEL_MEMBER = "not_channel_member"
    GUEST_IN_SHARED_CHANNEL = "guest_in_shared_channel"
    NOT_ENTRA_IDENTITY = "not_entra_identity"
    TEAMS_POLICY_BLOCKS = "teams_policy_blocks"
    CA_BLOCK = "ca_block"
    MFA_NOT_TRUSTED = "mfa_not_trusted"
    DEVICE_NOT_TRUSTED = "device_not_trusted"
    CONTROL_UNSATISFIABLE = "control_unsatisfiable"
    CROSS_CLOUD_NOT_ENABLED = "cross_cloud_not_enabled"
    CLOUD_PAIR_UNSUPPORTED = "cloud_pair_unsupported"
    DIRECT_CONNECT_CROSS_CLOUD = "direct_connect_cross_cloud"
    B2C_ISOLATED = "b2c_isolated"
    AUDIENCE_MISMATCH = "audience_mismatch"
    CONSENT_MISSING = "consent_missing"
    INVITATION_PENDING = "invitation_pending"
    INVITER_NOT_PERMITTED = "inviter_not_permitted"
    DOMAIN_BLOCKED = "domain_blocked"
    DOMAIN_NOT_ALLOWED = "domain_not_allowed"
    ALREADY_EXISTS = "already_exists"
    SIGN_UP_DISABLED = "sign_up_disabled"
    NOT_REQUESTABLE = "not_requestable"
    MFA_TRUSTED = "mfa_trusted"
    DEVICE_TRUSTED = "device_trusted"
    AUTOMATIC_REDEMPTION = "automatic_redemption"


@dataclass(frozen=True, slots=True, kw_only=True)
class Reason:
    """Why: the code, the spec rule behind it, whose setting (tenant + policy object), a message.

    `inferred` is true when the rule is marked [INFERENCE] in the spec, so a user can see the
    answer rests on an inference rather than documented behaviour.
    """

    code: ReasonCode
    rule: str
    tenant: str | None
    policy: str | None
    message: str
    side: Side | None = None
    inferred: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Hop:
    """One step of a path: `source` -[edge]-> `target`, with the rule and policy that allow it."""

    source: str
    target: str
    edge: EdgeKind
    rule: str
    policy: str | None = None
    source_url: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AccessPath:
    via: Via
    hops: tuple[Hop, ...]

    @property
    def nodes(self) -> tuple[str, ...]:
        """The refs along the path, principal first."""
        if not self.hops:
            return ()
        return (self.hops[0].source, *(h.target for h in self.hops))


@dataclass(frozen=True, slots=True, kw_only=True)
class Verdict:
    principal: str
    resource: str
    via: Via
    decision: Decision
    mfa: Mfa = Mfa.NONE
    paths: tuple[AccessPath, ...] = ()
    reasons: tuple[Reason, ...] = ()
    partial: bool = False

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(r.code.value for r in self.reasons)

    @property
    def mfa_claim(self) -> Mfa | None:
        """Where MFA happens, as the answer may state it: None on a denial, since no sign-in
        completes and `mfa` there is only the field's default, not a finding."""
        return None if self.decision == Decision.DENY else self.mfa

