"""The live collector: fetch a tenant's export layout from Microsoft Graph, in full or by delta.

`collect_tenant` signs in with an app registration (client secret or certificate, through MSAL)
and writes the files `graph_export.import_export` reads; with its delta state (the default) a
second run asks Graph only for changes and merges them into the folder. `GraphClient` handles
throttling, retries, token refresh, paging and `$batch`; a 403 becomes a `MissingPermissions`
error naming the application permissions to grant.
"""

from graphmodel.ingest.collector.auth import (
    DEFAULT_AUTHORITY_HOST,
    MsalTokenProvider,
    TokenProvider,
    load_certificate,
)
from graphmodel.ingest.collector.collect import (
    DEFAULT_REFRESH,
    ENDPOINTS,
    CollectResult,
    Endpoint,
    collect,
)
from graphmodel.ingest.collector.delta import ResyncRequired
from graphmodel.ingest.collector.errors import (
    AuthFailed,
    CollectError,
    GraphRequestFailed,
    GraphUnavailable,
    MissingPermissions,
)
from graphmodel.ingest.collector.graph import GraphClient, RetryPolicy
from graphmodel.ingest.collector.permissions import ALL_PERMISSIONS, required_permission
from graphmodel.ingest.collector.session import DEFAULT_GRAPH_URL, Traffic, collect_tenant
from graphmodel.ingest.collector.state import STATE_FILE, SyncState

__all__ = [
    "ALL_PERMISSIONS",
    "DEFAULT_AUTHORITY_HOST",
    "DEFAULT_GRAPH_URL",
    "DEFAULT_REFRESH",
    "ENDPOINTS",
    "STATE_FILE",
    "AuthFailed",
    "CollectError",
    "CollectResult",
    "Endpoint",
    "GraphClient",
    "GraphRequestFailed",
    "GraphUnavailable",
    "MissingPermissions",
    "MsalTokenProvider",
    "ResyncRequired",
    "RetryPolicy",
    "SyncState",
    "TokenProvider",
    "Traffic",
    "collect",
    "collect_tenant",
    "load_certificate",
    "required_permission",
]
