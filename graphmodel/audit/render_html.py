"""The audit report as one self-contained HTML file (inline CSS, paths drawn as inline SVG).

Why self-contained: an auditor attaches the file to a ticket and it must render the same
anywhere, offline, years later — so no scripts, stylesheets, fonts or images are fetched; the
only links are to the public Microsoft pages the spec rules cite. Every value is escaped.
"""

from __future__ import annotations

from collections import Counter
from html import escape

from graphmodel.audit._svg import path_svg
from graphmodel.audit.model import AuditedFinding, AuditReport, FindingStatus
from graphmodel.audit.render import describe_counts
from graphmodel.audit.trust import render_edge
from graphmodel.schema.rules import rule_source

__all__ = ["MAX_ROWS", "render_html"]

MAX_ROWS = 200  # exposures listed per finding; the JSON output has all of them
_PATHS = 3  # paths drawn per finding

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1b2631;
background:#fff}
header{background:#1b2631;color:#fff;padding:18px 28px}header h1{margin:0 0 4px;font-size:22px}
main{padding:18px 28px;max-width:1400px}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin:12px 0 20px}
.card{border:1px solid #d5d8dc;border-radius:8px;padding:10px 16px;min-width:110px}
.card b{display:block;font-size:22px}
table{border-collapse:collapse;width:100%;margin:8px 0 16px}
th,td{border-bottom:1px solid #e5e8e8;padding:5px 8px;text-align:left;vertical-align:top}
th{background:#f4f6f6;font-weight:600}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
.sev{border-radius:4px;padding:1px 7px;color:#fff;font-size:12px;font-weight:600}
.sev-high{background:#c0392b}.sev-medium{background:#d68910}.sev-low{background:#2e86c1}
.status-suppressed{color:#7f8c8d}.finding{border:1px solid #d5d8dc;border-radius:8px;
padding:12px 16px;margin:16px 0}.finding h3{margin:0 0 6px}
.paths{overflow-x:auto;margin:8px 0}.muted{color:#7f8c8d}
@media print{header{background:none;color:#000}.finding{break-inside:avoid}}
"""


def _rules(rules: tuple[str, ...]) -> str:
    out = []
    for r in rules:
        url = rule_source(r)
        out.append(f'<a href="{escape(url)}">{escape(r)}</a>' if url else escape(r))
    return ", ".join(out)


def _finding(a: AuditedFinding) -> str:
    f = a.finding
    fp = escape(f.fingerprint)
    parts = [
        f'<section class="finding status-{a.status.value}" id="f-{fp}" '
        f'data-check="{escape(f.check)}" data-fingerprint="{fp}">',
        f'<h3><span class="sev sev-{f.severity.value}">{f.severity.value}</span> '
        f"<code>{escape(f.check)}</code> {escape(f.subject)}</h3>",
        f"<p>{escape(f.message)}</p>",
        f'<p class="muted">fingerprint <code>{fp}</code> · status {a.status.value}'
        + (f" · first seen in snapshot {a.first_seen}" if a.first_seen is not None else "")
        + f" · rules {_rules(f.rules)}"
        + (f" · policy <code>{escape(f.policy)}</code>" if f.policy else "")
        + "</p>",
    ]
    if a.suppression is not None:
        s = a.suppression
        parts.append(
            f"<p><b>suppressed</b> by {escape(s.owner)} on {s.created_at:%Y-%m-%d}: "
            f"{escape(s.reason)}</p>"
        )
    drawn = [e.path for e in f.exposures if e.path is not None][:_PATHS]
    if drawn:
        parts.append('<div class="paths">')
        parts.extend(path_svg(p, f"{f.fingerprint}-{i}") for i, p in enumerate(drawn))
        parts.append("</div>")
    parts.append(f"<p>exposes {escape(describe_counts(f))}</p>")
    if f.exposures:
        parts.append(
            '<table class="exposures"><thead><tr><th>principal</th><th>resource / object</th>'
            "<th>decision</th><th>trust</th><th>path</th><th>detail</th></tr></thead><tbody>"
        )
        for e in f.exposures[:MAX_ROWS]:
            what = " · ".join(escape(x) for x in (e.resource, e.object) if x)
            decision = "" if e.decision is None else e.decision.value
            if e.via is not None:
                decision += f" via {e.via.value}"
            parts.append(
                f'<tr><td class="mono">{escape(e.principal or "")}</td>'
                f'<td class="mono">{what}</td><td>{escape(decision)}</td>'
                f'<td class="mono">{"<br>".join(escape(render_edge(t)) for t in e.trust)}</td>'
                f'<td class="mono">{escape(" → ".join(e.path.nodes) if e.path else "")}</td>'
                f"<td>{escape(e.detail)}</td></tr>"
            )
        parts.append("</tbody></table>")
        if len(f.exposures) > MAX_ROWS:
            parts.append(
                f'<p class="muted">{len(f.exposures) - MAX_ROWS} more exposures: use the JSON '
                "output for the full list</p>"
            )
    parts.append("</section>")
    return "\n".join(parts)


def render_html(report: AuditReport) -> str:
    """The report as a complete HTML document."""
    status = Counter(f.status for f in report.findings)
    open_sev = Counter(
        f.finding.severity.value for f in report.findings if f.status == FindingStatus.OPEN
    )
    where = f"snapshot {report.snapshot}" if report.snapshot is not None else "an empty store"
    head = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>tenantgraph audit · {escape(where)}</title>",
        f"<style>{_CSS}</style></head><body>",
        "<header><h1>tenantgraph access-path audit</h1>",
        f"<div>{escape(where)}"
        + (f" · {escape(report.title)}" if report.title else "")
        + (f" · as of {report.as_of:%Y-%m-%d %H:%M} UTC" if report.as_of else "")
        + f" · zone of trust <b>{escape(report.zone.label)}</b>"
        + (f" ({escape(', '.join(report.zone.tenants))})" if report.zone.tenants else "")
        + (f" · tenants {escape(', '.join(report.tenants))}" if report.tenants else "")
        + "</div></header><main>",
    ]
    cards = [
        ("open high", open_sev.get("high", 0)),
        ("open medium", open_sev.get("medium", 0)),
        ("open low", open_sev.get("low", 0)),
        ("suppressed", status[FindingStatus.SUPPRESSED]),
        ("resolved", len(report.resolved)),
    ]
    body = ['<div class="cards">']
    body.extend(f'<div class="card"><b>{n}</b>{escape(label)}</div>' for label, n in cards)
    body.append("</div><h2>Findings</h2>")
    if report.findings:
        body.append(
            '<table id="findings"><thead><tr><th>severity</th><th>check</th><th>subject</th>'
            "<th>exposes</th><th>status</th><th>fingerprint</th></tr></thead><tbody>"
        )
        for a in report.findings:
            f = a.finding
            body.append(
                f'<tr class="status-{a.status.value}"><td><span class="sev sev-{f.severity.value}">'
                f"{f.severity.value}</span></td><td><code>{escape(f.check)}</code></td>"
                f'<td><a href="#f-{escape(f.fingerprint)}">{escape(f.subject)}</a></td>'
                f"<td>{escape(describe_counts(f))}</td><td>{a.status.value}</td>"
                f"<td><code>{escape(f.fingerprint)}</code></td></tr>"
            )
        body.append("</tbody></table>")
        body.extend(_finding(a) for a in report.findings)
    else:
        body.append("<p>No findings.</p>")
    if report.resolved:
        body.append(
            "<h2>Resolved</h2><table><thead><tr><th>check</th><th>subject</th>"
            "<th>last seen</th><th>gone in</th><th>fingerprint</th></tr></thead><tbody>"
        )
        body.extend(
            f"<tr><td><code>{escape(r.check)}</code></td><td>{escape(r.subject)}</td>"
            f"<td>snapshot {r.last_seen}</td><td>snapshot {r.resolved_in}</td>"
            f"<td><code>{escape(r.fingerprint)}</code></td></tr>"
            for r in report.resolved
        )
        body.append("</tbody></table>")
    body.append(
        "<h2>Checks</h2><table><thead><tr><th>id</th><th>severity</th><th>title</th>"
        "<th>rules</th><th>baseline</th></tr></thead><tbody>"
    )
    body.extend(
        f"<tr><td><code>{escape(c.id)}</code></td><td>{c.severity.value}</td>"
        f"<td>{escape(c.title)}</td><td>{_rules(c.rules)}</td>"
        f"<td>{escape(c.baseline or '')}</td></tr>"
        for c in report.checks
    )
    body.append("</tbody></table></main></body></html>")
    return "\n".join(head + body) + "\n"
