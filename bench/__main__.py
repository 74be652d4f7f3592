"""`python -m bench` (`make bench`): every benchmark at every scale, then `bench/RESULTS.md`.

Each measurement runs in a fresh process (`bench.probe_*`), so peak RSS and cold timings belong
to one thing only; their JSON goes to `bench/out/`, and `bench.report` turns it into
`bench/RESULTS.md` and the charts in `bench/charts/`. Budgets (issue 8): S and M together
under 10 minutes, L under 30; the time each step took is printed and recorded.

    python -m bench                      # S, M and L, every probe
    python -m bench --scales S,M         # the quick run
    python -m bench --skip http,neo4j    # leave probes out
    python -m bench --report-only        # rewrite RESULTS.md from bench/out/
    python -m bench serve                # serving targets (issue 13): wrk against the server
    python -m bench audit                # audit at scale (issue 23): S and M, --scales S,M,L
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import report
from bench.stats import environment

__all__ = ["main"]

HERE = Path(__file__).resolve().parent
PROBES = ("build", "engine", "store", "http", "neo4j")


def _git(*args: str) -> str:
    try:
        return subprocess.run(
            ["git", *args], cwd=HERE.parent, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _probe(name: str, args: list[str], steps: list[dict[str, Any]]) -> bool:
    """Run `python -m bench.probe_<name> ARGS`; record its time and exit status."""
    started = time.perf_counter()
    load = round(os.getloadavg()[0], 2)  # other jobs on the machine skew tails: recorded
    print(f"== {name} {' '.join(args)}", flush=True)
    code = subprocess.run([sys.executable, "-m", f"bench.probe_{name}", *args], check=False)
    seconds = round(time.perf_counter() - started, 1)
    steps.append(
        {
            "probe": name,
            "args": args,
            "seconds": seconds,
            "exit": code.returncode,
            "load_start": load,
            "load_end": round(os.getloadavg()[0], 2),
        }
    )
    status = "ok" if code.returncode == 0 else f"FAILED (exit {code.returncode})"
    print(f"   {name}: {status} in {seconds}s", flush=True)
    return code.returncode == 0


def _old_engine(ref: str) -> Path:
    """`graphmodel/` as of git `ref`, extracted to a temporary directory (the repo untouched)."""
    root = Path(tempfile.mkdtemp(prefix="tenantgraph-before-"))
    archive = subprocess.run(
        ["git", "archive", ref, "graphmodel"], cwd=HERE.parent, capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(root)], input=archive, check=True)
    return root


def _run_scale(
    scale: str,
    seed: int,
    out: Path,
    skip: set[str],
    steps: list[dict[str, Any]],
    before: Path | None,
) -> None:
    s = str(seed)
    if "build" not in skip:
        _probe("build", [scale, str(out / f"{scale}-build.json"), "--seed", s], steps)
        if before is not None:
            _probe(
                "build",
                [
                    scale,
                    str(out / f"{scale}-before.json"),
                    "--seed",
                    s,
                    "--engine-root",
                    str(before),
                ],
                steps,
            )
    if "engine" not in skip:
        _probe("engine", [scale, str(out / f"{scale}-engine.json"), "--seed", s], steps)
    if "store" in skip and "http" in skip:
        return
    workdir = Path(tempfile.mkdtemp(prefix=f"tenantgraph-bench-{scale}-"))
    db = workdir / "snapshot.db"
    try:
        wrote = _probe(
            "store",
            [scale, str(out / f"{scale}-store-write.json"), "--db", str(db), "--seed", s],
            steps,
        )
        if wrote and "store" not in skip:
            _probe(
                "store",
                [
                    scale,
                    str(out / f"{scale}-store-reopen.json"),
                    "--db",
                    str(db),
                    "--seed",
                    s,
                    "--reopen",
                ],
                steps,
            )
        if wrote and "http" not in skip:
            _probe(
                "http",
                [scale, str(out / f"{scale}-http.json"), "--db", str(db), "--seed", s],
                steps,
            )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    args_in = sys.argv[1:] if argv is None else argv
    if args_in[:1] == ["audit"]:
        from bench import audit

        return audit.main(args_in[1:])
    if args_in[:1] == ["serve"]:
        from bench import serve

        return serve.main(args_in[1:])
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--scales", default="S,M,L", help="comma-separated (S,M,L; T = tiny)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--skip", default="", help=f"comma-separated probes: {','.join(PROBES)}")
    parser.add_argument("--report-only", action="store_true")
    parser.add_argument(
        "--before",
        metavar="GIT_REF",
        help="also measure the engine as of this commit (before/after table)",
    )
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    if not args.report_only:
        scales = [x.strip().upper() for x in args.scales.split(",") if x.strip()]
        skip = {x.strip() for x in args.skip.split(",") if x.strip()}
        started = time.perf_counter()
        steps: list[dict[str, Any]] = []
        run: dict[str, Any] = {
            "command": " ".join(["python -m bench", *(argv if argv is not None else sys.argv[1:])]),
            "started": datetime.now(UTC).isoformat(timespec="seconds"),
            "commit": _git("rev-parse", "--short", "HEAD"),
            "dirty": bool(_git("status", "--porcelain", "--untracked-files=no")),
            "environment": environment(),
            "scales": scales,
            "seed": args.seed,
            "steps": steps,
            "scale_seconds": {},
        }
        before = _old_engine(args.before) if args.before else None
        run["before"] = _git("rev-parse", "--short", args.before) if args.before else None
        for scale in scales:
            t0 = time.perf_counter()
            _run_scale(scale, args.seed, args.out, skip, steps, before)
            run["scale_seconds"][scale] = round(time.perf_counter() - t0, 1)
            print(f"== scale {scale} done in {run['scale_seconds'][scale]}s", flush=True)
        if "neo4j" not in skip and "S" in scales:
            _probe("neo4j", ["S", str(args.out / "S-neo4j.json"), "--seed", str(args.seed)], steps)
        if before is not None:
            shutil.rmtree(before, ignore_errors=True)
        run["seconds"] = round(time.perf_counter() - started, 1)
        run["load_avg_end"] = [round(x, 2) for x in os.getloadavg()]
        (args.out / "run.json").write_text(json.dumps(run, indent=2), encoding="utf-8")
    path = report.write(args.out, HERE / "RESULTS.md", HERE / "charts")
    print(f"wrote {path}")
    print(report.headline_text(args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
