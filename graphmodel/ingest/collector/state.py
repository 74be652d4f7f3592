"""The collector's delta state: per resource, the `@odata.deltaLink` to ask for changes next time.

Kept in the tenant folder (`deltaState.json`, written atomically, swapped in with the folder)
so the links always describe exactly the export they sit next to. A link is used only when it
was issued for the same tenant, the same Graph root and the same query (`$select` is encoded in
the token, so a collector that selects other properties must start over). A missing, unreadable
or foreign state file is not an error: every resource is simply read in full.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from graphmodel.ingest.collector.staging import write_json

__all__ = ["STATE_FILE", "SyncState", "query_key"]

STATE_FILE = "deltaState.json"
_FORMAT = "tenantgraph-delta-state"
_VERSION = 1


def query_key(path: str, params: dict[str, str]) -> str:
    """What a delta link was issued for: the path and its query, hashed.

    Examples
    --------
    >>> query_key("/users/delta", {"$select": "id"}) == query_key("/users/delta", {"$select": "id"})
    True
    """
    text = path + "?" + "&".join(f"{k}={v}" for k, v in sorted(params.items()))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass(slots=True)
class SyncState:
    """Delta links by resource name, and when the data without delta was last read in full."""

    tenant_id: str
    graph_url: str
    links: dict[str, str] = field(default_factory=dict)  # resource -> deltaLink
    queries: dict[str, str] = field(default_factory=dict)  # resource -> query_key
    last_run: datetime | None = None  # start of the last successful run
    refreshed: datetime | None = None  # last full read of relationships and sign-in evidence

    def link(self, resource: str, key: str) -> str | None:
        """The delta link of `resource` when it was issued for query `key`."""
        if self.queries.get(resource) != key:
            return None
        return self.links.get(resource)

    def remember(self, resource: str, key: str, link: str) -> None:
        self.links[resource] = link
        self.queries[resource] = key

    def forget(self, resource: str) -> None:
        self.links.pop(resource, None)
        self.queries.pop(resource, None)

    @classmethod
    def load(cls, folder: Path, *, tenant_id: str, graph_url: str) -> tuple[SyncState, str | None]:
        """The state in `folder`, or an empty one and the reason the file was not used."""
        fresh = cls(tenant_id=tenant_id, graph_url=graph_url)
        path = folder / STATE_FILE
        if not path.is_file():
            return fresh, None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or data.get("format") != _FORMAT:
                return fresh, f"`{path}` is not a delta state file"
            if data.get("version") != _VERSION:
                return fresh, f"`{path}` has state version {data.get('version')!r}"
            if str(data.get("tenantId", "")).lower() != tenant_id.lower():
                return fresh, f"`{path}` belongs to tenant `{data.get('tenantId')}`"
            if data.get("graphBaseUrl") != graph_url:
                return fresh, f"`{path}` was written for `{data.get('graphBaseUrl')}`"
            resources = data.get("resources") or {}
            state = cls(tenant_id=tenant_id, graph_url=graph_url,
                        last_run=_time(data.get("lastRun")),
                        refreshed=_time(data.get("refreshed")))
            for name, entry in resources.items():
                if isinstance(entry, dict) and isinstance(entry.get("deltaLink"), str):
                    state.remember(str(name), str(entry.get("query", "")), entry["deltaLink"])
            return state, None
        except (OSError, UnicodeDecodeError, ValueError, TypeError, AttributeError) as exc:
            return fresh, f"`{path}` cannot be read ({exc})"

    def save(self, folder: Path) -> None:
        body: dict[str, Any] = {
            "format": _FORMAT,
            "version": _VERSION,
            "tenantId": self.tenant_id,
            "graphBaseUrl": self.graph_url,
            "lastRun": None if self.last_run is None else self.last_run.isoformat(),
            "refreshed": None if self.refreshed is None else self.refreshed.isoformat(),
            "resources": {name: {"deltaLink": link, "query": self.queries.get(name, "")}
                          for name, link in sorted(self.links.items())},
        }
        write_json(folder / STATE_FILE, body)


def _time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        found = datetime.fromisoformat(value)
    except ValueError:
        return None
    return found if found.tzinfo is not None else None
