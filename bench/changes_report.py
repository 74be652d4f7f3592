"""The "Changes" section of bench/RESULTS.md from `bench.probe_changes` results (issue 22).

    python -m bench.changes_report bench/out/changes-M.json bench/out/changes-L.json

Prints the table of targets (measured, goal, met) per scale and replaces the section between
`<!-- changes:begin -->` and `<!-- changes:end -->` in bench/RESULTS.md (appended when absent).
Results of `--store neo4j` runs replace only the Neo4j subsection at the section's end.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

__all__ = ["main", "rows"]

HERE = Path(__file__).resolve().parent
BEGIN, END = "<!-- changes:begin -->", "<!-- changes:end -->"
NEO_BEGIN, NEO_END = "<!-- changes-neo4j:begin -->", "<!-- changes-neo4j:end -->"
NEO_INTRO = (
    "The Neo4j store (`python -m bench.probe_changes M OUT --store neo4j`): the same "
    "one-object mutations through `GraphService.update_world` in process (no `serve`), on a "
    "private FalkorDB over Bolt (a Neo4j 5 when `NEO4J_URI` is set); the memory store's "
    "in-process figures of the same run beside them. Rows are node versions and "
    "relationships created or closed. A node's new version carries its relationships, so a "
    "member added to the largest group (tens of thousands of members at M) rewrites all of "
    "its membership edges: rows, time and bytes follow the degree of the nodes a change "
    "touches, which is why the median group is measured too. The memory store's targets are "
    "met by the median-group changes and missed by the largest group's (see the rows). "
    "L was not measured for the Neo4j store: FalkorDB's whole L write alone ran over an hour "
    "under this machine's load (issue 27 above).\n\n"
)


def _ms(us: float) -> str:
    return f"{us / 1000:,.1f} ms"


def rows(r: dict[str, Any]) -> list[tuple[str, str, str, bool]]:
    """(target, measured, goal, met) for one scale's result."""
    local, served = r["in_process"], r["served"]
    writes, during, before = (
        served["writes"],
        served["reads_during_writes"],
        served["reads_without_writes"],
    )
    seen = writes["all_workers_serve_it"]
    errors = writes["error_count"] + during["non2xx"] + during["socket_errors"]
    out = [
        (
            "one-object mutation committed, p50 (HTTP, readers running)",
            _ms(writes["commit"]["p50_us"]),
            "≤ 100 ms",
            writes["commit"]["p50_us"] <= 100_000,
        ),
        (
            "one-object mutation committed, p95",
            _ms(writes["commit"]["p95_us"]),
            "≤ 250 ms",
            writes["commit"]["p95_us"] <= 250_000,
        ),
        (
            "every worker answers the new snapshot, p95 (max)",
            f"{_ms(seen.get('p95_us', 0))} ({_ms(seen.get('max_us', 0))})",
            "≤ 1 s",
            seen.get("max_us", 1e12) <= 1_000_000 and writes["never_seen"] == 0,
        ),
        (
            "reads during the change stream, p99",
            f"{_ms(during['p99_us'])} (no writes: {_ms(before['p99_us'])})",
            "≤ 50 ms",
            during["p99_us"] <= 50_000,
        ),
        (
            "reads during the change stream, max",
            f"{_ms(during['max_us'])} (no writes: {_ms(before['max_us'])})",
            "≤ 250 ms",
            during["max_us"] <= 250_000,
        ),
        (
            "errors during the stream (writes, reads)",
            f"{writes['error_count']}, {during['non2xx'] + during['socket_errors']}",
            "0",
            errors == 0,
        ),
        (
            "store growth per one-object change (file; stored)",
            f"{served['file_growth_per_change']:,} B; {local['bytes_per_change']['mean']:,} B",
            "≤ 1 MB",
            served["file_growth_per_change"] <= 1_000_000,
        ),
        (
            "re-load with 0.1% of users changed",
            f"{local['reload_0_1pct_s']:.2f} s",
            "≤ 5 s",
            local["reload_0_1pct_s"] <= 5,
        ),
        (
            "its bytes / a whole snapshot's",
            f"{local['reload_share_of_whole'] * 100:.3f}% "
            f"({local['reload_bytes']:,} of {local['whole_bytes']:,} B)",
            "≤ 5%",
            local["reload_share_of_whole"] <= 0.05,
        ),
    ]
    return out


def _ratio(seconds: float, us: float) -> str:
    return f"{seconds * 1e6 / max(us, 1):,.0f}x"


