"""The live collector: fetch a tenant's export layout from Microsoft Graph.

`collect_tenant` signs in with an app registration (client secret or certificate, through MSAL)
and writes the files `graph_export.import_export` reads. `GraphClient` handles throttling,
retries, token refresh, paging and `$batch`; a 403 becomes a `MissingPermissions` error naming
the application permissions to grant.
"""

from graphmodel.ingest.collector.auth import (
    DEFAULT_AUTHORITY_HOST,
    MsalTokenProvider,
    TokenProvider,
    load_certificate,
)
from graphmodel.ingest.collector.collect import ENDPOINTS, CollectResult, Endpoint, collect
from graphmodel.ingest.collector.errors import (
    AuthFailed,
    CollectError,
    GraphRequestFailed,
    GraphUnavailable,
    MissingPermissions,
)
from graphmodel.ingest.collector.graph import GraphClient, RetryPolicy
from graphmodel.ingest.collector.permissions import ALL_PERMISSIONS, required_permission
from graphmodel.ingest.collector.session import DEFAULT_GRAPH_URL, collect_tenant

__all__ = [
    "ALL_PERMISSIONS",
    "DEFAULT_AUTHORITY_HOST",
    "DEFAULT_GRAPH_URL",
    "ENDPOINTS",
    "AuthFailed",
    "CollectError",
    "CollectResult",
    "Endpoint",
    "GraphClient",
    "GraphRequestFailed",
    "GraphUnavailable",
    "MissingPermissions",
    "MsalTokenProvider",
    "RetryPolicy",
    "TokenProvider",
    "collect",
    "collect_tenant",
    "load_certificate",
    "required_permission",
]
