"""The serving benchmark's load generator: Debian's `wrk` with `bench/wrk/report.lua`.

A real server (the demo world, authentication off) on 127.0.0.1 gets one second of load per
case; the probe must read wrk's JSON line and count every request as answered. No timings are
asserted.
"""

from __future__ import annotations

import json
from pathlib import Path

from bench.probe_http import QUERY
from bench.probe_serve import wrk
from graphmodel.ingest.scenario import load_scenario_file
from graphmodel.service import GraphService
from graphmodel.stores import open_store
from tests.api.support import LiveServer, NoAuth

DEMO = Path(__file__).resolve().parents[3] / "fixtures" / "demo.yaml"


def test_wrk_reports_percentiles_for_get_and_for_posted_bodies(tmp_path: Path) -> None:
    world, _ = load_scenario_file(DEMO)
    with open_store("memory", path=tmp_path / "demo.db") as store:
        GraphService(store).load_world(world, source="demo")
    server = LiveServer(tmp_path / "demo.db", NoAuth()).start()
    try:
        bodies = tmp_path / "bodies.jsonl"
        pairs = [("fabrikam/bob", "contoso/payroll"), ("litware/lena", "contoso/launch/partners")]
        bodies.write_text(
            "".join(
                json.dumps({"query": QUERY, "variables": {"p": p, "r": r}}) + "\n" for p, r in pairs
            ),
            encoding="utf-8",
        )
        health = wrk(server.url, "/healthz", None, 2, 1)
        access = wrk(server.url, "/graphql", bodies, 2, 1)
    finally:
        server.stop()
    for result in (health, access):
        assert result["requests"] > 0 and result["non2xx"] == 0 and result["socket_errors"] == 0
        assert result["p50_us"] <= result["p95_us"] <= result["p99_us"] <= result["max_us"]
        assert result["concurrency"] == 2
    assert server.app.state.fast_lane.answered >= access["requests"]
