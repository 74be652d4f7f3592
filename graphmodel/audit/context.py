"""What every check reads: the engine index of one World, who reaches what, and the zone.

Why decisions, not verdicts: most checks ask "which outsiders reach the resources of this
tenant, and how" and count the answers. The engine decides whole equivalence classes of pairs
at once (`who_can_access_decided`: one `check` per class, the one decision path); a full
verdict with paths and reasons is built only when an exposure is (`Seed.build`), i.e. for the
exemplars a report shows. The passes ask the engine for outsiders only (`ReachFilter`, the
one definition: `graphmodel.engine.is_outsider`), so a pass costs the outsiders of the tenant,
not its staff. No check counts anyone else: a tenant's members and internal guests reach its
resources as members, its B2C consumers through the B2C route (and a valid World has local
accounts only in B2C tenants: the world reader refuses any other).

Why one pass shared by the checks: the access checks ask that same question of the same resources.
The answers of a resource (`Answers`: principal refs and their interned decisions, two
pointers per pair) are computed once per run and read by each check, which counts them as a
`Run` per resource without a seed per pair.

Scope: `tenants` (None = all) names the tenants whose findings are wanted, so `--tenant`
computes only those; `progress` hears of each resource decided, for the CLI's progress line.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Collection, Iterator, Sequence
from functools import cached_property, partial
from typing import NamedTuple, Protocol

from graphmodel.audit.exposure import access_exposure, home_label
from graphmodel.audit.model import DEFAULT_EXEMPLARS, AuditOptions, Exposure, Zone
from graphmodel.audit.tally import Run, Seed
from graphmodel.engine import (
    Reach,
    ReachFilter,
    WorldIndex,
    check,
    derive_trust_edges,
    who_can_access_decided,
)
from graphmodel.engine.equivalence import Decided
from graphmodel.schema.entities import Tenant, User
from graphmodel.schema.enums import TenantType
from graphmodel.schema.kinds import EdgeKind
from graphmodel.schema.trust import TrustEdge
from graphmodel.schema.verdict import AccessPath, Verdict
from graphmodel.schema.world import World

__all__ = ["GRANT_EDGES", "Answers", "AuditContext", "LazyIndex", "Progress", "held_paths"]

_OUTSIDERS = ReachFilter(outsiders=True)

# Hops that are a grant someone made (not the open sign-in of an app without assignment).
GRANT_EDGES = frozenset(
    {
        EdgeKind.MEMBER_OF,
        EdgeKind.ASSIGNED_TO,
        EdgeKind.GRANTS,
        EdgeKind.HAS_ASSIGNMENT,
        EdgeKind.TEAM_MEMBER,
        EdgeKind.CHANNEL_MEMBER,
        EdgeKind.SHARED_WITH_TEAM,
    }
)


def held_paths(verdict: Verdict) -> tuple[AccessPath, ...]:
    """The verdict's paths that contain a grant hop (see `GRANT_EDGES`)."""
    return tuple(p for p in verdict.paths if any(h.edge in GRANT_EDGES for h in p.hops))


class Answers(NamedTuple):
    """The allow and pending answers of one resource's outsiders, in principal order: the
    principal refs and, at the same positions, their (decision, mfa, via)."""

    resource: str
    principals: Sequence[str]
    decided: Sequence[Decided]


class Progress(Protocol):
    """Hears how a run advances: a check starts, resources are decided, the check ends."""

    def begin(self, check: str) -> None: ...

    def advance(self, n: int = 1) -> None: ...

    def end(self, check: str, findings: int, exposures: int) -> None: ...


class LazyIndex(NamedTuple):
    """A World and how to build its engine index, for a run that may not need the index:
    checks that read tenant settings alone never touch it (`Reads.settings_only`), and
    building it for a 1M-user World costs seconds."""

    world: World
    build: Callable[[], WorldIndex]


