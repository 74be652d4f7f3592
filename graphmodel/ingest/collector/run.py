"""One collection run: writing response files, batching reads, and keeping score of failures.

Shared by the orchestration (`collect`) and the per-object reads (`relationships`). Every file
goes through `staging.write_json` (a new file renamed into place), so a run working on a
hard-linked copy of the previous export never alters the original. A failure is sorted once:
a 403 becomes a missing permission (reported together at the end), a 400/404 of an optional
endpoint means the feature is absent from the tenant, anything else leaves the export
incomplete.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from graphmodel.ingest.collector.endpoints import Endpoint
from graphmodel.ingest.collector.errors import GraphRequestFailed, MissingPermissions
from graphmodel.ingest.collector.graph import GraphClient, SubResponse, sub_failure
from graphmodel.ingest.collector.permissions import AUDIT_LOG, endpoint_of, required_permission
from graphmodel.ingest.collector.staging import write_json
from graphmodel.ingest.graph_export import layout as L
from graphmodel.ingest.graph_export.files import iter_collection, iter_file
from graphmodel.ingest.graph_export.reader import Report

__all__ = ["CollectResult", "CollectRun", "merge_pages"]

_SAFE = ",/()=$:'"  # left as they are in a batched URL's query


@dataclass(slots=True)
class CollectResult:
    folder: Path
    files: int = 0
    skipped: list[str] = field(default_factory=list)  # failed: the export is incomplete
    absent: list[str] = field(default_factory=list)  # optional features this tenant lacks
    missing: list[tuple[str, str]] = field(default_factory=list)
    rounds: dict[str, str] = field(default_factory=dict)  # delta resource -> what was done


class CollectRun:
    def __init__(self, client: GraphClient, out: Path, notify: Callable[[str], None],
                 result: CollectResult) -> None:
        self.client, self.out, self.notify, self.result = client, out, notify, result
        self.report = Report()  # reading back what was written; problems surface at import

    def write(self, rel: str, body: dict[str, Any]) -> None:
        write_json(self.out / rel, body)
        self.wrote()

    def wrote(self) -> None:
        """Count a file written (by `write` or by a delta round's merge)."""
        self.result.files += 1

    def failed(self, url: str, exc: Exception, *, optional: bool) -> None:
        what = endpoint_of(url, generic=True)
        if isinstance(exc, MissingPermissions):
            for needed in exc.missing or ((required_permission(url), what),):
                self._missing(needed)
            return
        if optional:
            self.result.absent.append(what)
            self.notify(f"skipped `{what}` (not available in this tenant): {exc}")
        else:
            self.result.skipped.append(what)
            self.notify(f"skipped `{what}`, so the export is incomplete: {exc}")

    def _missing(self, needed: tuple[str, str]) -> None:
        if needed in self.result.missing:
            return
        self.result.missing.append(needed)
        licence = " and a Microsoft Entra ID P1 or P2 licence" if needed[0] == AUDIT_LOG else ""
        self.notify(f"no permission for `{needed[1]}` (needs `{needed[0]}`{licence}); continuing")

    def endpoint(self, ep: Endpoint) -> None:
        """Read `ep` on its own (following every nextLink) and write its file(s)."""
        try:
            pages = self.client.pages(ep.path, ep.params, version=ep.version)
            if ep.paged:
                n = count = 0
                for n, page in enumerate(pages, start=1):
                    self.write(L.page_file(ep.file, n), page)
                    count += len(page.get("value") or [])
                for stale in L.collection_files(self.out, ep.file)[n:]:
                    stale.unlink()  # pages of an earlier, longer read of the same folder
                self.notify(f"collected `{ep.path}`: {count} objects in {n} page(s)")
            else:
                self.write(ep.file, merge_pages(list(pages)))
        except (MissingPermissions, GraphRequestFailed) as exc:
            self.failed(self.client.url(ep.path, ep.version), exc, optional=ep.optional)

    def batch_endpoints(self, endpoints: list[Endpoint]) -> None:
        """Read single-file endpoints through `$batch` (one batch per API version)."""
        for version in dict.fromkeys(ep.version for ep in endpoints):
            eps = [ep for ep in endpoints if ep.version == version]
            paths = [ep.path + _query(ep.params) for ep in eps]
            for ep, path, sub in zip(eps, paths, self.client.batch(paths, version=version),
                                     strict=True):
                url = self.client.url(path, version)
                if sub.status == 200:
                    self.write(ep.file, self.rest(sub, version))
                else:
                    self.failed(url, sub_failure(sub, url), optional=ep.optional)

    def batch_files(self, jobs: list[tuple[str, str]], *, absent_ok: bool = False) -> None:
        """GET each `(path, layout file)` through `$batch`; an empty answer removes the file."""
        if not jobs:
            return
        answers = self.client.batch([p for p, _ in jobs])
        for (path, rel), sub in zip(jobs, answers, strict=True):
            url = self.client.url(path)
            if sub.status == 200:
                body = self.rest(sub)
                if body.get("value") != []:
                    self.write(rel, body)
                else:
                    (self.out / rel).unlink(missing_ok=True)
            elif sub.status == 403:
                self.failed(url, MissingPermissions([]), optional=False)
            elif not (absent_ok and sub.status == 404):
                err = sub.body.get("error", {}) if isinstance(sub.body, dict) else {}
                self.failed(url, GraphRequestFailed(f"{sub.status} `{err.get('code', '?')}`",
                                                    status=sub.status), optional=False)

    def rest(self, sub: SubResponse, version: str = "v1.0") -> dict[str, Any]:
        """A batched collection page plus the pages behind its `@odata.nextLink`."""
        if not isinstance(sub.body.get("@odata.nextLink"), str):
            return sub.body
        return merge_pages([sub.body, *self.client.pages(sub.body["@odata.nextLink"],
                                                         version=version)])

    def ids(self, rel: str, key: str = "id", *, paged: bool = False) -> list[dict[str, Any]]:
        source = iter_collection(self.out, rel, self.report) if paged else iter_file(
            self.out / rel, self.report)
        return [obj for _, obj in source if isinstance(obj.get(key), str)]


def _query(params: dict[str, str]) -> str:
    """`?k=v&...` for a `$batch` URL (relative, so the query is written out by hand)."""
    if not params:
        return ""
    return "?" + "&".join(f"{k}={quote(v, safe=_SAFE)}" for k, v in params.items())


def merge_pages(pages: list[dict[str, Any]]) -> dict[str, Any]:
    """Pages of one collection as one body; a singleton entity is returned as it came."""
    first = pages[0]
    if len(pages) == 1 or not isinstance(first.get("value"), list):
        return first
    merged = {k: v for k, v in first.items() if k != "@odata.nextLink"}
    merged["value"] = [item for page in pages for item in page.get("value") or []]
    return merged
