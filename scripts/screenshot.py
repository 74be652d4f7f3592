#!/usr/bin/env python3
"""Take the README's picture: the viewer of `make run`'s demo answering one access question.

    .venv/bin/python scripts/screenshot.py [--out docs/img/viewer.png]

Starts `tenantgraph serve --no-auth --demo` on a free port over a throwaway store (what
`make run` serves), drives Debian's /usr/bin/chromium headless through Playwright, asks
`fabrikam/bob -> contoso/payroll` on the Access tab and saves the page at 1440 x 900.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
QUESTION = ("fabrikam/bob", "contoso/payroll")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "img" / "viewer.png")
    args = parser.parse_args()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        server = subprocess.Popen(
            [sys.executable, "-m", "graphmodel.cli", "serve", "--no-auth", "--demo", "--port",
             str(port), "--db", str(Path(tmp) / "demo.db"), "--log-level", "warning"],
            cwd=REPO, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 300
            while True:
                try:
                    if httpx.get(f"{base}/readyz", timeout=10).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    print("screenshot: the demo server did not come up", file=sys.stderr)
                    return 1
                time.sleep(0.3)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM,
                                            args=["--headless", "--no-sandbox", "--disable-gpu"])
                page = browser.new_page(viewport={"width": 1440, "height": 900})
                page.set_default_timeout(120_000)
                page.goto(base + "/")
                page.wait_for_selector('[data-testid="graph"][data-rendered="true"]')
                page.get_by_role("tab", name="Access", exact=True).click()
                page.get_by_label("Principal").fill(QUESTION[0])
                page.get_by_test_id("access-resource").fill(QUESTION[1])
                page.get_by_test_id("access-submit").click()
                page.wait_for_selector('[data-testid="access-decision"]')
                page.wait_for_timeout(1500)  # the fit animation
                args.out.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(args.out))
                browser.close()
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=60)
    print(f"screenshot: wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
