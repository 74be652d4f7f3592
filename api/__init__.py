"""tenantgraph's GraphQL API: a Starlette app over `graphmodel.service` (translation only).

`create_app(service, auth=..., limits=...)` builds the ASGI app; `tenantgraph serve` runs it with
uvicorn and `tenantgraph token ...` manages its bearer tokens (`api.cli`).
"""

from __future__ import annotations

from api.app import create_app
from api.auth import NoAuth, Role, TokenAuth, TokenStore, Viewer
from api.limits import Limits

__all__ = ["Limits", "NoAuth", "Role", "TokenAuth", "TokenStore", "Viewer", "create_app"]
