"""`pip install .` gives a wheel that serves: viewer assets, Cypher files, the demo world inside.

Built as `pip install .` builds it (an isolated build environment with the setuptools that
pyproject.toml asks for) from a copy of the sources, so no `build/` lands in the checkout;
installed with `--no-deps` into a fresh venv whose dependencies come from this venv's
site-packages (a path entry, so this venv's editable install of the checkout is not seen).
Then `tenantgraph serve --demo` from that venv, run outside the checkout, answers /healthz,
/graphql and a viewer file.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import httpx
import pytest

from tests.support.processes import answers, free_port, spawn, stop, wait_until

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def run(*cmd: str, cwd: Path) -> str:
    done = subprocess.run(
        cmd, cwd=cwd, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, f"{' '.join(cmd)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def repo_files(package: str, suffix: str) -> set[str]:
    root = REPO / package
    return {
        p.relative_to(REPO).as_posix()
        for p in root.rglob(f"*{suffix}")
        if "__pycache__" not in p.parts
    }


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    for package in ("graphmodel", "api", "cypher", "fixtures"):
        shutil.copytree(
            REPO / package, source / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    out = tmp_path_factory.mktemp("dist")
    run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "-w",
        str(out),
        ".",
        cwd=source,
    )
    [built] = out.glob("tenantgraph-*.whl")
    return built


def test_the_wheel_carries_viewer_assets_cypher_and_the_demo(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for package, suffix in (("api/static", ""), ("cypher", ".cypher"), ("fixtures", ".yaml")):
        expected = {f for f in repo_files(package, suffix) if Path(REPO / f).is_file()}
        assert expected and expected <= names, sorted(expected - names)[:10]
    assert "api/static/signin.js" in names and "api/py.typed" in names


def test_serve_demo_from_a_fresh_venv(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    purelib = Path(
        sysconfig.get_paths(vars={"base": str(env_dir), "platbase": str(env_dir)})["purelib"]
    )
    (purelib / "deps-from-test-venv.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    run(sys.executable, "-m", "pip", "--python", str(env_dir / "bin" / "python"), "install",
        "--no-deps", str(wheel), cwd=tmp_path)  # fmt: skip
    imports = "import api, cypher; print(api.__file__); print(cypher.__file__)"
    where = run(str(env_dir / "bin" / "python"), "-c", imports, cwd=tmp_path)
    assert all(line.startswith(str(env_dir)) for line in where.split()), where

    port = free_port()
    log = (tmp_path / "serve.log").open("w+")
    proc = spawn(
        [str(env_dir / "bin" / "tenantgraph"), "serve", "--demo", "--no-auth", "--db", "demo.db",
         "--port", str(port), "--workers", "1"],
        cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(answers(f"{base}/healthz"), what="serve from the wheel did not come up",
                   proc=proc)
        query = "{ currentSnapshot { id } tenants { nodes { name } } }"
        data = httpx.post(f"{base}/graphql", json={"query": query}, timeout=60).json()["data"]
        assert data["currentSnapshot"]["id"] == 1 and len(data["tenants"]["nodes"]) > 1
        viewer = httpx.get(f"{base}/static/viewer.js", timeout=60)
        assert viewer.status_code == 200 and "trust-graph viewer" in viewer.text
    finally:
        stop(proc, grace=60)
        log.close()
