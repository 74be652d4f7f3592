"""The shape of a check: its catalogue entry, the inputs it reads, and a function to drafts.

Why a plain record and a table instead of classes: the catalogue is data (printed by the CLI,
listed in the report, exposed over GraphQL), and each check is one small pure function over the
`AuditContext`, so adding a check is one entry in `graphmodel.audit.checks.CATALOGUE`.

Why drafts, not findings: a check says what it found (tenant, subject, message) and how to
enumerate its exposures (`seeds`, in key order, cheap until built); `finish` counts them
exactly and builds only the exemplars, and the finding keeps `seeds` to stream the rest on
demand. A check that counts many findings in one pass (per partner, per home tenant) hands its
`Tally` in with the draft. `reads` lists the inputs a check depends on (`graphmodel.audit
.incremental`): an audit after a change re-runs a check only where one of them changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from graphmodel.audit.context import AuditContext
from graphmodel.audit.model import CheckInfo, Exposure, Finding, fingerprint_of
from graphmodel.audit.tally import Seed, Seeds, Tally, built, in_key_order, seed_of

__all__ = [
    "ACCESS",
    "ACCESS_KINDS",
    "SETTINGS",
    "Check",
    "Draft",
    "Reads",
    "finish",
    "seeds_of",
]


ACCESS_KINDS = frozenset(
    {
        "tenant",
        "crossTenantAccess",
        "user",
        "group",
        "groupMember",
        "app",
        "assignment",
        "team",
        "teamMember",
        "channel",
        "channelMember",
        "conditionalAccess",
        "connectedOrganization",
        "accessPackage",
        "packageAssignment",
    }
)
"""Every entity kind a gate of the engine reads (`graphmodel.audit.impact`; not invitations)."""


@dataclass(frozen=True, slots=True)
class Reads:
    """What a check depends on, so an audit after a change re-runs only what it must.

    `kinds`: entity kinds (`EntityChange.kind`) whose change in a tenant can change that
    tenant's findings (a user change: the tenants of every object of the person); `world`:
    kinds whose change anywhere can change every tenant's findings (a finding listing the
    other tenants' domains); `access`: the check counts who reaches what, so the tenants of
    the pairs the impact table says a change can touch re-run it.
    """

    kinds: frozenset[str] = frozenset()
    world: frozenset[str] = frozenset()
    access: bool = False

    @property
    def settings_only(self) -> bool:
        """Whether the check reads tenant settings alone: it never needs the engine index
        (`LazyIndex`), so `--check` of it costs no index build."""
        return not self.access and (self.kinds | self.world) <= SETTINGS


ACCESS = Reads(ACCESS_KINDS, access=True)
SETTINGS = frozenset({"tenant", "crossTenantAccess"})


@dataclass(frozen=True, slots=True)
class Check:
    info: CheckInfo
    run: Callable[[AuditContext], Iterable[Draft]]
    reads: Reads


@dataclass(frozen=True, slots=True, kw_only=True)
class Draft:
    """A finding before its exposures are counted.

    `message` is text, or a function of the tally (messages that say how many). With
    `keep_empty` False a draft with no exposure is no finding.
    """

    info: CheckInfo
    tenant: str
    subject: str
    message: str | Callable[[Tally], str]
    seeds: Callable[[], Seeds]
    policy: str | None = None
    identity: str | None = None
    tally: Tally | None = None
    keep_empty: bool = True


def seeds_of(make: Callable[[], Iterable[Exposure]]) -> Callable[[], list[Seed]]:
    """`Draft.seeds` for exposures cheap to build (configuration ones), made afresh on each
    call and put in key order (the first of equal keys, in the order made, wins)."""
    return lambda: in_key_order(seed_of(e) for e in make())


def finish(d: Draft, limit: int | None) -> Finding | None:
    """The Finding of a draft: exact counts, the first `limit` exposures built (None: all)."""
    tally = d.tally if d.tally is not None else Tally.of(d.seeds(), limit)
    if not d.keep_empty and tally.raw == 0:
        return None
    seeds = d.seeds
    return Finding(
        check=d.info.id,
        severity=d.info.severity,
        rules=d.info.rules,
        tenant=d.tenant,
        subject=d.subject,
        fingerprint=fingerprint_of(d.info.id, d.identity or d.subject),
        message=d.message if isinstance(d.message, str) else d.message(tally),
        policy=d.policy,
        exposures=tally.exemplars(),
        _total=None if limit is None else tally.counts(),
        _more=None if limit is None else (lambda after: built(seeds(), after)),
    )
