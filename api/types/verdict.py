"""The verdict as data: decision, MFA place, paths of hops, reasons — converted, never computed.

Every ref and message passes through the viewer's `Scope`, so a tenant-scoped token sees the
other side of a cross-tenant path as `tenant/<kind>` and not the other tenant's policy objects.
The principal and resource of an answer are nodes (`Principal`, `Resource`) with their `ref`;
a hop names its ends `source` / `target` and its documentation `sourceUrl`, as `TrustEdge` does.
"""

from __future__ import annotations

from datetime import datetime

import strawberry

from api.scope import Scope
from api.types.directory import ExternalObject, Info, User
from api.types.enums import Decision, EdgeKind, Mfa, NodeKind, PrincipalKind, Side, Via
from api.types.fields import field
from api.types.refs import Principal, Resource
from api.types.resources import App, Channel
from graphmodel.schema import entities as de
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
    "principal_node",
    "resource_node",
    "tenant_object_node",
]

TENANT_OBJECT = (
    "The user object the principal signs in to the resource's tenant with: its guest or synced "
    "object there (the principal itself when it belongs to that tenant); null when it has none "
    "(B2B direct connect, a multitenant app used from home). A token scoped to the resource's "
    "tenant sees this object in full, with `guestOf` naming the redacted home identity."
)


async def principal_node(info: Info, scope: Scope, ref: str) -> Principal:
    """The user `ref` names, or an `ExternalObject` when it is outside the scope or unknown."""
    obj = await info.context.loaders.node("user", ref, scope.snapshot)
    if isinstance(obj, de.User) and scope.sees_tenant(obj.tenant):
        return User.from_domain(obj, scope)
    kind = NodeKind.USER if obj is not None else None
    return ExternalObject(ref=scope.ref(ref), tenant=ref.partition("/")[0], kind=kind)


async def tenant_object_node(
    info: Info, scope: Scope, principal: str | None, resource: str | None
) -> Principal | None:
    """The principal's user object in the resource's tenant (see `TENANT_OBJECT`)."""
    if principal is None or resource is None:
        return None
    ref = scope.lookups.object_in(principal, resource.partition("/")[0])
    return None if ref is None else await principal_node(info, scope, ref)


