"""Audit commands: `audit`, `whatif`, `diff`, `suppress`, `unsuppress`, `suppressions`, `zone`.

The auditor's decisions (suppressions, zones of trust) and the finding history live in
`<db>.audit.sqlite` next to the store file given by `--db`. `whatif` and `diff` never write:
`whatif` opens the audit file read-only and leaves the store file byte-identical.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from graphmodel.audit import (
    CATALOGUE,
    DEFAULT_EXEMPLARS,
    SEVERITY_RANK,
    AuditOptions,
    AuditReport,
    FindingStatus,
    Severity,
)
from graphmodel.audit.render import diff_data, render_diff, render_report, report_data
from graphmodel.audit.render_html import render_html
from graphmodel.cli.common import Command, add_clock_argument, add_store_arguments, open_service
from graphmodel.cli.progress import Phase
from graphmodel.errors import Issue, QueryError, WorldInvalid
from graphmodel.schema.codec import to_data
from graphmodel.schema.output import to_output
from graphmodel.service.audits import AuditService
from graphmodel.service.management import Management

__all__ = ["COMMANDS"]


def _with_audits(
    args: argparse.Namespace, run: Callable[[AuditService], int], *, read_only: bool = False
) -> int:
    svc = open_service(args)
    audits = AuditService.open(svc, args.db, read_only=read_only)
    try:
        return run(audits)
    finally:
        audits.close()
        svc.store.close()


class _CheckProgress:
    """One progress line per check (updating on a terminal, a summary line otherwise)."""

    def __init__(self) -> None:
        self._phase: Phase | None = None

    def begin(self, check: str) -> None:
        self._phase = Phase(check, unit="resources")

    def advance(self, n: int = 1) -> None:
        if self._phase is not None:
            self._phase.update(n)

    def end(self, check: str, findings: int, exposures: int) -> None:
        if self._phase is not None:
            took = self._phase.seconds
            self._phase.close(
                f"{check}: {findings:,} findings, {exposures:,} exposures in {took:.1f}s"
            )
            self._phase = None


def _exposures_arg(text: str) -> int | None:
    """`--exposures N|all`: N exemplars per finding, or None for `all` (argparse reports a
    bad value as a usage error)."""
    if text == "all":
        return None
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"`{text}` is not a number or `all`") from None
    if n < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return n


def _write_encoded(data: object) -> None:
    """`print(json.dumps(data, indent=2))` without the whole text in memory: with an indent,
    `dumps` keeps every small piece until it joins them (several times the text's size)."""
    pieces: list[str] = []
    for piece in json.JSONEncoder(indent=2).iterencode(data):
        pieces.append(piece)
        if len(pieces) >= 65_536:
            sys.stdout.write("".join(pieces))
            pieces.clear()
    pieces.append("\n")
    sys.stdout.write("".join(pieces))


def _write_json(report: AuditReport, stream: bool) -> None:
    """The report as JSON on stdout; with `stream`, each finding's exposures are written one
    by one as they are recomputed (never all in memory at once)."""
    data = report_data(report)
    if not stream:
        _write_encoded(data)
        return
    findings = data.pop("findings")
    assert isinstance(findings, list)  # INVARIANT: report_data's shape
    out = sys.stdout
    head = json.dumps(data, indent=2)
    out.write(head[:-2] + ',\n  "findings": [')
    for i, (a, row) in enumerate(zip(report.findings, findings, strict=True)):
        assert isinstance(row, dict)  # INVARIANT: finding_data's shape
        row.pop("exposures", None)
        row["exposuresComplete"] = True
        text = json.dumps(row)
        out.write(("," if i else "") + "\n    " + text[:-1] + ', "exposures": [')
        for j, e in enumerate(a.finding.all_exposures()):
            out.write(("," if j else "") + "\n      " + json.dumps(to_output(e)))
        out.write("]}")
    out.write("\n  ]\n}\n")


def _audit(args: argparse.Namespace) -> int:
    def run(a: AuditService) -> int:
        with Phase("audit", unit="findings") as phase:
            report = a.report(
                snapshot=args.snapshot,
                zone=args.zone,
                options=AuditOptions(
                    pending_days=args.pending_days, unused_days=args.days, as_of=args.as_of
                ),
                tenants=args.tenant,
                checks=args.check,
                record=not args.no_record,
                # `all` holds the default exemplars; the JSON stream writes every exposure
                exemplars=DEFAULT_EXEMPLARS if args.exposures is None else args.exposures,
                progress=_CheckProgress(),
            )
            phase.set(len(report.findings))
        if args.html:
            Path(args.html).write_text(render_html(report), encoding="utf-8")
            print(f"wrote {args.html}: {len(report.findings)} findings", file=sys.stderr)
        if args.json:
            _write_json(report, stream=args.exposures is None)
        elif not args.html:
            print(render_report(report, verbose=args.verbose, limit=args.limit))
        if args.fail_on is None:
            return 0
        threshold = SEVERITY_RANK[Severity(args.fail_on)]
        failing = [
            f
            for f in report.findings
            if f.status == FindingStatus.OPEN and SEVERITY_RANK[f.finding.severity] <= threshold
        ]
        return 1 if failing else 0

    return _with_audits(args, run)


def _whatif(args: argparse.Namespace) -> int:
    path = Path(args.changes)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise WorldInvalid(
            [
                Issue(
                    code="unreadable-file",
                    loc=(),
                    msg=f"cannot read the change set: {exc}",
                    file=str(path),
                )
            ]
        ) from exc

    def run(a: AuditService) -> int:
        diff = a.what_if(
            text,
            file=str(path),
            snapshot=args.snapshot,
            zone=args.zone,
            options=AuditOptions(as_of=args.as_of),
        )
        if args.json:
            print(json.dumps(diff_data(diff), indent=2))
        else:
            where = (
                f"snapshot {args.snapshot}" if args.snapshot is not None else "the current snapshot"
            )
            print(render_diff(diff, heading=f"what if {path.name} were applied to {where}"))
        if args.apply:
            if args.snapshot is not None:
                raise QueryError("`--apply` writes on the newest snapshot; drop `--snapshot`")
            done = Management(a.graph, origin="cli").apply_change_set(text, file=str(path))
            print(
                f"snapshot {done.snapshot.id} written: {done.value} change(s) of {path.name} "
                f"applied on snapshot {done.snapshot.base}"
            )
        return 0

    return _with_audits(args, run, read_only=not args.apply)


def _remove_unused(args: argparse.Namespace) -> int:
    def run(a: AuditService) -> int:
        p = a.remove_unused(
            snapshot=args.snapshot,
            zone=args.zone,
            options=AuditOptions(unused_days=args.days, as_of=args.as_of),
            tenants=args.tenant,
        )
        if args.out:
            Path(args.out).write_text(p.changes, encoding="utf-8")
        if args.json:
            print(
                json.dumps(
                    {
                        "changes": p.changes,
                        "count": p.count,
                        "removed": to_data(p.removed),
                        "usedLost": to_data(p.used_lost),
                        "skipped": list(p.skipped),
                        "diff": diff_data(p.diff),
                    },
                    indent=2,
                )
            )
            return 0
        lost = "none" if not p.used_lost else f"{len(p.used_lost)} (see below)"
        print(
            f"{p.diff.title}: {p.count} change(s) remove {len(p.removed)} access(es); "
            f"used access lost: {lost}"
        )
        for s in p.skipped:
            print(f"  skipped (would cut used or members' access): {s}")
        print(render_diff(p.diff, heading="what the change set does"))
        if args.out:
            print(f"change set written to {args.out} (review it, then `tenantgraph whatif` it)")
        else:
            print(p.changes, end="")
        return 0

    return _with_audits(args, run, read_only=True)


def _diff(args: argparse.Namespace) -> int:
    def run(a: AuditService) -> int:
        diff = a.access_diff(args.from_snapshot, args.to_snapshot, zone=args.zone)
        if args.json:
            print(json.dumps(diff_data(diff), indent=2))
        else:
            print(
                render_diff(
                    diff, heading=f"from snapshot {args.from_snapshot} to {args.to_snapshot}"
                )
            )
        return 0

    return _with_audits(args, run, read_only=True)


def _suppress(args: argparse.Namespace) -> int:
    def run(a: AuditService) -> int:
        s = a.suppress(
            args.fingerprint, reason=args.reason, owner=args.owner, snapshot=args.snapshot
        )
        since = f" from snapshot {s.since_snapshot}" if s.since_snapshot is not None else ""
        print(f"suppressed {s.fingerprint}{since} ({s.owner}: {s.reason})")
        return 0

    return _with_audits(args, run)


def _unsuppress(args: argparse.Namespace) -> int:
    def run(a: AuditService) -> int:
        a.unsuppress(args.fingerprint)
        print(f"removed the suppression of {args.fingerprint}")
        return 0

    return _with_audits(args, run)


def _suppressions(args: argparse.Namespace) -> int:
    def run(a: AuditService) -> int:
        items = a.suppressions()
        if args.json:
            print(json.dumps(to_data(items), indent=2))
            return 0
        for s in items:
            since = "-" if s.since_snapshot is None else str(s.since_snapshot)
            print(
                f"{s.fingerprint}  since {since:<4} {s.created_at:%Y-%m-%d}  {s.owner}: {s.reason}"
            )
        if not items:
            print("no suppressions")
        return 0

    return _with_audits(args, run)


def _zone(args: argparse.Namespace) -> int:
    def run(a: AuditService) -> int:
        if args.action == "set":
            zone = a.set_zone(args.name, args.tenants, description=args.description)
            known = {t.name for t in a.graph.world().tenants} | {
                t.id for t in a.graph.world().tenants
            }
            for t in zone.tenants:
                if t not in known:
                    print(
                        f"warning: `{t}` is not a tenant of the current snapshot", file=sys.stderr
                    )
            print(f"zone {zone.name}: {', '.join(zone.tenants) or '(no tenants)'}")
        elif args.action == "remove":
            a.remove_zone(args.name)
            print(f"removed zone {args.name}")
        else:
            zones = a.zones()
            if args.json:
                print(json.dumps(to_data(zones), indent=2))
            for z in [] if args.json else zones:
                print(
                    f"{z.name}: {', '.join(z.tenants)}"
                    + (f"  ({z.description})" if z.description else "")
                )
            if not zones and not args.json:
                print("no zones of trust")
        return 0

    return _with_audits(args, run)


def _cfg_audit(p: argparse.ArgumentParser) -> None:
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="the full report as JSON")
    out.add_argument("--html", metavar="FILE", help="write a self-contained HTML report to FILE")
    p.add_argument("--zone", help="zone of trust (see `tenantgraph zone`); default: none")
    p.add_argument("--snapshot", type=int, help="audit this snapshot id (default: current)")
    p.add_argument("--tenant", action="append", help="only findings of this tenant (repeat)")
    p.add_argument(
        "--check",
        action="append",
        choices=[c.info.id for c in CATALOGUE],
        help="only this check (repeat)",
    )
    p.add_argument(
        "--pending-days", type=int, default=90, help="pending-invitation age threshold (90)"
    )
    p.add_argument(
        "--days",
        type=int,
        default=90,
        help="look-back of the evidence-of-use checks: stale guests, unused trust and "
        "assignments (90)",
    )
    add_clock_argument(p)
    p.add_argument("--verbose", "-v", action="store_true", help="list each finding's exposures")
    p.add_argument("--limit", type=int, default=10, help="exposures listed per finding with -v")
    p.add_argument(
        "--exposures",
        type=_exposures_arg,
        default=DEFAULT_EXEMPLARS,
        metavar="N|all",
        help=f"exposures built in full per finding ({DEFAULT_EXEMPLARS}); counts are always "
        "exact. `all` with --json streams every exposure of every finding",
    )
    p.add_argument(
        "--fail-on",
        choices=[s.value for s in Severity],
        help="exit 1 on an open finding this severe",
    )
    p.add_argument("--no-record", action="store_true", help="do not update the finding history")
    add_store_arguments(p)


