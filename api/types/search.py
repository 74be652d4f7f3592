"""What `search` answers: one hit per matching tenant, user, group, app or channel.

Why one flat type rather than a union of the directory types: the viewer's search box and
GraphiQL users want the same few fields for every kind (what it is, its ref, a readable line
and, for a guest or synced user, the home identity to ask access questions about); the full
object is one `node(id)` or `user(ref)` away.
"""

from __future__ import annotations

from enum import Enum

import strawberry

__all__ = ["SearchHit", "SearchKind"]


@strawberry.enum(description="The kinds of object `search` looks through.")
class SearchKind(Enum):
    TENANT = "tenant"
    USER = "user"
    GROUP = "group"
    APP = "app"
    CHANNEL = "channel"


@strawberry.type(description="One object whose name, UPN, mail or id matches a search.")
class SearchHit:
    kind: SearchKind
    ref: str = strawberry.field(description="The handle: `contoso`, `contoso/alice`, ...")
    tenant: str
    name: str
    detail: str = strawberry.field(
        description="A readable line: the UPN, the appId, the channel type, the domains."
    )
    home: str | None = strawberry.field(
        description="For a guest or synced user object: the home identity it stands for."
    )
