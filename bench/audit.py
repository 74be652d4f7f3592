"""`python -m bench audit`: the audit at real size (issue 23), written to `bench/RESULTS.md`.

Per scale, in fresh processes on a memory store file: the generated World (seed 7) is written
once, then `tenantgraph audit --json` and `--html` (full audits) and `--check scuba.8.3` (a
settings-only check) are timed wall-clock with the child's peak RSS (`wait4`), each run with
the 1-minute load average before and after it (the machine is shared: a figure taken under a
load far above its 2 cores is distorted, and the table says so). Cheap runs are repeated and
their p50 kept; at L the full audits run once. At S the reference implementation
(`graphmodel.audit.reference`, the audit before this issue) runs in the same session as the
baseline, and its findings and exposure counts must equal the new ones (the run fails
otherwise): the S-world differential check.

    python -m bench audit                 # S and M
    python -m bench audit --scales S,M,L  # L adds ~15 minutes
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"
START, END = "<!-- audit:start -->", "<!-- audit:end -->"
TARGETS = {"M": (60.0, 2.0), "L": (900.0, 8.0)}  # full audit: seconds, GiB
CHECK_TARGET = {"L": 10.0}  # `--check` of one settings-only check: seconds
REPEATS = {"S": 3, "M": 3, "L": 1}  # full audits; `--check` runs 3 times at every scale
_WRITE = """
import sys
from bench.generate import generate
from graphmodel.engine import derive_trust_edges
from graphmodel.stores.memory.store import MemoryStore
w = generate(sys.argv[1], seed=7)
with MemoryStore(sys.argv[2]) as s:
    s.write_snapshot(w, source="bench", trust_edges=tuple(derive_trust_edges(w)))
"""
_REFERENCE = """
import json, sys, time
from graphmodel.audit.reference import run_reference_checks
from graphmodel.stores.memory.store import MemoryStore
from graphmodel.service import GraphService
started = time.perf_counter()
with MemoryStore(sys.argv[1]) as store:
    found = run_reference_checks(GraphService(store).index())