def _cfg_whatif(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "changes", metavar="CHANGES.yaml", help="change set (see graphmodel/audit/changeset.py)"
    )
    p.add_argument("--snapshot", type=int, help="apply to this snapshot (default: current)")
    p.add_argument("--zone", help="zone of trust for the findings delta")
    p.add_argument(
        "--json",
        action="store_true",
        help="the diff as JSON: entities changed, access gained/lost/changed with paths and "
        "reasons, findings appeared/disappeared/changed",
    )
    p.add_argument(
        "--apply",
        action="store_true",
        help="then store the change set as the next snapshot (on the newest one; a change "
        "that no longer applies there is refused with `conflict`)",
    )
    add_clock_argument(p)
    add_store_arguments(p)


def _cfg_remove_unused(p: argparse.ArgumentParser) -> None:
    p.add_argument("--days", type=int, default=90, help="unused for more than this many days (90)")
    p.add_argument("--tenant", action="append", help="only this tenant's findings (repeat)")
    p.add_argument("--snapshot", type=int, help="propose for this snapshot (default: current)")
    p.add_argument("--zone", help="zone of trust for the findings delta")
    p.add_argument("--out", help="write the change set (YAML) to this file")
    p.add_argument("--json", action="store_true")
    add_clock_argument(p)
    add_store_arguments(p)


