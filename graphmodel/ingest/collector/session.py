"""Wiring for `tenantgraph collect`: credentials -> MSAL token provider -> Graph client -> files.

Kept apart from `collect.py` so the collection logic can be driven by any `TokenProvider` (tests
use the real MSAL provider against a loopback authority), and the CLI stays a thin shell.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from graphmodel.ingest.collector.auth import DEFAULT_AUTHORITY_HOST, MsalTokenProvider
from graphmodel.ingest.collector.collect import CollectResult, collect
from graphmodel.ingest.collector.graph import GraphClient, RetryPolicy

__all__ = ["DEFAULT_GRAPH_URL", "collect_tenant"]

DEFAULT_GRAPH_URL = "https://graph.microsoft.com"


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
) -> CollectResult:
    """Sign in as the app registration and write the tenant's export layout into `out`."""
    scope = f"{graph_url.rstrip('/')}/.default"
    tokens = MsalTokenProvider(tenant_id, client_id, credential, authority_host=authority_host,
                               scope=scope, verify=verify)
    http = httpx.Client(verify=verify, timeout=60.0)
    try:
        client = GraphClient(tokens, base_url=graph_url, http=http, retry=retry, notify=notify,
                             sleep=sleep or time.sleep)
        return collect(client, out, tenant_id=tenant_id)
    finally:
        http.close()
        tokens.close()
