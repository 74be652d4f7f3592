"""CSV exports: flat tables for spreadsheets and `csv.DictReader`.

A graph does not fit one table, so each answer gets the table people ask of it:

- trust graph: one row per trust edge (kind, source, target, rule, policy, scope, both tenants'
  clouds); tenants without any edge do not appear.
- a verdict: one row per hop of every path (`record=hop`), then one row per reason
  (`record=reason`), so a denial still tells which gate blocked it and whose setting it is.
- who can access: one row per principal (decision, MFA, path count, the first path spelled as
  `a -> b -> c`, reason codes).

Named `csv_table` so it does not shadow the standard library's `csv` inside this package.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence

from graphmodel.export._model import WhoResult, mfa_text
from graphmodel.schema.entities import Tenant
from graphmodel.schema.trust import TrustEdge
from graphmodel.schema.verdict import Verdict

__all__ = [
    "PATHS_COLUMNS",
    "TRUST_COLUMNS",
    "WHO_COLUMNS",
    "render_paths",
    "render_trust",
    "render_who",
]

TRUST_COLUMNS = (
    "kind",
    "source",
    "target",
    "rule",
    "policy",
    "scope",
    "source_cloud",
    "target_cloud",
    "source_url",
)
PATHS_COLUMNS = (
    "record",
    "principal",
    "resource",
    "decision",
    "mfa",
    "path",
    "hop",
    "via",
    "source",
    "target",
    "edge_kind",
    "rule",
    "policy",
    "code",
    "tenant",
    "side",
    "inferred",
    "message",
    "source_url",
)
WHO_COLUMNS = (
    "principal",
    "resource",
    "decision",
    "mfa",
    "via",
    "path_count",
    "first_path",
    "reason_codes",
    "principal_kind",
    "outsider",
    "object",
)


def _table(columns: Sequence[str], rows: Sequence[Mapping[str, object]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return out.getvalue()


def render_trust(edges: Sequence[TrustEdge], tenants: Sequence[Tenant] = ()) -> str:
    """One row per distinct trust edge, sorted by (kind, source, target).

    Examples
    --------
    >>> from graphmodel.schema.kinds import EdgeKind
    >>> e = TrustEdge(kind=EdgeKind.TRUSTS_MFA, source="a", target="b", rule="R7", policy="a/x")
    >>> print(render_trust([e]), end="")
    kind,source,target,rule,policy,scope,source_cloud,target_cloud,source_url
    TRUSTS_MFA,a,b,R7,a/x,all,,,
    """
    cloud = {t.name: t.cloud.value for t in tenants}
    unique = sorted({e.key: e for e in edges}.values(), key=lambda e: e.key)
    rows = [
        {
            "kind": e.kind.value,
            "source": e.source,
            "target": e.target,
            "rule": e.rule,
            "policy": e.policy,
            "scope": e.scope,
            "source_cloud": cloud.get(e.source),
            "target_cloud": cloud.get(e.target),
            "source_url": e.source_url,
        }
        for e in unique
    ]
    return _table(TRUST_COLUMNS, rows)


def render_paths(verdict: Verdict) -> str:
    """Hop rows (path and hop numbered from 1), then reason rows; every row names the verdict."""
    common = {
        "principal": verdict.principal,
        "resource": verdict.resource,
        "decision": verdict.decision.value,
        "mfa": mfa_text(verdict),
    }
    rows: list[dict[str, object]] = []
    for number, path in enumerate(verdict.paths, start=1):
        for step, hop in enumerate(path.hops, start=1):
            rows.append(
                {
                    **common,
                    "record": "hop",
                    "path": number,
                    "hop": step,
                    "via": path.via.value,
                    "source": hop.source,
                    "target": hop.target,
                    "edge_kind": hop.edge.value,
                    "rule": hop.rule,
                    "policy": hop.policy,
                    "source_url": hop.source_url,
                }
            )
    for r in verdict.reasons:
        rows.append(
            {
                **common,
                "record": "reason",
                "code": r.code.value,
                "rule": r.rule,
                "tenant": r.tenant,
                "policy": r.policy,
                "side": r.side.value if r.side else None,
                "inferred": str(r.inferred).lower(),
                "message": r.message,
            }
        )
    return _table(PATHS_COLUMNS, rows)


def render_who(resource: str, results: Sequence[WhoResult]) -> str:
    """One row per principal, in the order given (the service streams them sorted by ref)."""
    rows = [
        {
            "principal": r.principal,
            "resource": resource,
            "decision": r.verdict.decision.value,
            "mfa": mfa_text(r.verdict),
            "via": r.verdict.via.value,
            "path_count": len(r.verdict.paths),
            "first_path": " -> ".join(r.verdict.paths[0].nodes) if r.verdict.paths else "",
            "reason_codes": ";".join(r.verdict.codes),
            **r.kind_attrs(),
        }
        for r in results
    ]
    return _table(WHO_COLUMNS, rows)
