"""PNG charts of latency (and build cost) vs scale, drawn with matplotlib's Agg backend.

Why log-log: scales grow tenfold (10k, 100k, 1M users), and baselines sit one to three orders
of magnitude above the engine; a linear axis would flatten everything but the slowest line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

__all__ = ["draw_charts"]

USERS = {"T": 1_500, "S": 10_000, "M": 100_000, "L": 1_000_000}
Series = tuple[str, tuple[str, ...], float]  # label, key path, divisor to the chart's unit


def _value(data: dict[str, Any], scale: str, keys: tuple[str, ...]) -> float | None:
    d: Any = data["scales"].get(scale, {})
    for k in keys:
        if not isinstance(d, dict) or k not in d:
            return None
        d = d[k]
    return float(d) if isinstance(d, int | float) and not isinstance(d, bool) else None


def _chart(
    data: dict[str, Any],
    scales: list[str],
    path: Path,
    title: str,
    unit: str,
    series: list[Series],
    goal: float | None = None,
) -> bool:
    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=110)
    drawn = False
    for label, keys, div in series:
        points = [(USERS[s], v / div) for s in scales if (v := _value(data, s, keys)) is not None]
        if points:
            xs, ys = zip(*points, strict=True)
            ax.plot(xs, ys, marker="o", label=label)
            drawn = True
    if not drawn:
        plt.close(fig)
        return False
    if goal is not None:
        ax.axhline(goal, color="grey", linestyle="--", linewidth=1, label=f"target {goal} {unit}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("users in the world")
    ax.set_ylabel(unit)
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return True


def draw_charts(data: dict[str, Any], scales: list[str], out: Path) -> list[str]:
    """Draw every chart that has data; returns the file names written."""
    specs: list[tuple[str, str, str, list[Series], float | None]] = [
        (
            "check_latency.png",
            "check with explanation vs naive baseline",
            "µs",
            [
                ("engine check p50", ("engine", "check", "check", "p50_us"), 1),
                ("engine check p95", ("engine", "check", "check", "p95_us"), 1),
                ("naive all_simple_paths p50", ("engine", "naive", "naive", "p50_us"), 1),
                ("naive all_simple_paths p95", ("engine", "naive", "naive", "p95_us"), 1),
            ],
            100,
        ),
        (
            "who_can_access.png",
            "who-can-access, widest app",
            "ms",
            [
                ("first page (warm)", ("engine", "who", "warm_first_page_ms"), 1),
                ("full stream (warm)", ("engine", "who", "warm_full_ms"), 1),
                ("full stream (cold)", ("engine", "who", "cold_full_ms"), 1),
                ("per-candidate check baseline", ("engine", "who", "baseline_full_ms"), 1),
            ],
            500,
        ),
        (
            "reachable.png",
            "reachable resources per user",
            "ms",
            [
                ("batched p50", ("engine", "reachable", "reachable", "p50_us"), 1000),
                ("batched p95", ("engine", "reachable", "reachable", "p95_us"), 1000),
                ("per-resource check p50", ("engine", "reachable", "baseline", "p50_us"), 1000),
            ],
            None,
        ),
        (
            "build_and_store.png",
            "build, snapshot write and reopen",
            "s",
            [
                ("generate World", ("build", "generate_s"), 1),
                ("index build", ("build", "index_s"), 1),
                ("snapshot write (sqlite)", ("store-write", "write_s"), 1),
                ("snapshot reopen", ("store-reopen", "reopen_s"), 1),
            ],
            None,
        ),
        (
            "memory.png",
            "peak RSS",
            "MiB",
            [
                ("generate + index", ("build", "peak_rss_mb"), 1),
                ("snapshot write", ("store-write", "peak_rss_mb"), 1),
                ("reopen + index", ("store-reopen", "peak_rss_mb"), 1),
            ],
            6144,
        ),
        (
            "graphql_access.png",
            "GraphQL access (concurrency 8) vs in-process",
            "ms",
            [
                ("in-process p50", ("http", "in_process", "p50_us"), 1000),
                ("HTTP p50", ("http", "http", "p50_us"), 1000),
                ("HTTP p95", ("http", "http", "p95_us"), 1000),
            ],
            5,
        ),
    ]
    names = []
    for name, title, unit, series, goal in specs:
        if _chart(data, scales, out / name, title, unit, series, goal):
            names.append(name)
    return names
