"""Wiring for `tenantgraph collect`: credentials -> MSAL token provider -> Graph client -> files.

Kept apart from `collect.py` so the collection logic can be driven by any `TokenProvider` (tests
use the real MSAL provider against a loopback authority), and the CLI stays a thin shell.
With `delta` (the default) the run works on a hard-linked copy of the folder (`Staging`) with
the folder's delta state, and the copy replaces the folder only when the run ends: a run that
fails leaves the previous export and its state as they were. Missing permissions still end the
run normally (the export is kept, marked incomplete), as without delta.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx

from graphmodel.ingest.collector.auth import DEFAULT_AUTHORITY_HOST, MsalTokenProvider
from graphmodel.ingest.collector.collect import DEFAULT_REFRESH, CollectResult, collect
from graphmodel.ingest.collector.errors import MissingPermissions
from graphmodel.ingest.collector.graph import GraphClient, RetryPolicy
from graphmodel.ingest.collector.staging import Staging
from graphmodel.ingest.collector.state import SyncState

__all__ = ["DEFAULT_GRAPH_URL", "Traffic", "collect_tenant"]

DEFAULT_GRAPH_URL = "https://graph.microsoft.com"


@dataclass(slots=True)
class Traffic:
    """How many requests a collection sent (filled in when it ends, even by an error)."""

    requests: int = 0  # HTTP requests to Graph, retries included (a `$batch` is one)
    operations: int = 0  # Graph operations, each part of a `$batch` counted


def collect_tenant(
    *,
    tenant_id: str,
    client_id: str,
    credential: str | dict[str, str],
    out: Path,
    graph_url: str = DEFAULT_GRAPH_URL,
    authority_host: str = DEFAULT_AUTHORITY_HOST,
    verify: ssl.SSLContext | str | bool = True,
    notify: Callable[[str], None] | None = None,
    retry: RetryPolicy | None = None,
    sleep: Callable[[float], None] | None = None,
    delta: bool = True,
    full: bool = False,
    refresh_after: timedelta = DEFAULT_REFRESH,
    traffic: Traffic | None = None,
) -> CollectResult:
    """Sign in as the app registration and write (or update) the tenant's export in `out`."""
    scope = f"{graph_url.rstrip('/')}/.default"
    tokens = MsalTokenProvider(tenant_id, client_id, credential, authority_host=authority_host,
                               scope=scope, verify=verify)
    http = httpx.Client(verify=verify, timeout=60.0)
    client = GraphClient(tokens, base_url=graph_url, http=http, retry=retry, notify=notify,
                         sleep=sleep or time.sleep)
    try:
        if not delta:
            return collect(client, out, tenant_id=tenant_id)
        return _with_state(client, out, tenant_id=tenant_id, full=full,
                           refresh_after=refresh_after)
    finally:
        if traffic is not None:
            traffic.requests, traffic.operations = client.requests, client.operations
        http.close()
        tokens.close()


def _with_state(client: GraphClient, out: Path, *, tenant_id: str, full: bool,
                refresh_after: timedelta) -> CollectResult:
    staging = Staging(out)
    work = staging.open()
    state, unusable = SyncState.load(work, tenant_id=tenant_id,
                                     graph_url=client.url("", "v1.0").rstrip("/"))
    if unusable is not None:
        client.notify(f"{unusable}: reading everything in full")
    try:
        result = collect(client, work, tenant_id=tenant_id, state=state, full=full,
                         refresh_after=refresh_after)
    except MissingPermissions:
        staging.commit()
        raise
    except BaseException:
        staging.abort()
        raise
    staging.commit()
    result.folder = out
    return result
