"""Fuzz the file parsers at scale: mutated world files and Graph exports, one forked child each.

    python -m bench.fuzz_files --cases 10000 --out bench/out/fuzz_files.json

Each case runs in a child forked from this process, under a `--hang` second alarm and a
`--mem-mb` address-space cap, so a hang, a crash and a memory blow-up are each counted apart
instead of ending the run. A case passes when it loads or is refused with `GraphModelError`; an
uncaught exception (MemoryError and RecursionError included) is a traceback. Peak memory per
case is the child's peak RSS (which starts at the parent's, printed as the baseline).
Generators: `tests.fuzz.cases` (the same the suite runs under hypothesis), seeded by case number.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

from bench.stats import peak_rss_mb, percentiles
from graphmodel.errors import GraphModelError
from graphmodel.ingest import load_world_file, load_world_text_with_warnings
from graphmodel.ingest.graph_export import export_world, import_export
from tests.fuzz.cases import mutate_export, mutate_world_text

REPO = Path(__file__).resolve().parent.parent
BASES = (REPO / "fixtures" / "demo.yaml", REPO / "tests" / "api" / "world.yaml")
_TRACEBACK = 3


def _child(kind: str, seed: int, export: Path, scratch: Path, hang: int, mem_mb: int) -> None:
    """Run case `seed` of `kind` and exit: 0 passed, 3 traceback (a hang dies by SIGALRM)."""
    resource.setrlimit(resource.RLIMIT_AS, (mem_mb << 20, mem_mb << 20))
    signal.alarm(hang)
    rng = random.Random(seed)
    try:
        if kind == "world":
            text = mutate_world_text(BASES[seed % len(BASES)].read_text(), rng)
            load_world_text_with_warnings(text, file=f"case-{seed}.yaml")
        else:
            copy = scratch / f"case-{seed}"
            shutil.copytree(export, copy)
            mutate_export(copy, rng)
            import_export(sorted(p for p in copy.iterdir() if p.is_dir()))
    except GraphModelError:
        pass
    except BaseException:
        traceback.print_exc()
        os._exit(_TRACEBACK)
    os._exit(0)


def run(
    cases: int, hang: int, mem_mb: int, kinds: tuple[str, ...], first: int, export_base: Path
) -> dict[str, Any]:
    scratch = Path(tempfile.mkdtemp(prefix="fuzz-files-"))
    export = scratch / "base"
    export_world(load_world_file(export_base), export)
    baseline = peak_rss_mb()
    outcome: dict[str, dict[str, Any]] = {}
    per_kind = cases // len(kinds)
    for kind in kinds:
        times: list[float] = []
        peaks: list[float] = []
        tracebacks: list[int] = []
        hangs: list[int] = []
        for i in range(first, first + per_kind):
            seed = i * 2 + (kind == "export")
            started = time.perf_counter()
            pid = os.fork()
            if pid == 0:
                _child(kind, seed, export, scratch, hang, mem_mb)
            _, status, usage = os.wait4(pid, 0)
            times.append(time.perf_counter() - started)
            peaks.append(usage.ru_maxrss / 1024)
            if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGALRM:
                hangs.append(seed)
            elif not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
                tracebacks.append(seed)
            shutil.rmtree(scratch / f"case-{seed}", ignore_errors=True)
            if len(times) % 250 == 0:  # progress, usable if the run is cut short
                print(
                    f"progress {kind} {len(times)}: tracebacks {len(tracebacks)} hangs "
                    f"{len(hangs)} max-time {max(times):.2f}s max-peak {max(peaks):.1f} MB",
                    flush=True,
                )
        outcome[kind] = {
            "cases": per_kind,
            "seeds": [first * 2, (first + per_kind) * 2],
            "tracebacks": len(tracebacks),
            "traceback_seeds": tracebacks[:20],
            "hangs": len(hangs),
            "hang_seeds": hangs[:20],
            "time": percentiles(times),
            "peak_rss_mb": {
                "p50": round(sorted(peaks)[len(peaks) // 2], 1),
                "p99": round(sorted(peaks)[int(len(peaks) * 0.99)], 1),
                "max": round(max(peaks), 1),
            },
        }
        print(kind, json.dumps(outcome[kind]), flush=True)
    shutil.rmtree(scratch, ignore_errors=True)
    return {
        "baseline_rss_mb": round(baseline, 1),
        "hang_s": hang,
        "mem_cap_mb": mem_mb,
        "export_base": export_base.name,
        **outcome,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--hang", type=int, default=10, help="seconds before a case is a hang")
    parser.add_argument("--mem-mb", type=int, default=2048, help="address-space cap per case")
    parser.add_argument("--kinds", default="world,export", help="world, export or both")
    parser.add_argument("--first", type=int, default=0, help="first case number (shards)")
    parser.add_argument(
        "--export-base", type=Path, default=BASES[0], help="the world whose export is mutated"
    )
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    kinds = tuple(args.kinds.split(","))
    result = run(args.cases, args.hang, args.mem_mb, kinds, args.first, args.export_base)
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")
    failed = sum(result[k]["tracebacks"] + result[k]["hangs"] for k in kinds)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
