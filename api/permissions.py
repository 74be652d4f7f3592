"""Field permissions: the denial shape (message, code, HTTP status) is declared on the class."""

from __future__ import annotations

from typing import Any

from strawberry.permission import BasePermission

__all__ = ["IsAdmin"]


class IsAdmin(BasePermission):
    """Only an admin token may change data; anyone else gets 403 with code `forbidden`."""

    message = "changing data needs a token with the admin role"
    error_extensions = {"code": "forbidden"}  # noqa: RUF012 - strawberry reads it per class

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        allowed: bool = info.context.viewer.can_mutate
        if not allowed:
            info.context.response.status_code = 403
        return allowed
