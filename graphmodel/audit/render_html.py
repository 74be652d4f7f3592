"""The audit report for people, as one self-contained HTML file (inline CSS, inline SVG paths).

Why self-contained: an auditor attaches the file to a ticket and it must render the same
anywhere, offline, years later — so no scripts, stylesheets, fonts or images are fetched; the
only links are to the public Microsoft pages the rules and fixes cite. Every value is escaped,
and names the engine writes in `backticks` become <code>, never literal markdown.

Layout, for a reader with hundreds of findings: a pass/fail line per control (with the
baseline it maps to) and severity counts first; then each finding as a collapsed <details>
(why it matters, how to fix it with its Microsoft Learn page, the what-if change set that fixes
it, the paths, and its exposures in pages of `PAGE_ROWS`). Printing opens every section.
"""

from __future__ import annotations

import re
from collections import Counter
from html import escape

from graphmodel.audit._svg import path_svg
from graphmodel.audit.model import AuditedFinding, AuditReport, CheckInfo, Exposure, FindingStatus
from graphmodel.audit.remediation import fix_change_set, remediation_of
from graphmodel.audit.render import describe_counts
from graphmodel.audit.trust import render_edge
from graphmodel.schema.rules import rule_source

__all__ = ["MAX_ROWS", "PAGE_ROWS", "breakable", "prose", "render_html"]

MAX_ROWS = 200  # exposures listed per finding; the JSON output has all of them
PAGE_ROWS = 50  # exposures per collapsible page
_PATHS = 3  # paths drawn per finding

_CSS = """
*{box-sizing:border-box}
body{font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1b2631;
background:#fff}
header{background:#1b2631;color:#fff;padding:18px 28px}header h1{margin:0 0 4px;font-size:22px}
main{padding:18px 28px;max-width:1200px}
h2{margin:28px 0 8px}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin:12px 0 20px}
.card{border:1px solid #d5d8dc;border-radius:8px;padding:10px 16px;min-width:110px}
.card b{display:block;font-size:22px}
table{border-collapse:collapse;width:100%;margin:8px 0 16px;table-layout:fixed}
th,td{border-bottom:1px solid #e5e8e8;padding:5px 8px;text-align:left;vertical-align:top;
overflow-wrap:anywhere}
td.mono{overflow-wrap:break-word}
th{background:#f4f6f6;font-weight:600}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
code{background:#f4f6f6;border-radius:3px;padding:0 3px}
pre{background:#f4f6f6;border-radius:6px;padding:8px 12px;overflow-x:auto;white-space:pre-wrap}
.sev{border-radius:4px;padding:1px 7px;color:#fff;font-size:12px;font-weight:600}
.sev-high{background:#b03a2e}.sev-medium{background:#9a5b00}.sev-low{background:#1f618d}
.result{border-radius:4px;padding:1px 7px;font-size:12px;font-weight:700}
.result-pass{background:#d4efdf;color:#145a32}.result-fail{background:#f5b7b1;color:#641e16}
.result-accepted{background:#e5e8e8;color:#34495e}
.status-suppressed{color:#5d6d7e}
details.finding{border:1px solid #d5d8dc;border-radius:8px;padding:8px 16px;margin:10px 0}
details.finding>summary{cursor:pointer;font-weight:600}
details.finding[open]>summary{margin-bottom:8px}
details.page>summary{cursor:pointer;color:#1f618d}
.paths{overflow-x:auto;margin:8px 0;max-width:100%}.muted{color:#5d6d7e}
.fix{border-left:4px solid #1e8449;padding:2px 12px;margin:10px 0;background:#f4fbf6}
.why{border-left:4px solid #9a5b00;padding:2px 12px;margin:10px 0;background:#fdf8f0}
@media print{header{background:none;color:#000}details.finding{break-inside:avoid-page}
details::details-content{content-visibility:visible;display:block}
summary{list-style:none}a{color:inherit}}
"""


def prose(text: str) -> str:
    """Escape `text` and show its `backticked` names as <code> (the engine's notation)."""
    parts = text.split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: no markup at all
        return escape(text)
    return "".join(
        escape(p) if i % 2 == 0 else f"<code>{escape(p)}</code>" for i, p in enumerate(parts)
    )


