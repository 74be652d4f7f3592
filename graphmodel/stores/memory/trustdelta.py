"""A snapshot's derived trust edges stored as their change from its base's (JSON).

Why: a snapshot stored as a change keeps its trust edges the same way — usually unchanged
(nothing is stored), after a policy change only the edges that moved. Layout:
`{"put": [[kind, source, target, rule, policy, scope, sourceUrl], ...], "drop": [[kind,
source, target], ...]}`; applying it drops, then puts (an updated edge is a put of its key).
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from graphmodel.schema.kinds import EdgeKind
from graphmodel.schema.trust import TrustEdge
from graphmodel.stores.sync_derived import TrustPlan

__all__ = ["apply_trust_delta", "encode_trust_delta"]


def encode_trust_delta(plan: TrustPlan) -> str | None:
    """The JSON of `plan` (None when it changes nothing)."""
    if plan.is_noop:
        return None
    put = [
        [e.kind.value, e.source, e.target, e.rule, e.policy, e.scope, e.source_url]
        for e in (*plan.create, *plan.update)
    ]
    drop = [[e.kind.value, e.source, e.target] for e in plan.delete]
    return json.dumps({"put": put, "drop": drop}, separators=(",", ":"), ensure_ascii=False)


def apply_trust_delta(edges: Iterable[TrustEdge], text: str) -> list[TrustEdge]:
    """`edges` after the delta `text`, sorted by key. Raises ValueError on malformed text."""
    try:
        doc = json.loads(text)
        by_key = {e.key: e for e in edges}
        for kind, source, target in doc["drop"]:
            by_key.pop((kind, source, target), None)
        for kind, source, target, rule, policy, scope, url in doc["put"]:
            edge = TrustEdge(
                kind=EdgeKind(kind),
                source=source,
                target=target,
                rule=rule,
                policy=policy,
                scope=scope,
                source_url=url,
            )
            by_key[edge.key] = edge
    except (KeyError, TypeError, json.JSONDecodeError) as exc:
        raise ValueError(f"malformed trust edge change: {exc!r}") from exc
    return sorted(by_key.values(), key=lambda e: e.key)
