"""Identifier types and the deterministic ids given to objects a world file leaves unnamed."""

from __future__ import annotations

import uuid
from typing import NewType

__all__ = ["ObjectId", "Ref", "TenantId", "derive_id", "is_guid"]

TenantId = NewType("TenantId", str)
ObjectId = NewType("ObjectId", str)
Ref = NewType("Ref", str)  # `tenant/name` handle

_NAMESPACE = uuid.UUID("5f0c6c0e-8f43-4d0b-9a55-7c1b8c2f6a10")


def derive_id(*parts: str) -> str:
    """A stable GUID for an object from its handle parts, so reloading a world keeps ids.

    Examples
    --------
    >>> derive_id("tenant", "contoso") == derive_id("tenant", "contoso")
    True
    >>> is_guid(derive_id("user", "contoso", "alice"))
    True
    """
    return str(uuid.uuid5(_NAMESPACE, "\x1f".join(parts)))


def is_guid(value: str) -> bool:
    """True when `value` is a GUID (a raw Graph id rather than a handle)."""
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return len(value) == 36
