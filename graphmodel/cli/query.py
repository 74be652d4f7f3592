"""Question commands: `check`, `who`, `reachable`, `trust`, `scenarios`."""

from __future__ import annotations

import argparse
import json
import sys

from graphmodel.cli._common import (
    Command,
    add_clock_argument,
    add_store_arguments,
    open_service,
    open_store_from_args,
)
from graphmodel.engine import Reach, UsageFilter, render
from graphmodel.schema.codec import to_data
from graphmodel.schema.enums import Via
from graphmodel.service.scenarios import run_scenarios

__all__ = ["COMMANDS"]


def _check(args: argparse.Namespace) -> int:
    with open_service(args) as svc:
        verdict = svc.check(args.principal, args.resource, via=Via(args.via), as_of=args.as_of)
    print(json.dumps(to_data(verdict), indent=2) if args.json else render(verdict))
    return 0


def _who(args: argparse.Namespace) -> int:
    with open_service(args) as svc:
        page = svc.who_can_access(
            args.resource,
            first=args.first,
            after=args.after,
            as_of=args.as_of,
            usage=UsageFilter(args.usage),
            usage_days=args.usage_days,
        )
    if args.json:
        print(json.dumps([_reach_data(r) for r in page.items], indent=2))
        return 0
    for r in page.items:
        v = r.verdict
        how = " -> ".join(v.paths[0].nodes) if v.paths else ""
        print(
            f"{v.decision.value:<8} {r.principal:<30} mfa={v.mfa.value:<8} "
            f"{_last_used(r):<22} {how}"
        )
    if page.has_next:
        print(f"... more: --after {page.end_cursor}")
    return 0


def _reachable(args: argparse.Namespace) -> int:
    with open_service(args) as svc:
        page = svc.reachable(
            args.principal,
            first=args.first,
            after=args.after,
            as_of=args.as_of,
            usage=UsageFilter(args.usage),
            usage_days=args.usage_days,
        )
    if args.json:
        print(json.dumps([_reach_data(r) for r in page.items], indent=2))
        return 0
    for r in page.items:
        print(
            f"{r.verdict.decision.value:<8} {r.resource:<40} via {r.verdict.via.value:<18} "
            f"{_last_used(r)}"
        )
    if page.has_next:
        print(f"... more: --after {page.end_cursor}")
    return 0


def _last_used(r: Reach) -> str:
    """Possible versus used: sign-in evidence covers cross-tenant access only."""
    if r.last_used is not None:
        return f"last used {r.last_used:%Y-%m-%d}"
    same_tenant = r.principal.split("/", 1)[0] == r.resource.split("/", 1)[0]
    return "(member)" if same_tenant else "never used"


def _reach_data(r: Reach) -> object:
    data = to_data(r.verdict)
    assert isinstance(data, dict)  # INVARIANT: a verdict encodes as an object
    data["lastUsed"] = to_data(r.last_used)
    return data


def _trust(args: argparse.Namespace) -> int:
    with open_service(args) as svc:
        edges = svc.trust_graph(args.tenant or None)
    if args.json:
        print(json.dumps([to_data(e) for e in edges], indent=2))
        return 0
    for e in edges:
        print(
            f"{e.source:<16} -[{e.kind.value}]-> {e.target:<16} {e.rule:<4} {e.policy} ({e.scope})"
        )
    return 0


def _scenarios(args: argparse.Namespace) -> int:
    passed = failed = 0
    errors: list[str] = []
    results: list[dict[str, object]] = []
    for fr in run_scenarios(args.paths, lambda: open_store_from_args(args)):
        for e in fr.errors:
            errors.append(e)
            if not args.json:
                print(f"ERROR {e}")
        for r in fr.results:
            passed += r.passed
            failed += not r.passed
            results.append(
                {
                    "file": r.file,
                    "check": r.check,
                    "passed": r.passed,
                    "expected": r.expected,
                    "got": r.got,
                }
            )
            if args.json:
                continue
            mark = "PASS" if r.passed else "FAIL"
            line = f"{mark} {r.file}#{r.check}"
            if r.line is not None:
                line += f" (line {r.line})"
            line += f": expected {r.expected}"
            if not r.passed:
                line += f", got {r.got}"
                if r.detail:
                    line += f" — {r.detail}"
            print(line)
    if args.json:
        out = {"passed": passed, "failed": failed, "errors": errors, "results": results}
        print(json.dumps(out, indent=2))
    else:
        print(f"{passed} passed, {failed} failed" + (f", {len(errors)} errors" if errors else ""))
    if not passed and not failed and not errors:
        print("no scenario files found", file=sys.stderr)
        return 2
    return 0 if not failed and not errors else 1


def _cfg_check(p: argparse.ArgumentParser) -> None:
    p.add_argument("principal", help="tenant/user (home identity), e.g. fabrikam/bob")
    p.add_argument("resource", help="tenant/app or tenant/team/channel")
    p.add_argument("--via", choices=[v.value for v in Via], default=Via.ANY.value)
    p.add_argument("--json", action="store_true", help="the verdict as JSON")
    add_clock_argument(p)
    add_store_arguments(p)


def _cfg_page(p: argparse.ArgumentParser, what: str) -> None:
    p.add_argument(what)
    p.add_argument("--first", type=int, default=100, help="page size (max 1000)")
    p.add_argument("--after", default=None, help="cursor: continue after this ref")
    p.add_argument("--json", action="store_true")
    p.add_argument(
        "--usage",
        choices=[u.value for u in UsageFilter],
        default=UsageFilter.ANY.value,
        help="only answers used (a recorded sign-in within --usage-days) or unused",
    )
    p.add_argument("--usage-days", type=int, default=90, help="look-back of --usage (90)")
    add_clock_argument(p)
    add_store_arguments(p)


def _cfg_trust(p: argparse.ArgumentParser) -> None:
    p.add_argument("--tenant", action="append", help="only edges touching this tenant (repeat)")
    p.add_argument("--json", action="store_true")
    add_store_arguments(p)


def _cfg_scenarios(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="+", metavar="PATH", help="scenario files or directories")
    p.add_argument("--json", action="store_true", help="one JSON object with every result")
    add_store_arguments(p)
    p.set_defaults(db=None)


COMMANDS = (
    Command(
        "check", "can PRINCIPAL reach RESOURCE, through which trust, and why", _cfg_check, _check
    ),
    Command(
        "who",
        "who can reach RESOURCE (home identities), with path and MFA",
        lambda p: _cfg_page(p, "resource"),
        _who,
    ),
    Command(
        "reachable", "what PRINCIPAL can reach", lambda p: _cfg_page(p, "principal"), _reachable
    ),
    Command("trust", "the derived tenant-to-tenant trust edges", _cfg_trust, _trust),
    Command(
        "scenarios",
        "run scenario files and compare every check with its expectation",
        _cfg_scenarios,
        _scenarios,
    ),
)
