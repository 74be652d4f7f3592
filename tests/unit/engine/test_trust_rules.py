"""One rule id per trust: the trust graph, a verdict's trust notes and the audit's trust edges
cite the same rule (xtap.md: R29 for MFA claims, R31 for device claims).

Every allowed access of the demo world and of the corpus worlds that trust claims is checked:
each `mfa_trusted` / `device_trusted` note names the rule of the resource tenant's trust edge
towards the principal's home tenant, in the derived trust graph and in `trust_of`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from graphmodel.audit.trust import trust_of
from graphmodel.engine.index import WorldIndex
from graphmodel.ingest import load_world_file
from graphmodel.schema.kinds import EdgeKind
from graphmodel.schema.trust import TRUST_RULES
from graphmodel.schema.verdict import ReasonCode
from graphmodel.service import GraphService
from graphmodel.stores import open_store

REPO = Path(__file__).resolve().parents[3]
CORPUS = REPO.parent / "shared" / "scenarios" / "conditional-access"
WORLDS = [
    REPO / "fixtures" / "demo.yaml",
    CORPUS / "compliant-device-trusted.yaml",
    CORPUS / "partner-trust-replaces-default-trust.yaml",
    CORPUS / "direct-connect-mfa-with-trust.yaml",
]
NOTE_KINDS = {
    ReasonCode.MFA_TRUSTED: {EdgeKind.TRUSTS_MFA},
    ReasonCode.DEVICE_TRUSTED: {EdgeKind.TRUSTS_COMPLIANT_DEVICE, EdgeKind.TRUSTS_HYBRID_JOINED},
}


def test_each_trust_kind_has_the_rule_xtap_gives_it() -> None:
    assert TRUST_RULES == {
        EdgeKind.TRUSTS_MFA: "R29",
        EdgeKind.TRUSTS_COMPLIANT_DEVICE: "R31",
        EdgeKind.TRUSTS_HYBRID_JOINED: "R31",
    }


@pytest.mark.parametrize("world_file", WORLDS, ids=lambda p: p.name)
def test_trust_notes_graph_and_audit_cite_one_rule(world_file: Path) -> None:
    with open_store("memory") as store:
        graph = GraphService(store)
        graph.load_world(load_world_file(world_file), source=world_file.name)
        edges = graph.trust_graph()
        trust_rules = {(e.kind, e.source, e.target): e.rule for e in edges}
        assert all(
            e.rule == TRUST_RULES[e.kind] for e in edges if e.kind in TRUST_RULES
        ), "a trust edge of the graph cites another rule"
        ix: WorldIndex = graph.index(None)
        notes = 0
        for principal in ix.users:
            for resource in [*ix.apps, *ix.channels]:
                verdict = graph.check(principal, resource)
                home = verdict.principal.split("/", 1)[0]
                tenant = resource.split("/", 1)[0]
                audited = {(t.kind, t.source, t.target): t.rule for t in trust_of(ix, verdict)}
                for reason in verdict.reasons:
                    kinds = NOTE_KINDS.get(reason.code)
                    if kinds is None:
                        continue
                    notes += 1
                    cited = {
                        trust_rules[(k, tenant, home)]
                        for k in kinds
                        if (k, tenant, home) in trust_rules
                    }
                    assert cited == {reason.rule}, (verdict.principal, resource, reason)
                    for key, rule in audited.items():
                        if key[0] in kinds:
                            assert rule == reason.rule, (verdict.principal, resource, key)
        assert notes > 0, f"{world_file.name} has no access that relies on a trusted claim"
