"""What a reader's `whatIf` costs the server, without and with the per-role change budget.

    python -m bench.whatif_cost --seconds 20 --out bench/out/whatif_cost.json

Two servers over the demo world, one after the other, each a process of its own on 127.0.0.1
with one worker and no rate limit: "uncapped" serves with limits that let a reader what-if any
number of changes (the behaviour before issue 29), "capped" with the default `Limits`. Against
each, with a reader token: one 24,000-change `whatIf` (0.95 MB, under the body limit) and one
of the largest a reader may send (`max_reader_changes` changes), timed from the client and in
server CPU (`/proc/PID/stat`); then `/healthz`, polled every 10 ms from another process, alone
for `--seconds` (the baseline of the same run), while four clients send the 24,000-change request
in a loop, and while four send the largest a reader may. Printed: p50/p95/p99 of every phase and
the ratio to the baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from api.auth import Role, TokenStore
from api.limits import Limits
from bench.fuzz_graphql import Healthz
from bench.server_proc import free_port, load_world
from bench.stats import percentiles

REPO = Path(__file__).resolve().parent.parent
WHAT_IF = "query($c: String!) { whatIf(changes: $c) { entities { ref } } }"
UNCAPPED = {"max_reader_changes": 10**9, "max_reader_change_chars": 10**9, "max_changes": 10**9,
            "max_complexity": 10**12}
_TICKS = os.sysconf("SC_CLK_TCK")


def change_set(n: int) -> str:
    ops = ("disableUser", "enableUser")
    return "changes:\n" + "".join(f"  - {ops[i % 2]}: {{user: contoso/alice}}\n" for i in range(n))


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS  # utime + stime


def _serve(db: str, tokens: str, port: str, limits: str) -> None:
    """The server process: `create_app` with the given limits (JSON) under uvicorn, with the
    GIL switch interval `tenantgraph serve` sets."""
    import uvicorn

    from api.app import create_app
    from api.auth import TokenAuth
    from api.serve_flags import SWITCH_INTERVAL_S
    from graphmodel.service import GraphService
    from graphmodel.stores import open_store

    sys.setswitchinterval(SWITCH_INTERVAL_S)
    app = create_app(
        lambda: GraphService(open_store("memory", path=db)),
        auth=TokenAuth(TokenStore(tokens)),
        limits=Limits(**json.loads(limits)),
    )
    uvicorn.run(app, host="127.0.0.1", port=int(port), log_level="warning")


class _Server:
    def __init__(self, db: Path, tokens: Path, limits: dict[str, Any]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bench.whatif_cost", "--serve", str(db), str(tokens),
             str(self.port), json.dumps(limits)],
            cwd=REPO, start_new_session=True,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/readyz", timeout=5).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("the server did not become ready")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, 15)
            self.proc.wait(timeout=60)


def _once(server: _Server, token: str, changes: str) -> dict[str, Any]:
    cpu = _cpu_s(server.proc.pid)
    started = time.perf_counter()
    with httpx.Client(timeout=300, headers={"authorization": f"Bearer {token}"}) as http:
        response = http.post(f"{server.url}/graphql", json={"query": WHAT_IF,
                                                            "variables": {"c": changes}})
    wall = time.perf_counter() - started
    codes = [e["extensions"]["code"] for e in response.json().get("errors", ())]
    return {"status": response.status_code, "codes": codes, "wall_s": round(wall, 3),
            "server_cpu_s": round(_cpu_s(server.proc.pid) - cpu, 2), "bytes": len(changes)}


def _healthz_while(server: _Server, token: str, changes: str, seconds: float) -> dict[str, Any]:
    stop = threading.Event()
    sent = [0]

    def client() -> None:
        with httpx.Client(timeout=300, headers={"authorization": f"Bearer {token}"}) as http:
            while not stop.is_set():
                http.post(f"{server.url}/graphql", json={"query": WHAT_IF,
                                                         "variables": {"c": changes}})
                sent[0] += 1

    poller = Healthz(server.url).start()
    clients = [threading.Thread(target=client) for _ in range(4)]
    cpu = _cpu_s(server.proc.pid)
    for c in clients:
        c.start()
    time.sleep(seconds)
    stop.set()
    samples, failures = poller.stop()
    for c in clients:
        c.join()
    return {**percentiles(samples), "failures": failures, "requests": sent[0],
            "server_cpu_s": round(_cpu_s(server.proc.pid) - cpu, 1)}


def _measure(db: Path, tokens: Path, token: str, limits: dict[str, Any], seconds: float
             ) -> dict[str, Any]:
    server = _Server(db, tokens, limits)
    try:
        big, allowed = change_set(24_000), change_set(Limits().max_reader_changes)
        _once(server, token, change_set(2))  # warm: index, parse lane, caches
        poller = Healthz(server.url).start()
        time.sleep(seconds)
        baseline, base_fail = poller.stop()
        base = percentiles(baseline)
        attack = _healthz_while(server, token, big, seconds)
        steady = _healthz_while(server, token, allowed, seconds)
        return {
            "whatif_24000": _once(server, token, big),
            "whatif_reader_max": _once(server, token, allowed),
            "healthz_baseline": {**base, "failures": base_fail},
            "healthz_4x_24000": attack,
            "healthz_4x_reader_max": steady,
            "healthz_p99_ratio_24000": round(attack["p99_us"] / base["p99_us"], 2),
            "healthz_p99_ratio_reader_max": round(steady["p99_us"] / base["p99_us"], 2),
        }
    finally:
        server.stop()


def run(seconds: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        db, tokens = Path(tmp) / "demo.db", Path(tmp) / "tokens.sqlite"
        load_world(db, REPO / "fixtures" / "demo.yaml")
        token = TokenStore(tokens).create(Role.READER, name="bench")[1]
        return {
            "load_average_before": os.getloadavg()[0],
            "uncapped": _measure(db, tokens, token, UNCAPPED, seconds),
            "capped": _measure(db, tokens, token, {}, seconds),
            "load_average_after": os.getloadavg()[0],
        }


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["--serve"]:
        _serve(*args[1:5])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--out", type=Path)
    parsed = parser.parse_args(args)
    text = json.dumps(run(parsed.seconds), indent=2)
    print(text)
    if parsed.out:
        parsed.out.parent.mkdir(parents=True, exist_ok=True)
        parsed.out.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
