"""What answers are about, as nodes: `Principal` (a user) and `Resource` (an app or a channel).

Why interfaces and not ref strings: a client that gets `Reach.principal` wants to follow it (its
tenant, its guest objects) without a second query, and still read its handle as `ref`. Both
interfaces have `ref`, so `principal { ref }` works whatever the concrete type; outside a
scoped token's tenants the node is an `ExternalObject` whose `ref` is `tenant/<kind>`.
"""

from __future__ import annotations

import strawberry

__all__ = ["Principal", "Resource"]


@strawberry.interface(
    description="Who an answer is about: a `User` (the home identity), or an `ExternalObject` "
    "outside the token's tenants."
)
class Principal:
    ref: str = strawberry.field(description="The handle, `tenant/name`.")


@strawberry.interface(
    description="What an answer is about: an `App` or a Teams `Channel`, or an `ExternalObject` "
    "outside the token's tenants."
)
class Resource:
    ref: str = strawberry.field(description="The handle, `tenant/app` or `tenant/team/channel`.")
