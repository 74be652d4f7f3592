"""What-if and history: apply a change set to a copy of a World, or compare two Worlds.

Why one pipeline for both: a what-if is "the World after these changes" against the World now,
and a snapshot diff is "snapshot B" against "snapshot A"; in both cases the answer is the entity
changes (`diff_worlds`), the access changes they cause (`access_changes`, recomputed only where
`impact.scope_of` says an answer can move) and the findings that appear or disappear
(`run_checks` on both sides). Each access change lists the entity changes that can explain it.
Nothing here writes anything: the modified World lives only in memory.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from graphmodel.audit.access import AccessChange, access_changes
from graphmodel.audit.changeset import apply_change_text
from graphmodel.audit.checks import run_checks
from graphmodel.audit.impact import Rect, scope_of
from graphmodel.audit.model import AuditOptions, Finding, Zone
from graphmodel.audit.worlddiff import EntityChange, diff_worlds
from graphmodel.changes import ChangeSet
from graphmodel.engine import WorldIndex
from graphmodel.errors import Issue

__all__ = ["FindingDelta", "WorldDiff", "compare_worlds", "explain_access", "what_if"]


@dataclass(frozen=True, slots=True, kw_only=True)
class FindingDelta:
    """Findings only after (`appeared`), only before (`disappeared`), or in both with other
    exposures (`changed`, the after side)."""

    appeared: tuple[Finding, ...] = ()
    disappeared: tuple[Finding, ...] = ()
    changed: tuple[Finding, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class WorldDiff:
    """Entity changes, the access changes they cause, and the finding delta."""

    entities: tuple[EntityChange, ...]
    access: tuple[AccessChange, ...]
    findings: FindingDelta
    title: str | None = None
    warnings: tuple[Issue, ...] = ()
    changes: int = 0  # a what-if: how many changes were applied


def _delta(before: Sequence[Finding], after: Sequence[Finding]) -> FindingDelta:
    b = {f.fingerprint: f for f in before}
    a = {f.fingerprint: f for f in after}
    return FindingDelta(
        appeared=tuple(f for fp, f in a.items() if fp not in b),
        disappeared=tuple(f for fp, f in b.items() if fp not in a),
        changed=tuple(f for fp, f in a.items() if fp in b and b[fp].exposures != f.exposures),
    )


def explain_access(
    changes: tuple[AccessChange, ...], scopes: list[list[Rect]] | None, n: int
) -> tuple[AccessChange, ...]:
    """Each access change with `explained_by`: the indexes of the `n` entity changes whose
    scope (`scopes`, None = every change explains every pair) covers it."""
    out: list[AccessChange] = []
    for c in changes:
        if scopes is None:
            why = tuple(range(n))
        else:
            why = tuple(
                i
                for i, rects in enumerate(scopes)
                if any(r.covers(c.principal, c.resource) for r in rects)
            )
        out.append(replace(c, explained_by=why))
    return tuple(out)


def compare_worlds(
    before: WorldIndex,
    after: WorldIndex,
    *,
    zone: Zone | None = None,
    options: AuditOptions | None = None,
    full: bool = False,
    changes: ChangeSet | None = None,
) -> WorldDiff:
    """The diff from `before` to `after`; `full` compares every pair (the reference answer).

    `changes`: the ChangeSet between the two, when the caller has it (a store knows it for
    snapshots written as changes), so the entity diff looks only at what changed.
    """
    entities = diff_worlds(before.world, after.world, changes)
    scopes = scope_of(entities, before, after)
    rects = None if full or scopes is None else [r for rs in scopes for r in rs]
    access = access_changes(before, after, rects)
    findings = _delta(
        run_checks(before, zone=zone, options=options),
        run_checks(after, zone=zone, options=options),
    )
    return WorldDiff(
        entities=entities,
        access=explain_access(access, scopes, len(entities)),
        findings=findings,
    )


def what_if(
    before: WorldIndex,
    changes: str,
    *,
    file: str = "<changes>",
    zone: Zone | None = None,
    options: AuditOptions | None = None,
    full: bool = False,
    max_changes: int | None = None,
) -> WorldDiff:
    """Apply the change set text to a copy of `before`'s World and diff the two.

    Raises `WorldInvalid` (every located problem) when the change set is invalid, and
    `ChangeSetTooLarge` when it holds more than `max_changes` changes.

    Examples
    --------
    >>> from graphmodel.ingest import load_world_text
    >>> w = load_world_text('''
    ... tenants:
    ...   - {name: contoso, users: [{name: bob, guestOf: fabrikam/bob}], apps: [{name: wiki}]}
    ...   - {name: fabrikam, users: [bob]}
    ... ''')
    >>> d = what_if(WorldIndex(w), "changes: [{disableUser: {user: contoso/bob}}]")
    >>> [(c.principal, c.resource, c.change.value) for c in d.access]
    [('fabrikam/bob', 'contoso/wiki', 'lost')]
    """
    applied = apply_change_text(before.world, changes, file=file, max_changes=max_changes)
    after = WorldIndex(applied.world, now=before.now)
    diff = compare_worlds(before, after, zone=zone, options=options, full=full)
    return replace(diff, title=applied.title, warnings=applied.warnings, changes=applied.count)
