"""`python -m bench serve` (`make bench-serve`): the serving targets of issue 13, one table.

    python -m bench serve                       # scale L, seed 7, snapshot cached under /tmp
    python -m bench serve --scale M --duration 5 --cache /var/tmp/tg --no-results

Steps, each in a fresh process: write the snapshot of the generated World (`probe_store`; the
same `write_snapshot` that `tenantgraph load` runs after parsing) — into the cache the first
time, into a scratch file on later runs so the write is measured every run; reopen it
(`probe_store --reopen`); then the server under `wrk` (`probe_serve`). Prints every target with
measured value, goal and met/not, writes `bench/out/serve-<scale>.json` and (unless
`--no-results`) the "Serving" section of `bench/RESULTS.md`. The machine is shared: the load
average is recorded before every step, and ratios measured in the same run (access vs
`/healthz`, HTTP vs in-process) are the numbers to compare across runs.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.stats import environment
from graphmodel.stores.memory.encoding import layout_fingerprint
from graphmodel.stores.memory.sqlite import SCHEMA_VERSION

__all__ = ["main", "targets"]

HERE = Path(__file__).resolve().parent
BEGIN, END = "<!-- serve:begin -->", "<!-- serve:end -->"


def _probe(name: str, args: list[str], log: list[dict[str, Any]]) -> None:
    load = round(os.getloadavg()[0], 2)
    print(f"== {name} {' '.join(args)}", flush=True)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", f"bench.probe_{name}", *args], check=True)
    log.append(
        {
            "probe": name,
            "seconds": round(time.perf_counter() - started, 1),
            "load_before": load,
            "load_after": round(os.getloadavg()[0], 2),
        }
    )


def _row(what: str, value: float, goal: float, unit: str, *, at_most: bool = True) -> list[str]:
    met = value <= goal if at_most else value >= goal
    sign = "≤" if at_most else "≥"
    ratio = value / goal if at_most else goal / max(value, 1e-9)
    verdict = "yes" if met else f"**no** ({ratio:.1f}x)"
    return [what, f"{value:,.2f} {unit}".strip(), f"{sign} {goal:,g} {unit}".strip(), verdict]


def _ratios(run: dict[str, Any]) -> list[float]:
    """access p95 over `/healthz` p95 of each back-to-back round (or of the plain cases)."""
    rounds = run.get("ratio_rounds") or [
        {"healthz": run["healthz@8"], "access_distinct": run["access_distinct@8"]}
    ]
    return [r["access_distinct"]["p95_us"] / max(1, r["healthz"]["p95_us"]) for r in rounds]


def _p95_ratio(run: dict[str, Any]) -> float:
    return statistics.median(_ratios(run))


def _ratio_note(run: dict[str, Any]) -> str:
    found = _ratios(run)
    if len(found) == 1:
        return "one round"
    return f"median of {len(found)} rounds: " + ", ".join(f"{r:.2f}" for r in found)


def _ready(run: dict[str, Any]) -> float:
    return statistics.median(run.get("ready_rounds_s") or [run["ready_s"]])


def _starts(run: dict[str, Any]) -> str:
    found = run.get("ready_rounds_s") or [run["ready_s"]]
    if len(found) == 1:
        return "one start"
    return f"median of {len(found)} starts: " + ", ".join(f"{r:.1f}" for r in found)


def targets(data: dict[str, Any]) -> list[list[str]]:
    """The target rows: what, measured, goal, met."""
    one, two = data["serve"]["one_worker"], data["serve"]["two_workers"]
    ms = 1000.0
    return [
        _row(
            "access p95, concurrency 1 (1 worker)",
            one["access_distinct@1"]["p95_us"] / ms,
            1.5,
            "ms",
        ),
        _row(
            "access p95, concurrency 8 (2 workers)",
            two["access_distinct@8"]["p95_us"] / ms,
            5,
            "ms",
        ),
        _row(
            "access req/s, all cores (2 workers, concurrency 8)",
            two["access_distinct@8"]["requests_per_s"],
            2000,
            "req/s",
            at_most=False,
        ),
        _row(
            f"access p95 / `/healthz` p95, same load (2 workers, c 8; {_ratio_note(two)})",
            _p95_ratio(two),
            2,
            "x",
        ),
        _row(
            "whoCanAccess widest app, first page (100), p95, c 8 (2 workers)",
            two["who_first_page@8"]["p95_us"] / ms,
            20,
            "ms",
        ),
        *(
            [
                _row(
                    "whoCanAccess widest app, first page of outsiders (100), p95, c 8 (2 workers)",
                    two["who_outsiders_first_page@8"]["p95_us"] / ms,
                    20,
                    "ms",
                )
            ]
            if "who_outsiders_first_page@8" in two
            else []
        ),
        _row(f"server ready after restart (1 worker; {_starts(one)})", _ready(one), 10, "s"),
        _row(
            f"server ready after restart (2 workers, the default; {_starts(two)})",
            _ready(two),
            10,
            "s",
        ),
        _row(
            "peak RSS while opening / steady RSS",
            one["peak_rss_mb"] / max(1.0, one["steady_rss_mb"]),
            1.5,
            "x",
        ),
        _row("snapshot write (World of the scale)", data["write"]["write_s"], 30, "s"),
    ]


def _cases(data: dict[str, Any]) -> list[list[str]]:
    check = data["serve"]["in_process_check"]
    rows = []
    for label, run in (
        ("1 worker", data["serve"]["one_worker"]),
        ("2 workers", data["serve"]["two_workers"]),
    ):
        for key, result in run.items():
            if not isinstance(result, dict):
                continue
            name, _, conns = key.partition("@")
            vs_engine = (
                f"{result['p50_us'] / max(0.1, check['p50_us']):.0f}x"
                if name.startswith("access")
                else ""
            )
            rows.append(
                [
                    label,
                    name,
                    conns,
                    f"{result['p50_us'] / 1000:.2f}",
                    f"{result['p95_us'] / 1000:.2f}",
                    f"{result['p99_us'] / 1000:.2f}",
                    f"{result['requests_per_s']:,.0f}",
                    vs_engine,
                    f"{result['load_before']}",
                ]
            )
    return rows


def _busy(data: dict[str, Any]) -> str:
    """A warning when other jobs were running as the run started (1-minute load above the
    cores; during the run the server and `wrk` load the machine themselves)."""
    cores = data["environment"].get("cores") or os.cpu_count() or 1
    if data["load_start"][0] <= float(cores):
        return ""
    return " — other jobs shared the cores, so absolute latencies are inflated"


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def render(data: dict[str, Any]) -> str:
    """The Markdown section for `bench/RESULTS.md`."""
    env, serve = data["environment"], data["serve"]
    check = serve["in_process_check"]
    reopen = data["reopen"]
    dirty = " plus uncommitted changes" if data["dirty"] else ""
    head = [
        f"## Serving (issue 13, scale {data['scale']})",
        "",
        f"- **Command**: `{data['command']}`; seed {data['seed']}; started {data['started']}; "
        f"{serve['duration_s']} s of `wrk` per case; {serve['distinct_pairs']:,} distinct pairs.",
        f"- **Code**: commit `{data['commit']}`{dirty}.",
        f"- **Machine**: {env.get('cpu', '?')}, {env.get('cores', '?')} cores; load average at "
        f"start {data['load_start']}, at end {data['load_end']}{_busy(data)}; ratios within "
        "the run are the comparable numbers.",
        "",
        _table(["target", "measured", "goal", "met"], targets(data)),
        "",
        "Every case (`wrk`, keep-alive connections, latency per request in microseconds; the "
        "last column is the 1-minute load average before the case; `vs engine` is the HTTP "
        f"p50 over the in-process `GraphService.check` p50 of {check['p50_us']:.1f} µs, "
        f"p95 {check['p95_us']:.1f} µs):",
        "",
        _table(
            ["server", "case", "conc.", "p50 ms", "p95 ms", "p99 ms", "req/s", "vs engine", "load"],
            _cases(data),
        ),
        "",
        f"Reopen in a fresh process: {reopen['reopen_s']:.1f} s to open the store and decode "
        f"the World, {reopen['index_s']:.1f} s to build the engine index, peak RSS "
        f"{reopen['peak_rss_mb']:,.0f} MiB; snapshot file {data['write']['file_mb']:,.0f} MiB "
        f"(schema {SCHEMA_VERSION}), written in {data['write']['write_s']:.1f} s.",
    ]
    return "\n".join(head)


def _update_results(section: str, path: Path) -> None:
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    block = f"{BEGIN}\n{section}\n{END}"
    if BEGIN in text and END in text:
        before, rest = text.split(BEGIN, 1)
        after = rest.split(END, 1)[1]
        text = before + block + after
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=HERE.parent, capture_output=True, text=True, check=False
    ).stdout.strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench serve",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--scale", default="L")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--cache", type=Path, default=Path(tempfile.gettempdir()) / "tenantgraph-bench"
    )
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--pairs", type=int, default=20_000)
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--no-results", action="store_true", help="leave RESULTS.md alone")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("error: wrk is not installed (Debian package `wrk`; `make setup` installs it)")
        return 2
    args.cache.mkdir(parents=True, exist_ok=True)
    args.out.mkdir(parents=True, exist_ok=True)
    layout = f"schema{SCHEMA_VERSION}-{layout_fingerprint()}"
    db = args.cache / f"{args.scale}-seed{args.seed}-{layout}.db"
    log: list[dict[str, Any]] = []
    data: dict[str, Any] = {
        "command": " ".join(
            ["python -m bench serve", *(argv if argv is not None else sys.argv[2:])]
        ),
        "scale": args.scale,
        "seed": args.seed,
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": _git("rev-parse", "--short", "HEAD"),
        "dirty": bool(
            _git("status", "--porcelain", "--untracked-files=no", "--", ".", ":!bench/RESULTS.md")
        ),
        "environment": environment(),
        "load_start": [round(x, 2) for x in os.getloadavg()],
        "steps": log,
    }
    scratch = Path(tempfile.mkdtemp(prefix="tenantgraph-serve-write-"))
    try:
        target = db if not db.exists() else scratch / "write.db"
        out = scratch / "write.json"
        _probe("store", [args.scale, str(out), "--db", str(target), "--seed", str(args.seed)], log)
        data["write"] = json.loads(out.read_text(encoding="utf-8"))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    reopen = args.out / f"serve-{args.scale}-reopen.json"
    _probe(
        "store",
        [args.scale, str(reopen), "--db", str(db), "--seed", str(args.seed), "--reopen"],
        log,
    )
    data["reopen"] = json.loads(reopen.read_text(encoding="utf-8"))
    serve = args.out / f"serve-{args.scale}-wrk.json"
    _probe(
        "serve",
        [
            args.scale,
            str(serve),
            "--db",
            str(db),
            "--seed",
            str(args.seed),
            "--duration",
            str(args.duration),
            "--pairs",
            str(args.pairs),
        ],
        log,
    )
    data["serve"] = json.loads(serve.read_text(encoding="utf-8"))
    data["load_end"] = [round(x, 2) for x in os.getloadavg()]
    (args.out / f"serve-{args.scale}.json").write_text(json.dumps(data, indent=2), encoding="utf-8")
    section = render(data)
    print(section)
    if not args.no_results:
        _update_results(section, HERE / "RESULTS.md")
        print(f"wrote the serving section of {HERE / 'RESULTS.md'}")
    return 0
