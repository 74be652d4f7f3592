"""`Reach`: one answer of a reverse lookup — a principal, a resource, the decision, the verdict.

Why the verdict is lazy: a who-can-access over the widest app yields hundreds of thousands of
answers, and building every path and reason (a full `check`) for each would cost far more than
deciding them (`graphmodel.engine.reverse` decides whole equivalence classes at once). Callers
that only list principals read `decision` / `mfa` / `via`; the first read of `verdict` runs the
one `check` for that pair, so the explanation is still produced by the single decision path.
"""

from __future__ import annotations

from datetime import datetime

from graphmodel.engine.check import CheckLimits, check
from graphmodel.engine.index import WorldIndex
from graphmodel.engine.outsiders import OUTSIDER_KINDS, home_tenant, principal_kind, tenant_of
from graphmodel.schema.enums import PrincipalKind, Via
from graphmodel.schema.verdict import Decision, Mfa, Verdict

__all__ = ["Reach"]


class Reach:
    """One answer of a reverse lookup: the principal, the resource and the verdict.

    Built either with the verdict (`Reach(principal=..., resource=..., verdict=v)`) or, by the
    batched lookups, with the decision, MFA location and route already known and the index to
    compute the verdict from on first access. `mfa` and `via` may be unknown for a pair the
    batch proved denied without evaluating it; they are then read from the verdict. `kind`,
    `outsider`, `home_tenant` and `object_ref` describe the principal as the resource's tenant
    sees it; they need the index (every lookup passes it).

    Examples
    --------
    >>> from graphmodel.schema.enums import Via
    >>> v = Verdict(principal="f/bob", resource="c/app", via=Via.ANY, decision=Decision.DENY)
    >>> r = Reach(principal="f/bob", resource="c/app", verdict=v)
    >>> (r.decision, r.mfa, r.verdict is v)
    (<Decision.DENY: 'deny'>, <Mfa.NONE: 'none'>, True)
    """

    __slots__ = (
        "_ix",
        "_limits",
        "_mfa",
        "_verdict",
        "_via",
        "decision",
        "last_used",
        "principal",
        "resource",
    )

    def __init__(
        self,
        principal: str,
        resource: str,
        verdict: Verdict | None = None,
        decision: Decision | None = None,
        mfa: Mfa | None = None,
        via: Via | None = None,
        ix: WorldIndex | None = None,
        limits: CheckLimits | None = None,
    ) -> None:
        if verdict is None and (decision is None or ix is None):
            raise ValueError("a Reach needs its verdict, or a decision and the index to explain it")
        self.principal = principal
        self.resource = resource
        self._verdict = verdict
        self.decision: Decision = decision if decision is not None else verdict.decision  # type: ignore[union-attr]
        self._mfa = mfa
        self._via = via
        self._ix = ix
        self._limits = limits
        # the latest recorded sign-in of the principal to the resource (None: none recorded);
        # set by the service, which joins answers with the evidence of use
        self.last_used: datetime | None = None

    @property
    def verdict(self) -> Verdict:
        """The full verdict (paths and reasons), computed by `check` on first access."""
        verdict = self._verdict
        if verdict is None:
            assert self._ix is not None  # INVARIANT: enforced by __init__
            verdict = check(self._ix, self.principal, self.resource, limits=self._limits)
            self._verdict = verdict
        return verdict

    def _index(self) -> WorldIndex:
        if self._ix is None:
            raise ValueError("this Reach was built without the index its principal is read from")
        return self._ix

    @property
    def kind(self) -> PrincipalKind:
        """What the principal is to the resource's tenant (`principal_kind`)."""
        ix = self._index()
        return principal_kind(ix, ix.users[self.principal], tenant_of(self.resource))

    @property
    def outsider(self) -> bool:
        """Whether the principal is an outsider of the resource's tenant (`is_outsider`)."""
        return self.kind in OUTSIDER_KINDS

    @property
    def home_tenant(self) -> str | None:
        """The principal's home tenant; None for a social or one-time-passcode guest."""
        ix = self._index()
        return home_tenant(ix, ix.users[self.principal])

    @property
    def object_ref(self) -> str | None:
        """The user object that signs in to the resource's tenant: the principal itself there,
        else its guest or synced object; None when it has none (direct connect)."""
        ix = self._index()
        principal = ix.users[self.principal]
        tenant = tenant_of(self.resource)
        if principal.tenant == tenant:
            return self.principal
        obj = ix.representation_in(principal, tenant)
        return None if obj is None else obj.ref

    @property
    def mfa(self) -> Mfa:
        """Where MFA is performed on the deciding route (`none` for a denial)."""
        return self._mfa if self._mfa is not None else self.verdict.mfa

    @property
    def via(self) -> Via:
        """The route of the verdict (for a denial: the first route evaluated)."""
        return self._via if self._via is not None else self.verdict.via

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Reach):
            return NotImplemented
        return (self.principal, self.resource, self.decision, self.mfa, self.via) == (
            other.principal,
            other.resource,
            other.decision,
            other.mfa,
            other.via,
        )

    def __hash__(self) -> int:
        return hash((self.principal, self.resource, self.decision))

    def __repr__(self) -> str:
        return (
            f"Reach(principal={self.principal!r}, resource={self.resource!r}, "
            f"decision={self.decision.value!r})"
        )