def _neo4j_table(r: dict[str, Any]) -> str:
    """The Neo4j store's figures of a `--store neo4j` run, beside the memory store's."""
    neo, mem, counts = r["neo4j"], r["in_process"], r["counts"]
    rows_whole, commit, typ = neo["whole_rows"], neo["commit"], neo["commit_typical"]
    growth = neo.get("bytes_per_change")
    lines = [
        f"### Neo4j store, scale {r['scale']} ({counts['users']:,} users; {neo['server']}; "
        f"load average {r['load_before']:.1f} at the start)",
        "",
        "| figure | Neo4j store | memory store (same run) | goal (memory store) |",
        "|---|---|---|---|",
        f"| one-object mutation committed (largest group, {neo['group_members']:,} members), "
        f"p50 / p95 / p99 (in process) | "
        f"{_ms(commit['p50_us'])} / {_ms(commit['p95_us'])} / {_ms(commit['p99_us'])} | "
        f"{_ms(mem['commit']['p50_us'])} / {_ms(mem['commit']['p95_us'])} / "
        f"{_ms(mem['commit']['p99_us'])} | ≤ 100 ms p50, ≤ 250 ms p95 |",
        f"| the same on a group of median size ({neo['typical_group_members']:,} members), "
        f"p50 / p95 / p99 | {_ms(typ['p50_us'])} / {_ms(typ['p95_us'])} / "
        f"{_ms(typ['p99_us'])} | | |",
        f"| whole-World write (the baseline) | {neo['whole_write_s']:.2f} s | "
        f"{mem['whole_write_s']:.2f} s | |",
        f"| whole write / one change, p50 (largest group; median group) | "
        f"{_ratio(neo['whole_write_s'], commit['p50_us'])}; "
        f"{_ratio(neo['whole_write_s'], typ['p50_us'])} | "
        f"{_ratio(mem['whole_write_s'], mem['commit']['p50_us'])} | |",
        f"| rows per one-object change, largest group; median group / whole write | "
        f"{neo['rows_per_change']['mean']:,}; {neo['rows_per_change_typical']['mean']:,} / "
        f"{rows_whole:,} | | |",
        f"| store growth per one-object change (FalkorDB RDB dump, mean of both groups' "
        f"changes) / whole | "
        f"{'n/a' if growth is None else f'{growth:,} B'} / "
        f"{'n/a' if neo['whole_bytes'] is None else format(neo['whole_bytes'], ',') + ' B'} | "
        f"{mem['bytes_per_change']['mean']:,} B / {mem['whole_bytes']:,} B | ≤ 1 MB |",
        f"| re-load with 0.1% of users changed: time, rows (share of whole) | "
        f"{neo['reload_0_1pct_s']:.2f} s, {neo['reload_rows']:,} rows "
        f"({neo['reload_share_of_whole_rows'] * 100:.3f}%, as a {neo['reload_stored_as']}) | "
        f"{mem['reload_0_1pct_s']:.2f} s ({mem['reload_share_of_whole'] * 100:.3f}% of bytes) "
        f"| ≤ 5 s, ≤ 5% |",
        f"| another store reads the first snapshot after the changes / catches up to the "
        f"newest from it | {neo['read_first_s']:.2f} s / {neo['catch_up_s'] * 1000:,.1f} ms; "
        f"equal to the Worlds written: {neo['old_snapshot_equal'] and neo['caught_up_equal']} "
        f"| | |",
        "",
    ]
    return "\n".join(lines)


def _table(r: dict[str, Any]) -> str:
    local = r["in_process"]
    counts = r["counts"]
    lines = [
        f"### Scale {r['scale']} ({counts['users']:,} users, {counts['groups']:,} groups; "
        f"load average {r['load_before']:.1f} at the start)",
        "",
        "| target | measured | goal | met |",
        "|---|---|---|---|",
    ]
    lines += [f"| {t} | {m} | {g} | {'yes' if ok else 'NO'} |" for t, m, g, ok in rows(r)]
    lines += [
        "",
        f"Baselines of the same run: the whole-World write took {local['whole_write_s']:.2f} s "
        f"({local['whole_bytes']:,} B); a one-object change in process committed in "
        f"{_ms(local['commit']['p50_us'])} p50 / {_ms(local['commit']['p95_us'])} p95 and its "
        f"writer served it {_ms(local['writer_serves_it']['p50_us'])} p50 later (the index "
        f"evolved; building it from scratch took {local['index_from_scratch_s']:.2f} s: "
        f"{_ratio(local['index_from_scratch_s'], local['writer_serves_it']['p50_us'])}). "
        f"Commits over HTTP: {r['served']['writes']['changes']} in the stream.",
        "",
    ]
    return "\n".join(lines)


def _with_neo4j(text: str, body: str) -> str:
    """`text` with the Neo4j subsection of the Changes section replaced (or added at its end)."""
    block = f"{NEO_BEGIN}\n{NEO_INTRO}{body}{NEO_END}\n"
    if NEO_BEGIN in text and NEO_END in text:
        end = text.index(NEO_END) + len(NEO_END) + 1
        return text[: text.index(NEO_BEGIN)] + block + text[end:]
    if END not in text:
        raise SystemExit("bench/RESULTS.md has no Changes section to add the Neo4j figures to")
    return text.replace(END, block + "\n" + END)


def main(argv: list[str] | None = None) -> int:
    files = [Path(a) for a in (argv if argv is not None else sys.argv[1:])]
    results = [json.loads(f.read_text()) for f in files]
    results_md = HERE / "RESULTS.md"
    if results and all("neo4j" in r for r in results):
        body = "\n".join(_neo4j_table(r) for r in results)
        print(body)
        text = _with_neo4j(results_md.read_text(encoding="utf-8"), body)
        results_md.write_text(text, encoding="utf-8")
        return 0
    body = "\n".join(_table(r) for r in results)
    section = (
        f"{BEGIN}\n## Changes cost the size of the change "
        "(issue 22, `python -m bench.probe_changes`)\n\n"
        "Memory store, `serve --workers 2` on the file, `wrk` (2 connections, its own process) "
        "asking `access` over distinct pairs while this process sends one-object mutations "
        "(a member added to / removed from the largest group, at most 4 a second) over HTTP; "
        '"every worker": until each of the two workers says in `/healthz` that it serves the new '
        "snapshot.\n\n"
        f"{body}\n{END}"
    )
    print(section)
    text = results_md.read_text(encoding="utf-8")
    if BEGIN in text and END in text:
        text = text[: text.index(BEGIN)] + section + text[text.index(END) + len(END) :]
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    results_md.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
