"""Shared helpers of the audit tests: the scenario-style audit worlds and exposure summaries.

An audit world (`tests/audit/worlds/*.yaml`) is a scenario-format world plus an `audit:` list of
runs; each run names the checks it pins down (`checks:`), an optional zone of trust (`zone:`
tenant handles) and the exact findings of those checks (`expect:`, each with its exact
exposures). An exposure is written with the fields it has: `principal`, `resource`, `object`,
`decision` and `path` (the node refs of the exposure's path).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphmodel.audit import Exposure, Finding
from graphmodel.errors import WorldInvalid
from graphmodel.ingest import load_world_file, parse_world, parse_yaml
from graphmodel.schema import World

WORLDS = Path(__file__).parent / "worlds"
SCENARIOS = Path("/work/shared/scenarios")
DEMO = Path(__file__).resolve().parents[2] / "fixtures" / "demo.yaml"


@dataclass(frozen=True)
class AuditRun:
    checks: tuple[str, ...]
    zone: tuple[str, ...]
    expect: list[dict[str, Any]]


def access_checks(path: Path) -> list[dict[str, Any]]:
    """The world's scenario-format access checks (`checks:`), which pin down its story."""
    doc = parse_yaml(path.read_text(encoding="utf-8"), file=str(path))
    assert isinstance(doc.data, dict)
    return list(doc.data.get("checks") or [])


def load_world_any(path: Path) -> World:
    """A scenario file, the demo, or an audit world (its `audit:` runs ignored)."""
    return load_audit_world(path)[0] if path.parent == WORLDS else load_world_file(path)


def load_audit_world(path: Path) -> tuple[World, list[AuditRun]]:
    doc = parse_yaml(path.read_text(encoding="utf-8"), file=str(path))
    assert not doc.issues, doc.issues
    assert isinstance(doc.data, dict)
    data = dict(doc.data)
    runs = data.pop("audit")
    world, issues = parse_world(data, doc.lines, str(path))
    if world is None:
        raise WorldInvalid(issues)
    return world, [
        AuditRun(
            checks=tuple(r["checks"]),
            zone=tuple(r.get("zone") or ()),
            expect=list(r["expect"]),
        )
        for r in runs
    ]


def exposure_dict(e: Exposure) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in ("principal", "resource", "object"):
        value = getattr(e, key)
        if value is not None:
            out[key] = value
    if e.decision is not None:
        out["decision"] = e.decision.value
    if e.path is not None:
        out["path"] = list(e.path.nodes)
    return out


def summary(findings: tuple[Finding, ...] | list[Finding]) -> list[dict[str, Any]]:
    """Findings as comparable data: check, subject and the exposures, in a stable order."""
    rows = [
        {
            "check": f.check,
            "subject": f.subject,
            "exposures": sorted((exposure_dict(e) for e in f.exposures), key=repr),
        }
        for f in findings
    ]
    return sorted(rows, key=lambda r: (r["check"], r["subject"]))
