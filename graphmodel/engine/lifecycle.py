"""Entitlement management's lifecycle for governed guests (L21, L22).

A guest with access-package assignments in a tenant is treated as governed (invited or
converted by entitlement management). When its last assignment is gone, the tenant's
`externalUserLifecycleAction` applies: `none` keeps it, `blockSignIn` blocks it,
`blockSignInAndDelete` (the default) blocks it and deletes it 30 days later
(durationUntilExternalUserDeletedAfterBlocked's default). A blocked guest cannot request again.
Source: https://learn.microsoft.com/entra/id-governance/entitlement-management-external-users
"""

from __future__ import annotations

from datetime import timedelta

from graphmodel.engine.index import WorldIndex
from graphmodel.policy.reasons import reason
from graphmodel.schema.entities import User
from graphmodel.schema.enums import LifecycleAction
from graphmodel.schema.verdict import Reason, ReasonCode, Side

__all__ = ["DELETE_AFTER_BLOCK", "lifecycle_gate"]

DELETE_AFTER_BLOCK = timedelta(days=30)


def lifecycle_gate(ix: WorldIndex, subject: User, principal: User) -> list[Reason]:
    """L22: a governed guest that lost its last assignment is blocked (unless action `none`)."""
    mine = [
        pa
        for pa in ix.package_assignments.get(principal.ref, ())
        if pa.package in ix.packages and ix.packages[pa.package].tenant == subject.tenant
    ]
    if not mine or any(ix.assignment_valid(pa) for pa in mine):
        return []
    action = ix.tenants[subject.tenant].entitlement_settings.external_user_lifecycle_action
    if action == LifecycleAction.NONE:
        return []
    ends = [pa.expires for pa in mine]
    if action == LifecycleAction.BLOCK_SIGN_IN_AND_DELETE and all(e is not None for e in ends):
        last = max(e for e in ends if e is not None)
        if last + DELETE_AFTER_BLOCK <= ix.now:
            return [
                reason(
                    ReasonCode.NO_ACCOUNT,
                    "L22",
                    f"`{subject.ref}` lost its last access-package assignment on "
                    f"{last:%Y-%m-%d} and was deleted {DELETE_AFTER_BLOCK.days} days later",
                    tenant=subject.tenant,
                    policy="entitlementSettings.externalUserLifecycleAction",
                    side=Side.RESOURCE,
                )
            ]
    return [
        reason(
            ReasonCode.ACCOUNT_DISABLED,
            "L22",
            f"`{subject.ref}` lost its last access-package assignment and `{subject.tenant}` "
            f"applies `{action.value}`",
            tenant=subject.tenant,
            policy="entitlementSettings.externalUserLifecycleAction",
            side=Side.RESOURCE,
        )
    ]
