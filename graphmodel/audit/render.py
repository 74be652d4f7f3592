"""Audit reports, what-ifs and diffs as terminal text and as JSON-able data.

Why one module for both: the text is a view of the same data the JSON holds (and the HTML report
and GraphQL types read), so counts, order and wording cannot drift between outputs. JSON uses
the schema codec (camelCase keys, enums as values) plus the derived counts a reader needs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from graphmodel.audit.access import AccessChange
from graphmodel.audit.model import (
    AuditedFinding,
    AuditReport,
    Exposure,
    Finding,
    FindingStatus,
    Severity,
)
from graphmodel.audit.trust import render_edge
from graphmodel.audit.whatif import WorldDiff
from graphmodel.schema.codec import JsonValue
from graphmodel.schema.output import enum_name, to_output

__all__ = [
    "describe_counts",
    "diff_data",
    "finding_data",
    "render_diff",
    "render_exposure",
    "render_report",
    "report_data",
]


def describe_counts(f: Finding) -> str:
    """`3 principals, 2 resources, 4 paths` (zero counts left out; `nothing` when all are)."""
    c = f.counts
    parts = [
        f"{n} {word}{'s' if n != 1 else ''}"
        for n, word in (
            (c.principals, "principal"),
            (c.resources, "resource"),
            (c.objects, "object"),
            (c.paths, "path"),
        )
        if n
    ]
    return ", ".join(parts) or "nothing"


def render_exposure(e: Exposure) -> str:
    """One exposure on one line: who -> what, decision and route, trust, path, detail."""
    head = " -> ".join(x for x in (e.principal, e.resource) if x) or (e.object or "")
    if e.object and (e.principal or e.resource):
        head += f" ({e.object})"
    bits = [head]
    if e.decision is not None:
        bits.append(e.decision.value + (f" via {e.via.value}" if e.via is not None else ""))
    if e.trust:
        bits.append("[" + "; ".join(render_edge(t) for t in e.trust) + "]")
    if e.path is not None:
        bits.append("path: " + " -> ".join(e.path.nodes))
    if e.detail:
        bits.append(e.detail)
    return "  ".join(bits)


def _table(rows: Sequence[tuple[str, ...]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]


def render_report(report: AuditReport, *, verbose: bool = False, limit: int = 10) -> str:
    """The report as a terminal table (and, with `verbose`, each finding's exposures)."""
    status = Counter(f.status for f in report.findings)
    where = f"snapshot {report.snapshot}" if report.snapshot is not None else "an empty store"
    lines = [
        f"audit of {where}"
        + (f" ({report.title})" if report.title else "")
        + f"; zone of trust {report.zone.label}; {len(report.checks)} checks",
        f"{len(report.findings)} findings: {status[FindingStatus.OPEN]} open, "
        f"{status[FindingStatus.SUPPRESSED]} suppressed; {len(report.resolved)} resolved since "
        "earlier snapshots",
    ]
    if report.findings:
        rows: list[tuple[str, ...]] = [
            ("SEVERITY", "CHECK", "SUBJECT", "EXPOSES", "STATUS", "FINGERPRINT")
        ]
        rows.extend(
            (
                a.finding.severity.value,
                a.finding.check,
                a.finding.subject,
                describe_counts(a.finding),
                a.status.value,
                a.finding.fingerprint,
            )
            for a in report.findings
        )
        lines.append("")
        lines.extend(_table(rows))
    if verbose:
        for a in report.findings:
            lines.extend(_details(a, limit))
    if report.resolved:
        lines.append("")
        lines.append("resolved:")
        lines.extend(
            f"  {r.fingerprint}  {r.check}  {r.subject}  (last seen in snapshot {r.last_seen}, "
            f"gone in {r.resolved_in})"
            for r in report.resolved
        )
    return "\n".join(lines)


def _details(a: AuditedFinding, limit: int) -> list[str]:
    f = a.finding
    out = ["", f"[{f.severity.value}] {f.check} {f.subject} ({f.fingerprint}, {a.status.value})"]
    out.append(f"  {f.message}")
    out.append(f"  rules: {', '.join(f.rules)}" + (f"; policy: {f.policy}" if f.policy else ""))
    if a.suppression is not None:
        s = a.suppression
        out.append(f"  suppressed by {s.owner}: {s.reason}")
    out.extend(f"  - {render_exposure(e)}" for e in f.exposures[:limit])
    total = f.counts.exposures
    if total > min(limit, len(f.exposures)):
        shown = min(limit, len(f.exposures))
        out.append(f"  ... {total - shown} more (--limit, or --json --exposures all for all)")
    return out


def finding_data(a: AuditedFinding) -> dict[str, JsonValue]:
    """One audited finding as JSON-able data, with its counts."""
    data: dict[str, JsonValue] = to_output(a.finding)
    data["counts"] = to_output(a.finding.counts)
    data["exposuresComplete"] = a.finding.complete
    data["status"] = enum_name(a.status)
    data["firstSeen"] = a.first_seen
    data["suppression"] = to_output(a.suppression)
    return data


def report_data(report: AuditReport) -> dict[str, JsonValue]:
    """The whole report as JSON-able data."""
    status = Counter(f.status for f in report.findings)
    severity = Counter(
        f.finding.severity for f in report.findings if f.status == FindingStatus.OPEN
    )
    return {
        "snapshot": report.snapshot,
        "title": report.title,
        "asOf": to_output(report.as_of),
        "zone": to_output(report.zone),
        "options": to_output(report.options),
        "tenants": to_output(report.tenants),
        "summary": {
            "findings": len(report.findings),
            "open": status.get(FindingStatus.OPEN, 0),
            "suppressed": status.get(FindingStatus.SUPPRESSED, 0),
            "resolved": len(report.resolved),
            "openBySeverity": {enum_name(s): severity.get(s, 0) for s in Severity},
        },
        "checks": to_output(report.checks),
        "findings": [finding_data(a) for a in report.findings],
        "resolved": to_output(report.resolved),
    }


def _finding_line(sign: str, f: Finding) -> str:
    return f"  {sign} [{f.severity.value}] {f.check} {f.subject} ({f.fingerprint}): {f.message}"


def _access_line(c: AccessChange, entities: int) -> str:
    mfa = ""
    if c.change.value == "changed":
        mfa = f" (mfa {c.before_mfa.value} -> {c.after_mfa.value})"
    line = f"  {c.change.value:<7} {c.principal} -> {c.resource}  "
    line += f"{c.before.value} -> {c.after.value}{mfa}"
    if c.via is not None:
        line += f"  via {c.via.value}"
    if c.trust:
        line += "  [" + "; ".join(render_edge(t) for t in c.trust) + "]"
    why = ", ".join(dict.fromkeys(r.code.value for r in c.reasons))
    if why:
        line += f"  because: {why}"
    if c.explained_by and len(c.explained_by) < entities:
        line += "  (change " + ", ".join(f"#{i + 1}" for i in c.explained_by) + ")"
    return line


def render_diff(diff: WorldDiff, *, heading: str) -> str:
    """A what-if or snapshot diff as text: entity changes, access changes, finding delta."""
    gained = sum(1 for c in diff.access if c.change.value == "gained")
    lost = sum(1 for c in diff.access if c.change.value == "lost")
    lines = [
        heading + (f" ({diff.title})" if diff.title else ""),
        f"{len(diff.entities)} entity change(s); access: {gained} gained, {lost} lost, "
        f"{len(diff.access) - gained - lost} changed; findings: "
        f"{len(diff.findings.appeared)} appear, {len(diff.findings.disappeared)} disappear",
        "",
        "changes:",
    ]
    for i, e in enumerate(diff.entities, 1):
        what = f"{e.kind} {e.ref}" + (f" {e.field}" if e.field else "")
        values = ""
        if e.before is not None or e.after is not None:
            values = f": {e.before if e.before is not None else '-'} => "
            values += e.after if e.after is not None else "-"
        lines.append(f"  #{i} {e.op.value} {what}{values}")
    if diff.access:
        lines.extend(["", "access:"])
        lines.extend(_access_line(c, len(diff.entities)) for c in diff.access)
    for title, sign, items in (
        ("findings that appear:", "+", diff.findings.appeared),
        ("findings that disappear:", "-", diff.findings.disappeared),
    ):
        if items:
            lines.extend(["", title])
            lines.extend(_finding_line(sign, f) for f in items)
    for w in diff.warnings:
        lines.append(f"warning: {w.render()}")
    return "\n".join(lines)


def _findings(items: Iterable[Finding]) -> list[JsonValue]:
    out: list[JsonValue] = []
    for f in items:
        data = to_output(f)
        data["counts"] = to_output(f.counts)
        out.append(data)
    return out


def diff_data(diff: WorldDiff) -> dict[str, JsonValue]:
    """A what-if or snapshot diff as JSON-able data."""
    return {
        "title": diff.title,
        "entities": to_output(diff.entities),
        "access": to_output(diff.access),
        "findings": {
            "appeared": _findings(diff.findings.appeared),
            "disappeared": _findings(diff.findings.disappeared),
            "changed": _findings(diff.findings.changed),
        },
        "warnings": [w.render() for w in diff.warnings],
    }
