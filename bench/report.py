"""Turn `bench/out/*.json` into `bench/RESULTS.md` and PNG charts of latency vs scale.

Why generated: RESULTS.md must hold the numbers of an actual run, so every number comes from
the probes' JSON; the analysis of a missed target (`bench/_analysis.py`) is text written for
that target, filled with the run's numbers, and printed only when the run missed it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench._analysis import ANALYSIS
from bench._charts import draw_charts
from bench._tables import before_after, crosschecks

__all__ = ["headline_text", "load", "targets", "write"]

SCALES = ("S", "M", "L")
USERS = {"T": 1_500, "S": 10_000, "M": 100_000, "L": 1_000_000}
Data = dict[str, Any]


def load(out: Path) -> Data:
    """run.json plus, per scale, every probe's JSON that exists."""
    data: Data = {"run": {}, "scales": {}}
    run = out / "run.json"
    if run.exists():
        data["run"] = json.loads(run.read_text(encoding="utf-8"))
    for path in sorted(out.glob("*-*.json")):
        scale, _, probe = path.stem.partition("-")
        data["scales"].setdefault(scale, {})[probe] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _get(d: Data, *keys: str) -> Any:
    for k in keys:
        if not isinstance(d, dict) or k not in d:
            return None
        d = d[k]
    return d


def _fmt(x: Any, unit: str = "", digits: int = 1) -> str:
    if x is None:
        return "—"
    if isinstance(x, bool):
        return "yes" if x else "NO"
    if isinstance(x, float):
        x = round(x, digits)
    return f"{x:,}{unit}" if isinstance(x, int) else f"{x}{unit}"


def targets(data: Data, scale: str = "L") -> list[dict[str, Any]]:
    """Issue 8's targets at `scale`: measured value, goal, met or not, and by how much."""
    s = data["scales"].get(scale, {})
    rows: list[dict[str, Any]] = []

    def add(
        key: str, name: str, value: float | None, goal: float, unit: str, *, at_least: bool = False
    ) -> None:
        met = None if value is None else (value >= goal if at_least else value <= goal)
        by = None
        if value is not None and not met:
            by = f"{value / goal:.1f}x the goal" if not at_least else f"{goal / value:.1f}x short"
        rows.append(
            {
                "key": key,
                "name": name,
                "value": value,
                "goal": goal,
                "unit": unit,
                "met": met,
                "by": by,
                "at_least": at_least,
            }
        )

    add(
        "check_p95",
        "check with explanation, p95 (in-process)",
        _get(s, "engine", "check", "check", "p95_us"),
        100,
        " µs",
    )
    add(
        "naive_ratio",
        "check vs naive networkx baseline (p50 ratio, same pairs)",
        _get(s, "engine", "naive", "ratio_p50"),
        10,
        "x",
        at_least=True,
    )
    add(
        "who_first",
        "who-can-access widest app: first page (warm)",
        _get(s, "engine", "who", "warm_first_page_ms"),
        20,
        " ms",
    )
    add(
        "who_full",
        "who-can-access widest app: full stream (warm)",
        _get(s, "engine", "who", "warm_full_ms"),
        500,
        " ms",
    )
    add(
        "http_p95",
        "GraphQL `access` p95 at concurrency 8",
        _get(s, "http", "http", "p95_us") and _get(s, "http", "http", "p95_us") / 1000,
        5,
        " ms",
    )
    add("build", "index build (engine, from a World)", _get(s, "build", "index_s"), 60, " s")
    add(
        "rss",
        "peak RSS: World + engine index",
        _get(s, "build", "peak_rss_mb") and _get(s, "build", "peak_rss_mb") / 1024,
        6,
        " GiB",
    )
    add(
        "rss_store",
        "peak RSS: memory store reopened + engine index (a restarted server)",
        _get(s, "store-reopen", "peak_rss_mb") and _get(s, "store-reopen", "peak_rss_mb") / 1024,
        6,
        " GiB",
    )
    add(
        "reopen",
        "snapshot reopen (memory store, sqlite)",
        _get(s, "store-reopen", "reopen_s"),
        30,
        " s",
    )
    return rows


def headline_text(out: Path) -> str:
    data = load(out)
    scale = (
        "L"
        if "L" in data["scales"]
        else max(data["scales"], key=lambda k: USERS.get(k, 0), default="L")
    )
    lines = [f"| target (scale {scale}) | measured | goal | met |", "|---|---:|---:|:---:|"]
    for t in targets(data, scale):
        goal = ("≥ " if t["at_least"] else "≤ ") + f"{t['goal']}{t['unit']}"
        met = "—" if t["met"] is None else ("yes" if t["met"] else f"**no** ({t['by']})")
        lines.append(f"| {t['name']} | {_fmt(t['value'], t['unit'], 2)} | {goal} | {met} |")
    return "\n".join(lines)


def _row(
    name: str,
    data: Data,
    scales: list[str],
    *keys: str,
    unit: str = "",
    scale_by: float = 1.0,
    digits: int = 1,
) -> str:
    cells = []
    for sc in scales:
        v = _get(data["scales"].get(sc, {}), *keys)
        if isinstance(v, int | float) and not isinstance(v, bool) and scale_by != 1.0:
            v = v / scale_by
        cells.append(_fmt(v, unit, digits))
    return f"| {name} | " + " | ".join(cells) + " |"


