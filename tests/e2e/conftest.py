"""Fixtures of the browser tests: a real `tenantgraph serve --no-auth --demo` subprocess on a free
port with its own database, Debian's Chromium driven by Playwright, and a fresh page per test.

How to write tests here: ask the API (`server.api(...)`) for the expected answer and compare the
page with it, never with literals. Chromium is only ever `/usr/bin/chromium` through
`executable_path` (Playwright's own browser downloads cannot work in CI).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.processes import answers, patience, spawn, stop, wait_until

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Playwright's wait deadline: a wait ends as soon as its condition holds, so a generous,
# load-scaled deadline only matters on a busy machine, where 20 s was not enough.
TIMEOUT_MS = int(patience(20) * 1000)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def tenantgraph(*args: str) -> list[str]:
    """The command line running `tenantgraph ARGS` with this interpreter's install."""
    exe = Path(sys.executable).parent / "tenantgraph"
    main = "import sys; from graphmodel.cli import main; sys.exit(main())"
    return [*([str(exe)] if exe.exists() else [sys.executable, "-c", main]), *args]


class Server:
    """The running server: its base URL, its database file and a GraphQL helper."""

    def __init__(self, base: str, db: Path) -> None:
        self.base = base
        self.db = db

    def api(self, query: str, **variables: Any) -> dict[str, Any]:
        body = {"query": query, "variables": variables}
        answer = httpx.post(f"{self.base}/graphql", json=body, timeout=120).json()
        assert not answer.get("errors"), answer["errors"]
        data: dict[str, Any] = answer["data"]
        return data


@contextlib.contextmanager
def running_server(db: Path, *options: str, env: dict[str, str] | None = None) -> Iterator[Server]:
    """`tenantgraph serve --demo` on a free port until the block ends; fails with its log.

    The server runs in its own process group and is waited for with a load-scaled deadline
    (`tests.support.processes`); the group (workers included) is stopped even when a test fails.
    """
    log = (db.parent / f"{db.stem}.server.log").open("w+", encoding="utf-8")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    args = ["serve", "--demo", "--port", str(port), "--db", str(db), "--log-level", "warning"]
    proc = spawn(
        tenantgraph(*args, *options),
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
    )
    try:
        try:
            took = wait_until(
                answers(f"{base}/healthz"), what="the server did not answer /healthz", proc=proc
            )
        except AssertionError as exc:
            log.seek(0)
            pytest.fail(f"{exc}\n{log.read()}")
        print(f"server ready in {took:.1f}s at {base}")
        yield Server(base, db)
    finally:
        stop(proc, grace=15)
        log.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The demo world served without authentication (what `make run` does)."""
    with running_server(tmp_path_factory.mktemp("viewer") / "demo.db", "--no-auth") as s:
        yield s


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any, server: Server) -> Iterator[Any]:
    """The viewer, loaded and drawn; fails the test if the page logs an error."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.goto(server.base + "/")
    pg.wait_for_selector('[data-testid="graph"][data-rendered="true"]')
    yield pg
    context.close()
    assert not errors, f"the page logged errors: {errors}"


def shoot(page: Any, name: str) -> Path:
    """Save a screenshot under test-artifacts/ (after the fit animation settles)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.wait_for_timeout(400)
    page.screenshot(path=str(path))
    assert path.stat().st_size > 10_000, "the screenshot is (nearly) empty"
    return path


# The words (runs of letters and digits) inside the elements matching a selector that the
# browser drew on more than one line: an id cut mid-word shows up here.
SPLIT_WORDS_JS = """(selector) => {
  const split = [];
  for (const cell of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const m of node.data.matchAll(/[A-Za-z0-9]+/g)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
        if (lines.size > 1) split.push(m[0]);
      }
    }
  }
  return split;
}"""


def split_words(page: Any, selector: str) -> list[str]:
    """Words inside `selector` that wrap onto a second line (see `SPLIT_WORDS_JS`)."""
    found: list[str] = page.evaluate(SPLIT_WORDS_JS, selector)
    return found
