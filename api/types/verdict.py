"""The verdict as data: decision, MFA place, paths of hops, reasons — converted, never computed.

Every ref and message passes through the viewer's `Scope`, so a tenant-scoped token sees the
other side of a cross-tenant path as `tenant/<kind>` and not the other tenant's policy objects.
"""

from __future__ import annotations

import strawberry

from api.scope import Scope
from api.types.enums import Decision, Mfa, Side, Via
from api.types.fields import field
from graphmodel.schema import verdict as domain
from graphmodel.service.answers import Answer as DomainAnswer
from graphmodel.service.answers import Reach as DomainReach

__all__ = [
    "AccessPath",
    "Answer",
    "Hop",
    "Reach",
    "Reason",
    "Verdict",
]


@strawberry.type(description="Why: a code from reasons.md, the rule, and whose setting it is.")
class Reason:
    code: str = strawberry.field(description="Stable reason code, e.g. `inbound_blocked`.")
    rule: str = strawberry.field(description="Spec rule id, e.g. `R7` or `L37`.")
    tenant: str | None
    policy: str | None = strawberry.field(
        description="The policy object, e.g. `crossTenantAccess.partners[fabrikam]."
        "b2bCollaborationInbound`; withheld when another tenant owns it and the token is scoped."
    )
    message: str
    side: Side | None
    inferred: bool = strawberry.field(description="True when the rule is a spec [INFERENCE].")

    @classmethod
    def from_domain(cls, r: domain.Reason, scope: Scope) -> Reason:
        return cls(
            code=r.code.value,
            rule=r.rule,
            tenant=r.tenant,
            policy=scope.policy(r.tenant, r.policy),
            message=scope.text(r.message),
            side=r.side,
            inferred=r.inferred,
        )


@strawberry.type(description="One step of a path, with the rule and policy that allow it.")
class Hop:
    from_: str = strawberry.field(name="from")
    to: str
    edge_kind: str
    rule: str
    policy: str | None
    source: str | None = strawberry.field(description="Documentation URL behind the rule.")

    @classmethod
    def from_domain(cls, h: domain.Hop, scope: Scope) -> Hop:
        hidden = not scope.sees(h.source) and not scope.sees(h.target)
        return cls(
            from_=scope.ref(h.source),
            to=scope.ref(h.target),
            edge_kind=h.edge.value,
            rule=h.rule,
            policy=None if hidden else h.policy,
            source=h.source_url,
        )


@strawberry.type(description="A path from the principal to the resource.")
class AccessPath:
    via: Via
    hops: list[Hop]
    nodes: list[str] = strawberry.field(description="The refs along the path, principal first.")

    @classmethod
    def from_domain(cls, p: domain.AccessPath, scope: Scope) -> AccessPath:
        return cls(
            via=p.via,
            hops=[Hop.from_domain(h, scope) for h in p.hops],
            nodes=scope.refs(list(p.nodes)),
        )


@strawberry.type(description="Can the principal reach the resource: the answer as data.")
class Verdict:
    principal: str
    resource: str
    via: Via
    decision: Decision
    mfa: Mfa
    partial: bool = strawberry.field(description="True when a search bound was hit.")
    paths: list[AccessPath]
    reasons: list[Reason]
    codes: list[str] = strawberry.field(description="The reason codes, in order.")

    @classmethod
    def from_domain(cls, v: domain.Verdict, scope: Scope) -> Verdict:
        return cls(
            principal=scope.ref(v.principal),
            resource=scope.ref(v.resource),
            via=v.via,
            decision=v.decision,
            mfa=v.mfa,
            partial=v.partial,
            paths=[AccessPath.from_domain(p, scope) for p in v.paths],
            reasons=[Reason.from_domain(r, scope) for r in v.reasons],
            codes=list(v.codes),
        )


@strawberry.type(description="The answer to an invite / sign-up / access-package question.")
class Answer:
    decision: Decision
    reasons: list[Reason]
    codes: list[str]

    @classmethod
    def from_domain(cls, a: DomainAnswer, scope: Scope) -> Answer:
        return cls(
            decision=a.decision,
            reasons=[Reason.from_domain(r, scope) for r in a.reasons],
            codes=list(a.codes),
        )


@strawberry.type(description="One answer of a reverse lookup: who reaches what, and the verdict.")
class Reach:
    """Decision, MFA place and route come with the reverse lookup; the full verdict (paths,
    reasons: one `check` and a conversion per item) is built only when a query selects it, so
    a page of 100 principals that asks for decisions costs no verdicts."""

    principal: str
    resource: str
    answer: strawberry.Private[DomainReach]
    scope: strawberry.Private[Scope]

    @field()
    def verdict(self) -> Verdict:
        return Verdict.from_domain(self.answer.verdict, self.scope)

    # Plain fields, not resolvers: a page asks for them on every node.
    decision: Decision = strawberry.field(description="Shortcut for `verdict.decision`.")
    mfa: Mfa = strawberry.field(description="Shortcut for `verdict.mfa`.")
    via: Via = strawberry.field(description="Shortcut for `verdict.via`.")

    @classmethod
    def from_domain(cls, r: DomainReach, scope: Scope) -> Reach:
        return cls(
            principal=scope.ref(r.principal),
            resource=scope.ref(r.resource),
            answer=r,
            scope=scope,
            decision=r.decision,
            mfa=r.mfa,
            via=r.via,
        )

    @field(description="Shortcut for `verdict.paths`.")
    def paths(self) -> list[AccessPath]:
        return self.verdict().paths

    @field(description="Shortcut for `verdict.reasons`.")
    def reasons(self) -> list[Reason]:
        return self.verdict().reasons
