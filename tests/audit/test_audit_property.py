"""Properties of the counted audit on random small worlds: each audit test world and the demo,
changed by a random sequence of valid changes (the what-if property test's change generator).

- every exemplar access exposure is the engine's own allow or pending verdict for its pair;
- `zone.access-from-outside` (no zone) counts exactly the (principal, resource) pairs whose
  verdict allows or is pending and whose principal is an outsider (brute force over `check`);
- the counted audit equals the reference oracle on the changed world;
- an audit after the changes (`audit_after_changes`, fed by `diff_worlds`) equals a full run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from graphmodel.audit import AuditOptions, Zone, run_checks
from graphmodel.audit.changeset import apply_change_text
from graphmodel.audit.incremental import audit_after_changes
from graphmodel.audit.worlddiff import diff_worlds
from graphmodel.engine import WorldIndex, check, is_outsider
from graphmodel.schema.verdict import Decision

from .changes import candidate_changes, text_of, valid_sequence
from .differential import comparable, differences
from .support import DEMO, WORLDS, load_world_any

FILES = [DEMO, *sorted(WORLDS.glob("*.yaml"))]


def _outside_pairs(ix: WorldIndex) -> dict[str, int]:
    """Per resource tenant, the allow/pending pairs of outsiders (every user x resource)."""
    out: dict[str, set[tuple[str, str]]] = {}
    resources = [a.ref for a in ix.world.apps] + [c.ref for c in ix.world.channels]
    for u in ix.world.users:
        for r in resources:
            v = check(ix, u.ref, r)
            tenant = r.split("/", 1)[0]
            if v.decision != Decision.DENY and is_outsider(ix, ix.users[v.principal], tenant):
                out.setdefault(tenant, set()).add((v.principal, r))
    return {t: len(pairs) for t, pairs in out.items()}


def _properties(before: WorldIndex, after: WorldIndex) -> None:
    found = run_checks(after, exemplars=2)
    for f in found:
        for e in f.exposures:
            if e.principal is None or e.resource is None or e.decision is None:
                continue
            if e.decision == Decision.DENY:  # home-disabled and member lists show denials
                continue
            v = check(after, e.principal, e.resource)
            assert v.decision == e.decision, (f.check, e)
            assert e.path in v.paths or f.check.startswith("xtap.direct-connect"), (f.check, e)
    outside: dict[str, int] = {}
    for f in found:
        if f.check == "zone.access-from-outside":
            outside[f.tenant] = outside.get(f.tenant, 0) + f.counts.exposures
    assert outside == _outside_pairs(after)
    assert differences(after, exemplars=2) == []
    previous: dict[str, list[Any]] = {}
    for f in run_checks(before, exemplars=2):
        previous.setdefault(f.check, []).append(f)
    for c in {f.check for f in found} | set(previous):
        previous.setdefault(c, [])
    _, again = audit_after_changes(
        previous,
        diff_worlds(before.world, after.world),
        before,
        after,
        zone=Zone(),
        options=AuditOptions(),
        exemplars=2,
    )
    assert [comparable(f, exposures=True) for f in again] == [
        comparable(f, exposures=True) for f in found
    ]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_counted_audit_properties_on_changed_worlds(path: Path) -> None:
    world = load_world_any(path)
    ix = WorldIndex(world)
    candidates = candidate_changes(world)

    @seed(20261207)
    @settings(
        max_examples=3 if path == DEMO else 6,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(st.lists(st.sampled_from(candidates), min_size=1, max_size=3))
    def run(drawn: list[dict[str, Any]]) -> None:
        changes = valid_sequence(world, drawn)
        if not changes:
            return
        after = WorldIndex(apply_change_text(world, text_of(changes)).world, now=ix.now)
        _properties(ix, after)

    run()