def _by_scale(data: Data, scales: list[str]) -> list[str]:
    def r(name: str, *keys: str, digits: int = 1, scale_by: float = 1.0) -> str:
        return _row(name, data, scales, *keys, digits=digits, scale_by=scale_by)

    head = [
        "| | " + " | ".join(f"{sc} ({USERS.get(sc, 0):,} users)" for sc in scales) + " |",
        "|---|" + "---:|" * len(scales),
    ]
    return [
        *head,
        r("generate World (s)", "build", "generate_s"),
        r("index build (s)", "build", "index_s", digits=2),
        r("reverse data, largest tenant (s)", "build", "reverse_prepare_s", digits=2),
        r("peak RSS, generate + index (MiB)", "build", "peak_rss_mb", digits=0),
        r("check p50 (µs)", "engine", "check", "check", "p50_us"),
        r("check p95 (µs)", "engine", "check", "check", "p95_us"),
        r("check p99 (µs)", "engine", "check", "check", "p99_us"),
        r("check + render p95 (µs)", "engine", "check", "check_render", "p95_us"),
        r("naive p50 (µs)", "engine", "naive", "naive", "p50_us"),
        r("naive p95 (µs)", "engine", "naive", "naive", "p95_us"),
        r("naive p99 (µs)", "engine", "naive", "naive", "p99_us"),
        r("engine p50 beside naive (µs)", "engine", "naive", "engine", "p50_us"),
        r("naive / engine, p50", "engine", "naive", "ratio_p50"),
        r("naive / engine, p95", "engine", "naive", "ratio_p95"),
        r("naive pairs run (of planned)", "engine", "naive", "pairs"),
        r("naive graph build (s)", "engine", "naive", "graph_build_s"),
        r("who-can-access: principals", "engine", "who", "principals"),
        r("… first page, warm (ms)", "engine", "who", "warm_first_page_ms", digits=2),
        r("… full stream, warm (ms)", "engine", "who", "warm_full_ms"),
        r("… first page, cold (ms)", "engine", "who", "cold_first_page_ms"),
        r("… full stream, cold (ms)", "engine", "who", "cold_full_ms"),
        r("… full result kept in a list (ms)", "engine", "who", "full_as_list_ms"),
        r("… per-candidate check baseline (ms)", "engine", "who", "baseline_full_ms"),
        r("… baseline / batched", "engine", "who", "ratio_full"),
        r("reachable p50 (µs)", "engine", "reachable", "reachable", "p50_us"),
        r("reachable p95 (µs)", "engine", "reachable", "reachable", "p95_us"),
        r("reachable p99 (µs)", "engine", "reachable", "reachable", "p99_us"),
        r("reachable per-resource baseline p50 (µs)", "engine", "reachable", "baseline", "p50_us"),
        r("… baseline / batched, p50", "engine", "reachable", "ratio_p50"),
        r("invite by handle p50 (µs)", "engine", "invites", "handle", "p50_us"),
        r("invite by handle p95 (µs)", "engine", "invites", "handle", "p95_us"),
        r("invite by email p50 (µs)", "engine", "invites", "email", "p50_us"),
        r("invite by email p95 (µs)", "engine", "invites", "email", "p95_us"),
        r("snapshot write (s)", "store-write", "write_s"),
        r("snapshot file (MiB)", "store-write", "file_mb"),
        r("write peak RSS (MiB)", "store-write", "peak_rss_mb", digits=0),
        r("snapshot reopen (s)", "store-reopen", "reopen_s"),
        r("reopen + index peak RSS (MiB)", "store-reopen", "peak_rss_mb", digits=0),
        r(
            "refresh, nothing published, p50 (µs)",
            "store-reopen",
            "refresh_idle",
            "refresh",
            "p50_us",
        ),
        r(
            "refresh, nothing published, p99 (µs)",
            "store-reopen",
            "refresh_idle",
            "refresh",
            "p99_us",
        ),
        r("… / current_snapshot, p50", "store-reopen", "refresh_idle", "ratio_p50"),
        r("in-process `GraphService.check` p50 (µs)", "http", "in_process", "p50_us"),
        r("GraphQL `access` p50 (ms)", "http", "http", "p50_us", scale_by=1000, digits=2),
        r("GraphQL `access` p95 (ms)", "http", "http", "p95_us", scale_by=1000, digits=2),
        r("GraphQL requests/s (concurrency 8)", "http", "http", "requests_per_s"),
        r("HTTP / in-process, p50", "http", "overhead_p50"),
    ]