async def resource_node(info: Info, scope: Scope, ref: str) -> Resource:
    """The app or channel `ref` names (`tenant/team/channel` is a channel), or an
    `ExternalObject` when it is outside the scope or unknown."""
    is_channel = ref.count("/") == 2
    obj = await info.context.loaders.node("channel" if is_channel else "app", ref, scope.snapshot)
    if isinstance(obj, de.App) and scope.sees_tenant(obj.tenant):
        return App.from_domain(obj, scope)
    if isinstance(obj, de.Channel) and scope.sees_tenant(obj.tenant):
        return Channel.from_domain(obj, scope)
    kind = None if obj is None else NodeKind.CHANNEL if is_channel else NodeKind.APP
    return ExternalObject(ref=scope.ref(ref), tenant=ref.partition("/")[0], kind=kind)


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
    source: str = strawberry.field(description="The ref the hop starts at.")
    target: str = strawberry.field(description="The ref the hop ends at.")
    kind: EdgeKind
    rule: str
    policy: str | None
    source_url: str | None = strawberry.field(description="Documentation URL behind the rule.")

    @classmethod
    def from_domain(cls, h: domain.Hop, scope: Scope) -> Hop:
        hidden = not scope.sees(h.source) and not scope.sees(h.target)
        return cls(
            source=scope.ref(h.source),
            target=scope.ref(h.target),
            kind=h.edge,
            rule=h.rule,
            policy=None if hidden else h.policy,
            source_url=h.source_url,
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
    principal_ref: strawberry.Private[str]
    resource_ref: strawberry.Private[str]
    scope: strawberry.Private[Scope]
    via: Via
    decision: Decision
    mfa: Mfa | None = strawberry.field(
        description="Where MFA is performed; null on a denial, which makes no MFA claim."
    )
    partial: bool = strawberry.field(description="True when a search bound was hit.")
    paths: list[AccessPath]
    reasons: list[Reason]
    codes: list[str] = strawberry.field(description="The reason codes, in order.")

    @field(description="Who was asked about (the home identity), with its `ref`.")
    async def principal(self, info: Info) -> Principal:
        return await principal_node(info, self.scope, self.principal_ref)

    @field(description=TENANT_OBJECT)
    async def tenant_object(self, info: Info) -> Principal | None:
        return await tenant_object_node(info, self.scope, self.principal_ref, self.resource_ref)

    @field(description="The app or channel asked about, with its `ref`.")
    async def resource(self, info: Info) -> Resource:
        return await resource_node(info, self.scope, self.resource_ref)

    @classmethod
    def from_domain(cls, v: domain.Verdict, scope: Scope) -> Verdict:
        return cls(
            principal_ref=v.principal,
            resource_ref=v.resource,
            scope=scope,
            via=v.via,
            decision=v.decision,
            mfa=v.mfa_claim,
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

    principal_ref: strawberry.Private[str]
    resource_ref: strawberry.Private[str]
    answer: strawberry.Private[DomainReach]
    scope: strawberry.Private[Scope]
    last_used: datetime | None = strawberry.field(
        default=None,
        description="The principal's latest recorded sign-in to the resource (cross-tenant "
        "sign-in evidence); null when none is recorded: possible, not (known to be) used.",
    )

    @field()
    def verdict(self) -> Verdict:
        return Verdict.from_domain(self.answer.verdict, self.scope)

    @classmethod
    def from_domain(cls, r: DomainReach, scope: Scope) -> Reach:
        return cls(
            principal_ref=r.principal,
            resource_ref=r.resource,
            answer=r,
            scope=scope,
            last_used=r.last_used,
        )

    @field(description="Who reaches (a home identity), with its `ref`.")
    async def principal(self, info: Info) -> Principal:
        return await principal_node(info, self.scope, self.principal_ref)

    @field(description=TENANT_OBJECT)
    async def tenant_object(self, info: Info) -> Principal | None:
        return await tenant_object_node(info, self.scope, self.principal_ref, self.resource_ref)

    @field(description="What the principal is to the resource's tenant.")
    def kind(self) -> PrincipalKind:
        return self.answer.kind

    @field(
        description="True when the principal is from outside the resource's tenant: another "
        "tenant's user, or a social, one-time-passcode or SAML/WS-Fed guest (not a member, "
        "an internal guest or a B2C tenant's own consumer)."
    )
    def outsider(self) -> bool:
        return self.answer.outsider

    @field(
        description="The tenant the principal is homed in; null for a guest authenticated "
        "outside any tenant (social, one-time passcode, SAML/WS-Fed, Microsoft account)."
    )
    def home_tenant(self) -> str | None:
        return self.answer.home_tenant

    @field(description="What is reached (an app or a channel), with its `ref`.")
    async def resource(self, info: Info) -> Resource:
        return await resource_node(info, self.scope, self.resource_ref)

    @field(description="Shortcut for `verdict.decision`.")
    def decision(self) -> Decision:
        return self.answer.decision

    @field(description="Shortcut for `verdict.mfa` (null on a denial).")
    def mfa(self) -> Mfa | None:
        return None if self.answer.decision == Decision.DENY else self.answer.mfa

    @field(description="Shortcut for `verdict.via`.")
    def via(self) -> Via:
        return self.answer.via

    @field(description="Shortcut for `verdict.paths`.")
    def paths(self) -> list[AccessPath]:
        return self.verdict().paths

    @field(description="Shortcut for `verdict.reasons`.")
    def reasons(self) -> list[Reason]:
        return self.verdict().reasons
