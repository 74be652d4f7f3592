"""The scenario runner: load each file's world into a store, ask its checks, compare answers.

Used by `tenantgraph scenarios` and by the test suite (one pytest item per check). A malformed
file is reported with its located issues and the other files still run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from graphmodel.audit.checks import check_info, run_checks
from graphmodel.audit.model import AuditOptions
from graphmodel.engine import DEFAULT_UNUSED_DAYS
from graphmodel.errors import GraphModelError, WorldInvalid
from graphmodel.ingest.checks import (
    AccessCheck,
    Check,
    FindingCheck,
    InviteCheck,
    RequestCheck,
    Scenario,
    SignUpCheck,
    WhoCanAccessCheck,
)
from graphmodel.ingest.scenario import discover_scenario_files, load_scenario_file
from graphmodel.schema.verdict import Decision
from graphmodel.service.answers import ReachFilter
from graphmodel.service.facade import GraphService
from graphmodel.service.paging import MAX_PAGE
from graphmodel.stores.base import GraphStore

__all__ = ["CheckResult", "FileResult", "run_check", "run_file", "run_scenarios"]

StoreFactory = Callable[[], GraphStore]


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckResult:
    file: str
    check: int
    line: int | None
    passed: bool
    expected: str
    got: str
    detail: str = ""


@dataclass(slots=True, kw_only=True)
class FileResult:
    file: str
    results: list[CheckResult] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _subset(expected: Sequence[str], got: Sequence[str]) -> bool:
    return set(expected) <= set(got)


def run_check(svc: GraphService, file: str, chk: Check) -> CheckResult:
    """Ask one check and compare; an engine error becomes a failed result, never a crash."""
    try:
        return _run_check(svc, file, chk)
    except GraphModelError as exc:
        return CheckResult(
            file=file,
            check=chk.index,
            line=chk.line,
            passed=False,
            expected="an answer",
            got=f"error: {exc}",
        )


def _run_check(svc: GraphService, file: str, chk: Check) -> CheckResult:
    def result(passed: bool, expected: str, got: str, detail: str = "") -> CheckResult:
        return CheckResult(
            file=file,
            check=chk.index,
            line=chk.line,
            passed=passed,
            expected=expected,
            got=got,
            detail=detail,
        )

    if isinstance(chk, FindingCheck):
        return _run_finding(svc, file, chk)
    if isinstance(chk, WhoCanAccessCheck):
        only = ReachFilter(outsiders=chk.outsiders)
        page = svc.who_can_access(chk.resource, first=MAX_PAGE, filters=only)
        allowed = sorted(r.principal for r in page.items if r.verdict.decision == Decision.ALLOW)
        pending = sorted(r.principal for r in page.items if r.verdict.decision == Decision.PENDING)
        ok = set(allowed) == set(chk.expect) and (
            chk.pending is None or set(pending) == set(chk.pending)
        )
        scope = "outsiders " if chk.outsiders else ""
        exp = f"{scope}allow={sorted(chk.expect)}"
        got = f"{scope}allow={allowed}"
        if chk.pending is not None:
            exp += f" pending={sorted(chk.pending)}"
            got += f" pending={pending}"
        return result(ok, exp, got)
    if isinstance(chk, AccessCheck):
        v = svc.check(chk.principal, chk.resource, via=chk.via)
        ok = v.decision.value == chk.expect and _subset(chk.reasons, v.codes)
        if chk.mfa is not None:
            ok = ok and v.mfa.value == chk.mfa
        if chk.path is not None:
            ok = ok and tuple(chk.path) in {p.nodes for p in v.paths}
        exp = _describe(chk.expect, chk.mfa, chk.reasons, chk.path)
        got = _describe(
            v.decision.value,
            v.mfa.value if chk.mfa is not None else None,
            v.codes,
            None,
        )
        detail = "; ".join(f"{r.code.value}: {r.message}" for r in v.reasons)
        return result(ok, exp, got, detail)
    if isinstance(chk, InviteCheck):
        a = svc.can_invite(chk.invitee, chk.inviter)
    elif isinstance(chk, SignUpCheck):
        a = svc.can_sign_up(chk.email, chk.app, chk.identity_provider)
    else:
        assert isinstance(chk, RequestCheck)
        a = svc.can_request(chk.requester, chk.access_package)
    ok = a.decision.value == chk.expect and _subset(chk.reasons, a.codes)
    detail = "; ".join(r.message for r in a.reasons)
    return result(
        ok,
        _describe(chk.expect, None, chk.reasons, None),
        _describe(a.decision.value, None, a.codes, None),
        detail,
    )


def _run_finding(svc: GraphService, file: str, chk: FindingCheck) -> CheckResult:
    """The exact set of subjects one audit check reports for the tenant at the world's asOf."""
    expected = sorted(chk.expect)

    def result(passed: bool, got: str) -> CheckResult:
        return CheckResult(
            file=file,
            check=chk.index,
            line=chk.line,
            passed=passed,
            expected=f"{chk.check}={expected}",
            got=got,
        )

    if check_info(chk.check) is None:
        return result(False, f"error: `{chk.check}` is not an audit check id")
    days = DEFAULT_UNUSED_DAYS if chk.days is None else chk.days
    options = AuditOptions(pending_days=days, unused_days=days)
    findings = run_checks(svc.index(), options=options, checks=(chk.check,))
    got = sorted({f.subject for f in findings if f.tenant == chk.tenant})
    return result(got == expected, f"{chk.check}={got}")


def _describe(
    decision: str, mfa: str | None, reasons: Sequence[str], path: Sequence[str] | None
) -> str:
    out = decision
    if mfa is not None:
        out += f" mfa={mfa}"
    if reasons:
        out += f" reasons={list(reasons)}"
    if path is not None:
        out += f" path={list(path)}"
    return out


def load_file(path: Path, store_factory: StoreFactory) -> tuple[GraphService, Scenario]:
    """Load a scenario's world into a fresh store; raises WorldInvalid with located issues."""
    world, scenario = load_scenario_file(path)
    svc = GraphService(store_factory())
    svc.load_world(world, source=str(path))
    return svc, scenario


def run_file(path: Path, store_factory: StoreFactory) -> FileResult:
    out = FileResult(file=str(path))
    try:
        svc, scenario = load_file(path, store_factory)
    except WorldInvalid as exc:
        out.errors.extend(i.render() for i in exc.issues)
        return out
    except GraphModelError as exc:
        out.errors.append(f"{path}: {exc}")
        return out
    try:
        out.results.extend(run_check(svc, str(path), c) for c in scenario.checks)
    finally:
        svc.store.close()
    return out


def run_scenarios(paths: Sequence[str | Path], store_factory: StoreFactory) -> Iterator[FileResult]:
    """Run every scenario file found under `paths` (files or directories, recursive)."""
    for path in discover_scenario_files([Path(p) for p in paths]):
        yield run_file(path, store_factory)