def breakable(text: str) -> str:
    """`text` escaped, with a line-break opportunity (`<wbr>`) after each separator of an id
    (`/ - . [ ] > @ _`), so ids in narrow columns wrap between their parts, not mid-word.

    Examples
    --------
    >>> breakable("contoso->fabrikam (partners[fabrikam])")
    'contoso-<wbr>&gt;<wbr>fabrikam (partners[<wbr>fabrikam]<wbr>)'
    """
    return re.sub(r"(-|&gt;|[/.\[\]@_])", r"\1<wbr>", escape(text))


def _rules(rules: tuple[str, ...]) -> str:
    out = []
    for r in rules:
        url = rule_source(r)
        out.append(f'<a href="{escape(url)}">{escape(r)}</a>' if url else escape(r))
    return ", ".join(out)


def _exposure_row(e: Exposure) -> str:
    what = " · ".join(breakable(x) for x in (e.resource, e.object) if x)
    decision = "" if e.decision is None else e.decision.value
    if e.via is not None:
        decision += f" via {e.via.value}"
    return (
        f'<tr><td class="mono">{breakable(e.principal or "")}</td>'
        f'<td class="mono">{what}</td><td>{escape(decision)}</td>'
        f'<td class="mono">{"<br>".join(breakable(render_edge(t)) for t in e.trust)}</td>'
        f'<td class="mono">{breakable(" → ".join(e.path.nodes) if e.path else "")}</td>'
        f"<td>{prose(e.detail)}</td></tr>"
    )


def _exposures(exposures: tuple[Exposure, ...]) -> list[str]:
    shown = exposures[:MAX_ROWS]
    parts = []
    for start in range(0, len(shown), PAGE_ROWS):
        page = shown[start : start + PAGE_ROWS]
        opened = " open" if start == 0 else ""
        parts.append(
            f'<details class="page"{opened}><summary>exposures {start + 1} to {start + len(page)} '
            f"of {len(exposures)}</summary>"
            '<table class="exposures"><colgroup><col style="width:16%"><col style="width:18%">'
            '<col style="width:12%"><col style="width:18%"><col style="width:20%"><col></colgroup>'
            "<thead><tr><th>principal</th><th>resource / object</th><th>decision</th>"
            "<th>trust</th><th>path</th><th>detail</th></tr></thead><tbody>"
        )
        parts.extend(_exposure_row(e) for e in page)
        parts.append("</tbody></table></details>")
    if len(exposures) > MAX_ROWS:
        parts.append(
            f'<p class="muted">{len(exposures) - MAX_ROWS} more exposures: use the JSON '
            "output for the full list</p>"
        )
    return parts


def _advice(a: AuditedFinding, check: CheckInfo | None) -> list[str]:
    f = a.finding
    parts = []
    if check is not None:
        parts.append(
            f'<div class="why"><p><b>Why it matters.</b> {prose(check.description)}</p></div>'
        )
    fix = remediation_of(f.check)
    if fix is not None:
        parts.append(
            f'<div class="fix"><p><b>How to fix.</b> {prose(fix.fix)} '
            f'<a href="{escape(fix.learn)}">Microsoft Learn</a></p>'
        )
        change = fix_change_set(f)
        if change is not None:
            parts.append(
                "<p>The what-if that fixes it: save as <code>fix.yaml</code> and run "
                "<code>tenantgraph whatif fix.yaml</code> to see the accesses and findings it "
                f'removes before changing the tenant.</p><pre class="whatif">{escape(change)}</pre>'
            )
        parts.append("</div>")
    return parts


