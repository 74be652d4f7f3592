"""Iterating the objects of one layout entry: a single response file or a paged collection.

Paging matters for correctness, not only for size: Microsoft's guidance is that a collection
whose last page still carries `@odata.nextLink` was not read to the end, and a member missing
from it must not become a "not a member" fact. Such a collection is reported, once, where the
dangling link is.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from graphmodel.ingest.graph_export.layout import collection_files
from graphmodel.ingest.graph_export.reader import FileMeta, Report, read_items
from graphmodel.ingest.graph_export.values import At

__all__ = ["iter_collection", "iter_file"]


def iter_file(
    path: Path, report: Report, meta: FileMeta | None = None
) -> Iterator[tuple[At, dict[str, Any]]]:
    """The objects of one response file (nothing when the file does not exist)."""
    if path.is_file():
        yield from _read(path, report, last=True, what=path.stem, meta=meta)


def iter_collection(folder: Path, base: str, report: Report) -> Iterator[tuple[At, dict[str, Any]]]:
    """The objects of every page file of collection `base`, first page first."""
    files = collection_files(folder, base)
    for i, path in enumerate(files):
        yield from _read(path, report, last=i == len(files) - 1, what=base)


def _read(
    path: Path, report: Report, *, last: bool, what: str, meta: FileMeta | None = None
) -> Iterator[tuple[At, dict[str, Any]]]:
    meta = meta if meta is not None else FileMeta()
    file = report.rel(path)
    for item in read_items(path, report, meta):
        yield At(report, file, item.loc), item.obj
    if last and meta.next_link:
        report.warn(
            "incomplete-collection",
            file,
            ("@odata.nextLink",),
            f"the last page of `{what}` still has `@odata.nextLink`, so the collection was not "
            "read to the end; objects missing from it are unknown, not absent",
        )