counts = {f.fingerprint: [f.check, f.severity.value, f.counts.exposures] for f in found}
print(json.dumps({"seconds": time.perf_counter() - started, "counts": counts}))
"""


def _load() -> float:
    return round(os.getloadavg()[0], 1)


def _run(cmd: list[str], out: Path | None = None) -> dict[str, Any]:
    """Wall seconds, peak RSS (GiB), exit status and load averages of one child process."""
    before = _load()
    started = time.perf_counter()
    with open(out or os.devnull, "w") as sink:
        proc = subprocess.Popen(cmd, stdout=sink, stderr=subprocess.DEVNULL, cwd=HERE.parent)
        _, status, usage = os.wait4(proc.pid, 0)
    return {
        "seconds": round(time.perf_counter() - started, 1),
        "rss_gib": round(usage.ru_maxrss / 2**20, 2),
        "exit": os.waitstatus_to_exitcode(status),
        "load": [before, _load()],
    }


def _p50(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median time (the lower middle one of an even count), all times kept."""
    chosen = sorted(runs, key=lambda r: r["seconds"])[(len(runs) - 1) // 2]
    return {**chosen, "runs": [r["seconds"] for r in runs]}


def _cli(db: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "graphmodel.cli", "audit", "--db", str(db), "--no-record", *extra]


def run_scale(scale: str, work: Path) -> dict[str, Any]:
    db = work / f"{scale}.db"
    py = [sys.executable, "-c"]
    row: dict[str, Any] = {"scale": scale}
    row["write_s"] = _run([*py, _WRITE, scale, str(db)])["seconds"]
    out = work / f"{scale}.json"
    for name, extra, repeats in (
        ("json", ("--json",), REPEATS.get(scale, 1)),
        ("html", ("--html", str(work / f"{scale}.html")), REPEATS.get(scale, 1)),
        ("check", ("--check", "scuba.8.3", "--json"), 3),
    ):
        runs = []
        for _ in range(repeats):
            runs.append(_run(_cli(db, *extra), out if name == "json" else None))
            r = runs[-1]
            print(
                f"   {scale} {name}: {r['seconds']}s, {r['rss_gib']} GiB, exit {r['exit']}, "
                f"load {r['load'][0]} -> {r['load'][1]}",
                flush=True,
            )
        row[name] = _p50(runs)
    data = json.loads(out.read_text())
    row["findings"] = len(data["findings"])
    row["exposures"] = sum(f["counts"]["exposures"] for f in data["findings"])
    if scale == "S":
        load = _load()
        ref = subprocess.run(
            [*py, _REFERENCE, str(db)], capture_output=True, text=True, check=True, cwd=HERE.parent
        )
        got = json.loads(ref.stdout)
        new = {
            f["fingerprint"]: [f["check"], f["severity"].lower(), f["counts"]["exposures"]]
            for f in data["findings"]
        }
        row["reference"] = {"seconds": round(got["seconds"], 1), "load": [load, _load()]}
        row["reference_equal"] = got["counts"] == new
        print(f"   S reference: {got['seconds']:.1f}s, equal: {row['reference_equal']}", flush=True)
    return row


def _cell(r: dict[str, Any]) -> str:
    runs = "" if len(r["runs"]) == 1 else f" (p50 of {len(r['runs'])})"
    failed = "" if r["exit"] == 0 else f", exit {r['exit']}"
    return f"{r['seconds']} s{runs}, {r['rss_gib']} GiB, load {r['load'][0]}→{r['load'][1]}{failed}"


def _prose(text: str) -> str:
    return textwrap.fill(text, width=100, break_on_hyphens=False)


def _table(rows: list[dict[str, Any]]) -> str:
    lines = [
        START,
        "## Audit at scale (issue 23, `python -m bench audit`)",
        "",
        _prose(
            "Wall time and peak RSS of one `tenantgraph audit` process on a memory store file "
            "(includes starting Python, opening the store, building the index and writing the "
            "report); this 2-core machine, shared with other jobs: each figure has the 1-minute "
            "load average before and after its run."
        ),
        "",
        "| scale | findings | exposures | full audit, JSON | full audit, HTML | "
        "`--check scuba.8.3` | target |",
        "| --- | ---: | ---: | --- | --- | --- | --- |",
    ]
    for r in rows:
        target = TARGETS.get(r["scale"])
        goals = [] if target is None else [f"full ≤ {target[0]:.0f} s, ≤ {target[1]:.0f} GiB"]
        if r["scale"] in CHECK_TARGET:
            goals.append(f"check ≤ {CHECK_TARGET[r['scale']]:.0f} s")
        lines.append(
            f"| {r['scale']} | {r['findings']:,} | {r['exposures']:,} | {_cell(r['json'])} | "
            f"{_cell(r['html'])} | {_cell(r['check'])} | {'; '.join(goals) or '—'} |"
        )
    for r in rows:
        if "reference" in r:
            ref = r["reference"]
            ratio = ref["seconds"] / max(r["json"]["seconds"], 0.1)
            lines += [
                "",
                _prose(
                    f"Baseline at S, same run: the reference implementation (every verdict "
                    f"built, in-process after the store is open, no rendering) took "
                    f"{ref['seconds']} s (load {ref['load'][0]}→{ref['load'][1]}); the new full "
                    f"JSON audit {r['json']['seconds']} s end to end ({ratio:.1f}x faster). "
                    f"Findings, severities and exposure counts equal: {r['reference_equal']}."
                ),
            ]
    lines.append(END)
    return "\n".join(lines)


def write_results(rows: list[dict[str, Any]]) -> None:
    text = RESULTS.read_text(encoding="utf-8")
    block = _table(rows)
    if START in text:
        text = re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _m: block, text, flags=re.S)
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    RESULTS.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench audit", description=__doc__)
    parser.add_argument("--scales", default="S,M")
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory(prefix="tenantgraph-audit-") as tmp:
        for scale in args.scales.split(","):
            print(f"== audit {scale} (load {_load()})", flush=True)
            rows.append(run_scale(scale, Path(tmp)))
    write_results(rows)
    print(_table(rows))
    return 0 if all(r.get("reference_equal", True) for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
