"""The README as a newcomer follows it: the tour's console output is what a fresh clone prints.

`make run`'s own command (read from the Makefile) serves the demo over a new store in an empty
folder, as in a fresh clone; then every `$ tenantgraph ...` line of the README's ```console
blocks runs there, in its own process, and must print exactly the lines that follow it. Also:
every page of docs/ is linked from the README exactly once, and the permissions the tenant
walkthrough lists are exactly the ones the collector asks for.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from graphmodel.ingest.collector import ALL_PERMISSIONS
from tests.support.processes import answers, free_port, patience, spawn, stop, wait_until

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
CLI = [sys.executable, "-c", "import sys; from graphmodel.cli import main; sys.exit(main())"]
CONSOLE = re.compile(r"```console\n(.*?)```", re.S)


def tour() -> list[tuple[str, str]]:
    """(command, expected output) for every `$ ` line of the README's console blocks."""
    steps: list[tuple[str, list[str]]] = []
    for block in CONSOLE.findall(README.read_text("utf-8")):
        lines = block.rstrip("\n").split("\n")
        assert lines[0].startswith("$ "), f"a console block starts with a command: {lines[0]}"
        for line in lines:
            if line.startswith("$ "):
                steps.append((line[2:], []))
            else:
                steps[-1][1].append(line)
    return [(command, "\n".join(out)) for command, out in steps]


def make_run_arguments(port: int) -> list[str]:
    """`make run`'s tenantgraph arguments, from the Makefile, on `port` instead of 8000."""
    recipe = re.search(r"^run: .*\n\t\$\(BIN\)/tenantgraph (.+)$", (REPO / "Makefile").read_text(),
                       re.M)
    assert recipe, "the Makefile has no `run` target calling tenantgraph"
    args = shlex.split(recipe.group(1))
    args[args.index("--port") + 1] = str(port)
    return args


@pytest.fixture(scope="module")
def fresh_clone(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """An empty folder where `make run`'s server runs (its store: ./tenantgraph.db there)."""
    folder = tmp_path_factory.mktemp("clone")
    port = free_port()
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TENANTGRAPH_")}
    server = spawn([*CLI, *make_run_arguments(port)], cwd=folder, env=clean,
                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_until(answers(f"http://127.0.0.1:{port}/readyz"), what="make run's server",
                   proc=server)
        yield folder
    finally:
        said = stop(server)
    assert "demo: loaded fixtures/demo.yaml" in said and "as snapshot 1" in said


def test_the_readme_has_a_tour() -> None:
    commands = [command for command, _ in tour()]
    assert len(commands) >= 5
    assert all(c.startswith("tenantgraph ") for c in commands), commands


@pytest.mark.parametrize(("command", "expected"), tour(), ids=[c for c, _ in tour()])
def test_the_tour_prints_what_the_readme_shows(
    fresh_clone: Path, command: str, expected: str
) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TENANTGRAPH_")}
    run = subprocess.run(
        [*CLI, *shlex.split(command)[1:]],
        cwd=fresh_clone,
        env=clean,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=patience(120),
    )
    assert run.stdout.rstrip("\n") == expected


def test_every_doc_is_linked_from_the_readme_once() -> None:
    text = README.read_text("utf-8")
    links = re.findall(r"\]\(([^)#]+?)\)", text)
    for link in links:
        if not link.startswith("http"):
            assert (REPO / link).exists(), f"README links a missing file: {link}"
    docs = sorted(p.relative_to(REPO).as_posix() for p in (REPO / "docs").glob("*.md"))
    assert [d for d in docs if links.count(d) != 1] == [], "link each doc exactly once"


def test_the_tenant_walkthrough_lists_every_permission_the_collector_needs() -> None:
    text = (REPO / "docs" / "connect-your-tenant.md").read_text("utf-8")
    listed = re.findall(r"^\| `([A-Za-z.]+)` \|", text, re.M)
    assert sorted(listed) == sorted(ALL_PERMISSIONS)
    assert len(listed) == len(set(listed)) == 20 and "Twenty permissions" in text
