"""Storage failures are coded answers (issue 29): a full disk, a read-only file system and a lock
held too long give `store-full` / `store-unavailable` with a sentence a person can act on, the
previous snapshot intact, and no traceback, in the CLI (`load`, `import`, `token create`) and in
the API (the mutation and the audit-log append).

How to write tests here: put every file of the store (database, tokens, audit log) on the small
file system `small_disk` mounts, and run the server and the CLI as separate processes
(`tests.api.processes`). The test is skipped, with the reason printed, only where a tmpfs cannot
be mounted (not root, no `mount`).
"""

from __future__ import annotations

import errno
import json
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.processes import serve, tenantgraph
from tests.api.support import WORLD

ADD = 'mutation { addGroupMember(group: "contoso/project", member: "carol") { snapshot { id } } }'
ACCESS = (
    '{ currentSnapshot { id } access(principal: "fabrikam/bob", resource: "contoso/wiki") '
    "{ decision } }"
)


def _mount(where: Path, *options: str) -> subprocess.CompletedProcess[str] | None:
    try:
        return subprocess.run(
            ["mount", *options, str(where)], capture_output=True, text=True, timeout=60, check=False
        )
    except FileNotFoundError:
        return None


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 16 MiB tmpfs of its own, unmounted after the test."""
    where = tmp_path / "disk"
    where.mkdir()
    done = _mount(where, "-t", "tmpfs", "-o", "size=16m", "tmpfs")
    if done is None or done.returncode != 0:
        reason = "cannot mount a 16 MiB tmpfs here: " + (
            "no `mount` command" if done is None else done.stderr.strip() or "mount failed"
        )
        print(reason)
        pytest.skip(reason)
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True, timeout=60, check=False)


def _fill(disk: Path) -> Path:
    """Write one file until the file system has no byte left."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        for size in (1 << 20, 1 << 12, 1):
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
    finally:
        os.close(fd)
    return filler


def _no_traceback(*texts: str) -> None:
    for text in texts:
        assert "Traceback" not in text and "database or disk is full" not in text, text


def test_a_full_disk_is_store_full_everywhere_and_the_snapshot_stays(small_disk: Path) -> None:
    db = small_disk / "x.db"
    tenantgraph("load", "--db", str(db), str(WORLD))
    token = tenantgraph("--db", str(db), "token", "create", "--role", "admin").stdout.strip()
    server = serve("--db", str(db), "--workers", "1")
    out = ""
    try:
        assert server.graphql(ADD, token=token)["data"]["addGroupMember"]["snapshot"]["id"] == 2
        filler = _fill(small_disk)

        response = server.post(ADD.replace("addGroupMember", "removeGroupMember"), token=token)
        assert response.status_code == 200
        errors = response.json()["errors"]
        assert {e["extensions"]["code"] for e in errors} == {"store-full"}
        assert "is full: nothing was written" in errors[0]["message"]
        assert any("audit log could not record this mutation" in e["message"] for e in errors)
        read = server.graphql(ACCESS, token=token)["data"]
        assert read["currentSnapshot"]["id"] == 2 and read["access"]["decision"] == "ALLOW"

        load = tenantgraph("load", "--db", str(db), str(WORLD), check=False)
        assert load.returncode == 3 and "store file" in load.stderr and "is full" in load.stderr
        created = tenantgraph("--db", str(db), "token", "create", "--role", "reader", check=False)
        assert created.returncode == 3 and "token file" in created.stderr
        assert "is full" in created.stderr and created.stdout == ""
        _no_traceback(response.text, load.stderr, created.stderr)

        filler.unlink()
        listed = tenantgraph("--db", str(db), "snapshots", "--json").stdout
        assert sorted(s["id"] for s in json.loads(listed)) == [1, 2]
        again = server.graphql(ADD.replace("addGroupMember", "removeGroupMember"), token=token)
        assert again["data"]["removeGroupMember"]["snapshot"]["id"] == 3
    finally:
        out = server.stop()
    _no_traceback(out)
    assert "was not recorded" in out  # one log line for the lost audit entry


def test_a_read_only_file_system_is_a_coded_refusal(small_disk: Path) -> None:
    db = small_disk / "x.db"
    tenantgraph("load", "--db", str(db), str(WORLD))
    done = _mount(small_disk, "-o", "remount,ro")
    assert done is not None and done.returncode == 0, done
    load = tenantgraph("load", "--db", str(db), str(WORLD), check=False)
    assert load.returncode == 3, load.stderr
    assert "store file" in load.stderr and "read-only" in load.stderr
    _no_traceback(load.stderr)


def test_a_lock_held_too_long_is_store_unavailable(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    tenantgraph("load", "--db", str(db), str(WORLD))
    holder = sqlite3.connect(db, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # another writer keeps the file locked
        load = tenantgraph("load", "--db", str(db), str(WORLD), check=False)
    finally:
        holder.close()
    assert load.returncode == 3
    assert "is locked by another writer" in load.stderr
    assert load.stderr.rstrip().endswith("(retry when the store is reachable)")
    _no_traceback(load.stderr)
    listed = tenantgraph("--db", str(db), "snapshots", "--json").stdout
    assert [s["id"] for s in json.loads(listed)] == [1]
