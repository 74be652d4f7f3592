"""Building Reasons: the rule id decides the `inferred` flag, so callers never set it by hand."""

from __future__ import annotations

from graphmodel.schema.rules import INFERRED_RULES
from graphmodel.schema.verdict import Reason, ReasonCode, Side

__all__ = ["reason"]


def reason(
    code: ReasonCode,
    rule: str,
    message: str,
    *,
    tenant: str | None = None,
    policy: str | None = None,
    side: Side | None = None,
) -> Reason:
    """A Reason whose `inferred` flag follows the spec's [INFERENCE] register."""
    return Reason(
        code=code,
        rule=rule,
        tenant=tenant,
        policy=policy,
        message=message,
        side=side,
        inferred=rule in INFERRED_RULES,
    )