def _cfg_diff(p: argparse.ArgumentParser) -> None:
    p.add_argument("from_snapshot", type=int, metavar="A", help="earlier snapshot id")
    p.add_argument("to_snapshot", type=int, metavar="B", help="later snapshot id")
    p.add_argument("--zone", help="zone of trust for the findings delta")
    p.add_argument(
        "--json",
        action="store_true",
        help="the diff as JSON: entities changed between A and B, access gained/lost/changed "
        "(with the path of the side that reaches and why the other is denied), findings "
        "appeared/disappeared/changed",
    )
    add_store_arguments(p)


def _cfg_suppress(p: argparse.ArgumentParser) -> None:
    p.add_argument("fingerprint", help="the finding's fingerprint (16 hex digits)")
    p.add_argument("--reason", required=True, help="why the finding is accepted")
    p.add_argument("--owner", required=True, help="who accepted it")
    p.add_argument("--snapshot", type=int, help="apply from this snapshot on (default: current)")
    add_store_arguments(p)


def _cfg_fingerprint(p: argparse.ArgumentParser) -> None:
    p.add_argument("fingerprint")
    add_store_arguments(p)


def _cfg_list(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="machine-readable output")
    add_store_arguments(p)


def _cfg_zone(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    s = sub.add_parser("set", help="create or replace a zone of trust")
    s.add_argument("name")
    s.add_argument("tenants", nargs="*", metavar="TENANT", help="tenant handles or ids")
    s.add_argument("--description", default="")
    add_store_arguments(s)
    r = sub.add_parser("remove", help="delete a zone of trust")
    r.add_argument("name")
    add_store_arguments(r)
    ls = sub.add_parser("list", help="list the zones of trust")
    ls.add_argument("--json", action="store_true", help="machine-readable output")
    add_store_arguments(ls)


COMMANDS = (
    Command(
        "audit",
        "findings: what is open wider than it should be, and who it exposes",
        _cfg_audit,
        _audit,
    ),
    Command(
        "whatif",
        "the access and findings a change set would change (writes nothing)",
        _cfg_whatif,
        _whatif,
    ),
    Command(
        "remove-unused",
        "propose a change set removing access unused for N days, proving no used access is lost",
        _cfg_remove_unused,
        _remove_unused,
    ),
    Command(
        "diff",
        "who newly reaches or lost what between snapshots A and B, and why",
        _cfg_diff,
        _diff,
    ),
    Command(
        "suppress",
        "accept a finding (reason and owner) from a snapshot on",
        _cfg_suppress,
        _suppress,
    ),
    Command("unsuppress", "remove a finding's suppression", _cfg_fingerprint, _unsuppress),
    Command("suppressions", "list the suppressions", _cfg_list, _suppressions),
    Command("zone", "manage zones of trust (named sets of partner tenants)", _cfg_zone, _zone),
)
