"""The trust-graph viewer at 200 and 1,000 tenants in Chromium: first render, layout, pan frames.

Why a bench and not a test: a 1,000-tenant world takes a minute to build and the frame times
depend on the machine, so the suite only checks the M world's behaviour (tests/e2e/test_scale.py)
and this script measures. Each world is built into its own sqlite file, served by a real
`tenantgraph serve` process, and drawn by Debian's headless Chromium (software rendering, so the
figures are an upper bound for a desktop with a GPU). The pan is a real mouse drag across the
canvas; an in-page recorder takes every animation frame's timestamp, so frame time is what the
browser achieved, not what a script asked for. The M world (200 tenants) measured in the same
run is the baseline of the ratios.

    python -m bench.viewer_frames                 # M baseline and 1,000 tenants
    python -m bench.viewer_frames --tenants 500   # another size against the same baseline
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.generate import SCALES, Scale, generate
from bench.stats import environment, percentiles
from graphmodel.service import GraphService
from graphmodel.stores import open_store

__all__ = ["main"]

HERE = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
RECORD = """() => { window.__frames = []; window.__recording = true;
  const tick = (t) => { if (!window.__recording) return; window.__frames.push(t);
    requestAnimationFrame(tick); };
  requestAnimationFrame(tick); }"""
STOP = """() => { window.__recording = false; const f = window.__frames;
  return f.slice(1).map((t, i) => t - f[i]); }"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def build(scale: Scale, db: Path) -> dict[str, Any]:
    started = time.perf_counter()
    world = generate(scale, seed=7)
    store = open_store("memory", path=str(db))
    try:
        GraphService(store).load_world(world, source=f"bench.generate {scale.name}")
        edges = len(GraphService(store).trust_graph())
    finally:
        store.close()
    return {
        "tenants": len(world.tenants),
        "users": len(world.users),
        "trust_edges": edges,
        "build_s": round(time.perf_counter() - started, 1),
    }


def measure(db: Path, drags: int) -> dict[str, Any]:
    """Serve `db`, open the viewer, time the first render, then drag the canvas around."""
    from playwright.sync_api import sync_playwright

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    exe = Path(sys.executable).parent / "tenantgraph"
    server = subprocess.Popen(
        [str(exe), "serve", "--no-auth", "--db", str(db), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.3)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            page.set_default_timeout(180_000)
            started = time.perf_counter()
            page.goto(base + "/")
            page.wait_for_selector('[data-testid="graph"][data-rendered="true"]')
            first_render = time.perf_counter() - started
            data = page.evaluate("() => ({...document.getElementById('graph').dataset})")
            box = page.get_by_test_id("graph").bounding_box()
            assert box is not None
            cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
            page.wait_for_timeout(500)
            page.evaluate(RECORD)
            for i in range(drags):
                dx = 260 if i % 2 == 0 else -260
                page.mouse.move(cx, cy)
                page.mouse.down()
                page.mouse.move(cx + dx, cy + dx / 3, steps=40)
                page.mouse.up()
            frames_ms = page.evaluate(STOP)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    stats = percentiles([f / 1000 for f in frames_ms])
    frame_ms = {k: round(stats[f"{k}_us"] / 1000, 1) for k in ("p50", "p95", "p99", "max")}
    return {
        "first_render_s": round(first_render, 2),
        "fetch_ms": int(data.get("fetchMs", 0)),
        "layout_ms": int(data.get("layoutMs", 0)),
        "pairs_drawn": int(data.get("pairCount", 0)),
        "texture_on_viewport": data.get("textureOnViewport") == "true",
        "frames": len(frames_ms),
        "frame_ms": frame_ms,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.viewer_frames", description=__doc__)
    parser.add_argument("--tenants", type=int, default=1000)
    parser.add_argument("--users-per-tenant", type=int, default=100)
    parser.add_argument("--drags", type=int, default=6)
    parser.add_argument("--out", type=Path, default=HERE / "out" / "viewer_frames.json")
    args = parser.parse_args(argv)
    n = args.tenants
    big = Scale(f"T{n}", n * args.users_per_tenant, n * 10, n * 2, n)
    results: dict[str, Any] = {"environment": environment(), "load_start": os.getloadavg()[0]}
    with tempfile.TemporaryDirectory(prefix="tenantgraph-viewer-") as tmp:
        for label, scale in (("baseline_M", SCALES["M"]), (f"tenants_{n}", big)):
            db = Path(tmp) / f"{label}.db"
            print(f"== {label}: building", flush=True)
            results[label] = {**build(scale, db)}
            print(f"   {results[label]}", flush=True)
            results[label].update(measure(db, args.drags))
            print(f"   {json.dumps(results[label])}", flush=True)
    base, big_r = results["baseline_M"], results[f"tenants_{n}"]
    results["ratios_vs_M"] = {
        "first_render": round(big_r["first_render_s"] / base["first_render_s"], 2),
        **{
            f"frame_{k}": round(big_r["frame_ms"][k] / max(base["frame_ms"][k], 0.1), 2)
            for k in base["frame_ms"]
        },
    }
    results["load_end"] = os.getloadavg()[0]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2), encoding="utf-8")
    for label in ("baseline_M", f"tenants_{n}"):
        r = results[label]
        f = r["frame_ms"]
        print(
            f"{label:>14}: {r['tenants']} tenants, {r['trust_edges']} trust edges "
            f"({r['pairs_drawn']} pairs drawn); first render {r['first_render_s']} s "
            f"(fetch {r['fetch_ms']} ms, layout {r['layout_ms']} ms); pan frame time "
            f"p50 {f['p50']} ms, p95 {f['p95']} ms, p99 {f['p99']} ms over {r['frames']} frames"
        )
    print(f"ratios vs M: {results['ratios_vs_M']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
