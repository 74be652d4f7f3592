"""Two tables of RESULTS.md: the correctness cross-checks and the engine before/after.

Why apart from `bench.report`: both read many probes' JSON in their own shape; keeping them here
keeps the report module short and each table's reading of the JSON in one place.
"""

from __future__ import annotations

from typing import Any

__all__ = ["before_after", "crosschecks"]

Data = dict[str, Any]


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


def crosschecks(data: Data, scales: list[str]) -> list[str]:
    lines = [
        "| scale | engine vs naive (pairs agree / run) | engine paths found by naive | "
        "widest who-can-access = per-candidate | sampled resources agree | "
        "reachable agrees | snapshot lossless |",
        "|---|---|---|---|---|---|---|",
    ]
    for sc in scales:
        s = data["scales"].get(sc, {})
        n = _get(s, "engine", "naive") or {}
        x = _get(s, "engine", "reverse_crosscheck") or {}
        rc = _get(s, "engine", "reachable") or {}
        lossless = _get(s, "store-reopen", "lossless")
        missing = n.get("engine_paths_missing_in_naive")
        lines.append(
            f"| {sc} | {_fmt(n.get('agree'))} / {_fmt(n.get('pairs'))} | "
            f"{'all' if missing == 0 else _fmt(missing)} | "
            f"{_fmt(_get(s, 'engine', 'who', 'agree'))} | "
            f"{_fmt(x.get('agree'))} / {_fmt(x.get('resources'))} resources, "
            f"{_fmt(x.get('principals'))} principals | {_fmt(rc.get('agree'))} / "
            f"{_fmt(rc.get('principals'))} | "
            f"{_fmt(lossless) if lossless is not None else 'counts only'} |"
        )
    return lines


def before_after(data: Data, scales: list[str]) -> list[str]:
    have = [sc for sc in scales if "before" in data["scales"].get(sc, {})]
    if not have:
        return ["(No `--before` measurement in this run.)"]
    lines = [
        "| | " + " | ".join(f"{sc} before | {sc} after" for sc in have) + " |",
        "|---|" + "---:|" * (2 * len(have)),
    ]

    def pair(name: str, before: tuple[str, ...], after: tuple[str, ...], div: float = 1) -> None:
        cells = []
        for sc in have:
            s = data["scales"][sc]
            for keys in (before, after):
                v = _get(s, *keys)
                cells.append(_fmt(v / div if isinstance(v, int | float) else v, "", 2))
        lines.append(f"| {name} | " + " | ".join(cells) + " |")

    pair("index build (s)", ("before", "index_s"), ("build", "index_s"))
    pair("peak RSS, generate + index (MiB)", ("before", "peak_rss_mb"), ("build", "peak_rss_mb"))
    pair("check p50 (µs)", ("before", "check", "p50_us"), ("build", "check", "p50_us"))
    pair("check p95 (µs)", ("before", "check", "p95_us"), ("build", "check", "p95_us"))
    pair(
        "who-can-access widest, first page (ms)",
        ("engine", "who", "baseline_first_page_ms"),
        ("engine", "who", "warm_first_page_ms"),
    )
    pair(
        "who-can-access widest, full (ms)",
        ("engine", "who", "baseline_full_ms"),
        ("engine", "who", "warm_full_ms"),
    )
    pair(
        "reachable p50 (ms)",
        ("engine", "reachable", "baseline", "p50_us"),
        ("engine", "reachable", "reachable", "p50_us"),
        1000,
    )
    lines += [
        "",
        "Build and check rows: `bench.probe_build` run on both engines (same World, "
        "same workload). Reverse-lookup rows: the per-candidate `check` loop the engine used "
        "before (its `who_can_access` / `reachable`), measured in the same run as the "
        "batched lookup that replaced it.",
    ]
    return lines
