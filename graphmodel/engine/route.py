"""One way a principal may reach a resource (member, B2B collaboration, direct connect, ...).

A route collects every failing gate (not only the first — reasons.md), the redemption gate
separately (so a guest whose only obstacle is redemption is `pending`), annotations, where MFA
happens, and the paths that grant access.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graphmodel.policy.conditional_access import CaOutcome
from graphmodel.schema.entities import App, Channel, User
from graphmodel.schema.enums import Via
from graphmodel.schema.verdict import AccessPath, Decision, Mfa, Reason

__all__ = ["Resource", "RouteResult", "add_unique"]

Resource = App | Channel


@dataclass(slots=True)
class RouteResult:
    via: Via
    failures: list[Reason] = field(default_factory=list)
    pending: list[Reason] = field(default_factory=list)
    notes: list[Reason] = field(default_factory=list)
    mfa: Mfa = Mfa.NONE
    paths: list[AccessPath] = field(default_factory=list)
    subject: User | None = None  # the object that signs in (None for direct connect)

    @property
    def decision(self) -> Decision:
        if self.failures:
            return Decision.DENY
        if self.pending:
            return Decision.PENDING
        return Decision.ALLOW if self.paths else Decision.DENY

    def apply(self, ca: CaOutcome) -> None:
        """Take Conditional Access's failures, annotations and MFA place into this route."""
        self.failures.extend(ca.failures)
        self.notes.extend(ca.notes)
        self.mfa = ca.mfa

    def reasons(self) -> list[Reason]:
        """What a verdict built from this route reports, in gate order."""
        if self.decision == Decision.ALLOW:
            return list(self.notes)
        if self.decision == Decision.PENDING:
            return [*self.pending, *self.notes]
        return [*self.failures, *self.pending]


def add_unique(target: list[Reason], items: list[Reason]) -> None:
    for item in items:
        if item not in target:
            target.append(item)
