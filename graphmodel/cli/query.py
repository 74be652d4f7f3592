"""Question commands: `check`, `who`, `reachable`, `trust`, `scenarios`.

`--json` output spells enums as the GraphQL API does (`DENY`, `B2B_COLLABORATION`), so a
script can switch between the two. `check` answers in its exit code too: 0 ALLOW, 1 DENY,
4 PENDING.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import TypeVar

from graphmodel.cli.common import (
    Command,
    Exit,
    add_clock_argument,
    add_store_arguments,
    open_service,
    open_store_from_args,
)
from graphmodel.engine import Reach, ReachFilter, UsageFilter, render
from graphmodel.schema.codec import to_data
from graphmodel.schema.enums import PrincipalKind, Via
from graphmodel.schema.output import enum_name, trust_edge_data, verdict_data
from graphmodel.schema.verdict import Decision
from graphmodel.service import Page
from graphmodel.service.scenarios import run_scenarios

__all__ = ["COMMANDS", "VIA_HELP", "add_filter_arguments", "parse_kind", "parse_via"]

DECISION_EXIT = {
    Decision.ALLOW: Exit.OK,
    Decision.DENY: Exit.FAILED,
    Decision.PENDING: Exit.PENDING,
}
VIA_HELP = (
    "only this route: member (same tenant), b2b_collaboration (a guest object in the resource "
    "tenant), b2b_direct_connect (Teams shared channels, no guest object), b2c (a consumer of a "
    "B2C tenant), or any (default: every route, the best answer wins); upper case also works"
)


E = TypeVar("E", Via, PrincipalKind)


def _choice(cls: type[E], text: str, what: str) -> E:
    """A value as the CLI spells it (`b2b_collaboration`) or the API (`B2B_COLLABORATION`)."""
    try:
        return cls(text.lower())
    except ValueError:
        choices = ", ".join(v.value for v in cls)
        raise argparse.ArgumentTypeError(
            f"invalid {what} `{text}`; expected one of {choices}"
        ) from None


def parse_via(text: str) -> Via:
    """`--via` as the CLI spells it (`b2b_collaboration`) or the API (`B2B_COLLABORATION`)."""
    return _choice(Via, text, "route")


def _check(args: argparse.Namespace) -> int:
    with open_service(args, partial_reads=True) as svc:
        verdict = svc.check(args.principal, args.resource, via=args.via, as_of=args.as_of)
    print(json.dumps(verdict_data(verdict), indent=2) if args.json else render(verdict))
    return DECISION_EXIT[verdict.decision]


def _who(args: argparse.Namespace) -> int:
    with open_service(args) as svc:
        page = svc.who_can_access(
            args.resource,
            first=args.first,
            after=args.after,
            as_of=args.as_of,
            usage=UsageFilter(args.usage),
            usage_days=args.usage_days,
            filters=_filters(args),
        )
    return _print_page(page, _who_line, as_json=args.json)


def _who_line(r: Reach) -> str:
    v = r.verdict
    how = " -> ".join(v.paths[0].nodes) if v.paths else ""
    mfa = "-" if v.mfa_claim is None else enum_name(v.mfa_claim)
    return f"{enum_name(v.decision):<8} {r.principal:<30} mfa={mfa:<8} {_last_used(r):<22} {how}"


def _reachable(args: argparse.Namespace) -> int:
    with open_service(args) as svc:
        page = svc.reachable(
            args.principal,
            first=args.first,
            after=args.after,
            as_of=args.as_of,
            usage=UsageFilter(args.usage),
            usage_days=args.usage_days,
            filters=_filters(args),
        )
    return _print_page(page, _reachable_line, as_json=args.json)


def _reachable_line(r: Reach) -> str:
    v = r.verdict
    return f"{enum_name(v.decision):<8} {r.resource:<40} via {enum_name(v.via):<18} {_last_used(r)}"


def _print_page(page: Page[Reach], line: Callable[[Reach], str], *, as_json: bool) -> int:
    """A `who` / `reachable` page: JSON, or one line per item and how to get the next page."""
    if as_json:
        print(json.dumps([_reach_data(r) for r in page.items], indent=2))
        return 0
    for r in page.items:
        print(line(r))
    if page.has_next:
        print(f"... more: --after {page.end_cursor}")
    return 0


def _last_used(r: Reach) -> str:
    """Possible versus used: sign-in evidence covers outsiders' access only, so an insider
    (a member, an internal guest, a B2C tenant's consumer) is labelled with its kind."""
    if r.last_used is not None:
        return f"last used {r.last_used:%Y-%m-%d}"
    return "never used" if r.outsider else f"({r.kind.value})"


def _reach_data(r: Reach) -> object:
    """A reach as the API's `Reach`: its verdict, when the access was last used, and what the
    principal is to the resource's tenant."""
    return {
        **verdict_data(r.verdict),
        "lastUsed": to_data(r.last_used),
        "kind": enum_name(r.kind),
        "outsider": r.outsider,
        "homeTenant": r.home_tenant,
    }


def _filters(args: argparse.Namespace) -> ReachFilter:
    """`--outsiders`, `--via`, `--home-tenant` and `--kind` as the engine's filter."""
    return ReachFilter(
        outsiders=args.outsiders,
        via=frozenset(args.via or ()),
        home_tenants=frozenset(args.home_tenant or ()),
        kinds=frozenset(args.kind or ()),
    )


def parse_kind(text: str) -> PrincipalKind:
    """`--kind` as the CLI spells it (`b2b_guest`) or the API (`B2B_GUEST`)."""
    return _choice(PrincipalKind, text, "kind")


def _trust(args: argparse.Namespace) -> int:
    with open_service(args) as svc:
        edges = svc.trust_graph(args.tenant or None)
    if args.json:
        print(json.dumps([trust_edge_data(e) for e in edges], indent=2))
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
    for fr in run_scenarios(args.paths, lambda: open_store_from_args(args, create=True)):
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


PRINCIPAL_HELP = (
    "tenant/user, e.g. fabrikam/bob: a home identity, or a guest object (its home identity "
    "is asked about)"
)
RESOURCE_HELP = "tenant/app (e.g. contoso/payroll) or tenant/team/channel"


def _cfg_check(p: argparse.ArgumentParser) -> None:
    p.epilog = "exit codes: 0 ALLOW, 1 DENY, 4 PENDING, 2 invalid input or unknown id"
    p.add_argument("principal", help=PRINCIPAL_HELP)
    p.add_argument("resource", help=RESOURCE_HELP)
    p.add_argument("--via", type=parse_via, default=Via.ANY, metavar="ROUTE", help=VIA_HELP)
    p.add_argument("--json", action="store_true", help="the verdict as JSON (the API's Verdict)")
    add_clock_argument(p)
    add_store_arguments(p)


def _cfg_page(p: argparse.ArgumentParser, what: str, help: str) -> None:
    p.add_argument(what, help=help)
    p.add_argument("--first", type=int, default=100, help="page size (max 1000)")
    p.add_argument(
        "--after", default=None, help="cursor: continue after this ref (printed as `... more`)"
    )
    p.add_argument("--json", action="store_true", help="the verdicts as a JSON list")
    p.add_argument(
        "--usage",
        choices=[u.value for u in UsageFilter],
        default=UsageFilter.ANY.value,
        help="only answers used (a recorded sign-in within --usage-days) or unused",
    )
    p.add_argument("--usage-days", type=int, default=90, help="look-back of --usage (90)")
    add_filter_arguments(p)
    add_clock_argument(p)
    add_store_arguments(p)


def add_filter_arguments(p: argparse.ArgumentParser) -> None:
    """The reverse lookups' filters, applied by the engine before paging."""
    p.add_argument(
        "--outsiders",
        action="store_true",
        help="only principals from outside the resource's tenant: other tenants' users, "
        "social, one-time-passcode and SAML/WS-Fed guests (not members or local guests)",
    )
    p.add_argument(
        "--via",
        type=parse_via,
        action="append",
        metavar="ROUTE",
        help="only answers on this route (repeat for several): member, b2b_collaboration, "
        "b2b_direct_connect, b2c",
    )
    p.add_argument(
        "--home-tenant",
        action="append",
        metavar="TENANT",
        help="only principals homed in this tenant (repeat for several)",
    )
    p.add_argument(
        "--kind",
        type=parse_kind,
        action="append",
        metavar="KIND",
        help="only principals of this kind to the resource's tenant (repeat): "
        + ", ".join(k.value for k in PrincipalKind),
    )


def _cfg_trust(p: argparse.ArgumentParser) -> None:
    p.add_argument("--tenant", action="append", help="only edges touching this tenant (repeat)")
    p.add_argument("--json", action="store_true", help="the trust edges as a JSON list")
    add_store_arguments(p)


def _cfg_scenarios(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="+", metavar="PATH", help="scenario files or directories")
    p.add_argument("--json", action="store_true", help="one JSON object with every result")
    add_store_arguments(p)
    # Each file runs in a throwaway in-memory store; `--db` given after `scenarios` keeps them
    # in a file instead. A global `--db` / $TENANTGRAPH_DB never does: it names the user's own
    # store, which the scenarios would overwrite.
    p.set_defaults(db=None)


COMMANDS = (
    Command(
        "check", "can PRINCIPAL reach RESOURCE, through which trust, and why", _cfg_check, _check
    ),
    Command(
        "who",
        "who can reach RESOURCE (home identities), with path and MFA",
        lambda p: _cfg_page(p, "resource", RESOURCE_HELP + ": who can reach it"),
        _who,
    ),
    Command(
        "reachable",
        "what PRINCIPAL can reach",
        lambda p: _cfg_page(p, "principal", PRINCIPAL_HELP + ": what it can reach"),
        _reachable,
    ),
    Command("trust", "the derived tenant-to-tenant trust edges", _cfg_trust, _trust),
    Command(
        "scenarios",
        "run scenario files and compare every check with its expectation",
        _cfg_scenarios,
        _scenarios,
    ),
)