def write(out: Path, results: Path, charts: Path) -> Path:
    """Write RESULTS.md (and the charts) from the JSON in `out`; returns the path."""
    data = load(out)
    scales = [sc for sc in ("T", *SCALES) if sc in data["scales"]]
    run = data["run"]
    env = run.get("environment", {})
    charts.mkdir(parents=True, exist_ok=True)
    names = draw_charts(data, scales, charts)
    main = "L" if "L" in scales else (scales[-1] if scales else "L")
    lines = [
        "# tenantgraph benchmark results",
        "",
        "<!-- Generated by `python -m bench` (bench/report.py) from bench/out/*.json. -->",
        "",
        f"- **Command**: `make bench` → `{run.get('command', 'python -m bench')}`; seed "
        f"{run.get('seed', 7)}; started {run.get('started', '?')}; total "
        f"{run.get('seconds', '?')} s (per scale: "
        + ", ".join(f"{k} {v} s" for k, v in run.get("scale_seconds", {}).items())
        + ").",
        f"- **Code**: commit `{run.get('commit', '?')}`"
        + (" plus uncommitted changes (this work)" if run.get("dirty") else "")
        + ".",
        f"- **Machine**: {env.get('cpu', '?')}, {env.get('cores', '?')} cores, "
        f"{env.get('memory_gib', '?')} GiB; {env.get('platform', '?')}; Python "
        f"{env.get('python', '?')} ({env.get('implementation', '?')}), networkx "
        f"{env.get('networkx', '?')}. Load average at start {env.get('load_avg', '?')}, at end "
        f"{run.get('load_avg_end', '?')} — the machine was shared with other jobs, so tails "
        "(p99, max) are noisier than on an idle host.",
        "",
        f"## Targets (issue 8, measured at {main})",
        "",
        headline_text(out),
        "",
    ]
    missed = [t for t in targets(data, main) if t["met"] is False]
    if missed:
        lines += ["### Missed targets: by how much, why, what would reach them", ""]
        for t in missed:
            lines += [
                f"**{t['name']}** — {_fmt(t['value'], t['unit'], 2)} vs "
                f"{'≥' if t['at_least'] else '≤'} {t['goal']}{t['unit']} ({t['by']}).",
                "",
                ANALYSIS.get(t["key"], "").format(**_flat(data, main)).strip(),
                "",
            ]
    lines += [
        "## All numbers by scale",
        "",
        *_by_scale(data, scales),
        "",
        "## Correctness cross-checks (printed by every run)",
        "",
        *crosschecks(data, scales),
        "",
        ANALYSIS["method"].strip(),
        "",
    ]
    neo = _get(data["scales"].get("S", {}), "neo4j")
    lines += [
        "## Neo4j-protocol store beside the embedded store (S)",
        "",
        ANALYSIS["neo4j"].format(**_neo4j(neo)).strip()
        if neo and neo.get("neo4j")
        else f"Not measured in this run: {neo.get('error') if neo else 'probe skipped'}.",
        "",
        "## Charts",
        "",
    ]
    lines += [f"![{n}](charts/{n})" for n in names]
    lines += ["", ANALYSIS["notes"].strip(), "", *_run_log(run), ""]
    lines += ["", ANALYSIS["engine_changes"].strip(), "", *before_after(data, scales), ""]
    results.write_text("\n".join(lines), encoding="utf-8")
    return results


def _run_log(run: Data) -> list[str]:
    """Every probe of the run: how long it took and the machine's load around it."""
    steps = run.get("steps") or []
    if not steps:
        return []
    lines = [
        "### Run log (1-minute load average before / after each probe)",
        "",
        "| probe | scale | s | load before | load after | exit |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for st in steps:
        args = st.get("args", [])
        name = st["probe"] + (" (before)" if "--engine-root" in args else "")
        name += " (reopen)" if "--reopen" in args else ""
        lines.append(
            f"| {name} | {args[0] if args else '?'} | {st.get('seconds')} | "
            f"{st.get('load_start', '—')} | {st.get('load_end', '—')} | {st.get('exit')} |"
        )
    return lines


def _flat(data: Data, scale: str) -> dict[str, Any]:
    """Every number of a scale as `probe_key_subkey` for the analysis templates."""
    out: dict[str, Any] = {}

    def walk(prefix: str, d: Any) -> None:
        if isinstance(d, dict):
            for k, v in d.items():
                walk(f"{prefix}_{k}" if prefix else str(k), v)
        elif isinstance(d, float):
            out[prefix.replace("-", "_")] = round(d, 1)
        elif isinstance(d, int) and not isinstance(d, bool):
            out[prefix.replace("-", "_")] = f"{d:,}"
        elif isinstance(d, str | bool) or d is None:
            out[prefix.replace("-", "_")] = d

    walk("", data["scales"].get(scale, {}))
    return _Defaulting(out)


class _Defaulting(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "?"


def _neo4j(neo: Data) -> dict[str, Any]:
    flat: dict[str, Any] = _Defaulting()
    for side in ("memory", "neo4j"):
        for k, v in (neo.get(side) or {}).items():
            if isinstance(v, dict):
                for kk, vv in v.items():
                    flat[f"{side}_{k}_{kk}"] = vv
            else:
                flat[f"{side}_{k}"] = round(v, 3) if isinstance(v, float) else v
    flat["server"] = neo.get("server", "?")
    flat["agree"] = neo.get("answers_agree")
    return flat
