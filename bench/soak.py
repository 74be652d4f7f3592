"""Soak: `--clients` concurrent clients for `--seconds` on loopback, mixed reads, a writer mid-run.

    python -m bench.soak --clients 200 --seconds 60 --out bench/out/soak.json

The server is `tenantgraph serve` over the demo world with its default hardening (rate limit
included); every client request carries one of `--clients` reader tokens, picked at random. The
load is `wrk` (Debian package; `make bench` installs it) in its own process, with
`bench/lua/mixed_reads.lua`: `viewer`, `access`, `whoCanAccess`, `users`, `trustGraph`,
`currentSnapshot`. A writer thread starts a third of the way in and, for a third of the run,
adds and removes a group member with an admin token (each write is a new snapshot the readers
then read). Errors are wrk's (connect, read, write, timeout, non-2xx) plus 2xx answers holding
GraphQL errors, plus failed writes; server RSS is read before and after.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from api.auth import Role
from bench.server_proc import Server, load_world
from bench.stats import percentiles

HERE = Path(__file__).resolve().parent
MUTATION = 'mutation { %s(group: "contoso/interns", member: "contoso/alice") { __typename } }'


def _writer(url: str, token: str, start_s: float, run_s: float, out: dict[str, Any]) -> None:
    time.sleep(start_s)
    times: list[float] = []
    errors: list[str] = []
    stop = time.monotonic() + run_s
    add = True
    with httpx.Client(base_url=url, headers={"authorization": f"Bearer {token}"}, timeout=60) as c:
        while time.monotonic() < stop:
            field = "addGroupMember" if add else "removeGroupMember"
            started = time.perf_counter()
            response = c.post("/graphql", json={"query": MUTATION % field})
            times.append(time.perf_counter() - started)
            body = response.json()
            if response.status_code != 200 or body.get("errors"):
                errors.append(json.dumps(body)[:300])
            add = not add
            time.sleep(0.2)
    out.update(writes=len(times), write_errors=len(errors), error_samples=errors[:3])
    out["write_time"] = percentiles(times)


def run(clients: int, seconds: int, threads: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "soak.db"
        load_world(db, HERE.parent / "fixtures" / "demo.yaml")
        server = Server(db).start(Path(tmp) / "server.log")
        try:
            tokens = Path(tmp) / "tokens.txt"
            tokens.write_text("\n".join(server.token(Role.READER) for _ in range(clients)) + "\n")
            admin = server.token(Role.ADMIN, "soak-writer")
            rss_before = server.rss_mb
            writes: dict[str, Any] = {}
            writer = threading.Thread(
                target=_writer, args=(server.url, admin, seconds / 3, seconds / 3, writes)
            )
            writer.start()
            done = subprocess.run(
                [
                    "wrk",
                    f"-t{threads}",
                    f"-c{clients}",
                    f"-d{seconds}s",
                    "--timeout",
                    "30s",
                    "-s",
                    str(HERE / "lua" / "mixed_reads.lua"),
                    f"{server.url}/graphql",
                ],
                capture_output=True,
                text=True,
                check=True,
                env={"SOAK_TOKENS": str(tokens), "PATH": "/usr/bin:/bin"},
            )
            writer.join()
            rss_after = server.rss_mb
            healthy = httpx.get(f"{server.url}/readyz", timeout=10).status_code == 200
        finally:
            server.stop()
    line = next(x for x in done.stdout.splitlines() if x.startswith("SOAK "))
    load = json.loads(line.removeprefix("SOAK "))
    errors = sum(load[k] for k in ("connect", "read", "write", "status", "timeout"))
    return {
        "clients": clients,
        "seconds": seconds,
        "requests": load["requests"],
        "requests_per_s": round(load["requests"] / (load["duration_us"] / 1e6), 1),
        "errors": errors + load["graphql_errors"] + writes.get("write_errors", 0),
        "wrk": load,
        "writer": writes,
        "ready_after": healthy,
        "server_rss_mb": {"before": round(rss_before, 1), "after": round(rss_after, 1)},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    result = run(args.clients, args.seconds, args.threads)
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")
    return 1 if result["errors"] or not result["ready_after"] else 0


if __name__ == "__main__":
    sys.exit(main())
