"""Progress within one large file, as a user sees it on a real terminal (a pseudo-terminal).

`load` and `import` of a single large file must redraw one line with the bytes read so far,
the rate and an ETA while that file is read, not only when it is done. The files are made
here: the demo world with many more users (a world file, and a Graph export's users.json).
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import select
import struct
import subprocess
import termios
import uuid
from pathlib import Path

from tqdm import tqdm

from tests.support.processes import patience, spawn, stop
from tests.unit.cli.test_conventions import COMMAND, DEMO, REPO

USERS = 40_000
# tqdm's line: `read:  37%|███▋      | 334k/892k [00:00<00:01, 400kB/s]`
BAR = re.compile(
    r"(\d+)%\|[^|]*\| *([\d.]+[kMG]?)/([\d.]+[kMG]?) \[[\d:]+<([\d:]+|\?), *([\d.]+[kMG]?B/s)\]"
)


def on_a_terminal(*args: str) -> tuple[int, str, str]:
    """Run `tenantgraph ARGS` with stderr on a pseudo-terminal: (exit code, stdout, terminal)."""
    leader, follower = pty.openpty()
    # a terminal window of 120 x 40 (a new pseudo-terminal has 0 x 0: nothing fits)
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TENANTGRAPH_")}
    proc = spawn(
        [*COMMAND, *args],
        stdout=subprocess.PIPE,
        stderr=follower,
        cwd=REPO,
        env=clean,
    )
    os.close(follower)
    seen = bytearray()
    try:
        while True:
            ready, _, _ = select.select([leader], [], [], patience(60))
            if not ready:
                raise AssertionError(f"no terminal output for a long time: {seen[-400:]!r}")
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closed: the command ended
                break
            if not chunk:
                break
            seen += chunk
        out = proc.communicate(timeout=patience(60))[0]
    finally:
        stop(proc)
        os.close(leader)
    return proc.returncode, out.decode(), seen.decode(errors="replace")


def in_file_progress(terminal: str, label: str) -> list[tuple[int, str, str]]:
    """(percent, done, total) of every redraw of the `label` line strictly inside the file."""
    found = []
    for frame in re.split(r"[\r\n]", terminal):
        if frame.startswith(f"{label}:"):
            m = BAR.search(frame)
            if m and 0 < int(m[1]) < 100:
                found.append((int(m[1]), m[2], m[5]))
    return found


def big_world(tmp_path: Path) -> Path:
    """The demo world with `USERS` more members in contoso, as one world file."""
    text = DEMO.read_text("utf-8")
    anchor = "      users:\n"  # contoso's, the first tenant's
    assert anchor in text
    extra = "".join(f"        - extra{i}\n" for i in range(USERS))
    path = tmp_path / "big.yaml"
    path.write_text(text.replace(anchor, anchor + extra, 1), encoding="utf-8")
    return path


def test_load_shows_bytes_rate_and_eta_within_one_large_file(tmp_path: Path) -> None:
    world = big_world(tmp_path)
    size = world.stat().st_size
    code, out, terminal = on_a_terminal("load", str(world), "--db", str(tmp_path / "w.db"))
    assert code == 0, terminal
    assert out.startswith("snapshot 1 written: ")
    inside = in_file_progress(terminal, "read")
    assert len({percent for percent, _, _ in inside}) >= 2, terminal[-2000:]
    assert all(rate.endswith("B/s") for _, _, rate in inside)
    assert "\r" in terminal  # one line, redrawn in place
    shown = f"{tqdm.format_sizeof(size)}B"
    assert f"read: 1/1 files, {shown}/{shown} in " in terminal


def test_import_shows_bytes_rate_and_eta_within_one_large_users_file(tmp_path: Path) -> None:
    export = tmp_path / "export"
    made = subprocess.run(
        [*COMMAND, "export", "--format", "graph", "--world", str(DEMO), "--out", str(export)],
        capture_output=True,
        text=True,
        timeout=patience(120),
        cwd=REPO,
    )
    assert made.returncode == 0, made.stderr
    users = export / "contoso" / "users.json"
    body = json.loads(users.read_text("utf-8"))
    template = body["value"][0]
    for i in range(USERS):
        name = f"extra{i}"
        body["value"].append(
            {
                **template,
                "id": str(uuid.uuid5(uuid.NAMESPACE_URL, name)),
                "userPrincipalName": f"{name}@contoso.com",
                "displayName": name,
                "mailNickname": name,
                "mail": f"{name}@contoso.com",
                "identities": [],
            }
        )
    users.write_text(json.dumps(body), encoding="utf-8")
    code, out, terminal = on_a_terminal(
        "import", str(export), "--quiet", "--db", str(tmp_path / "i.db")
    )
    assert code == 0, terminal
    assert out.startswith("snapshot 1 written: ")
    inside = in_file_progress(terminal, "import")
    assert len({percent for percent, _, _ in inside}) >= 2, terminal[-2000:]
    files = sum(1 for _ in export.rglob("*.json"))
    assert f"import: {files}/{files} files, " in terminal


def test_off_a_terminal_the_byte_count_is_a_summary_line(tmp_path: Path) -> None:
    run = subprocess.run(
        [*COMMAND, "load", str(DEMO), "--db", str(tmp_path / "q.db")],
        capture_output=True,
        text=True,
        timeout=patience(120),
        cwd=REPO,
    )
    assert run.returncode == 0 and "\r" not in run.stderr
    shown = f"{tqdm.format_sizeof(DEMO.stat().st_size)}B"
    (summary,) = [line for line in run.stderr.splitlines() if line.startswith("read: ")]
    assert summary.startswith(f"read: 1/1 files, {shown}/{shown} in ")
    assert summary.endswith("B/s")
