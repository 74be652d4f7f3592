"""Every `cypher/**/*.cypher` file passes Neo4j's own parser and semantic analysis.

How to write tests here: nothing to add per statement; `tools/node/lint-cypher.mjs` lints each
file with `@neo4j-cypher/language-support` (installed by `make setup`), declaring the `$params`
of its header, and reports errors and warnings (deprecations included) as JSON.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.processes import patience, spawn, stop

REPO = Path(__file__).resolve().parents[4]
LINTER = REPO / "tools" / "node" / "lint-cypher.mjs"
PACKAGE = REPO / "tools" / "node" / "node_modules" / "@neo4j-cypher" / "language-support"
FILES = sorted((REPO / "cypher").rglob("*.cypher"))


def lint(*files: Path, workers: int = 2) -> tuple[int, dict[str, list[dict[str, object]]]]:
    """Run the linter over `files` (split across `workers` node processes); (rc, report)."""
    node = shutil.which("node")
    assert node, "node is not installed: Node.js 20+ is needed to lint cypher/ (see make setup)"
    assert PACKAGE.is_dir(), f"{PACKAGE} is missing: run `make setup` (npm ci in tools/node)"
    shares = [files[i::workers] for i in range(workers) if files[i::workers]]
    runs = [
        spawn(
            [node, str(LINTER), *map(str, share)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for share in shares
    ]
    rc, report = 0, {}
    try:
        for run in runs:
            out, err = run.communicate(timeout=patience(120))
            assert run.returncode in (0, 1), err
            rc = max(rc, run.returncode)
            report.update(json.loads(out))
    finally:
        for run in runs:
            stop(run)
    return rc, report


def test_every_cypher_file_is_valid_neo4j_cypher() -> None:
    assert len(FILES) >= 30
    rc, report = lint(*FILES)
    problems = {f: d for f, d in report.items() if d}
    assert (rc, problems) == (0, {})
    assert set(report) == {str(f) for f in FILES}


def test_the_linter_reports_errors_and_warnings(tmp_path: Path) -> None:
    bad = tmp_path / "bad.cypher"
    bad.write_text("// name: bad\n// params: $a\n// returns: y\nMATCH (n RETURN n.y AS y\n")
    old = tmp_path / "old.cypher"
    old.write_text("// name: old\n// params: none\n// returns: i\nMATCH (n) RETURN id(n) AS i\n")
    undeclared = tmp_path / "undeclared.cypher"
    undeclared.write_text("// name: u\n// params: none\n// returns: x\nRETURN $x AS x\n")
    rc, report = lint(bad, old, undeclared)
    assert rc == 1
    assert report[str(bad)][0]["severity"] == "error"
    assert report[str(old)][0]["severity"] == "warning"
    assert "Parameter $x is not defined" in str(report[str(undeclared)])


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(REPO / "cypher")))
def test_every_file_has_a_header(path: Path) -> None:
    head = path.read_text(encoding="utf-8").splitlines()[:3]
    assert [line.split(":", 1)[0] for line in head] == ["// name", "// params", "// returns"]
