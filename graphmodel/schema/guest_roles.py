"""The three documented `guestUserRoleId` values (lifecycle.md L17) and their access levels.

Why a table of its own: the Graph importer, the exporter and the world-file loader all map ids
to levels, and an id outside this table must stay visible as unknown (audits fail closed on it)
instead of being read as any level.
"""

from __future__ import annotations

from graphmodel.schema.enums import GuestUserAccess

__all__ = ["GUEST_ROLE_IDS", "guest_access_for_role_id"]

GUEST_ROLE_IDS: dict[GuestUserAccess, str] = {
    GuestUserAccess.SAME_AS_MEMBERS: "a0b1b346-4d3e-4e8b-98f8-753987be4970",
    GuestUserAccess.LIMITED: "10dae51f-b6af-4016-8d66-8c2a99b929b3",
    GuestUserAccess.RESTRICTED: "2af84b1e-32c8-42b7-82bc-daa82404023b",
}
_BY_ID = {v: k for k, v in GUEST_ROLE_IDS.items()}


def guest_access_for_role_id(role_id: str) -> GuestUserAccess | None:
    """The access level a guestUserRoleId stands for; None when it is none of the three.

    Examples
    --------
    >>> guest_access_for_role_id("2AF84B1E-32C8-42B7-82BC-DAA82404023B")
    <GuestUserAccess.RESTRICTED: 'restricted'>
    >>> guest_access_for_role_id("62e90394-69f5-4237-9190-012177145e10") is None
    True
    """
    return _BY_ID.get(role_id.strip().lower())
