"""tenantgraph's GraphQL API: a Starlette app over `graphmodel.service` (translation only).

`create_app(service, auth=..., limits=...)` builds the ASGI app; `tenantgraph serve` runs it with
uvicorn and `tenantgraph token ...` manages its bearer tokens (`api.cli`).

The names below are imported on first use (PEP 562): every `tenantgraph` command loads
`api.cli` to register `serve` and `token`, and importing the app (strawberry and the schema)
for each of them cost ~1 s per command; a `serve --workers N` parent does not need it either.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from api.app import create_app
    from api.auth import NoAuth, Role, TokenAuth, TokenStore, Viewer
    from api.limits import Limits

__all__ = ["Limits", "NoAuth", "Role", "TokenAuth", "TokenStore", "Viewer", "create_app"]

_HOMES = {
    "create_app": "api.app",
    "NoAuth": "api.auth",
    "Role": "api.auth",
    "TokenAuth": "api.auth",
    "TokenStore": "api.auth",
    "Viewer": "api.auth",
    "Limits": "api.limits",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module `api` has no attribute `{name}`")
    return getattr(importlib.import_module(home), name)
