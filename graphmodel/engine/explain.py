"""The one place a Verdict becomes text: a readable tree a security admin can follow."""

from __future__ import annotations

from graphmodel.schema.enums import Via
from graphmodel.schema.verdict import Decision, Reason, Verdict

__all__ = ["render", "render_reason"]

_HEAD = {
    Decision.ALLOW: "ALLOW",
    Decision.PENDING: "PENDING",
    Decision.DENY: "DENY",
}


def render_reason(r: Reason) -> str:
    """`code (rule, tenant: policy): message` with an [inferred] mark when it rests on one."""
    owner = r.tenant or "-"
    if r.policy:
        owner += f": {r.policy}"
    mark = " [inferred]" if r.inferred else ""
    side = f", {r.side.value} side" if r.side is not None else ""
    return f"{r.code.value} ({r.rule}{mark}{side}; {owner}) — {r.message}"


def render(verdict: Verdict) -> str:
    """A verdict as an indented tree: decision, MFA, each path hop by hop, then the reasons.

    Examples
    --------
    >>> from graphmodel.schema.enums import Via
    >>> print(render(Verdict(principal="f/bob", resource="c/app", via=Via.ANY,
    ...                      decision=Decision.DENY)))
    DENY  f/bob -> c/app
    """
    lines = [f"{_HEAD[verdict.decision]}  {verdict.principal} -> {verdict.resource}"]
    claim = verdict.mfa_claim
    if claim is not None:
        lines[0] += f"  (via {verdict.via.value}, MFA: {claim.value})"
    elif verdict.via != Via.ANY:  # a denial names its route and claims nothing about MFA
        lines[0] += f"  (via {verdict.via.value})"
    if verdict.partial:
        lines.append("  ! partial answer: a search bound was hit")
    for i, path in enumerate(verdict.paths, 1):
        lines.append(f"  path {i} ({path.via.value}): {' -> '.join(path.nodes)}")
        for h in path.hops:
            policy = f" [{h.policy}]" if h.policy else ""
            lines.append(f"    {h.source} -[{h.edge.value}]-> {h.target}  {h.rule}{policy}")
    if verdict.reasons:
        title = "why not" if verdict.decision == Decision.DENY else "notes"
        if verdict.decision == Decision.PENDING:
            title = "waiting for"
        lines.append(f"  {title}:")
        lines.extend(f"    - {render_reason(r)}" for r in verdict.reasons)
    return "\n".join(lines)