def _finding(a: AuditedFinding, check: CheckInfo | None) -> str:
    f = a.finding
    fp = escape(f.fingerprint)
    title = escape(check.title) if check is not None else escape(f.check)
    parts = [
        f'<details class="finding status-{a.status.value}" id="f-{fp}" '
        f'data-check="{escape(f.check)}" data-fingerprint="{fp}">',
        f'<summary><span class="sev sev-{f.severity.value}">{f.severity.value}</span> '
        f"{title}: <code>{escape(f.subject)}</code> "
        f'<span class="muted">· exposes {escape(describe_counts(f))}'
        + (" · suppressed" if a.status == FindingStatus.SUPPRESSED else "")
        + "</span></summary>",
        f"<p>{prose(f.message)}</p>",
        f'<p class="muted">check <code>{escape(f.check)}</code> · fingerprint <code>{fp}</code>'
        f" · status {a.status.value}"
        + (f" · first seen in snapshot {a.first_seen}" if a.first_seen is not None else "")
        + f" · rules {_rules(f.rules)}"
        + (f" · policy <code>{escape(f.policy)}</code>" if f.policy else "")
        + "</p>",
    ]
    if a.suppression is not None:
        s = a.suppression
        parts.append(
            f"<p><b>suppressed</b> by {escape(s.owner)} on {s.created_at:%Y-%m-%d}: "
            f"{prose(s.reason)}</p>"
        )
    parts.extend(_advice(a, check))
    drawn = [e.path for e in f.exposures if e.path is not None][:_PATHS]
    if drawn:
        parts.append('<div class="paths">')
        parts.extend(path_svg(p, f"{f.fingerprint}-{i}") for i, p in enumerate(drawn))
        parts.append("</div>")
    parts.extend(_exposures(f.exposures))
    parts.append("</details>")
    return "\n".join(parts)


def _controls(report: AuditReport) -> list[str]:
    """One line per control: pass, fail (open findings) or accepted (all suppressed)."""
    open_by = Counter(a.finding.check for a in report.findings if a.status == FindingStatus.OPEN)
    any_by = Counter(a.finding.check for a in report.findings)
    first: dict[str, str] = {}
    for a in report.findings:
        first.setdefault(a.finding.check, a.finding.fingerprint)
    rows = [
        '<table id="controls"><colgroup><col style="width:10%"><col style="width:17%"><col>'
        '<col style="width:19%"><col style="width:9%"><col style="width:11%"></colgroup>'
        "<thead><tr><th>result</th><th>control</th><th>requirement</th><th>baseline</th>"
        "<th>severity</th><th>findings</th></tr></thead><tbody>"
    ]
    for c in report.checks:
        n_open, n_any = open_by.get(c.id, 0), any_by.get(c.id, 0)
        result = "fail" if n_open else "accepted" if n_any else "pass"
        count = (
            f'<a href="#f-{escape(first[c.id])}">{n_open} open</a>'
            + (f", {n_any - n_open} suppressed" if n_any > n_open else "")
            if n_any
            else "none"
        )
        rows.append(
            f'<tr data-check="{escape(c.id)}" data-result="{result}">'
            f'<td><span class="result result-{result}">{result.upper()}</span></td>'
            f"<td><code>{escape(c.id)}</code></td><td>{prose(c.title)}</td>"
            f"<td>{escape(c.baseline or '—')}</td><td>{c.severity.value}</td><td>{count}</td></tr>"
        )
    rows.append("</tbody></table>")
    return rows


def render_html(report: AuditReport) -> str:
    """The report as a complete HTML document."""
    status = Counter(f.status for f in report.findings)
    open_sev = Counter(
        f.finding.severity.value for f in report.findings if f.status == FindingStatus.OPEN
    )
    failing = {a.finding.check for a in report.findings if a.status == FindingStatus.OPEN}
    checks = {c.id: c for c in report.checks}
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
        ("controls passed", len(report.checks) - len(failing)),
        ("controls failed", len(failing)),
        ("open high", open_sev.get("high", 0)),
        ("open medium", open_sev.get("medium", 0)),
        ("open low", open_sev.get("low", 0)),
        ("suppressed", status[FindingStatus.SUPPRESSED]),
        ("resolved", len(report.resolved)),
    ]
    body = ['<div class="cards" id="summary">']
    body.extend(
        f'<div class="card" data-card="{escape(label)}"><b>{n}</b>{escape(label)}</div>'
        for label, n in cards
    )
    body.append("</div><h2>Controls</h2>")
    body.extend(_controls(report))
    body.append("<h2>Findings</h2>")
    if report.findings:
        body.append(
            '<table id="findings"><colgroup><col style="width:9%"><col style="width:22%"><col>'
            '<col style="width:20%"><col style="width:10%"><col style="width:15%"></colgroup>'
            "<thead><tr><th>severity</th><th>check</th><th>subject</th>"
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
        body.extend(_finding(a, checks.get(a.finding.check)) for a in report.findings)
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
        f"<td>{prose(c.title)}</td><td>{_rules(c.rules)}</td>"
        f"<td>{escape(c.baseline or '')}</td></tr>"
        for c in report.checks
    )
    body.append("</tbody></table></main></body></html>")
    return "\n".join(head + body) + "\n"
