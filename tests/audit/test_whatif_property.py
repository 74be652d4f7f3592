"""What-if == "apply the change, recompute everything, diff", and the store stays untouched.

For every visible scenario world (plus the demo and the audit worlds) generated change sets
(hypothesis, seeded and bounded) go through `AuditService.what_if` on a durable memory store;
the answer is compared
with a naive reference computed here: every principal of either World against every resource,
decided by `engine.check`, diffed pair by pair; findings recomputed on both Worlds. The sqlite
file is hashed before and after (byte-identical) and no audit file may appear.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from graphmodel.audit import run_checks
from graphmodel.audit.changeset import apply_change_text
from graphmodel.audit.whatif import WorldDiff
from graphmodel.engine import WorldIndex, check
from graphmodel.errors import NodeNotFound
from graphmodel.schema import World
from graphmodel.schema.verdict import Decision, Mfa
from graphmodel.service import GraphService
from graphmodel.service.audits import AuditService
from graphmodel.stores import open_store

from .changes import candidate_changes, text_of, valid_sequence
from .support import DEMO, SCENARIOS, WORLDS, load_world_any

FILES = [*sorted(SCENARIOS.rglob("*.yaml")), DEMO, *sorted(WORLDS.glob("*.yaml"))]
EXAMPLES = {DEMO: 8}  # the demo is ~50x a scenario world; others get the default
DEFAULT_EXAMPLES = 12

_RANK = {Decision.DENY: 0, Decision.PENDING: 1, Decision.ALLOW: 2}
State = tuple[Decision, Mfa]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _states(ix: WorldIndex) -> dict[tuple[str, str], State]:
    """Every (principal, resource) answer that is not a plain deny."""
    resources = [a.ref for a in ix.world.apps] + [c.ref for c in ix.world.channels]
    out: dict[tuple[str, str], State] = {}
    for u in ix.world.users:
        for r in resources:
            try:
                v = check(ix, u.ref, r)
            except NodeNotFound:
                continue
            if v.decision != Decision.DENY:
                out[(v.principal, r)] = (v.decision, v.mfa)
    return out


def reference(before: WorldIndex, after: WorldIndex) -> list[tuple[str, str, str, str, str, str]]:
    """The naive access diff: changed decisions, or changed MFA place on a reachable pair."""
    a, b = _states(before), _states(after)
    deny: State = (Decision.DENY, Mfa.NONE)
    out = []
    for key in sorted(set(a) | set(b), key=lambda k: (k[1], k[0])):
        (bd, bm), (ad, am) = a.get(key, deny), b.get(key, deny)
        if _RANK[ad] > _RANK[bd]:
            kind = "gained"
        elif _RANK[ad] < _RANK[bd]:
            kind = "lost"
        elif bm != am:
            kind = "changed"
        else:
            continue
        out.append((key[0], key[1], kind, bd.value, ad.value, f"{bm.value}>{am.value}"))
    return out


def observed(diff: WorldDiff) -> list[tuple[str, str, str, str, str, str]]:
    return [
        (
            c.principal,
            c.resource,
            c.change.value,
            c.before.value,
            c.after.value,
            f"{c.before_mfa.value}>{c.after_mfa.value}",
        )
        for c in diff.access
    ]


def _check_one(
    world: World, ix: WorldIndex, audits: AuditService, changes: list[dict[str, Any]]
) -> None:
    text = text_of(changes)
    diff = audits.what_if(text)
    after = WorldIndex(apply_change_text(world, text).world, now=ix.now)
    assert observed(diff) == reference(ix, after), text
    before_f = {f.fingerprint: f for f in run_checks(ix)}
    after_f = {f.fingerprint: f for f in run_checks(after)}
    assert {f.fingerprint for f in diff.findings.appeared} == set(after_f) - set(before_f)
    assert {f.fingerprint for f in diff.findings.disappeared} == set(before_f) - set(after_f)
    assert {f.fingerprint for f in diff.findings.changed} == {
        fp for fp in set(before_f) & set(after_f) if before_f[fp].exposures != after_f[fp].exposures
    }
    for c in diff.access:  # every access change is explained by at least one entity change
        assert c.explained_by, (c, text)


@pytest.mark.memory
@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_whatif_equals_recompute_and_leaves_the_store_untouched(path: Path, tmp_path: Path) -> None:
    world = load_world_any(path)
    db = tmp_path / "world.db"
    with open_store("memory", path=str(db)) as store:
        GraphService(store).load_world(world, source=path.name)
    digest = _sha(db)
    graph = GraphService(open_store("memory", path=str(db)))
    audits = AuditService.open(graph, str(db), read_only=True)
    ix = graph.index()
    stored = ix.world
    candidates = candidate_changes(stored)

    @seed(20260601)
    @settings(
        max_examples=EXAMPLES.get(path, DEFAULT_EXAMPLES),
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(st.lists(st.sampled_from(candidates), min_size=1, max_size=4))
    def run(drawn: list[dict[str, Any]]) -> None:
        changes = valid_sequence(stored, drawn)
        if changes:
            _check_one(stored, ix, audits, changes)

    try:
        run()
    finally:
        audits.close()
        graph.store.close()
    assert _sha(db) == digest
    assert not Path(f"{db}.audit.sqlite").exists()


@pytest.mark.memory
@pytest.mark.parametrize("path", sorted(WORLDS.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_single_change_on_the_audit_worlds(path: Path) -> None:
    """Exhaustive and deterministic: each change the world admits, alone (every operation)."""
    with open_store("memory") as store:
        graph = GraphService(store)
        graph.load_world(load_world_any(path), source=path.name)
        audits = AuditService.open(graph, None, read_only=True)
        ix = graph.index()
        for change in candidate_changes(ix.world):
            if valid_sequence(ix.world, [change]):
                _check_one(ix.world, ix, audits, [change])
