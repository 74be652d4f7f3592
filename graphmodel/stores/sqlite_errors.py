"""sqlite's exceptions as the store errors of `graphmodel.errors`, for every sqlite file we keep.

Why one mapping: the memory store, the audit file, the API's token file and its mutation log
are all sqlite, and a full disk, a read-only file or a lock held too long must read the same
wherever it happens: a coded error (`store-full`, `store-unavailable`) with a sentence a person
can act on, never sqlite's bare text or a traceback. sqlite reports a full disk as
`SQLITE_FULL`, but in WAL mode often as a generic `SQLITE_IOERR` ("disk I/O error"); an I/O
error on a file system with no space left is taken for a full disk. Likewise a file it "cannot
open" that is not writable is a read-only file (or file system).

Examples
--------
>>> import sqlite3
>>> try:
...     with map_sqlite_errors("x.db"):
...         sqlite3.connect(":memory:").execute("SELECT * FROM nowhere")
... except StoreUnavailable as exc:
...     print(exc.code, exc)
store-unavailable store file `x.db` is unavailable: no such table: nowhere
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from graphmodel.errors import Conflict, StoreError, StoreFull, StoreIncompatible, StoreUnavailable

__all__ = ["map_sqlite_errors", "sqlite_error"]

# sqlite's primary result codes (the low byte of `sqlite_errorcode`).
_BUSY, _LOCKED, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _NOTADB = 5, 6, 8, 10, 11, 13, 14, 26
_LOW_SPACE = 64 << 10  # bytes free below which an I/O error is a full disk


def sqlite_error(exc: sqlite3.Error, name: str, *, what: str = "store file") -> StoreError:
    """The store error for `exc`, raised on the sqlite file `name` (`what` says which file)."""
    code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
    where = f"{what} `{name}`"
    if code == _FULL or (code == _IOERR and _disk_full(name)):
        return StoreFull(
            f"the disk holding {where} is full: nothing was written and what was stored before "
            "is intact; free space and retry"
        )
    if code == _READONLY or (code == _CANTOPEN and _read_only(name)):
        refused = StoreUnavailable(
            f"{where} cannot be written, it or its folder is read-only: nothing was written; "
            "check the permissions and the file system"
        )
        refused.retryable = False  # not as it is: someone must change the permissions
        return refused
    if code in (_BUSY, _LOCKED):
        return StoreUnavailable(f"{where} is locked by another writer: {exc}")
    if code in (_CORRUPT, _NOTADB):
        return StoreIncompatible(f"{where} cannot be read: {exc}")
    if code == _CANTOPEN:
        return StoreUnavailable(f"{where} cannot be opened: {exc}")
    if isinstance(exc, sqlite3.IntegrityError):
        return Conflict(f"{where} refused the write: {exc}")
    if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError):
        return StoreIncompatible(f"{where} cannot be read: {exc}")
    return StoreUnavailable(f"{where} is unavailable: {exc}")


@contextmanager
def map_sqlite_errors(name: str, *, what: str = "store file") -> Iterator[None]:
    """Raise `sqlite_error(...)` from any sqlite exception inside the block (P8)."""
    try:
        yield
    except sqlite3.Error as exc:
        raise sqlite_error(exc, name, what=what) from exc


def _read_only(name: str) -> bool:
    """Whether the file `name`, or the folder it lives in, cannot be written (a read-only
    file system; sqlite in WAL mode then cannot even open the file)."""
    path = Path(name)
    if name == ":memory:" or not path.exists():
        return False
    return not (os.access(path, os.W_OK) and os.access(path.resolve().parent, os.W_OK))


def _disk_full(name: str) -> bool:
    """Whether the file system holding `name` has (next to) no space left."""
    folder = Path(name).resolve().parent if name != ":memory:" else Path.cwd()
    try:
        stat = os.statvfs(folder)
    except OSError:
        return False
    return stat.f_bavail * stat.f_frsize < _LOW_SPACE