class AuditContext:
    """One World under audit: its index, the zone of trust, the options and the scope."""

    def __init__(
        self,
        ix: WorldIndex | LazyIndex,
        *,
        zone: Zone,
        options: AuditOptions,
        tenants: frozenset[str] | None = None,
        exemplars: int | None = DEFAULT_EXEMPLARS,
        progress: Progress | None = None,
    ) -> None:
        self._ix = ix if isinstance(ix, WorldIndex) else None
        self._build = None if isinstance(ix, WorldIndex) else ix.build
        self.world = ix.world
        self.zone = zone
        self.options = options
        self.tenants = tenants
        self.exemplars = exemplars
        self.progress = progress
        self._answers: dict[str, Answers] = {}
        self._decided: dict[Decided, Decided] = {}  # interned: one tuple per distinct value

    @property
    def ix(self) -> WorldIndex:
        """The engine index, built on first use when the context was given a `LazyIndex`."""
        found = self._ix
        if found is None:
            assert self._build is not None  # INVARIANT: one of the two is given
            found = self._ix = self._build()
        return found

    # --- tenants ---------------------------------------------------------------------------
    def wants(self, tenant: str) -> bool:
        """Whether findings of `tenant` are asked for."""
        return self.tenants is None or tenant in self.tenants

    def workforce_tenants(self) -> list[Tenant]:
        """Tenants whose directory configuration is audited (B2C directories are not)."""
        return [t for t in self.world.tenants if t.type == TenantType.WORKFORCE]

    def audited_tenants(self) -> list[Tenant]:
        """The workforce tenants whose findings are asked for."""
        return [t for t in self.workforce_tenants() if self.wants(t.name)]

    def in_zone(self, home: str, resource_tenant: str) -> bool:
        """Whether access from `home` (a tenant handle) to `resource_tenant` is expected."""
        if home == resource_tenant:
            return True
        tenant = self.ix.tenants.get(home)
        if tenant is None:  # a home outside the world (or an identity provider label)
            return home.lower() in {t.lower() for t in self.zone.tenants}
        return self.zone.contains(tenant)

    @cached_property
    def tenant_by_id(self) -> dict[str, Tenant]:
        """The World's tenants by directory id (read from the World: no index needed)."""
        return {t.id: t for t in self.world.tenants}

    @cached_property
    def trust_edges(self) -> tuple[TrustEdge, ...]:
        return tuple(derive_trust_edges(self.world))

    @cached_property
    def _edges_from(self) -> dict[str, list[TrustEdge]]:
        out: dict[str, list[TrustEdge]] = {}
        for e in self.trust_edges:
            out.setdefault(e.source, []).append(e)
        return out

    def trust_edges_from(self, tenant: str) -> Sequence[TrustEdge]:
        """The trust edges whose source is `tenant`, in `trust_edges` order (a check per
        tenant reads its own: the edges grow with the square of the tenants)."""
        return self._edges_from.get(tenant, ())

    # --- resources and reach ----------------------------------------------------------------
    def resources_of(self, tenant: str) -> list[str]:
        """The refs of the tenant's apps and channels, sorted."""
        return [ref for ref, _r in self.ix.resources_in(tenant)]

    def answers(self, resource: str) -> Answers:
        """Allow and pending answers of the resource tenant's outsiders, in principal order,
        decided per class; computed once per run (see the module docstring)."""
        if self.progress is not None:
            self.progress.advance()
        found = self._answers.get(resource)
        if found is None:
            principals: list[str] = []
            decided: list[Decided] = []
            interned = self._decided
            for r in who_can_access_decided(self.ix, resource, filters=_OUTSIDERS):
                principals.append(r.principal)
                d = (r.decision, r.mfa, r.via)
                decided.append(interned.setdefault(d, d))
            found = self._answers[resource] = Answers(resource, principals, decided)
        return found

    def tenant_answers(self, tenant: str) -> Iterator[Answers]:
        """`answers` of every resource of the tenant, in resource order."""
        for ref in self.resources_of(tenant):
            yield self.answers(ref)

    def answers_of(
        self, tenant: str, principals: Collection[str]
    ) -> dict[str, list[tuple[str, Decided]]]:
        """The answers of `principals` (outsiders) on the resources of `tenant`: for each one
        that reaches something, its (resource, decision) pairs in resource order. One pass over
        the tenant's answers for all of them, instead of one lookup per person and resource."""
        wanted = frozenset(principals)
        out: dict[str, list[tuple[str, Decided]]] = {}
        for a in self.tenant_answers(tenant):
            ps = a.principals
            # few people: look each up (sorted); many: intersect (one pass, in C)
            found = wanted if len(wanted) * 16 < len(ps) else wanted.intersection(ps)
            for p in found:
                i = bisect_left(ps, p)
                if i < len(ps) and ps[i] == p:
                    out.setdefault(p, []).append((a.resource, a.decided[i]))
        return out

    def outsider_reach(self, resource: str) -> Iterator[Reach]:
        """`answers` of one resource as the engine's answers (verdicts built only when read)."""
        a = self.answers(resource)
        ix = self.ix
        for p, (decision, mfa, via) in zip(a.principals, a.decided, strict=True):
            yield Reach(p, resource, None, decision, mfa, via, ix)

    def tenant_reach(self, tenant: str) -> Iterator[Reach]:
        """`outsider_reach` of every resource of the tenant, in (resource, principal) order:
        the key order of exposures."""
        for ref in self.resources_of(tenant):
            yield from self.outsider_reach(ref)

    def run(self, resource: str, principals: Sequence[str], *, detail: str = "") -> Run:
        """The access exposures of `principals` (ascending, each reaching `resource`): each
        seeded, and its verdict computed, only when kept or streamed."""
        return Run(resource, principals, partial(self._answer_seed, resource, detail=detail))

    def _answer_seed(self, resource: str, principal: str, *, detail: str) -> Seed:
        def build() -> Exposure:
            return self.exposure(check(self.ix, principal, resource), detail=detail)

        return Seed(resource, principal, None, True, build)

    def principal(self, ref: str) -> User:
        return self.ix.users[ref]

    def home_label(self, principal: str) -> str:
        """`graphmodel.audit.exposure.home_label` of the principal."""
        return home_label(self.ix, principal)

    def exposure(
        self, verdict: Verdict, *, path: AccessPath | None = None, detail: str = ""
    ) -> Exposure:
        """`graphmodel.audit.exposure.access_exposure` of the verdict."""
        return access_exposure(self.ix, verdict, path=path, detail=detail)

    def seed(self, r: Reach, *, detail: str = "") -> Seed:
        """The seed of an access exposure of an allow or pending answer (its first path):
        the verdict is computed only if the exposure is built."""
        return Seed(
            r.resource, r.principal, None, True, lambda: self.exposure(r.verdict, detail=detail)
        )

    def verdict_seed(self, v: Verdict, *, path: AccessPath | None, detail: str) -> Seed:
        """The seed of an exposure whose verdict the check already had to build."""
        return Seed(
            v.resource,
            v.principal,
            None,
            path is not None or bool(v.paths),  # `exposure` falls back to the first path
            lambda: self.exposure(v, path=path, detail=detail),
        )
