"""Writing a tenant folder safely: atomic file writes, and a working copy swapped in at the end.

Why a working copy: a collection that fails half-way (Graph unavailable, the process killed)
must leave the previous export and its delta state exactly as they were, or the next run would
ask Graph for changes since a token whose changes were only half applied. The copy is made of
hard links (cheap even for a 100k-user folder); every write replaces a file through a
temporary name (`write_json`), which breaks the link and never touches the original, and
deletions only unlink the copy. `commit` flushes the disks and swaps the folders by two renames;
a crash between them is repaired by the next `open` (the old folder is put back).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from pathlib import Path

__all__ = ["Staging", "write_json"]


def write_json(path: Path, body: object) -> None:
    """Write `body` as JSON to `path` via a temporary file and a rename (never in place)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(body, f, ensure_ascii=False)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:  # a file system without hard links: a real copy is still correct
        shutil.copy2(src, dst)


class Staging:
    """The working copy of tenant folder `out`: `.<name>.staging` next to it."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.work = out.parent / f".{out.name}.staging"
        self.old = out.parent / f".{out.name}.old"

    def open(self) -> Path:
        """A fresh working copy of `out` (empty when `out` does not exist yet)."""
        if not self.out.exists() and self.old.exists():
            os.rename(self.old, self.out)  # a crash between the two renames of `commit`
        shutil.rmtree(self.old, ignore_errors=True)
        shutil.rmtree(self.work, ignore_errors=True)
        self.out.parent.mkdir(parents=True, exist_ok=True)
        if self.out.exists():
            shutil.copytree(self.out, self.work, copy_function=_link_or_copy)
        else:
            self.work.mkdir()
        return self.work

    def commit(self) -> None:
        """Make the working copy the folder (the previous one is removed)."""
        os.sync()  # the files must be on disk before the rename publishes them
        if self.out.exists():
            os.rename(self.out, self.old)
        os.rename(self.work, self.out)
        shutil.rmtree(self.old, ignore_errors=True)

    def abort(self) -> None:
        """Drop the working copy; `out` stays as it was."""
        shutil.rmtree(self.work, ignore_errors=True)
